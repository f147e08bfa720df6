package sources

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/internal/fakecam"
	"github.com/lubo-edge/lubo/internal/redact"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// A real file source: the probe sees its tracks and stops at the first
// keyframe (the file loops for ever otherwise).
func TestProbeFile(t *testing.T) {
	got, err := Probe(context.Background(), "file://"+testmedia.Require(t, "tiny_h264_aac.mp4"), Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	v := got.Tracks.Video
	if v == nil || v.Codec != media.H264 || v.Width == 0 || got.Tracks.Audio == nil || got.Tracks.Audio.Codec != media.AAC {
		t.Errorf("tracks %v", got.Tracks)
	}
	if got.Keyframes != 1 || got.Frames < 1 || got.Frames >= probeFrames {
		t.Errorf("stopped after %d frames, %d keyframes; want it stopped at the first keyframe", got.Frames, got.Keyframes)
	}
}

var (
	h264  = &media.Tracks{Video: &media.VideoTrack{Codec: media.H264}}
	aac   = &media.Tracks{Audio: &media.AudioTrack{Codec: media.AAC, SampleRate: 48000, Channels: 2}}
	key   = &media.Frame{Codec: media.H264, Key: true, Data: []byte{0, 0, 0, 1, 0x65, 1}}
	sound = &media.Frame{Codec: media.AAC, Data: []byte{1}}
)

// fakeScheme makes "fake://…" open run.
func fakeScheme(run func(ctx context.Context, out relay.Publisher) error) *Registry {
	reg := Builtin()
	reg.Add(&Scheme{Names: []string{"fake"}, Want: "fake", Check: func(*url.URL, string) string { return "" },
		Open: func(string, *url.URL, Options) (relay.Source, error) { return relay.SourceFunc(run), nil }})
	return reg
}

func TestProbe(t *testing.T) {
	refused := errors.New("dial tcp 10.0.0.64:554: connect: connection refused")
	cases := []struct {
		name    string
		run     func(ctx context.Context, out relay.Publisher) error
		frames  int
		wantErr error // nil: success with frames frames
	}{
		{"keyframe: stopped at once", func(ctx context.Context, out relay.Publisher) error {
			out.Begin(h264)
			out.WriteFrame(key)
			<-ctx.Done() // runs until stopped
			return nil
		}, 1, nil},
		{"sound only: stopped after 50 frames", func(ctx context.Context, out relay.Publisher) error {
			out.Begin(aac)
			for ctx.Err() == nil {
				out.WriteFrame(sound)
			}
			return ctx.Err()
		}, probeFrames, nil},
		{"refused", func(context.Context, relay.Publisher) error { return refused }, 0, refused},
		{"tracks, then an error before any frame", func(_ context.Context, out relay.Publisher) error {
			out.Begin(h264)
			return refused
		}, 0, refused},
		{"tracks, then the end without a frame", func(_ context.Context, out relay.Publisher) error {
			out.Begin(h264)
			return nil
		}, 0, ErrNoPicture},
		{"frames without tracks", func(_ context.Context, out relay.Publisher) error {
			out.WriteFrame(key)
			return nil
		}, 0, ErrNoPicture},
		{"a frame, then the end", func(_ context.Context, out relay.Publisher) error {
			out.Begin(h264)
			out.WriteFrame(sound)
			return refused
		}, 1, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := fakeScheme(c.run).Probe(context.Background(), "fake://cam", Options{})
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) || got.Tracks != nil {
					t.Fatalf("%+v, %v; want %v", got, err, c.wantErr)
				}
				return
			}
			if err != nil || got.Tracks == nil || got.Frames != c.frames {
				t.Fatalf("%+v, %v; want %d frames", got, err, c.frames)
			}
		})
	}
}

// A source that declares its tracks and then says nothing fails with the
// caller's context, not a success.
func TestProbeSilentSourceEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reg := fakeScheme(func(ctx context.Context, out relay.Publisher) error {
		out.Begin(h264)
		cancel() // the caller gives up (the HTTP request ends) while the camera is silent
		<-ctx.Done()
		return ctx.Err()
	})
	if got, err := reg.Probe(ctx, "fake://cam", Options{}); !errors.Is(err, context.Canceled) || got.Tracks != nil {
		t.Fatalf("%+v, %v; want the context's error", got, err)
	}
}

// A probe without a deadline of its own gets ProbeTimeout.
func TestProbeHasADeadline(t *testing.T) {
	reg := fakeScheme(func(ctx context.Context, _ relay.Publisher) error {
		if _, ok := ctx.Deadline(); !ok {
			return errors.New("no deadline")
		}
		return nil
	})
	if _, err := reg.Probe(context.Background(), "fake://cam", Options{}); !errors.Is(err, ErrNoPicture) {
		t.Fatal(err)
	}
}

// A URL the registry refuses is not opened, and its password is not
// quoted.
func TestProbeBadURL(t *testing.T) {
	for _, raw := range []string{"htp://admin:s3cret@10.0.0.64/x", "rtsp://admin:s3cret@10.0.0.64:99999/x", "ezviz://admin:s3cret@x"} {
		_, err := Probe(context.Background(), raw, Options{})
		if err == nil || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%s: %v", raw, err)
		}
	}
}

// A real camera over RTSP and RTMP (the project's fake camera, the same
// servers lubo serves with): the probe reads its tracks; a wrong password
// fails with an error that, redacted as the dashboard shows it, names no
// password.
func TestProbeCamera(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	cam, err := fakecam.Start(fakecam.Options{Files: map[string]string{"cam": testmedia.Require(t, "tiny_h264_aac.mp4")},
		RTMP: "127.0.0.1:0", User: "admin", Pass: "cam-pass", Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer cam.Close()
	for _, raw := range []string{"rtsp://admin:cam-pass@" + cam.RTSPAddr().String() + "/cam", "rtmp://" + cam.RTMPAddr().String() + "/live/cam"} {
		got, err := Probe(context.Background(), raw, Options{Transport: "auto", Logger: log})
		if err != nil || got.Tracks.Video == nil || got.Tracks.Video.Codec != media.H264 || got.Keyframes != 1 {
			t.Errorf("%s: %+v, %v", raw, got, err)
		}
	}
	_, err = Probe(context.Background(), "rtsp://admin:wrong-pass@"+cam.RTSPAddr().String()+"/cam", Options{Transport: "auto", Logger: log})
	if err == nil || strings.Contains(redact.Text(err.Error()), "wrong-pass") {
		t.Errorf("wrong password: %v", err)
	}
}
