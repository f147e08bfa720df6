package mp4

import (
	"context"
	"errors"
	"io"
	"os"
	"slices"
	"testing"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay/flv"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// collector keeps what an FLV reader publishes.
type collector struct {
	tracks *media.Tracks
	frames []*media.Frame
}

func (c *collector) Begin(t *media.Tracks)     { c.tracks = t }
func (c *collector) WriteFrame(f *media.Frame) { c.frames = append(c.frames, f) }

// TestG711Skipped records a camera stream with G.711 audio: the video goes
// into the file, the audio is counted and left out, without an error.
func TestG711Skipped(t *testing.T) {
	f, err := os.Open(testmedia.Require(t, "h264_pcma.flv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var c collector
	if err := flv.ReadStream(context.Background(), f, &c, nil); !errors.Is(err, io.EOF) {
		t.Fatalf("read FLV: %v", err)
	}
	if c.tracks == nil || c.tracks.Audio == nil || c.tracks.Audio.Codec != media.PCMA || c.tracks.Video == nil {
		t.Fatalf("tracks %s, want H264 + PCMA", c.tracks)
	}
	for _, fr := range c.frames {
		fr.Tracks = c.tracks // as relay.Stream fills it in
	}
	video, audio := countFrames(c.frames)

	part, final := partPaths(t, "g711")
	w := writePart(t, part, c.tracks, c.frames, Options{NoSync: true})
	if w.SkippedAudio() == nil {
		t.Error("SkippedAudio() is nil for PCMA")
	}
	if w.DroppedAudio() != int64(audio) || audio == 0 {
		t.Errorf("DroppedAudio() = %d, the stream had %d PCMA frames", w.DroppedAudio(), audio)
	}
	info, err := Finalize(part, final)
	if err != nil {
		t.Fatal(err)
	}
	if info.VideoFrames != video || info.AudioFrames != 0 {
		t.Errorf("Info %+v, want %d video frames only", info, video)
	}
	if p := probe(t, final); !slices.Equal(p.codecs, []string{"h264"}) {
		t.Errorf("streams %v", p.codecs)
	}
	if e := decodeErrors(t, final); e != "" {
		t.Errorf("ffmpeg: %s", e)
	}

	// Without video there is nothing MP4 can carry.
	onlyAudio := &media.Tracks{Audio: c.tracks.Audio}
	p2, _ := partPaths(t, "audio")
	if _, err := Create(p2, onlyAudio, Options{}); !errors.Is(err, ErrNothingToRecord) {
		t.Errorf("Create for PCMA only: %v, want ErrNothingToRecord", err)
	}
}
