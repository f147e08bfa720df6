package segmenter

import (
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// FuzzTSWriter feeds arbitrary pictures and audio frames to the TS writer:
// it may refuse a frame, never panic or hang. The first seed is the access
// unit that made gomedia's muxer index out of range (an SPS ending in
// 00 00 01 just before the next start code: an empty NAL unit).
func FuzzTSWriter(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0, 0, 0, 1, 0x65, 0x88}, []byte{0x21, 0x10}, true)
	f.Add([]byte{0, 0, 1}, []byte{}, false)
	f.Add([]byte{0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x41, 0x9a}, []byte{0xff, 0xf1}, true)
	f.Add([]byte{0, 0, 0, 1}, []byte{0}, true)
	f.Fuzz(func(t *testing.T, picture, audio []byte, key bool) {
		var w tsWriter
		tracks := synthTracks(1)
		adts, err := newADTSHeader(tracks.Audio)
		if err != nil {
			t.Skip(err)
		}
		w.begin(tracks, true, adts, 0, false)
		for i := range 3 {
			at := time.Duration(i) * 40 * time.Millisecond
			_ = w.write(&media.Frame{Codec: media.H264, DTS: at, PTS: at, Key: key && i == 0, Data: picture, Tracks: tracks})
			_ = w.write(&media.Frame{Codec: media.AAC, DTS: at, PTS: at, Key: true, Data: audio, Tracks: tracks})
		}
		if len(w.buf)%188 != 0 {
			t.Fatalf("segment of %d bytes is not whole TS packets", len(w.buf))
		}
		for off := 0; off < len(w.buf); off += 188 {
			if w.buf[off] != 0x47 {
				t.Fatalf("packet %d does not start with the sync byte", off/188)
			}
		}
	})
}
