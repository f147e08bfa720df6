package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the collector's target when GOGC is not set: collect when
// the heap has grown by half of what was live, not Go's default of all of
// it. Nearly all of lubo's heap is media payloads (the cached GOP, frames
// in flight), large and pointer-free, which the collector marks without
// scanning, so collecting twice as often costs little CPU and keeps about
// a fifth less memory per channel (make bench; run it with
// lubo-bench -gogc 100 to compare).
const gcPercent = 50

// tuneGC applies gcPercent unless the operator chose GOGC.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
}
