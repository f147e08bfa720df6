package segmenter

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// gopFrames makes 25 fps-ish H.264 with AAC whose GOPs last the given
// numbers of frames, frame intervals from interval(i), starting at 0.
func gopFrames(t *media.Tracks, gops []int, interval func(i int) time.Duration) []*media.Frame {
	key := media.AppendAnnexB(nil, synthSPS, synthPPS, []byte{0x65, 0x88, 1, 2, 3})
	delta := media.AppendAnnexB(nil, []byte{0x41, 0x9a, 4, 5})
	au := []byte{0x21, 0x10, 0x04}
	aac := 1024 * time.Second / 44100
	var out []*media.Frame
	var dts, audio time.Duration
	i := 0
	for _, n := range gops {
		for k := range n {
			f := &media.Frame{Codec: media.H264, DTS: dts, PTS: dts, Key: k == 0, Data: delta, Tracks: t}
			if f.Key {
				f.Data = key
			}
			out = append(out, f)
			step := interval(i)
			i++
			for ; audio < dts+step; audio += aac {
				out = append(out, &media.Frame{Codec: media.AAC, DTS: audio, PTS: audio, Key: true, Data: au, Tracks: t})
			}
			dts += step
		}
	}
	return out
}

// playlistLife feeds frames to h and checks every playlist it renders on
// the way: the target duration is want each time, no listed segment rounds
// to more, the media sequence never goes back, and an fMP4 playlist claims
// independent segments exactly when none listed was split. It returns how
// many playlists it saw and how many of them listed a split segment.
func playlistLife(t *testing.T, h *HLS, frames []*media.Frame, want int) (playlists, withSplit int) {
	t.Helper()
	var last []byte
	var seq uint64
	for _, f := range frames {
		h.WriteFrame(f)
		h.mu.Lock()
		pl := h.playlist
		var split bool
		for _, s := range h.segments[max(0, len(h.segments)-h.opts.Window):] {
			split = split || (s.split && s.seq >= h.listFrom)
		}
		h.mu.Unlock()
		if pl == nil || (last != nil && &pl[0] == &last[0]) {
			continue
		}
		last = pl
		playlists++
		if split {
			withSplit++
		}
		if got := playlistTarget(t, pl); got != want {
			t.Fatalf("target duration %d, want %d all along:\n%s", got, want, pl)
		}
		p := decodePlaylist(t, pl)
		if p.SeqNo < seq {
			t.Fatalf("media sequence went back from %d to %d", seq, p.SeqNo)
		}
		seq = p.SeqNo
		for _, s := range p.GetAllSegments() {
			if math.Round(s.Duration) > float64(want) {
				t.Fatalf("%s lasts %.3f s, more than the target duration %d:\n%s", s.URI, s.Duration, want, pl)
			}
		}
		fmp4 := bytes.Contains(pl, []byte("#EXT-X-MAP:"))
		if claims := bytes.Contains(pl, []byte("#EXT-X-INDEPENDENT-SEGMENTS\n")); claims != (fmp4 && !split) {
			t.Fatalf("EXT-X-INDEPENDENT-SEGMENTS %v with fMP4 %v and a split segment listed %v:\n%s", claims, fmp4, split, pl)
		}
	}
	return playlists, withSplit
}

// TestHLSTargetDurationFixed: 10 minutes of a camera with irregular GOPs (0.2
// to 8 s) and jittery frame intervals, in both variants and for several
// segment targets: the target duration is the target rounded, from the
// first playlist to the last, and every segment keeps within it.
func TestHLSTargetDurationFixed(t *testing.T) {
	rnd := rand.New(rand.NewPCG(10, 8216))
	var gops []int
	for total := 0; total < 600*25; {
		n := 5 + rnd.IntN(196) // 0.2 s to 8 s at 25 fps
		gops = append(gops, n)
		total += n
	}
	jitter := make([]time.Duration, 4096)
	for i := range jitter {
		jitter[i] = time.Duration(35+rnd.IntN(11)) * time.Millisecond
	}
	frames := gopFrames(synthTracks(1), gops, func(i int) time.Duration { return jitter[i%len(jitter)] })
	cases := []struct {
		target time.Duration
		want   int
	}{
		{time.Second, 1},
		{2 * time.Second, 2},
		{2400 * time.Millisecond, 2},
		{2600 * time.Millisecond, 3},
	}
	for _, variant := range []Variant{VariantTS, VariantFMP4} {
		for _, c := range cases {
			t.Run(string(variant)+"_"+c.target.String(), func(t *testing.T) {
				h := NewHLS(HLSOptions{Target: c.target, Window: 6, Variant: variant, Logger: quiet()})
				playlists, withSplit := playlistLife(t, h, frames, c.want)
				if playlists < 100 {
					t.Fatalf("only %d playlists in 10 minutes", playlists)
				}
				// GOPs up to 8 s must have needed splits.
				if withSplit == 0 {
					t.Fatal("no playlist listed a split segment; the test did not test the limit")
				}
				if st := h.Stats(); st.Dropped != (HLSDropped{}) {
					t.Fatalf("frames dropped: %+v", st.Dropped)
				}
			})
		}
	}
}

// FuzzHLSTargetDuration: GOP lengths and frame intervals from the input;
// whatever they are, the target duration stays fixed and segments within it.
func FuzzHLSTargetDuration(f *testing.F) {
	f.Add([]byte{25, 40, 25, 40, 25, 40}, uint8(2), false)
	f.Add([]byte{200, 40, 3, 30, 255, 90, 1, 20}, uint8(1), true)
	f.Add([]byte{60, 99, 7, 21, 130, 45}, uint8(3), false)
	f.Fuzz(func(t *testing.T, data []byte, target uint8, fmp4 bool) {
		if len(data) < 2 || len(data) > 400 {
			t.Skip()
		}
		var gops []int
		var intervals []time.Duration
		for i := 0; i+1 < len(data); i += 2 {
			gops = append(gops, 1+int(data[i]))
			// 20 to 99 ms: a camera between 10 and 50 fps.
			intervals = append(intervals, time.Duration(20+int(data[i+1])%80)*time.Millisecond)
		}
		frames := gopFrames(synthTracks(1), gops, func(i int) time.Duration { return intervals[i%len(intervals)] })
		tgt := time.Duration(1+int(target)%10) * time.Second / 2
		variant := VariantTS
		if fmp4 {
			variant = VariantFMP4
		}
		h := NewHLS(HLSOptions{Target: tgt, Window: 4, Variant: variant, Logger: quiet()})
		want, _ := strconv.Atoi(strconv.FormatInt(int64(targetDuration(tgt)/time.Second), 10))
		playlistLife(t, h, frames, want)
		h.Close()
	})
}
