package rtmp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/yapingcat/gomedia/go-codec"
	gortmp "github.com/yapingcat/gomedia/go-rtmp"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// NewSource returns a relay.Source that plays rtmp://host[:port]/app/name
// from an RTMP server or camera. Each Run is one connection: it announces
// the tracks at the first keyframe and returns an error when the peer
// fails, sends no audio or video for 10 s, ends the stream or changes
// codec parameters; it returns nil only when ctx is done.
func NewSource(url string) relay.Source { return &playSource{url: url, silence: readTimeout} }

type playSource struct {
	url     string
	silence time.Duration // longest quiet spell before the peer counts as gone
}

func (s *playSource) Run(ctx context.Context, out relay.Publisher) error {
	t, err := parseURL(s.url)
	if err != nil {
		return err
	}
	conn, err := dial(ctx, t.addr)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	p := &playSession{target: t, out: out, silence: s.silence}
	err = p.run(conn)
	if c := p.conv; c.lateAudio > 0 || c.badAudio > 0 {
		// What the session could not carry, said once.
		slog.Warn("rtmp source dropped audio", "addr", t.addr,
			"began_after_video_only_start", c.lateAudio, "bad_adts", c.badAudio)
	}
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// playSession is one connection of a play source. Everything runs on the
// goroutine of Run: gomedia calls back from inside Input.
type playSession struct {
	target  target
	silence time.Duration
	out     relay.Publisher
	conv    *converter
	begun   bool
	playing bool
	failed  error
	errCode string
}

func (p *playSession) run(conn net.Conn) error {
	w := wire{conn: conn, timeout: writeTimeout}
	p.conv = newConverter(p.begin, p.frame)
	client := gortmp.NewRtmpClient()
	client.SetOutput(w.write)
	start := time.Now()
	lastByte, lastMedia := start, start
	client.OnFrame(func(cid codec.CodecID, pts, dts uint32, frame []byte) {
		lastMedia = lastByte
		p.conv.push(cid, pts, dts, frame)
	})
	client.OnStatus(p.status)
	client.OnError(func(code, _ string) {
		if code != "" {
			p.errCode = code
		}
	})
	client.OnStateChange(p.state)

	addr := p.target.addr
	if err := guard(func() error { client.Start(p.target.gomediaURL()); return nil }); err != nil {
		return fmt.Errorf("rtmp: %s: %w", addr, err)
	}
	var ack acker
	in := newInbound(func(b []byte) error { return guard(func() error { return client.Input(b) }) })
	buf := make([]byte, readBufSize)
	for {
		// The session ends when the server sends no audio or video for
		// p.silence, whatever else it sends (a camera that is still
		// streaming never pauses that long), and when it leaves a
		// message or the handshake unfinished that long.
		deadline, stalled := lastMedia.Add(p.silence), false
		if since := in.pendingSince(); !since.IsZero() && since.Add(p.silence).Before(deadline) {
			deadline, stalled = since.Add(p.silence), true
		}
		if err := conn.SetReadDeadline(deadline); err != nil {
			return fmt.Errorf("rtmp: %s: %w", addr, err)
		}
		n, rerr := conn.Read(buf)
		if n > 0 {
			lastByte = time.Now()
			if err := in.feed(buf[:n], lastByte); err != nil {
				return fmt.Errorf("rtmp: %s: %w", addr, err)
			}
			if p.failed == nil && p.conv.err != nil {
				p.failed = fmt.Errorf("rtmp: %s: %w", addr, p.conv.err)
			}
			if p.failed != nil {
				return p.failed
			}
			if b := ack.received(n, time.Now()); b != nil && p.playing {
				if err := w.write(b); err != nil {
					return fmt.Errorf("rtmp: write %s: %w", addr, err)
				}
			}
		}
		if rerr != nil {
			var ne net.Error
			if errors.As(rerr, &ne) && ne.Timeout() {
				switch {
				case stalled:
					return fmt.Errorf("rtmp: %s: %w", addr,
						protocolError("a message begun %s ago is still unfinished", p.silence))
				case lastByte.After(deadline.Add(-p.silence)):
					return fmt.Errorf("rtmp: %s: no audio or video for %s", addr, p.silence)
				}
				return fmt.Errorf("rtmp: %s: no data for %s", addr, p.silence)
			}
			return fmt.Errorf("rtmp: read %s: %w", addr, rerr)
		}
	}
}

func (p *playSession) begin(t *media.Tracks) {
	if p.begun {
		// A relay.Source announces its tracks once per Run; the stream
		// reconnects and so starts a session with the new parameters.
		p.fail(fmt.Errorf("rtmp: %s: %w", p.target.addr, errTracksChanged))
		return
	}
	p.begun = true
	p.out.Begin(t)
}

func (p *playSession) frame(f *media.Frame) {
	if p.failed == nil {
		p.out.WriteFrame(f)
	}
}

func (p *playSession) fail(err error) {
	if p.failed == nil {
		p.failed = err
	}
}

// Status codes that end a live play without an error level.
var endCodes = map[string]bool{
	"NetStream.Play.Stop":            true,
	"NetStream.Play.UnpublishNotify": true,
	"NetStream.Play.Complete":        true,
}

func (p *playSession) status(code, level, desc string) {
	switch {
	case level == string(gortmp.LEVEL_ERROR):
		p.fail(fmt.Errorf("rtmp: play %s on %s: %s (%s)", p.target.app, p.target.addr, code, desc))
	case endCodes[code]:
		p.fail(fmt.Errorf("rtmp: %s: stream ended (%s)", p.target.addr, code))
	}
}

func (p *playSession) state(s gortmp.RtmpState) {
	switch s {
	case gortmp.STATE_RTMP_PLAY_START:
		p.playing = true
	case gortmp.STATE_RTMP_PLAY_FAILED:
		code := p.errCode
		if code == "" {
			code = "rejected"
		}
		p.fail(fmt.Errorf("rtmp: play %s on %s: %s", p.target.app, p.target.addr, code))
	}
}
