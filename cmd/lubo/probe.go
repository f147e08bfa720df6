package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/lubo-edge/lubo/internal/redact"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay/sources"
)

func cmdProbe(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "usage: lubo probe URL")
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn, ReplaceAttr: redact.ReplaceAttr}))
	got, err := sources.Probe(context.Background(), args[0], sources.Options{Transport: "auto", Logger: log})
	if err != nil {
		fmt.Fprintf(stderr, "lubo probe %s: %s\n", redact.URL(args[0]), redact.Text(err.Error()))
		return 1
	}
	printTracks(stdout, redact.URL(args[0]), got.Tracks)
	fmt.Fprintf(stdout, "frames:  %d received, %d keyframes\n", got.Frames, got.Keyframes)
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
