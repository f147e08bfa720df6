package transcode

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
)

// encoderSpec is what one encoder process turns into what.
type encoderSpec struct {
	ffmpeg   string
	codecIn  string // "alaw" or "mulaw", ffmpeg's raw format names
	inRate   int
	channels int
	outRate  int
	bitrate  int // bits per second, all channels
	queue    int // input chunks waiting for the process
	out      adtsFormat
}

// args is the ffmpeg command line. Raw G.711 in on stdin, ADTS out on
// stdout. The input side reads at most 320 bytes at a time (-blocksize),
// else ffmpeg waits for a 32 KiB buffer to fill (seconds of 8 kHz audio);
// probing is cut short because the format is given, and every packet is
// flushed to the pipe as soon as it is muxed. Not "-fflags nobuffer": it
// throws away the packet read while probing, 40 ms of sound, which shows
// as audio 40 ms early (TestJudgeMP4AndHLS caught it).
func (s encoderSpec) args() []string {
	return []string{
		"-hide_banner", "-nostdin", "-loglevel", "error",
		"-probesize", "32", "-analyzeduration", "0",
		"-f", s.codecIn, "-ar", strconv.Itoa(s.inRate), "-ac", strconv.Itoa(s.channels),
		"-blocksize", "320", "-i", "pipe:0",
		"-map", "0:a", "-c:a", "aac", "-profile:a", "aac_low",
		"-b:a", strconv.Itoa(s.bitrate), "-ar", strconv.Itoa(s.outRate), "-ac", strconv.Itoa(s.channels),
		"-flush_packets", "1", "-f", "adts", "pipe:1",
	}
}

// stderrMax bounds what is kept of the encoder's error output.
const stderrMax = 2048

// encoder is one running ffmpeg process. Input goes through a bounded
// queue so a slow or stuck process never holds up the caller; access units
// come out on out. done is closed once the process has exited and every
// goroutine of the encoder has ended; err tells why it ended.
type encoder struct {
	cmd    *exec.Cmd
	in     chan []byte
	out    chan []byte
	done   chan struct{}
	quit   chan struct{} // closed to stop the goroutines
	stderr tailBuffer

	stopOnce  sync.Once
	closeOnce sync.Once
	err       error // valid after done
	// badOutput is set (before done) when the output was not the AAC
	// asked for.
	badOutput error
}

// startEncoder starts ffmpeg. The process is killed when ctx ends.
func startEncoder(ctx context.Context, spec encoderSpec) (*encoder, error) {
	cmd := exec.CommandContext(ctx, spec.ffmpeg, spec.args()...)
	e := &encoder{
		cmd:  cmd,
		in:   make(chan []byte, spec.queue),
		out:  make(chan []byte, 16),
		done: make(chan struct{}),
		quit: make(chan struct{}),
	}
	setProcessGroup(cmd)
	cmd.Cancel = func() error { return killProcessGroup(cmd) }
	cmd.WaitDelay = 2 * time.Second // pipes closed by force if a killed child lingers
	cmd.Stderr = &e.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("encoder stdin: %w", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("encoder stdout: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", spec.ffmpeg, err)
	}
	var writer sync.WaitGroup
	writer.Add(1)
	go func() {
		defer writer.Done()
		e.feedLoop(stdin)
	}()
	go func() {
		readErr := e.readLoop(stdout, spec.out)
		if readErr != nil {
			e.badOutput = readErr
			e.stop() // output we cannot use: no point letting it run
		}
		waitErr := cmd.Wait()
		e.stop()
		writer.Wait()
		e.err = e.exitError(readErr, waitErr)
		close(e.done)
	}()
	return e, nil
}

// pid is the process id, for logs and tests.
func (e *encoder) pid() int { return e.cmd.Process.Pid }

// feed queues one chunk of input without blocking; false when the queue
// is full (the chunk is dropped).
func (e *encoder) feed(b []byte) bool {
	select {
	case e.in <- b:
		return true
	default:
		return false
	}
}

// closeInput ends the input after what is queued: ffmpeg then flushes the
// encoder and exits, so the last samples are not lost.
func (e *encoder) closeInput() { e.closeOnce.Do(func() { close(e.in) }) }

// stop kills the process (its whole group) and releases the goroutines;
// done closes soon after.
func (e *encoder) stop() {
	e.stopOnce.Do(func() {
		close(e.quit)
		_ = killProcessGroup(e.cmd)
	})
}

// feedLoop writes queued input to ffmpeg's stdin until the input is
// closed, a write fails (the process died) or the encoder stops.
func (e *encoder) feedLoop(stdin io.WriteCloser) {
	defer stdin.Close()
	for {
		select {
		case b, ok := <-e.in:
			if !ok {
				return
			}
			if _, err := stdin.Write(b); err != nil {
				return
			}
		case <-e.quit:
			return
		}
	}
}

// readLoop splits ffmpeg's output into access units and hands them on.
func (e *encoder) readLoop(stdout io.Reader, want adtsFormat) error {
	r := bufio.NewReaderSize(stdout, 16<<10)
	for {
		au, err := readADTS(r, want)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			select {
			case <-e.quit:
				return nil // killed: a cut frame is expected
			default:
				return err
			}
		}
		select {
		case e.out <- au:
		case <-e.quit:
			return nil
		}
	}
}

// exitError says why the process ended, with the tail of what it printed.
func (e *encoder) exitError(readErr, waitErr error) error {
	err := readErr
	if err == nil {
		err = waitErr
	}
	if err == nil {
		return nil
	}
	if msg := e.stderr.String(); msg != "" {
		return fmt.Errorf("ffmpeg: %w: %s", err, msg)
	}
	return fmt.Errorf("ffmpeg: %w", err)
}

// tailBuffer keeps the last stderrMax bytes written to it.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - stderrMax; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

// String is the kept text on one line.
func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.Join(strings.Fields(strings.ToValidUTF8(string(t.b), "?")), " ")
}

// errNoEncoder is why a session has no AAC: ffmpeg is not installed.
var errNoEncoder = errors.New("ffmpeg not found on PATH")
