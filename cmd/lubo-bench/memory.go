package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
)

// Where lubo's memory goes, seen from outside: the kernel's view of the
// process (smaps_rollup: anonymous memory versus mapped files such as the
// binary) and the Go runtime's, from two sources:
//   - GODEBUG=gctrace=1 lines on lubo's stderr give the heap marked live at
//     each collection (what the structures really hold) and the heap goal
//     (live × (1+GOGC/100): what RSS tends to with the default GOGC);
//   - /metrics (the Prometheus Go collector) gives heap in use, stacks and
//     goroutines at the moment of the scrape.

// gcTrace collects the heap sizes of gctrace lines.
type gcTrace struct {
	mu sync.Mutex
	gcFigures
}

// gcFigures are the heap sizes of one measured period.
type gcFigures struct {
	gcs      int
	lastLive float64 // MB marked live at the newest collection
	peakLive float64
	peakGoal float64
	stacks   float64 // MB of goroutine stacks scanned at the newest collection
	cpuMS    float64 // CPU the collections took (assist, background and idle marking, pauses)
}

// reset starts a new measured period.
func (g *gcTrace) reset() {
	g.mu.Lock()
	g.gcs, g.peakLive, g.peakGoal, g.cpuMS = 0, 0, 0, 0
	g.mu.Unlock()
}

// snapshot copies the collected figures.
func (g *gcTrace) snapshot() gcFigures {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.gcFigures
}

// follow reads lubo's stderr: gctrace lines are parsed and swallowed,
// everything else goes to out.
func (g *gcTrace) follow(r io.Reader, out io.Writer) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if live, goal, stacks, cpuMS, ok := parseGCTrace(line); ok {
			g.mu.Lock()
			g.gcs++
			g.cpuMS += cpuMS
			g.lastLive, g.stacks = live, stacks
			g.peakLive = max(g.peakLive, live)
			g.peakGoal = max(g.peakGoal, goal)
			g.mu.Unlock()
			continue
		}
		fmt.Fprintln(out, line)
	}
}

// parseGCTrace reads one runtime gctrace line:
//
//	gc 12 @3.1s 1%: 0.1+2+0.02 ms clock, 0.2+0.5/1.5/3+0.04 ms cpu, 40->41->20 MB, 42 MB goal, 0 MB stacks, 1 MB globals, 2 P
//
// and returns the live heap after marking, the goal and the stacks, in MB,
// and the CPU the collection took in ms (the sum of the cpu figures).
func parseGCTrace(line string) (live, goal, stacks, cpuMS float64, ok bool) {
	if !strings.HasPrefix(line, "gc ") {
		return 0, 0, 0, 0, false
	}
	for _, part := range strings.Split(line, ", ") {
		f := strings.Fields(part)
		switch {
		case len(f) == 2 && f[1] == "MB" && strings.Count(f[0], "->") == 2:
			v := f[0][strings.LastIndex(f[0], "->")+2:]
			live, _ = strconv.ParseFloat(v, 64)
			ok = true
		case len(f) == 3 && f[1] == "MB" && f[2] == "goal":
			goal, _ = strconv.ParseFloat(f[0], 64)
		case len(f) == 3 && f[1] == "MB" && f[2] == "stacks":
			stacks, _ = strconv.ParseFloat(f[0], 64)
		case len(f) == 3 && f[1] == "ms" && f[2] == "cpu":
			for _, v := range strings.FieldsFunc(f[0], func(r rune) bool { return r == '+' || r == '/' }) {
				ms, _ := strconv.ParseFloat(v, 64)
				cpuMS += ms
			}
		}
	}
	return live, goal, stacks, cpuMS, ok
}

// smaps is the kernel's split of a process's resident memory, in bytes.
type smaps struct {
	rss, anon, file float64
}

func readSmaps(pid int) smaps {
	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps_rollup", pid))
	if err != nil {
		return smaps{}
	}
	defer f.Close()
	var s smaps
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(v)
		if len(fields) == 0 {
			continue
		}
		kb, _ := strconv.ParseFloat(fields[0], 64)
		switch k {
		case "Rss":
			s.rss = kb * 1024
		case "Anonymous":
			s.anon = kb * 1024
		}
	}
	s.file = s.rss - s.anon
	return s
}

// goRuntime is the Go collector's view at one scrape, in bytes.
type goRuntime struct {
	heapInuse, heapAlloc, stackInuse, sys, goroutines float64
}

func scrapeRuntime(base string) goRuntime {
	return goRuntime{
		heapInuse:  metricSum(base, "go_memstats_heap_inuse_bytes"),
		heapAlloc:  metricSum(base, "go_memstats_heap_alloc_bytes"),
		stackInuse: metricSum(base, "go_memstats_stack_inuse_bytes"),
		sys:        metricSum(base, "go_memstats_sys_bytes"),
		goroutines: metricSum(base, "go_goroutines"),
	}
}

// withGCTrace adds gctrace=1 to a GODEBUG value.
func withGCTrace(godebug string) string {
	if godebug == "" {
		return "gctrace=1"
	}
	return godebug + ",gctrace=1"
}
