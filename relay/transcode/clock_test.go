package transcode

import (
	"encoding/binary"
	"testing"
	"time"
)

const ms = time.Millisecond

// auTime is access unit k's expected time after a clock's first input at
// t0 with contiguous input: unit 0 is priming, unit k starts with output
// sample (k-1)*1024 at 48 kHz.
func auTime(t0 time.Duration, k int64) time.Duration {
	return t0 + duration((k-1)*1024, 48000)
}

// clockStep is one G.711 frame offered to a clock.
type clockStep struct {
	dts     time.Duration
	n       int
	silence int
	skip    int
	gap     bool
}

var clockCases = []struct {
	name  string
	steps []clockStep
	// want[k] is access unit k's time; -1 marks the priming unit.
	want []time.Duration
}{
	{"contiguous", []clockStep{{dts: 500 * ms, n: 160}, {dts: 520 * ms, n: 160}, {dts: 540 * ms, n: 160}},
		[]time.Duration{-1, 500 * ms, auTime(500*ms, 2), auTime(500*ms, 3)}},
	{"jitter within tolerance", []clockStep{{dts: 0, n: 160}, {dts: 35 * ms, n: 160}, {dts: 25 * ms, n: 160}},
		[]time.Duration{-1, 0, auTime(0, 2)}},
	{"lost packet filled", []clockStep{{dts: 0, n: 160}, {dts: 120 * ms, n: 160, silence: 800, gap: true}},
		[]time.Duration{-1, 0, auTime(0, 2), auTime(0, 3)}},
	{"overlap skipped", []clockStep{{dts: 0, n: 800}, {dts: 50 * ms, n: 800, skip: 400, gap: true}},
		[]time.Duration{-1, 0, auTime(0, 2)}},
	{"whole frame repeated", []clockStep{{dts: 0, n: 800}, {dts: 0, n: 160, skip: 160, gap: true}},
		[]time.Duration{-1, 0}},
	// 1024 input samples (7 units), then a 5 s hole: unit 7 starts at
	// output sample 6144 = input 1024, the hole's far side.
	{"long hole re-anchored", []clockStep{{dts: 0, n: 1024}, {dts: 5128 * ms, n: 1024, gap: true}},
		[]time.Duration{-1, 0, auTime(0, 2), auTime(0, 3), auTime(0, 4), auTime(0, 5), auTime(0, 6),
			5128 * ms, 5128*ms + duration(1024, 48000)}},
}

func TestSampleClock(t *testing.T) {
	for _, c := range clockCases {
		t.Run(c.name, func(t *testing.T) {
			clk := newSampleClock(8000, 48000, 1024)
			if _, ok := clk.peek(); ok {
				t.Fatal("peek known before any input")
			}
			for i, s := range c.steps {
				silence, skip, gap := clk.place(s.dts, s.n)
				if silence != s.silence || skip != s.skip || gap != s.gap {
					t.Fatalf("step %d: silence %d skip %d gap %v; want %d %d %v", i, silence, skip, gap, s.silence, s.skip, s.gap)
				}
				clk.add(silence + s.n - skip)
			}
			for k, want := range c.want {
				peek, _ := clk.peek()
				got, ok := clk.next()
				if want < 0 {
					if ok {
						t.Fatalf("unit %d timed %v, want it dropped as priming", k, got)
					}
					continue
				}
				if !ok || got != want || peek != got {
					t.Fatalf("unit %d at %v (ok %v, peek %v), want %v", k, got, ok, peek, want)
				}
			}
		})
	}
}

// TestDuration checks the overflow-safe sample arithmetic on a long session.
func TestDuration(t *testing.T) {
	day := int64(24 * 3600)
	for _, rate := range []int64{8000, 48000, 48000 * 8000} {
		if got := duration(day*rate*30, rate); got != 30*24*time.Hour {
			t.Errorf("30 days at %d Hz: %v", rate, got)
		}
	}
	if got := duration(1, 48000); got != 20833*time.Nanosecond {
		t.Errorf("one sample at 48 kHz: %v", got)
	}
	if got := samples(100*ms, 8000); got != 800 {
		t.Errorf("100 ms at 8 kHz: %d samples", got)
	}
}

// FuzzSampleClock offers a clock any sequence of frames and pulls access
// units in between: times never go back and nothing panics.
func FuzzSampleClock(f *testing.F) {
	for _, c := range clockCases {
		var b []byte
		for _, s := range c.steps {
			b = binary.BigEndian.AppendUint32(b, uint32(s.dts/ms))
			b = binary.BigEndian.AppendUint16(b, uint16(s.n))
			b = append(b, byte(len(c.want)))
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		clk := newSampleClock(8000, 48000, 1024)
		last := time.Duration(-1 << 62)
		for ; len(in) >= 7; in = in[7:] {
			dts := time.Duration(int32(binary.BigEndian.Uint32(in))) * ms
			n := int(binary.BigEndian.Uint16(in[4:]))
			if n == 0 {
				continue
			}
			silence, skip, _ := clk.place(dts, n)
			if silence < 0 || skip < 0 || skip > n || silence > int(samples(maxSilence, 8000)) {
				t.Fatalf("place(%v, %d) = silence %d, skip %d", dts, n, silence, skip)
			}
			clk.add(silence + n - skip)
			for range int(in[6]) % 16 {
				got, ok := clk.next()
				if !ok {
					continue
				}
				if got < last {
					t.Fatalf("unit at %v after one at %v", got, last)
				}
				last = got
			}
			if len(clk.anchors) > 1+len(in) {
				t.Fatalf("%d anchors kept", len(clk.anchors))
			}
		}
	})
}
