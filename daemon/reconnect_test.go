package daemon

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/internal/fakecam"
	"github.com/lubo-edge/lubo/internal/judge"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

func startCam(t *testing.T, addr string, files map[string]string) *fakecam.Camera {
	t.Helper()
	cam, err := fakecam.Start(fakecam.Options{Files: files, RTSP: addr, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return cam
}

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// A camera that dies and comes back 20 times: lubo reconnects each time,
// HLS marks the discontinuity and still decodes, and nothing leaks.
func TestCameraRestartsReconnectWithoutLeaks(t *testing.T) {
	files := map[string]string{"cam1": testmedia.Require(t, "h264_aac.mp4")}
	cam := startCam(t, "127.0.0.1:0", files)
	addr := cam.RTSPAddr().String()
	defer func() { cam.Close() }()
	b := startBox(t, fmt.Sprintf("  - {id: c1, source: \"rtsp://%s/cam1\", on_demand: false}\n", addr))
	st, _ := b.d.MainStream("c1")
	stats := st.Stats()
	testkit.WaitFor(t, "first session", func() bool { return stats.Sessions.Load() == 1 && stats.Up.Load() })
	if code, body := get(t, b.http+"/hls/c1/index.m3u8"); code != 200 {
		t.Fatalf("playlist: %d %s", code, body)
	}

	restart := func(i int) {
		cam.Close()
		testkit.WaitFor(t, "lubo to notice the camera is gone", func() bool { return !stats.Up.Load() })
		cam = startCam(t, addr, files)
		testkit.WaitFor(t, fmt.Sprintf("session %d", i+2), func() bool { return stats.Sessions.Load() == uint64(i+2) && stats.Up.Load() })
		get(t, b.http+"/hls/c1/index.m3u8") // keep HLS alive
	}
	restart(0)
	runtime.GC()
	goroutines, fds := runtime.NumGoroutine(), openFDs(t)
	for i := 1; i < 20; i++ {
		restart(i)
	}
	testkit.WaitFor(t, "goroutines and file descriptors to settle", func() bool {
		runtime.GC()
		g, f := runtime.NumGoroutine(), openFDs(t)
		t.Logf("goroutines %d (was %d), fds %d (was %d)", g, goroutines, f, fds)
		return g <= goroutines+3 && f <= fds+2
	})
	if got := stats.Reconnects.Load(); got < 20 {
		t.Errorf("reconnects %d, want >= 20", got)
	}

	// The playlist marks the reconnects once segments after them exist.
	var playlist string
	testkit.WaitFor(t, "a discontinuity in the playlist", func() bool {
		_, playlist = get(t, b.http+"/hls/c1/index.m3u8")
		return strings.Contains(playlist, "#EXT-X-DISCONTINUITY")
	})
	// Judge the playlist as it stands, with its segments: ffmpeg's live
	// reader, reloading every target duration, would skip or refetch
	// segments made faster than that by this test's rapid restarts.
	local := snapshotPlaylist(t, b.http+"/hls/c1/", playlist)
	if errs := judge.DecodeErrors(t, local, 0); errs != "" {
		t.Fatalf("HLS across reconnects does not decode cleanly:\n%s\nplaylist:\n%s", errs, playlist)
	}
}

// snapshotPlaylist saves a live playlist's segments next to a copy of it,
// ended with EXT-X-ENDLIST, and returns the copy's path.
func snapshotPlaylist(t *testing.T, base, playlist string) string {
	t.Helper()
	dir := t.TempDir()
	for _, line := range strings.Split(playlist, "\n") {
		if !strings.HasSuffix(line, ".ts") {
			continue
		}
		code, body := get(t, base+line)
		if code != 200 {
			t.Fatalf("listed segment %s: status %d", line, code)
		}
		if err := os.WriteFile(filepath.Join(dir, line), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "index.m3u8")
	if err := os.WriteFile(path, []byte(strings.TrimRight(playlist, "\n")+"\n#EXT-X-ENDLIST\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
