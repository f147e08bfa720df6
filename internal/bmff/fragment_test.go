package bmff

import (
	"math"
	"testing"
)

type testSample struct {
	dur, size uint32
	sync      bool
	cto       int32
}

// TestFragmentHead builds a head of two tracks and reads it back: every
// field where ISO/IEC 14496-12 puts it, each trun's data_offset at its
// track's first byte after the moof and the mdat header.
func TestFragmentHead(t *testing.T) {
	tracks := []struct {
		id      uint32
		base    uint64
		samples []testSample
	}{
		{1, 900000, []testSample{{3600, 5000, true, 7200}, {3600, 700, false, -3600}, {3600, 650, false, 0}}},
		{2, 480000, []testSample{{1024, 300, true, 0}, {1024, 310, true, 0}}},
	}
	var w Builder
	w.AppendString("junk") // the head may follow other bytes in the builder
	start := w.Len()
	var h FragmentHead
	for round := range 2 { // the second round reuses h and w
		w.Truncate(start)
		h.Begin(&w, uint32(7+round))
		var payload uint64
		for _, tr := range tracks {
			h.BeginTrack(tr.id, tr.base)
			for _, s := range tr.samples {
				h.Sample(s.dur, s.size, s.sync, s.cto)
				payload += uint64(s.size)
			}
			h.EndTrack()
		}
		if err := h.End(); err != nil {
			t.Fatal(err)
		}
		if h.Payload() != payload {
			t.Fatalf("Payload %d, want %d", h.Payload(), payload)
		}
		head := w.Bytes()[start:]
		boxes := walk(t, head[:len(head)-8])
		moofSize := len(head) - 8
		if mdat := head[moofSize:]; u32(mdat, 0) != uint32(8+payload) || string(mdat[4:]) != "mdat" {
			t.Fatalf("mdat header % x, want size %d", mdat, 8+payload)
		}
		if mfhd := find(boxes, "moof/mfhd"); len(mfhd) != 1 || u32(mfhd[0].body, 4) != uint32(7+round) {
			t.Fatalf("mfhd %v", mfhd)
		}
		tfhds, tfdts, truns := find(boxes, "moof/traf/tfhd"), find(boxes, "moof/traf/tfdt"), find(boxes, "moof/traf/trun")
		if len(tfhds) != 2 || len(tfdts) != 2 || len(truns) != 2 {
			t.Fatalf("%d tfhd, %d tfdt, %d trun", len(tfhds), len(tfdts), len(truns))
		}
		dataAt := uint32(moofSize + 8)
		for i, tr := range tracks {
			if f := u32(tfhds[i].body, 0); f != TfhdDefaultBaseIsMoof || u32(tfhds[i].body, 4) != tr.id {
				t.Errorf("track %d: tfhd flags %x, id %d", tr.id, f, u32(tfhds[i].body, 4))
			}
			if b := tfdts[i].body; b[0] != 1 || uint64(u32(b, 4))<<32|uint64(u32(b, 8)) != tr.base {
				t.Errorf("track %d: tfdt % x", tr.id, b)
			}
			run := truns[i].body
			if run[0] != 1 || u32(run, 0)&0xffffff != 0xf01 || int(u32(run, 4)) != len(tr.samples) {
				t.Fatalf("track %d: trun head % x", tr.id, run[:8])
			}
			if got := u32(run, 8); got != dataAt {
				t.Errorf("track %d: data_offset %d, want %d", tr.id, got, dataAt)
			}
			if len(run) != 12+16*len(tr.samples) {
				t.Fatalf("track %d: trun of %d bytes", tr.id, len(run))
			}
			for j, s := range tr.samples {
				at := 12 + 16*j
				flags := uint32(FlagsNonSync)
				if s.sync {
					flags = FlagsSync
				}
				if u32(run, at) != s.dur || u32(run, at+4) != s.size || u32(run, at+8) != flags || int32(u32(run, at+12)) != s.cto {
					t.Errorf("track %d sample %d: % x", tr.id, j, run[at:at+16])
				}
				dataAt += s.size
			}
		}
	}
}

// A fragment whose data a 32-bit trun data_offset cannot reach is refused.
func TestFragmentHeadTooLarge(t *testing.T) {
	var w Builder
	var h FragmentHead
	h.Begin(&w, 1)
	h.BeginTrack(1, 0)
	h.Sample(1, math.MaxInt32, true, 0)
	h.EndTrack()
	if err := h.End(); err == nil {
		t.Fatal("a 2 GiB fragment was accepted")
	}
}

// After its first use, building a head allocates nothing.
func TestFragmentHeadAllocatesNothing(t *testing.T) {
	var w Builder
	var h FragmentHead
	build := func() {
		w.Reset()
		h.Begin(&w, 1)
		for id := range uint32(2) {
			h.BeginTrack(id+1, 0)
			for range 50 {
				h.Sample(3600, 1000, false, 0)
			}
			h.EndTrack()
		}
		if err := h.End(); err != nil {
			t.Fatal(err)
		}
	}
	build()
	if n := testing.AllocsPerRun(100, build); n != 0 {
		t.Fatalf("%v allocations a head", n)
	}
}
