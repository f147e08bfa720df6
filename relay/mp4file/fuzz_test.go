package mp4file

import (
	"bytes"
	"os"
	"testing"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// FuzzReadFrames feeds mutated MP4s to ReadFrames: it must answer, never
// panic or exhaust memory, and what it accepts must be playable.
func FuzzReadFrames(f *testing.F) {
	for _, name := range []string{"tiny_h264_aac.mp4", "tiny_h265_aac.mp4", "tiny_h264_aac_frag.mp4"} {
		b, err := os.ReadFile(testmedia.Require(f, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, c := range layoutCases {
		f.Add(c.file)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tracks, frames, err := ReadFrames(bytes.NewReader(b))
		if err != nil {
			return
		}
		if tracks == nil || len(frames) == 0 {
			t.Fatalf("no error, but tracks %v and %d frames", tracks, len(frames))
		}
		firstVideo := true
		for i, fr := range frames {
			if fr.Tracks != tracks {
				t.Fatalf("frame %d: foreign tracks", i)
			}
			switch {
			case fr.IsVideo():
				if tracks.Video == nil || fr.Codec != tracks.Video.Codec {
					t.Fatalf("frame %d: %s frame, video track %+v", i, fr.Codec, tracks.Video)
				}
				if firstVideo && !fr.Key {
					t.Fatalf("frame %d: video starts without a keyframe", i)
				}
				firstVideo = false
				if fr.Key && !selfContained(tracks.Video, fr.Data) {
					t.Fatalf("frame %d: keyframe without parameter sets", i)
				}
			case fr.Codec == media.AAC:
				if tracks.Audio == nil || len(fr.Data) == 0 || !fr.Key {
					t.Fatalf("frame %d: AAC frame %d bytes key %v, audio track %+v", i, len(fr.Data), fr.Key, tracks.Audio)
				}
			default:
				t.Fatalf("frame %d: codec %s", i, fr.Codec)
			}
		}
		checkStrictlyIncreasing(t, frames)
		if d := ClipDuration(frames); d <= 0 {
			t.Fatalf("ClipDuration = %v", d)
		}
	})
}

func selfContained(v *media.VideoTrack, data []byte) bool {
	if v.Codec == media.H265 {
		return hasNALU(v.Codec, data, media.H265VPS) && hasNALU(v.Codec, data, media.H265SPS) && hasNALU(v.Codec, data, media.H265PPS)
	}
	return hasNALU(v.Codec, data, media.H264SPS) && hasNALU(v.Codec, data, media.H264PPS)
}
