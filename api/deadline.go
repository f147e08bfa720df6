package api

import (
	"io"
	"net/http"
	"os"
	"time"
)

// writeProgressTimeout is how long one write to a client may take: a
// client that stops reading is dropped after it, whatever it was fetching
// (a recording, an HLS segment, a snapshot, a live stream).
const writeProgressTimeout = 30 * time.Second

// sendChunk is how much of a file goes out under one deadline: a client
// slower than sendChunk per writeProgressTimeout (about 8.7 KB/s) is
// dropped.
const sendChunk = 256 << 10

// WithWriteDeadlines gives every write of h's responses its own deadline,
// so a client that stops reading cannot pin a goroutine and a file for
// ever, while a long download that keeps moving is never cut.
func WithWriteDeadlines(h http.Handler, timeout time.Duration) http.Handler {
	if timeout <= 0 {
		timeout = writeProgressTimeout
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&deadlineWriter{ResponseWriter: w, rc: http.NewResponseController(w), timeout: timeout}, r)
	})
}

type deadlineWriter struct {
	http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
}

func (w *deadlineWriter) arm() { _ = w.rc.SetWriteDeadline(time.Now().Add(w.timeout)) }

func (w *deadlineWriter) Write(p []byte) (int, error) {
	w.arm()
	return w.ResponseWriter.Write(p)
}

// Flush is here for handlers that assert http.Flusher directly.
func (w *deadlineWriter) Flush() {
	w.arm()
	_ = w.rc.Flush()
}

// Unwrap lets http.ResponseController reach the connection.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ReadFrom sends a file sendChunk at a time, each under a fresh deadline,
// keeping the kernel's sendfile path: http.ServeContent hands over an
// *io.LimitedReader of an *os.File, which is re-cut here rather than
// wrapped (a wrapped one would lose sendfile).
func (w *deadlineWriter) ReadFrom(src io.Reader) (int64, error) {
	rf, ok := w.ResponseWriter.(io.ReaderFrom)
	if !ok {
		return io.Copy(writerOnly{w}, src)
	}
	var total int64
	for {
		w.arm()
		var n int64
		var err error
		if lr, ok := src.(*io.LimitedReader); ok {
			if lr.N <= 0 {
				return total, nil
			}
			f, isFile := lr.R.(*os.File)
			if !isFile {
				return io.Copy(writerOnly{w}, src)
			}
			piece := &io.LimitedReader{R: f, N: min(lr.N, sendChunk)}
			n, err = rf.ReadFrom(piece)
			lr.N -= n
		} else {
			n, err = rf.ReadFrom(io.LimitReader(src, sendChunk))
		}
		total += n
		if err != nil || n < sendChunk {
			return total, err
		}
	}
}

// writerOnly hides ReadFrom, so io.Copy uses Write (and its deadline).
type writerOnly struct{ io.Writer }
