package snapshot

import (
	"bytes"
	"fmt"
	"strings"
)

// cappedBuffer keeps at most max bytes. With fail set, a write past the
// limit is an error (ffmpeg then gets a broken pipe); without it the rest
// is dropped quietly. Either way truncated records that it happened.
type cappedBuffer struct {
	buf       bytes.Buffer
	max       int
	fail      bool
	truncated bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	room := c.max - c.buf.Len()
	if len(p) <= room {
		return c.buf.Write(p)
	}
	c.truncated = true
	if c.fail {
		return 0, fmt.Errorf("output passes %d bytes", c.max)
	}
	c.buf.Write(p[:max(room, 0)])
	return len(p), nil
}

// text is the buffer's lines joined into one line of valid UTF-8, with
// "…" marking a cut.
func (c *cappedBuffer) text() string {
	var lines []string
	for line := range strings.Lines(strings.ToValidUTF8(c.buf.String(), "")) {
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	s := strings.Join(lines, " | ")
	if c.truncated {
		s += " …"
	}
	return s
}
