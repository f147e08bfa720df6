package main

import (
	"math"
	"strings"
	"testing"
)

// Lines as Go 1.26 writes them with GODEBUG=gctrace=1.
var gcLines = []struct {
	line                      string
	live, goal, stacks, cpuMS float64
	ok                        bool
}{
	{"gc 10 @0.084s 2%: 0.58+0.26+0.002 ms clock, 1.1+0/0.16/0+0.004 ms cpu, 51->51->29 MB, 52 MB goal, 0 MB stacks, 0 MB globals, 2 P", 29, 52, 0, 1.1 + 0 + 0.16 + 0 + 0.004, true},
	{"gc 11 @0.085s 2%: 0.16+0.11+0.001 ms clock, 0.32+0/0.065/0.057+0.003 ms cpu, 29->29->29 MB, 58 MB goal, 3 MB stacks, 0 MB globals, 2 P (forced)", 29, 58, 3, 0.32 + 0 + 0.065 + 0.057 + 0.003, true},
	{`time=2026-11-27T12:49:15.581Z level=WARN msg="snapshots off"`, 0, 0, 0, 0, false},
	{"gc", 0, 0, 0, 0, false},
	{"gc 1 @0s 0%: garbage", 0, 0, 0, 0, false},
}

func TestParseGCTrace(t *testing.T) {
	for _, c := range gcLines {
		live, goal, stacks, cpuMS, ok := parseGCTrace(c.line)
		if ok != c.ok || live != c.live || goal != c.goal || stacks != c.stacks || math.Abs(cpuMS-c.cpuMS) > 1e-9 {
			t.Errorf("%q: %v %v %v %v %v, want %v %v %v %v %v", c.line, live, goal, stacks, cpuMS, ok, c.live, c.goal, c.stacks, c.cpuMS, c.ok)
		}
	}
}

// TestFollowSeparatesGCTrace: gctrace lines are counted, the rest passes.
func TestFollowSeparatesGCTrace(t *testing.T) {
	var in, want strings.Builder
	for _, c := range gcLines {
		in.WriteString(c.line + "\n")
		if !c.ok {
			want.WriteString(c.line + "\n")
		}
	}
	var g gcTrace
	var out strings.Builder
	g.follow(strings.NewReader(in.String()), &out)
	if out.String() != want.String() {
		t.Errorf("passed on %q, want %q", out.String(), want.String())
	}
	f := g.snapshot()
	if f.gcs != 2 || f.peakLive != 29 || f.peakGoal != 58 || f.stacks != 3 {
		t.Errorf("figures %+v", f)
	}
}

// FuzzParseGCTrace: lubo's stderr is whatever it prints; no line may panic
// the bench.
func FuzzParseGCTrace(f *testing.F) {
	for _, c := range gcLines {
		f.Add(c.line)
	}
	f.Fuzz(func(t *testing.T, line string) {
		live, goal, stacks, cpuMS, _ := parseGCTrace(line)
		_ = live + goal + stacks + cpuMS
	})
}
