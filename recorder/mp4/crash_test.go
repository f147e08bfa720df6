package mp4

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/relay/mp4file"
)

// helperEnv names the .part the helper process writes.
const helperEnv = "LUBO_MP4_HELPER_PART"

// TestHelperWriter is not a test: TestCrash runs the test binary again with
// helperEnv set, and this writes a recording until it is killed, printing
// "synced <fragments> <frames>" after every fragment made durable.
func TestHelperWriter(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("helper process of TestCrash")
	}
	tracks, frames := loadClip(t, "h264_aac.mp4")
	w, err := Create(path, tracks, Options{FragmentMax: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	loop := mp4file.ClipDuration(frames)
	deadline := time.Now().Add(20 * time.Second) // the parent kills it long before
	for pass := 0; time.Now().Before(deadline); pass++ {
		shift := time.Duration(pass) * loop
		for _, f := range frames {
			g := *f
			g.DTS, g.PTS = f.DTS+shift, f.PTS+shift
			before, synced := w.Frames(), w.Fragments()
			if err := w.WriteFrame(&g); err != nil {
				t.Fatal(err)
			}
			if w.Fragments() > synced {
				// the frame that closed the fragment is in the next one
				fmt.Printf("synced %d %d\n", w.Fragments(), before)
			}
			time.Sleep(time.Millisecond) // a camera's pace, much faster
		}
	}
	t.Fatal("not killed")
}

// TestCrash kills a writing process with SIGKILL after some fragments and
// checks that Finalize recovers at least every fragment it had synced.
func TestCrash(t *testing.T) {
	for _, killAfter := range []int{1, 7} {
		t.Run(fmt.Sprint("after ", killAfter, " fragments"), func(t *testing.T) {
			part := filepath.Join(t.TempDir(), "crash.mp4.part")
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperWriter$", "-test.count=1")
			cmd.Env = append(os.Environ(), helperEnv+"="+part)
			cmd.Stderr = os.Stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			syncedFrames := -1
			lines := bufio.NewScanner(out)
			for lines.Scan() {
				var fragments, frames int
				if _, err := fmt.Sscanf(lines.Text(), "synced %d %d", &fragments, &frames); err != nil {
					continue // the test framework's own output
				}
				if fragments >= killAfter {
					syncedFrames = frames
					break
				}
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			err = cmd.Wait()
			if syncedFrames < 0 {
				t.Fatalf("helper ended before %d fragments: %v", killAfter, err)
			}
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
				t.Fatalf("helper was not killed: %v", err)
			}

			final := strings.TrimSuffix(part, ".part")
			info, err := Finalize(part, final)
			if err != nil {
				t.Fatal(err)
			}
			if info.Frames < syncedFrames {
				t.Errorf("recovered %d frames, %d were synced before the kill", info.Frames, syncedFrames)
			}
			if !info.Truncated {
				t.Error("a killed recording is not reported as truncated")
			}
			if e := decodeErrors(t, final); e != "" {
				t.Errorf("ffmpeg: %s", e)
			}
			p := probe(t, final)
			if got := p.packets["h264"] + p.packets["aac"]; got != info.Frames {
				t.Errorf("ffprobe reads %d packets, Finalize says %d frames", got, info.Frames)
			}
			t.Logf("killed after %d synced frames; recovered %d (%v, %d fragments)", syncedFrames, info.Frames, info.Duration, info.Fragments)
		})
	}
}
