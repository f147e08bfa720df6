package api

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/flv"
	"github.com/lubo-edge/lubo/relay/mp4file"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// flvTestBox serves live streams to the FLV handler; the FLV handler uses
// nothing else of the Box, so the rest is left nil.
type flvTestBox struct {
	Box
	streams map[string]*relay.Stream
}

func (b *flvTestBox) LiveStream(id string) (*relay.Stream, bool) {
	s, ok := b.streams[id]
	return s, ok
}

func (b *flvTestBox) WebStream(id string) (*relay.Stream, bool) { return b.LiveStream(id) }

// startFLVServer plays each MP4 file as a live channel (real time, looping)
// behind a real HTTP server with lubo's handlers. stop ends the channels
// (their viewers see the channel stop); cleanup does it too.
func startFLVServer(t *testing.T, files map[string]string) (url string, stop func()) {
	t.Helper()
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	box := &flvTestBox{streams: map[string]*relay.Stream{}}
	for id, path := range files {
		st := relay.NewStream(id, mp4file.NewSource(path, mp4file.WithLogger(log)), relay.StreamOptions{Logger: log})
		box.streams[id] = st
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = st.Run(ctx)
		}()
	}
	stop = func() {
		cancel()
		wg.Wait()
	}
	t.Cleanup(stop)
	srv := httptest.NewServer(NewServer(box, log))
	t.Cleanup(srv.Close) // runs first: viewers go before their streams
	return srv.URL, stop
}

func getFLV(t *testing.T, url string) *http.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// h265BFramesClip makes an H.265 clip with B-frames, so the stream has
// composition times (CodedFrames) as well as none (CodedFramesX); the
// committed h265_aac.mp4 has no B-frames.
func h265BFramesClip(t *testing.T) string {
	t.Helper()
	ffmpeg := needTool(t, "ffmpeg")
	path := filepath.Join(t.TempDir(), "h265_bframes.mp4")
	out, err := exec.Command(ffmpeg, "-v", "error", "-y",
		"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
		"-t", "3", "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:bframes=3:keyint=25:min-keyint=25",
		"-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "64k", path).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	return path
}

func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is needed for this test (apt-get install ffmpeg): %v", name, err)
	}
	return p
}

// TestFLVEnhancedHEVC walks a ?hevc=enhanced response tag by tag with a
// reader written from the enhanced RTMP specification (not lubo's
// demuxer), checks it against the source file, then re-muxes the bytes to
// codec-12 FLV with lubo's demuxer and writer and has ffmpeg decode them.
func TestFLVEnhancedHEVC(t *testing.T) {
	for _, c := range []struct{ name, path string }{
		{"h265_aac.mp4", testmedia.Require(t, "h265_aac.mp4")},
		{"bframes", h265BFramesClip(t)},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := loadSource(t, c.path)
			base, _ := startFLVServer(t, map[string]string{"c265": c.path})
			resp := getFLV(t, base+"/live/c265.flv?hevc=enhanced")
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "video/x-flv" {
				t.Fatalf("status %s, content type %q", resp.Status, resp.Header.Get("Content-Type"))
			}
			const want = 60 // video frames: over two GOPs of the 25-frame keyframe interval
			j := &enhancedJudge{src: src}
			raw := j.walk(t, resp.Body, want)
			resp.Body.Close()
			j.matchSource(t)
			if c.name == "bframes" && (j.withCTS == 0 || j.withoutCTS == 0) {
				t.Errorf("%d CodedFrames and %d CodedFramesX, want both", j.withCTS, j.withoutCTS)
			}
			roundTripLegacy(t, raw, j.pictures)
		})
	}
}

// TestFLVHEVCParameter: a bad hevc value is a 400 naming the accepted
// values, on every channel; H.264 channels come out the same whatever is
// asked; H.265 is codec id 12 unless enhanced is asked for.
func TestFLVHEVCParameter(t *testing.T) {
	base, _ := startFLVServer(t, map[string]string{
		"c264": testmedia.Require(t, "h264_aac.mp4"),
		"c265": testmedia.Require(t, "h265_aac.mp4"),
	})
	for _, path := range []string{
		"/live/c265.flv?hevc=13", "/live/c265.flv?hevc=ENHANCED", "/live/c265.flv?hevc=hvc1",
		"/live/c264.flv?hevc=x", "/live/nochannel.flv?hevc=265", "/live/c265.flv?audio=g711&hevc=265",
	} {
		resp := getFLV(t, base+path)
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "12") || !strings.Contains(string(body), "enhanced") {
			t.Errorf("GET %s: %s %q, want 400 naming 12 and enhanced", path, resp.Status, body)
		}
	}

	for _, c := range []struct {
		path      string
		codecByte byte    // first byte of the video sequence header
		codecID   float64 // onMetaData videocodecid
	}{
		{"/live/c264.flv", 0x17, 7},
		{"/live/c264.flv?hevc=enhanced", 0x17, 7},
		{"/live/c264.flv?hevc=12&audio=g711", 0x17, 7},
		{"/live/c265.flv", 0x1c, 12},
		{"/live/c265.flv?hevc=12", 0x1c, 12},
		{"/live/c265.flv?audio=g711&hevc=enhanced", 0x90, 0x68766331},
	} {
		resp := getFLV(t, base+c.path)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", c.path, resp.Status)
		}
		tags := readTags(t, resp.Body, 10)
		resp.Body.Close()
		d := amfDecoder{b: tags[0].Data}
		_, _ = d.value()
		meta, _ := d.value()
		if props, _ := meta.(map[string]any); props == nil || props["videocodecid"] != c.codecID {
			t.Errorf("GET %s: onMetaData %v, want videocodecid %v", c.path, meta, c.codecID)
		}
		seq := 0
		for _, tag := range tags {
			if tag.Type != flv.TagVideo {
				continue
			}
			if seq == 0 && tag.Data[0] != c.codecByte {
				t.Errorf("GET %s: first video tag starts %#x, want %#x", c.path, tag.Data[0], c.codecByte)
			}
			seq++
			// Legacy tags keep their codec id; enhanced ones their ex header.
			if legacy := c.codecByte&0x80 == 0; legacy && (tag.Data[0]&0x80 != 0 || tag.Data[0]&0x0f != c.codecByte&0x0f) ||
				!legacy && (tag.Data[0]&0x80 == 0 || string(tag.Data[1:5]) != "hvc1") {
				t.Errorf("GET %s: video tag starting %#x", c.path, tag.Data[0])
			}
		}
		if seq < 2 {
			t.Errorf("GET %s: %d video tags in the first 10", c.path, seq)
		}
	}
}

// readTags reads n tags with lubo's tag reader (the layout checks above
// need no more).
func readTags(t *testing.T, r io.Reader, n int) []flv.Tag {
	t.Helper()
	tr := flv.NewTagReader(r)
	var tags []flv.Tag
	for len(tags) < n {
		tag, err := tr.ReadTag()
		if err != nil {
			t.Fatalf("tag %d: %v", len(tags), err)
		}
		tag.Data = bytes.Clone(tag.Data)
		tags = append(tags, tag)
	}
	return tags
}

// TestFLVEnhancedEndsSequence: when the channel stops, an enhanced viewer
// gets a SequenceEnd as the last tag before the response ends.
func TestFLVEnhancedEndsSequence(t *testing.T) {
	base, stop := startFLVServer(t, map[string]string{"c265": testmedia.Require(t, "h265_aac.mp4")})
	resp := getFLV(t, base+"/live/c265.flv?hevc=enhanced")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %s", resp.Status)
	}
	tr := flv.NewTagReader(resp.Body)
	video := 0
	for video < 3 { // the sequence start and a picture or two: the viewer is in
		tag, err := tr.ReadTag()
		if err != nil {
			t.Fatal(err)
		}
		if tag.Type == flv.TagVideo {
			video++
		}
	}
	stop()
	var last flv.Tag
	for {
		tag, err := tr.ReadTag()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("reading to the end: %v", err)
		}
		tag.Data = bytes.Clone(tag.Data)
		last = tag
	}
	// IsExVideoHeader, FrameType 1, PacketType SequenceEnd (2), hvc1, no body.
	if last.Type != flv.TagVideo || !bytes.Equal(last.Data, []byte{0x92, 'h', 'v', 'c', '1'}) {
		t.Fatalf("last tag: type %d data %x, want a SequenceEnd", last.Type, last.Data)
	}
}
