//go:build race

package engine

// raceDetector is true when the tests run under -race: the heaviest runs
// take a smaller fleet there (the detector checks the goroutines, and is
// 5-10x slower).
const raceDetector = true
