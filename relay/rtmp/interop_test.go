package rtmp

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
)

// These tests put gomedia's RTMP against another implementation: ffmpeg's
// own RTMP server mode (-listen 1), as a camera to play from and as an
// ingest to push to.

// startListener runs ffmpeg as a one-connection RTMP server.
func startListener(t *testing.T, args ...string) <-chan error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	cmd := exec.CommandContext(ctx, tool(t, "ffmpeg"), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		err := cmd.Wait()
		cancel()
		if err != nil {
			err = errors.Join(err, errors.New(stderr.String()))
		}
		done <- err
	}()
	return done
}

// untilListening retries fn while ffmpeg is still starting to listen.
func untilListening(t *testing.T, fn func() error) error {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := fn()
		if !errors.Is(err, syscall.ECONNREFUSED) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestPlayFromFFmpegServer(t *testing.T) {
	addr := closedAddr(t)
	url := "rtmp://" + addr + "/live/cam"
	served := startListener(t, "-v", "error", "-re", "-i", clipPath(t, "aac"), "-c", "copy", "-f", "flv", "-listen", "1", url)

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var col *collector
	err := untilListening(t, func() error {
		col = testkit.NewCollector(testkit.VideoFrames(50), cancel)
		return NewSource(url).Run(ctx, col)
	})
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || err != nil {
		t.Fatalf("play from ffmpeg: %v after %d frames", err, len(gotFrames(col)))
	}
	<-served // ffmpeg fails writing once we hang up; only its start mattered
	if len(gotTracks(col)) != 1 {
		t.Fatalf("Begin called %d times", len(gotTracks(col)))
	}
	tr := gotTracks(col)[0]
	if tr.Video == nil || tr.Video.Codec != media.H264 || tr.Audio == nil || tr.Audio.Codec != media.AAC {
		t.Fatalf("tracks %v", tr)
	}
	checkFrames(t, tr, gotFrames(col))
}

func TestPushToFFmpegIngest(t *testing.T) {
	tracks, frames := framesFromFLV(t, clipPath(t, "aac"))
	addr := closedAddr(t)
	url := "rtmp://" + addr + "/live/in"
	out := filepath.Join(t.TempDir(), "ingested.flv")
	ingest := startListener(t, "-v", "error", "-listen", "1", "-i", url, "-c", "copy", "-f", "flv", out)

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var p *Pusher
	err := untilListening(t, func() (err error) {
		p, err = DialPush(ctx, url, tracks)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range frames {
		if err := p.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	// ffmpeg reports the hang-up as an I/O error, as it does for its own
	// publisher; its exit status is what counts.
	if err := <-ingest; err != nil {
		t.Fatalf("ffmpeg ingest: %v", err)
	}

	streams := probe(t, out)
	if s := findStream(streams, "video"); s == nil || s.CodecName != "h264" || s.Width != 320 || s.Height != 240 {
		t.Errorf("ingested video: %+v", s)
	}
	if s := findStream(streams, "audio"); s == nil || s.CodecName != "aac" || s.SampleRate != "44100" {
		t.Errorf("ingested audio: %+v", s)
	}
	if log, err := runToolStderr("ffmpeg", "-v", "error", "-i", out, "-f", "null", "-"); err != nil || len(log) > 0 {
		t.Errorf("decoding the ingested file: %v\n%s", err, log)
	}
	// Every frame arrived: count the packets.
	pkts := runTool(t, "ffprobe", "-v", "error", "-count_packets", "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0", out)
	var total, n int
	for _, line := range bytes.Fields(pkts) {
		n = 0
		for _, c := range line {
			n = n*10 + int(c-'0')
		}
		total += n
	}
	if total != len(frames) {
		t.Errorf("ingest got %d packets, pushed %d frames", total, len(frames))
	}
}
