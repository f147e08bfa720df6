package rtmp

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yapingcat/gomedia/go-codec"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
)

// TestPushPlayback pushes a clip to the server and has ffprobe and an
// ffmpeg decoder play it back.
func TestPushPlayback(t *testing.T) {
	tracks, frames := framesFromFLV(t, makeClip(t, "aac"))
	_, addr := startServer(t)
	url := "rtmp://" + addr + "/live/pushed"

	ctx, cancel := context.WithCancel(context.Background())
	pushed := make(chan error, 1)
	go func() { pushed <- Push(ctx, url, &pacer{tracks: tracks, frames: frames}) }()

	var wg sync.WaitGroup
	var decodeErr error
	var decodeLog []byte
	wg.Go(func() {
		// ffmpeg -v error prints nothing for a stream that decodes cleanly.
		decodeLog, decodeErr = runToolStderr("ffmpeg", "-v", "error", "-rw_timeout", "15000000",
			"-i", url, "-t", "2", "-f", "null", "-")
	})
	streams := probe(t, url)
	wg.Wait()
	cancel()
	if err := <-pushed; err != nil {
		t.Errorf("Push after cancel: %v, want nil", err)
	}

	if s := findStream(streams, "video"); s == nil || s.CodecName != "h264" || s.Width != 320 || s.Height != 240 {
		t.Errorf("ffprobe video: %+v", s)
	}
	if s := findStream(streams, "audio"); s == nil || s.CodecName != "aac" || s.SampleRate != "44100" || s.Channels != 1 {
		t.Errorf("ffprobe audio: %+v", s)
	}
	if decodeErr != nil || len(decodeLog) > 0 {
		t.Errorf("ffmpeg decode of the pushed stream: %v\n%s", decodeErr, decodeLog)
	}
}

// TestPublishH265 serves H.265 through Server.Publish and plays it back
// with the play Source: gomedia's HEVC muxer and demuxer (FLV codec id 12)
// both ways. The ffmpeg here cannot carry H.265 in FLV, so the source is
// the judge, checking the parameter sets arrive intact.
func TestPublishH265(t *testing.T) {
	aus := h265Frames(t, makeH265(t))
	tracks, frames := convertAll(t, codec.CODECID_VIDEO_H265, aus)
	if tracks.Video == nil || tracks.Video.Width != 320 || tracks.Video.Height != 240 || tracks.Video.VPS == nil {
		t.Fatalf("converted tracks %+v", tracks.Video)
	}
	srv, addr := startServer(t)

	pubCtx, stopPub := context.WithCancel(context.Background())
	published := make(chan error, 1)
	go func() { published <- srv.Publish(pubCtx, "live/h265", &pacer{tracks: tracks, frames: frames}) }()

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	col := testkit.NewCollector(testkit.VideoFrames(40), cancel)
	err := NewSource("rtmp://"+addr+"/live/h265").Run(ctx, col)
	stopPub()
	if perr := <-published; perr != nil {
		t.Errorf("Publish after cancel: %v, want nil", perr)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || err != nil {
		t.Fatalf("source: %v after %d frames", err, len(gotFrames(col)))
	}
	if len(gotTracks(col)) != 1 {
		t.Fatalf("Begin called %d times", len(gotTracks(col)))
	}
	got := gotTracks(col)[0]
	if !media.SameVideo(got.Video, tracks.Video) || got.Audio != nil {
		t.Fatalf("played tracks %v differ from published %v", got, tracks)
	}
	checkFrames(t, got, gotFrames(col))
}

// convertAll runs access units through the converter as gomedia would
// hand them out, 40 ms apart.
func convertAll(t *testing.T, cid codec.CodecID, aus []*media.Frame) (*media.Tracks, []*media.Frame) {
	t.Helper()
	var tracks *media.Tracks
	var frames []*media.Frame
	conv := newConverter(func(tr *media.Tracks) { tracks = tr }, func(f *media.Frame) { frames = append(frames, f) })
	for _, au := range aus {
		ms := uint32(au.DTS / time.Millisecond)
		conv.push(cid, ms, ms, au.Data)
	}
	if conv.err != nil || tracks == nil {
		t.Fatalf("converter: %v, tracks %v", conv.err, tracks)
	}
	for _, f := range frames {
		f.Tracks = tracks
	}
	return tracks, frames
}

// TestPushTracksChanged checks a push refuses frames with other codec
// parameters instead of sending them under stale sequence headers.
func TestPushTracksChanged(t *testing.T) {
	tracks, frames := framesFromFLV(t, makeClip(t, "pcmu"))
	_, addr := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := DialPush(ctx, "rtmp://"+addr+"/live/x", tracks)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.WriteFrame(frames[0]); err != nil {
		t.Fatal(err)
	}
	other := *tracks
	v := *tracks.Video
	v.SPS = append([]byte{}, v.SPS...)
	v.SPS[len(v.SPS)-1] ^= 0xFF
	other.Video = &v
	f := *frames[1]
	f.Tracks = &other
	if err := p.WriteFrame(&f); !errors.Is(err, ErrTracksChanged) {
		t.Fatalf("WriteFrame with changed SPS: %v, want ErrTracksChanged", err)
	}
}

// TestPushErrors covers a refused connection and a name already taken.
func TestPushErrors(t *testing.T) {
	tracks, _ := framesFromFLV(t, makeClip(t, "aac"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	_, err := DialPush(ctx, "rtmp://"+closedAddr(t)+"/live/x", tracks)
	if err == nil || !strings.Contains(err.Error(), "rtmp: dial 127.0.0.1:") {
		t.Errorf("push to a closed port: %v", err)
	}

	_, addr := startServer(t)
	url := "rtmp://" + addr + "/live/taken"
	first, err := DialPush(ctx, url, tracks)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if second, err := DialPush(ctx, url, tracks); err == nil {
		second.Close()
		t.Errorf("second publisher of one name was accepted")
	}
}
