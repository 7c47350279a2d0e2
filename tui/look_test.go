package tui

import (
	"fmt"
	"os"
	"testing"
)

func TestLook(t *testing.T) {
	if os.Getenv("LOOK") == "" {
		t.Skip("set LOOK=1 to print screens")
	}
	for _, sz := range [][2]int{{80, 24}, {200, 50}} {
		m, _ := newTestModel(sz[0], sz[1], frame(1, 40, ""))
		m.Update(press("!"))
		fmt.Println(screenText(m))
		m.Update(press("m"))
		m.Update(press("e"))
		fmt.Println(screenText(m))
		m.Update(press("tab"))
		m.Update(press("enter"))
		m.Update(frameMsg(frame(2, 40, "c-wifi-001")))
		fmt.Println(screenText(m))
	}
}
