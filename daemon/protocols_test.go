package daemon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/rtmp"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// startRTMPServer runs an RTMP server that ffmpeg publishes into, as an
// NVR or a streaming box would.
func startRTMPServer(t *testing.T) string {
	t.Helper()
	srv := rtmp.NewServer(rtmp.ServerOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	addr, err := srv.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Run(ctx) }()
	t.Cleanup(func() { cancel(); srv.Close(); <-done })
	return addr.String()
}

// publish loops clip into url with ffmpeg until the test ends or the
// returned stop is called.
func publish(t *testing.T, clip, url string) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "ffmpeg", "-nostdin", "-v", "error", "-re", "-stream_loop", "-1", "-i", clip, "-c", "copy", "-f", "flv", url)
	if err := cmd.Start(); err != nil {
		t.Fatalf("ffmpeg publish: %v", err)
	}
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); _ = cmd.Wait() }) }
	t.Cleanup(stop)
	return stop
}

func sorted(s []string) []string { s = slices.Clone(s); slices.Sort(s); return s }

// G.711 from an RTMP source: web outputs get it as AAC (HTTP-FLV by
// default, HLS), HTTP-FLV keeps it on request, RTSP carries it as it is.
func TestRTMPSourceWithG711(t *testing.T) {
	clip := testmedia.Require(t, "h264_pcma.flv")
	addr := startRTMPServer(t)
	publish(t, clip, "rtmp://"+addr+"/live/cam")
	b := startBox(t, fmt.Sprintf("  - {id: g711, source: \"rtmp://%s/live/cam\", on_demand: true}\n", addr))

	if got := sorted(judge.Streams(t, b.http+"/live/g711.flv")); !slices.Equal(got, []string{"aac", "h264"}) {
		t.Fatalf("FLV streams %v, want h264 + aac", got)
	}
	if errs := judge.DecodeErrors(t, b.http+"/live/g711.flv", 3*time.Second); errs != "" {
		t.Fatalf("FLV decode errors:\n%s", errs)
	}
	if got := sorted(judge.Streams(t, b.http+"/live/g711.flv?audio=g711")); !slices.Equal(got, []string{"h264", "pcm_alaw"}) {
		t.Fatalf("FLV ?audio=g711 streams %v, want h264 + pcm_alaw", got)
	}
	if code, _ := get(t, b.http+"/live/g711.flv?audio=mp3"); code != 400 {
		t.Errorf("?audio=mp3 answered %d, want 400", code)
	}
	if got := sorted(judge.Streams(t, b.http+"/hls/g711/index.m3u8")); !slices.Equal(got, []string{"aac", "h264"}) {
		t.Fatalf("HLS streams %v, want h264 + aac", got)
	}
	if got := sorted(judge.Streams(t, b.rtsp+"/g711", "-rtsp_transport", "tcp")); !slices.Equal(got, []string{"h264", "pcm_alaw"}) {
		t.Fatalf("RTSP streams %v, want h264 + pcm_alaw", got)
	}
}

func TestHTTPFLVSourceChain(t *testing.T) {
	upstream := startBox(t, fileChannel("cam", testmedia.Require(t, "h264_aac.mp4"), false))
	b := startBox(t, fmt.Sprintf("  - {id: relayed, source: \"%s/live/cam.flv\", on_demand: true}\n", upstream.http))
	if got := sorted(judge.Streams(t, b.http+"/hls/relayed/index.m3u8")); !slices.Equal(got, []string{"aac", "h264"}) {
		t.Fatalf("streams %v", got)
	}
	if errs := judge.DecodeErrors(t, b.rtsp+"/relayed", 3*time.Second, "-rtsp_transport", "tcp"); errs != "" {
		t.Fatalf("decode errors:\n%s", errs)
	}
}

// A dual-stream channel: viewers get the sub stream, recording the main one.
func TestDualStreamChannelServesSubToViewers(t *testing.T) {
	main := testmedia.Require(t, "sample.mp4")  // 640x360
	sub := testmedia.Require(t, "h264_aac.mp4") // 320x240
	b := startBox(t, fmt.Sprintf("  - {id: dual, source: \"file://%s\", sub_source: \"file://%s\", on_demand: false}\n", main, sub))
	out := judgeSize(t, b.http+"/live/dual.flv")
	if out != "320x240" {
		t.Fatalf("viewers get %s, want the 320x240 sub stream", out)
	}
	m, _ := b.d.MainStream("dual")
	testkit.WaitFor(t, "main stream up", func() bool { tr := m.Tracks(); return tr != nil && tr.Video != nil })
	if v := m.Tracks().Video; v.Width != 640 {
		t.Fatalf("main stream is %dx%d, want 640x360", v.Width, v.Height)
	}
	_, metrics := get(t, b.http+"/metrics")
	if !strings.Contains(metrics, `lubo_source_up{channel="dual",stream="sub"} 1`) {
		t.Errorf("no metrics for the sub stream:\n%s", grepLines(metrics, "source_up"))
	}
}

func judgeSize(t *testing.T, url string) string {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=s=x:p=0", url).CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe %s: %v\n%s", url, err, out)
	}
	return strings.TrimSpace(string(out))
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// A reader of the AAC outputs (HLS, recording, web FLV) sits on the
// camera's own stream while the camera sends AAC, without the G.711
// encoder stage; a G.711 camera's readers read the derived stream.
func TestOnlyG711ChannelsGoThroughTheEncoderStage(t *testing.T) {
	aac := testmedia.Require(t, "h264_aac.mp4")
	addr := startRTMPServer(t)
	publish(t, testmedia.Require(t, "h264_pcma.flv"), "rtmp://"+addr+"/live/cam")
	b := startBox(t, fileChannel("aac", aac, false)+fmt.Sprintf("  - {id: g711, source: \"rtmp://%s/live/cam\", on_demand: false}\n", addr))
	for _, id := range []string{"aac", "g711"} {
		main, _ := b.d.MainStream(id)
		testkit.WaitFor(t, id+"'s tracks", func() bool { return main.Tracks() != nil })
		rec, _ := b.d.RecordStream(id)
		r, err := rec.AddReader("record")
		if err != nil {
			t.Fatal(err)
		}
		f := readFrame(t, r, func(f *media.Frame) bool { return true })
		direct := id == "aac"
		if (f.Tracks == main.Tracks()) != direct || (rec.ReaderCount() == 0) != direct {
			t.Errorf("%s: the recording reader reads the camera's stream: %v, want %v", id, f.Tracks == main.Tracks(), direct)
		}
		r.Close()
	}
	if got := sorted(judge.Streams(t, b.http+"/hls/aac/index.m3u8")); !slices.Equal(got, []string{"aac", "h264"}) {
		t.Fatalf("HLS of the AAC channel: %v", got)
	}
}

// A camera whose audio is switched from AAC to G.711 while lubo runs (an
// installer changing its encoder settings): the recording's reader,
// attached during AAC, moves to the encoder stage and gets AAC again, and
// never a G.711 frame that an MP4 would drop.
func TestCameraSwitchingToG711MidRunKeepsItsSound(t *testing.T) {
	addr := startRTMPServer(t)
	url := "rtmp://" + addr + "/live/cam"
	stopAAC := publish(t, testmedia.Require(t, "h264_aac.mp4"), url)
	b := startBox(t, fmt.Sprintf("  - {id: c1, source: \"%s\", on_demand: false}\n", url))
	main, _ := b.d.MainStream("c1")
	testkit.WaitFor(t, "the AAC session", func() bool { return main.Tracks() != nil })
	rec, _ := b.d.RecordStream("c1")
	r, err := rec.AddReader("record")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	first := readFrame(t, r, func(f *media.Frame) bool { return f.Codec.IsAudio() })
	if first.Codec != media.AAC || first.Tracks != main.Tracks() {
		t.Fatalf("before the switch: %v audio from the camera's stream: %v", first.Codec, first.Tracks == main.Tracks())
	}

	stopAAC()
	publish(t, testmedia.Require(t, "h264_pcma.flv"), url)
	var audio []*media.Frame
	readFrame(t, r, func(f *media.Frame) bool {
		if f.Codec.IsAudio() {
			if f.Codec != media.AAC {
				t.Fatalf("the recording's reader got %v audio", f.Codec)
			}
			if f.Tracks != main.Tracks() && f.Tracks != first.Tracks {
				audio = append(audio, f) // encoded from the G.711 session
			}
		}
		return len(audio) >= 10
	})
	if c := main.Tracks().Audio.Codec; c != media.PCMA {
		t.Fatalf("the camera's session has %v audio; the test wants it switched to PCMA", c)
	}
}

// readFrame reads r until want says stop, and returns that frame.
func readFrame(t *testing.T, r *relay.Reader, want func(*media.Frame) bool) *media.Frame {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testkit.Patience)
	defer cancel()
	for {
		f, err := r.Read(ctx)
		if err != nil {
			t.Fatalf("read %s: %v", r.Name, err)
		}
		if want(f) {
			return f
		}
	}
}

// hls.variant: fmp4 serves fMP4 HLS (an init section and .m4s segments)
// for an H.264 camera too, which ffprobe reads with both tracks.
func TestHLSVariantFMP4(t *testing.T) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	b := startBox(t, fileChannel("c1", clip, true)+"hls: {variant: fmp4}\n")
	if got := sorted(judge.Streams(t, b.http+"/hls/c1/index.m3u8")); !slices.Equal(got, []string{"aac", "h264"}) {
		t.Fatalf("fMP4 HLS streams %v, want aac + h264", got)
	}
	_, playlist := get(t, b.http+"/hls/c1/index.m3u8")
	if !strings.Contains(playlist, "#EXT-X-MAP:URI=") || !strings.Contains(playlist, ".m4s") {
		t.Fatalf("playlist is not fMP4:\n%s", playlist)
	}
}
