package rtsp

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// nalusOf splits a frame's Annex-B data into NAL units.
func nalusOf(f *media.Frame) [][]byte {
	var au [][]byte
	media.SplitAnnexB(f.Data, func(n []byte) bool {
		au = append(au, n)
		return true
	})
	return au
}

// withoutParams drops parameter sets from an AU, like cameras that send
// them only in the SDP.
func withoutParams(codec media.Codec, au [][]byte) [][]byte {
	var out [][]byte
	for _, n := range au {
		if (&videoAssembler{codec: codec}).paramKindOf(n) == paramNone {
			out = append(out, n)
		}
	}
	return out
}

func ticks(d time.Duration) int64 { return durationToTicks(d, videoClock) }

// TestVideoAssemblerClip runs whole clips through the assembler, as
// gortsplib would hand them over, with and without in-band parameters.
func TestVideoAssemblerClip(t *testing.T) {
	for _, kind := range []clipKind{clipH264AAC, clipH264BAAC, clipH265PCMA} {
		c := loadClip(t, kind)
		v := c.tracks.Video
		for _, inBand := range []bool{true, false} {
			var sdpVPS, sdpSPS, sdpPPS []byte
			if !inBand {
				sdpVPS, sdpSPS, sdpPPS = v.VPS, v.SPS, v.PPS
			}
			a := newVideoAssembler(v.Codec, sdpVPS, sdpSPS, sdpPPS, func(kind, msg string) { t.Errorf("%s: note %s: %s", kind, kind, msg) })
			var out []*media.Frame
			for _, f := range c.frames {
				if !f.IsVideo() {
					continue
				}
				au := nalusOf(f)
				if !inBand {
					au = withoutParams(v.Codec, au)
				}
				got, err := a.push(wholeUnits(au), ticks(f.PTS))
				if err != nil {
					t.Fatalf("%s: push: %v", kind, err)
				}
				if got != nil {
					out = append(out, got)
				}
			}
			if a.track == nil || a.track.Width != 320 || a.track.Height != 240 {
				t.Fatalf("%s in-band=%v: track %+v, want 320x240", kind, inBand, a.track)
			}
			if !out[0].Key {
				t.Errorf("%s: first frame is not a keyframe", kind)
			}
			videoFrames := 0
			for _, f := range c.frames {
				if f.IsVideo() {
					videoFrames++
				}
			}
			if len(out) != videoFrames {
				t.Errorf("%s in-band=%v: %d frames out of %d", kind, inBand, len(out), videoFrames)
			}
			reordered := false
			for i, f := range out {
				if f.Key && !hasParams(f) {
					t.Errorf("%s in-band=%v: keyframe %d without parameter sets", kind, inBand, i)
				}
				if i > 0 && f.DTS < out[i-1].DTS {
					t.Errorf("%s: DTS goes back at %d: %v after %v", kind, i, f.DTS, out[i-1].DTS)
				}
				if f.PTS < f.DTS {
					t.Errorf("%s: frame %d PTS %v < DTS %v", kind, i, f.PTS, f.DTS)
				}
				reordered = reordered || f.PTS > f.DTS
			}
			if reordered != (kind == clipH264BAAC) {
				t.Errorf("%s: frames with PTS > DTS: %v", kind, reordered)
			}
		}
	}
}

func TestVideoAssemblerRules(t *testing.T) {
	c := loadClip(t, clipH264AAC)
	v := c.tracks.Video
	var key, delta [][]byte
	for _, f := range c.frames {
		switch {
		case f.IsVideo() && f.Key && key == nil:
			key = withoutParams(media.H264, nalusOf(f))
		case f.IsVideo() && !f.Key && key != nil && delta == nil:
			delta = nalusOf(f)
		}
	}
	aud := []byte{0x09, 0xf0}

	t.Run("waits for a keyframe", func(t *testing.T) {
		a := newVideoAssembler(media.H264, nil, v.SPS, v.PPS, nil)
		if f, err := a.push(wholeUnits(delta), 0); f != nil || err != nil {
			t.Fatalf("delta frame before a keyframe: %v, %v", f, err)
		}
		f, err := a.push(wholeUnits(key), 3600)
		if err != nil || f == nil || !f.Key {
			t.Fatalf("keyframe: %v, %v", f, err)
		}
	})

	t.Run("keyframe without any parameter sets is dropped", func(t *testing.T) {
		var notes []string
		a := newVideoAssembler(media.H264, nil, nil, nil, func(_, msg string) { notes = append(notes, msg) })
		if f, err := a.push(wholeUnits(key), 0); f != nil || err != nil {
			t.Fatalf("keyframe without parameters: %v, %v", f, err)
		}
		if len(notes) != 1 {
			t.Errorf("notes %q, want one", notes)
		}
		// Parameter sets arriving on their own (as some cameras send
		// them) are kept for the next keyframe.
		if f, _ := a.push(wholeUnits([][]byte{v.SPS, v.PPS}), 3600); f != nil {
			t.Fatalf("parameter sets alone made a frame")
		}
		f, err := a.push(wholeUnits(key), 7200)
		if err != nil || f == nil || !hasParams(f) {
			t.Fatalf("keyframe after in-band parameters: %v, %v", f, err)
		}
	})

	t.Run("delimiters dropped, parameters prepended once", func(t *testing.T) {
		a := newVideoAssembler(media.H264, nil, v.SPS, v.PPS, nil)
		au := append([][]byte{aud, v.SPS}, key...) // SPS in-band, PPS only from the SDP
		f, err := a.push(wholeUnits(au), 0)
		if err != nil || f == nil {
			t.Fatal(f, err)
		}
		var types []byte
		media.SplitAnnexB(f.Data, func(n []byte) bool {
			types = append(types, media.H264Type(n))
			return true
		})
		if types[0] != media.H264SPS || types[1] != media.H264PPS || bytes.Count(types, []byte{media.H264SPS}) != 1 ||
			bytes.IndexByte(types, media.H264AUD) >= 0 {
			t.Errorf("NAL unit types %v, want SPS PPS then the picture without AUD", types)
		}
	})

	t.Run("size change ends the session", func(t *testing.T) {
		small := loadClip(t, clipH264Small).tracks.Video
		a := newVideoAssembler(media.H264, nil, v.SPS, v.PPS, nil)
		if f, err := a.push(wholeUnits(key), 0); err != nil || f == nil {
			t.Fatal(f, err)
		}
		_, err := a.push(wholeUnits(append([][]byte{small.SPS, small.PPS}, key...)), 3600)
		if !errors.Is(err, errVideoSizeChanged) {
			t.Fatalf("push with a 160x120 SPS = %v, want errVideoSizeChanged", err)
		}
	})

	t.Run("timestamps", func(t *testing.T) {
		a := newVideoAssembler(media.H264, nil, v.SPS, v.PPS, nil)
		f, _ := a.push(wholeUnits(key), 90000*3600*30) // 30 hours in: no overflow
		if f.PTS != 30*time.Hour || f.DTS != f.PTS {
			t.Errorf("PTS %v DTS %v, want 30h", f.PTS, f.DTS)
		}
	})
}

func TestTicks(t *testing.T) {
	for _, tc := range []struct {
		ticks int64
		clock int
		d     time.Duration
	}{
		{90000, 90000, time.Second},
		{3600, 90000, 40 * time.Millisecond},
		{1024, 48000, 21333333 * time.Nanosecond},
		{-3600, 90000, -40 * time.Millisecond},
		{90000 * 86400 * 10, 90000, 240 * time.Hour},
	} {
		if got := ticksToDuration(tc.ticks, tc.clock); got != tc.d {
			t.Errorf("ticksToDuration(%d, %d) = %v, want %v", tc.ticks, tc.clock, got, tc.d)
		}
		if tc.clock == 90000 {
			if got := durationToTicks(tc.d, tc.clock); got != tc.ticks {
				t.Errorf("durationToTicks(%v) = %d, want %d", tc.d, got, tc.ticks)
			}
		}
	}
}

// wholeUnits is an access unit of NAL units each sent whole, as the
// depacketizer gives them for single NAL unit packets.
func wholeUnits(nalus [][]byte) accessUnit {
	d := newDepacketizer(false)
	for _, n := range nalus {
		if len(n) > 0 {
			d.whole(n)
		}
	}
	return accessUnit{pieces: d.pieces, size: d.size, units: d.units}
}
