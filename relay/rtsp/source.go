// Package rtsp pulls streams from RTSP cameras into relay.Streams (Source)
// and serves relay.Streams to RTSP players (Server), both on gortsplib.
package rtsp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/liberrors"

	"github.com/lubo-edge/lubo/internal/redact"
	"github.com/lubo-edge/lubo/relay"
)

// SourceOptions configures an RTSP source. Zero values mean the defaults.
type SourceOptions struct {
	// Transport of the media: "tcp" (default, interleaved in the RTSP
	// connection), "udp", or "auto" (UDP first, TCP when the camera refuses
	// UDP or no UDP packet arrives within 3 s).
	Transport string
	// ReadTimeout ends the session when no media arrives for this long.
	// Default 10s.
	ReadTimeout time.Duration
	// Logger receives the source's log lines; pass one with a "channel"
	// attribute. Default slog.Default().
	Logger *slog.Logger
}

// Source pulls one RTSP URL. Credentials in the URL's userinfo are sent
// with basic or digest authentication, whichever the camera asks for.
type Source struct {
	url  string
	opts SourceOptions
	log  *slog.Logger
}

// NewSource makes a source for an rtsp:// URL. The URL is checked when the
// source runs, so a bad one shows up as the stream's error.
func NewSource(rawURL string, opts SourceOptions) relay.Source {
	if opts.Transport == "" {
		opts.Transport = "tcp"
	}
	if opts.ReadTimeout <= 0 {
		opts.ReadTimeout = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Source{url: rawURL, opts: opts, log: opts.Logger.With("url", redact.URL(rawURL))}
}

// fail wraps err with the redacted URL and the step that failed.
func (s *Source) fail(op string, err error, u *base.URL) error {
	pass := ""
	if u != nil && u.User != nil {
		pass, _ = u.User.Password()
	}
	return &sourceError{url: redact.URL(s.url), op: op, err: explain(err), pass: pass}
}

// explain turns gortsplib's status errors into what a user can act on.
func explain(err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("the server closed the connection (%w)", err)
	}
	// gortsplib's own silence timeouts and lubo's media watchdog mean the
	// same thing, whichever fires first.
	var tcpSilent liberrors.ErrClientTCPTimeout
	var udpSilent liberrors.ErrClientUDPTimeout
	if errors.As(err, &tcpSilent) || errors.As(err, &udpSilent) {
		return fmt.Errorf("%w: %v", ErrStalled, err)
	}
	var bad liberrors.ErrClientBadStatusCode
	if errors.As(err, &bad) {
		switch bad.Code {
		case base.StatusUnauthorized:
			return fmt.Errorf("%w: the server answered 401 Unauthorized; check the user and password in the URL", ErrAuthFailed)
		case base.StatusNotFound:
			return fmt.Errorf("the server has no such stream (404 Not Found); check the path")
		}
	}
	return err
}

func (s *Source) transport() (*gortsplib.Transport, error) {
	switch s.opts.Transport {
	case "tcp":
		t := gortsplib.TransportTCP
		return &t, nil
	case "udp":
		t := gortsplib.TransportUDP
		return &t, nil
	case "auto":
		return nil, nil
	}
	return nil, fmt.Errorf("unknown transport %q: want tcp, udp or auto", s.opts.Transport)
}

// Run connects, publishes the tracks at the first keyframe and writes
// frames until the connection fails or ctx is done.
func (s *Source) Run(ctx context.Context, out relay.Publisher) error {
	u, err := base.ParseURL(s.url)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // url.Error repeats the URL, password included
		}
		return s.fail("invalid URL", err, nil)
	}
	if u.Scheme != "rtsp" && u.Scheme != "rtsps" {
		return s.fail("invalid URL", fmt.Errorf("scheme %q: want rtsp or rtsps", u.Scheme), nil)
	}
	tr, err := s.transport()
	if err != nil {
		return s.fail("options", err, u)
	}

	limit := newLogLimit(10 * time.Second)
	c := &gortsplib.Client{
		Scheme:      u.Scheme,
		Host:        u.Host,
		ReadTimeout: s.opts.ReadTimeout,
		Transport:   tr,
		DialContext: dialBuffered,
		OnTransportSwitch: func(err error) {
			s.log.Info("rtsp source: switching transport", "reason", err)
		},
		OnPacketsLost: func(lost uint64) {
			if limit.allow("lost") {
				s.log.Warn("rtsp source: RTP packets lost", "lost", lost)
			}
		},
		OnDecodeError: func(err error) {
			if limit.allow("decode") {
				s.log.Warn("rtsp source: undecodable packet", "err", err)
			}
		},
	}
	if err := c.Start2(); err != nil {
		return s.fail("start", err, u)
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, c.Close)
	defer stop()

	sess, err := s.play(c, u, out)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	return s.wait(ctx, c, sess, u)
}

// play does DESCRIBE, SETUP and PLAY and wires the packet callbacks.
func (s *Source) play(c *gortsplib.Client, u *base.URL, out relay.Publisher) (*pullSession, error) {
	desc, _, err := c.Describe(u)
	if err != nil {
		return nil, s.fail("describe", err, u)
	}
	picked, err := pickMedia(desc)
	if err != nil {
		return nil, s.fail("describe", err, u)
	}
	sess := newPullSession(out, s.log)
	sess.audio = picked.audioTrack
	if picked.videoMedia != nil {
		sess.video, err = s.wireVideo(c, sess, picked.videoMedia, picked.videoFormat)
		if err != nil {
			return nil, s.fail("setup", err, u)
		}
	}
	if picked.audioMedia != nil {
		if err := s.wireAudio(c, sess, picked.audioMedia, picked.audioFormat); err != nil {
			return nil, s.fail("setup", err, u)
		}
	}
	for _, m := range []*description.Media{picked.videoMedia, picked.audioMedia} {
		if m == nil {
			continue
		}
		if _, err := c.Setup(desc.BaseURL, m, 0, 0); err != nil {
			return nil, s.fail("setup", err, u)
		}
	}
	// Callbacks can only be attached to set-up medias, so attach them now.
	sess.attach()
	sess.touch()
	if _, err := c.Play(nil); err != nil {
		return nil, s.fail("play", err, u)
	}
	s.log.Debug("rtsp source: playing", "tracks", describePicked(picked))
	return sess, nil
}

// wait blocks until the session ends and says why.
func (s *Source) wait(ctx context.Context, c *gortsplib.Client, sess *pullSession, u *base.URL) error {
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			return s.fail("read", err, u)
		case err := <-sess.failed:
			c.Close()
			<-done
			if ctx.Err() != nil {
				return nil
			}
			return s.fail("read", err, u)
		case <-tick.C:
			if idle := sess.idleFor(); idle >= s.opts.ReadTimeout {
				c.Close()
				<-done
				if ctx.Err() != nil {
					return nil
				}
				return s.fail("read", fmt.Errorf("%w for %s", ErrStalled, idle.Round(time.Second)), u)
			}
		}
	}
}

func describePicked(p *pickedMedia) string {
	var parts []string
	if p.videoFormat != nil {
		parts = append(parts, p.videoFormat.Codec())
	}
	if a := p.audioTrack; a != nil {
		parts = append(parts, fmt.Sprintf("%s %dHz/%d", a.Codec, a.SampleRate, a.Channels))
	}
	return strings.Join(parts, " + ")
}
