package flv

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// flvClip returns an FLV file for a clip: ffmpeg's own for H.264, one made
// by Writer from ffmpeg's MPEG-TS for H.265 (ffmpeg 5.1 has no FLV H.265).
func flvClip(t *testing.T, c clip) string {
	if filepath.Ext(c.name) == ".flv" {
		return makeClip(t, c)
	}
	tracks, frames := readClip(t, c)
	path := filepath.Join(t.TempDir(), "writer.flv")
	writeFLVFile(t, path, tracks, frames)
	return path
}

// serveFLV serves a file as an endless HTTP-FLV response: after the file it
// holds the connection until the client leaves, unless end is set.
func serveFLV(t *testing.T, path string, end bool) *httptest.Server {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "video/x-flv")
		if _, err := w.Write(data); err != nil {
			return
		}
		w.(http.Flusher).Flush()
		if !end {
			<-r.Context().Done()
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestSourceFFmpegJudge pulls FLV over HTTP, muxes what the source publishes
// with Writer and lets ffmpeg judge it.
func TestSourceFFmpegJudge(t *testing.T) {
	for _, c := range []clip{clipH264AAC, clipH264PCMA, clipH265AAC} {
		t.Run(c.name, func(t *testing.T) {
			path := flvClip(t, c)
			_, want := readFLVFile(t, path)
			srv := serveFLV(t, path, true)

			col := newCollector(-1)
			err := NewSource(srv.URL+"/live/c101.flv").Run(context.Background(), col)
			if err == nil || !strings.Contains(err.Error(), "stream ended") {
				t.Fatalf("Run = %v, want a stream ended error", err)
			}
			begins, frames := col.Result()
			if len(begins) != 1 {
				t.Fatalf("%d Begin calls, want 1", len(begins))
			}
			tracks := begins[0]
			if tracks.Video == nil || tracks.Audio == nil || tracks.Video.Width != 320 || tracks.Video.Height != 240 {
				t.Fatalf("tracks %v, want video 320x240 and audio", tracks)
			}
			compareFrames(t, want, frames)
			if frames[0].DTS != 0 {
				t.Errorf("first DTS %v, want 0 (ffmpeg starts FLV at 0)", frames[0].DTS)
			}

			dir := t.TempDir()
			out := filepath.Join(dir, "out.flv")
			writeFLVFile(t, out, tracks, frames)
			if c.videoCodec == "h264" {
				codecs := probeCodecs(t, out)
				if !slices.Contains(codecs, "h264") || !slices.Contains(codecs, c.audioCodec) {
					t.Errorf("ffprobe codecs %v, want h264 and %s", codecs, c.audioCodec)
				}
				decodeClean(t, out)
			}
			decodeExtracted(t, dir, tracks, frames)
		})
	}
}

// runSource runs a source in a goroutine and returns its result channel.
func runSource(ctx context.Context, s *Source, out *collector) <-chan error {
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, out) }()
	return done
}

func TestSourceReturnsNilWhenCancelled(t *testing.T) {
	srv := serveFLV(t, makeClip(t, clipH264AAC), false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	col := newCollector(50)
	done := runSource(ctx, NewSource(srv.URL), col)
	select {
	case <-col.Reached():
	case err := <-done:
		t.Fatalf("Run returned %v before 50 frames", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after cancel = %v, want nil", err)
	}
	// All frames were published and the source now waits on the held
	// connection; cancelling must still end it with nil.
}

func TestSourceErrors(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html><body>not a stream</body></html>"))
	})
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte{'F', 'L', 'V', 1, 5, 0, 0, 0, 9, 0, 0, 0, 0})
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	mux.HandleFunc("/silent", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never sends response headers
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	short := []Option{WithIdleTimeout(300 * time.Millisecond), WithConnectTimeout(300 * time.Millisecond)}
	cases := []struct {
		name string
		url  string
		want string
		is   error
	}{
		{"404", srv.URL + "/missing.flv", "http-flv: unexpected status 404", nil},
		{"not FLV", srv.URL + "/html", "http-flv: not an FLV stream", ErrNotFLV},
		{"empty body", srv.URL + "/empty", "http-flv: flv header", nil},
		{"no data", srv.URL + "/stall", "http-flv: no data for 300ms", nil},
		{"no response", srv.URL + "/silent", "no response within 300ms", nil},
		{"bad scheme", "rtmp://127.0.0.1/live/x", "scheme \"rtmp\" not supported", nil},
		{"refused", "http://127.0.0.1:1/x.flv", "http-flv:", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			col := newCollector(-1)
			err := NewSource(c.url, short...).Run(context.Background(), col)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Run = %v, want error containing %q", err, c.want)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Fatalf("Run = %v, want errors.Is %v", err, c.is)
			}
			if begins, _ := col.Result(); len(begins) != 0 {
				t.Fatalf("Begin called %d times on a failed source", len(begins))
			}
		})
	}
}

// TestReadStreamBeginsWithoutMissingAudio: the FLV header announces audio
// that never comes; the session must begin with video alone.
func TestReadStreamBeginsWithoutMissingAudio(t *testing.T) {
	tracks, frames := readClip(t, clipH264AAC)
	var video []*media.Frame
	for _, f := range frames {
		if f.IsVideo() {
			video = append(video, f)
		}
	}
	path := filepath.Join(t.TempDir(), "no-audio.flv")
	writeFLVFile(t, path, tracks, video) // header and metadata claim AAC
	hdr, err := NewTagReader(mustOpen(t, path)).ReadHeader()
	if err != nil || !hdr.Audio || !hdr.Video {
		t.Fatalf("header %+v, %v: want both flags", hdr, err)
	}

	srv := serveFLV(t, path, false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	col := newCollector(len(video))
	done := runSource(ctx, NewSource(srv.URL), col)
	select {
	case <-col.Reached():
	case err := <-done:
		t.Fatalf("Run returned %v before all frames", err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	begins, got := col.Result()
	if len(begins) != 1 || begins[0].Video == nil || begins[0].Audio != nil {
		t.Fatalf("Begin %v, want one video-only session", begins)
	}
	compareFrames(t, video, got)
}

// TestReadStreamParamsChange: a new video sequence header with different
// parameters ends the session so the stream reconnects with new tracks.
func TestReadStreamParamsChange(t *testing.T) {
	path := reconnectFLV(t)
	col := newCollector(-1)
	err := ReadStream(context.Background(), mustOpen(t, path), col, nil)
	if !errors.Is(err, ErrParamsChanged) {
		t.Fatalf("ReadStream = %v, want ErrParamsChanged", err)
	}
	begins, frames := col.Result()
	if len(begins) != 1 || begins[0].Video.Width != 320 {
		t.Fatalf("Begin %v, want one 320x240 session", begins)
	}
	if video, _, _ := countFrames(frames); video != 100 {
		t.Fatalf("%d video frames before the change, want 100", video)
	}
}

func mustOpen(t *testing.T, path string) *os.File {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
