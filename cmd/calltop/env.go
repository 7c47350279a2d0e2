package main

import (
	"os"
	"strings"
)

// feedURLs returns the --feed URLs given, or when there are none the
// comma-separated URLs in $CALLTOP_FEED (blanks dropped).
func feedURLs(flags []string) []string {
	if len(flags) > 0 {
		return flags
	}
	var urls []string
	for _, u := range strings.Split(os.Getenv("CALLTOP_FEED"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			urls = append(urls, u)
		}
	}
	return urls
}
