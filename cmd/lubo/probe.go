package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/lubo-edge/lubo/internal/redact"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay/sources"
)

// probeTimeout bounds how long probe waits for a source's first keyframe.
const probeTimeout = 15 * time.Second

// probeOut records what a source declares and the first frames it sends.
type probeOut struct {
	tracks *media.Tracks
	frames int
	keys   int
	stop   context.CancelFunc
}

func (p *probeOut) Begin(t *media.Tracks) { p.tracks = t }
func (p *probeOut) WriteFrame(f *media.Frame) {
	p.frames++
	if f.IsVideo() && f.Key {
		p.keys++
	}
	if p.frames >= 50 {
		p.stop()
	}
}

func cmdProbe(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: lubo probe URL")
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn, ReplaceAttr: redact.ReplaceAttr}))
	src, err := sources.Open(args[0], sources.Options{Transport: "auto", Logger: log})
	if err != nil {
		fmt.Fprintln(stderr, "lubo probe:", redact.Text(err.Error()))
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), probeTimeout)
	defer cancel()
	out := &probeOut{stop: cancel}
	err = src.Run(ctx, out)
	if out.tracks == nil {
		if err == nil {
			err = fmt.Errorf("no tracks within %v", probeTimeout)
		}
		fmt.Fprintf(stderr, "lubo probe %s: %s\n", redact.URL(args[0]), redact.Text(err.Error()))
		return 1
	}
	printTracks(stdout, redact.URL(args[0]), out.tracks)
	fmt.Fprintf(stdout, "frames:  %d received, %d keyframes\n", out.frames, out.keys)
	return 0
}

func printTracks(w io.Writer, url string, t *media.Tracks) {
	fmt.Fprintf(w, "source:  %s\n", url)
	if v := t.Video; v != nil {
		fmt.Fprintf(w, "video:   %s", v.Codec)
		if v.Width > 0 {
			fmt.Fprintf(w, " %dx%d", v.Width, v.Height)
		}
		fmt.Fprintln(w)
		if len(v.VPS) > 0 {
			fmt.Fprintf(w, "  vps:   %x\n", v.VPS)
		}
		fmt.Fprintf(w, "  sps:   %x\n  pps:   %x\n", v.SPS, v.PPS)
	} else {
		fmt.Fprintln(w, "video:   none")
	}
	if a := t.Audio; a != nil {
		fmt.Fprintf(w, "audio:   %s %d Hz, %d channel(s)\n", a.Codec, a.SampleRate, a.Channels)
		if len(a.Config) > 0 {
			fmt.Fprintf(w, "  config: %x\n", a.Config)
		}
	} else {
		fmt.Fprintln(w, "audio:   none")
	}
}
