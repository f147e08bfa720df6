package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/lubo-edge/lubo/api"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/redact"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/sources"
	"github.com/lubo-edge/lubo/relay/transcode"
	"github.com/lubo-edge/lubo/segmenter"
)

// channel is one configured channel at run time: its main stream (feeds
// recording), its live stream (the sub stream when there is one, else the
// main one) and its HLS output, started on the first playlist request.
type channel struct {
	cfg     configs.Channel
	hls     configs.HLS
	hlsDir  string       // where HLS segments are written
	log     *slog.Logger // with the channel attribute
	baseLog *slog.Logger
	main    *relay.Stream
	live    *relay.Stream
	// mainAAC and liveAAC are main and live with G.711 audio encoded to AAC
	// (pictures and AAC pass through): what recording, HLS and web players
	// read. On demand: the encoder runs only while one of them is read.
	mainAAC *relay.Stream
	liveAAC *relay.Stream

	cancel context.CancelFunc
	done   chan struct{}

	hlsMu  sync.Mutex
	hlsOut *hlsSession
	// hlsSeq continues segment numbers across HLS sessions, so a player or
	// cache never sees a sequence number go back or a stale seg0.ts.
	hlsSeq uint64
	hlsCtx context.Context
	hlsWG  sync.WaitGroup
}

// newChannel makes a channel; base carries the daemon's stream options
// (backoff, stop timeout), the channel's own are added here.
func newChannel(cfg configs.Channel, hls configs.HLS, dataDir string, log *slog.Logger, base relay.StreamOptions, reg *sources.Registry) (*channel, error) {
	c := &channel{cfg: cfg, hls: hls, hlsDir: filepath.Join(dataDir, "hls", cfg.ID), log: log.With("channel", cfg.ID), baseLog: log}
	opts := base
	opts.OnDemand, opts.IdleTimeout, opts.Logger = cfg.OnDemand, cfg.IdleTimeout, log
	src, err := reg.Open(cfg.MainURL(), sources.Options{Channel: cfg.ID, Transport: cfg.Transport, Logger: c.log})
	if err != nil {
		return nil, fmt.Errorf("channel %s: %w", cfg.ID, err)
	}
	c.main = relay.NewStream(cfg.ID, src, opts)
	c.live = c.main
	if sub := cfg.SubURL(); sub != "" {
		subSrc, err := reg.Open(sub, sources.Options{Transport: cfg.Transport, Logger: c.log})
		if err != nil {
			return nil, fmt.Errorf("channel %s: sub_source: %w", cfg.ID, err)
		}
		c.live = relay.NewStream(cfg.ID+"/sub", subSrc, opts)
	}
	derived := func(parent *relay.Stream) *relay.Stream {
		o := base
		o.OnDemand, o.IdleTimeout, o.Logger = true, 5*time.Second, log
		// AAC and silent sessions pass unchanged: their readers sit on the
		// camera's stream, and move here only while it carries G.711.
		o.Parent, o.Passes = parent, func(t *media.Tracks) bool { return !transcode.Needed(t) }
		return relay.NewStream(parent.ID+"/aac", transcode.NewSource(parent, transcode.Options{Logger: log}), o)
	}
	c.mainAAC = derived(c.main)
	c.liveAAC = c.mainAAC
	if c.live != c.main {
		c.liveAAC = derived(c.live)
	}
	return c, nil
}

// webLive and webMain are what outputs that carry only AAC read (HLS,
// MP4, web FLV): the derived streams, whose readers are attached to the
// camera's stream itself while it carries no G.711 (see relay
// StreamOptions.Parent), so AAC cameras skip the encoder stage, and a
// camera that switches to G.711 mid-lesson keeps its sound.
func (c *channel) webLive() *relay.Stream { return c.liveAAC }
func (c *channel) webMain() *relay.Stream { return c.mainAAC }

// start runs the channel's streams until stop is called.
func (c *channel) start(parent context.Context) {
	ctx, cancel := context.WithCancel(parent)
	c.cancel = cancel
	c.done = make(chan struct{})
	c.hlsMu.Lock()
	c.hlsCtx = ctx
	c.hlsMu.Unlock()
	var wg sync.WaitGroup
	run := func(fn func(context.Context) error) {
		wg.Add(1)
		go func() { defer wg.Done(); _ = fn(ctx) }()
	}
	run(c.main.Run)
	run(c.mainAAC.Run)
	if c.live != c.main {
		run(c.live.Run)
		run(c.liveAAC.Run)
	}
	run(c.expireHLS)
	go func() {
		wg.Wait()
		c.stopHLS()
		c.hlsWG.Wait()
		close(c.done)
	}()
	c.log.Info("channel started", "source", redact.URL(c.cfg.MainURL()), "on_demand", c.cfg.OnDemand)
}

// wait waits at most limit for the channel's goroutines after cancel;
// false when they are still running.
func (c *channel) wait(ctx context.Context, limit time.Duration) bool {
	t := time.NewTimer(max(limit, 0))
	defer t.Stop()
	select {
	case <-c.done:
		c.log.Info("channel stopped")
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// hlsSession is a running HLS muxer fed by one reader of the live stream.
type hlsSession struct {
	mux    *segmenter.HLS
	reader *relay.Reader
	cancel context.CancelFunc
	last   time.Time // last request; guarded by channel.hlsMu
}

// hlsHandler returns the channel's HLS handler, starting the muxer if this
// is the first request in a while.
func (c *channel) hlsHandler() (http.Handler, bool) {
	c.hlsMu.Lock()
	defer c.hlsMu.Unlock()
	if c.hlsCtx == nil || c.hlsCtx.Err() != nil {
		return nil, false
	}
	if c.hlsOut == nil {
		rd, err := c.webLive().AddReader("hls")
		if err != nil {
			return nil, false
		}
		ctx, cancel := context.WithCancel(c.hlsCtx)
		mux := segmenter.NewHLS(segmenter.HLSOptions{
			Channel: c.cfg.ID, Target: c.hls.Segment, Window: c.hls.Window, Variant: segmenter.Variant(c.hls.Variant),
			FirstSequence: c.hlsSeq, Dir: c.hlsDir, Logger: c.baseLog,
		})
		s := &hlsSession{mux: mux, reader: rd, cancel: cancel}
		c.hlsOut = s
		c.hlsWG.Add(1)
		go func() {
			defer c.hlsWG.Done()
			defer mux.Close()
			defer rd.Close()
			for {
				f, err := rd.Read(ctx)
				if err != nil {
					return
				}
				mux.WriteFrame(f)
			}
		}()
		c.log.Info("hls started")
	}
	c.hlsOut.last = time.Now()
	return c.hlsOut.mux, true
}

// hlsIdle is how long HLS runs without a request: the channel's idle timeout,
// but at least a few segments, so a player that pauses briefly does not
// restart it.
func (c *channel) hlsIdle() time.Duration {
	return max(c.cfg.IdleTimeout, 4*c.hls.Segment, 10*time.Second)
}

// expireHLS stops the HLS muxer once nobody has asked for it for hlsIdle,
// which releases its reader so an on-demand source can stop.
func (c *channel) expireHLS(ctx context.Context) error {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			c.hlsMu.Lock()
			if c.hlsOut != nil && time.Since(c.hlsOut.last) > c.hlsIdle() {
				c.endHLSLocked()
				c.log.Info("hls stopped: no requests", "idle", c.hlsIdle())
			}
			c.hlsMu.Unlock()
		}
	}
}

func (c *channel) stopHLS() {
	c.hlsMu.Lock()
	if c.hlsOut != nil {
		c.endHLSLocked()
	}
	c.hlsMu.Unlock()
}

// endHLSLocked stops the running HLS session; the segment it has open
// counts too, since Close finishes it.
func (c *channel) endHLSLocked() {
	c.hlsSeq += c.hlsOut.mux.Stats().Segments + 1
	c.hlsOut.cancel()
	c.hlsOut = nil
}

func (c *channel) info() api.ChannelInfo {
	info := api.ChannelInfo{
		ID: c.cfg.ID, Name: c.cfg.Name, Origin: c.cfg.Origin, Source: redact.URL(c.cfg.MainURL()),
		OnDemand: c.cfg.OnDemand, Main: c.main, Live: c.live,
	}
	c.hlsMu.Lock()
	if c.hlsOut != nil {
		st := c.hlsOut.mux.Stats()
		info.HLS = api.HLSStats{Active: true, Segments: st.Segments, Dropped: map[string]uint64{
			"unsupported_codec": st.Dropped.Unsupported, "before_keyframe": st.Dropped.BeforeKeyframe, "invalid": st.Dropped.Invalid,
		}}
	}
	c.hlsMu.Unlock()
	return info
}
