// Package daemon is the running lubo: it turns a config into channels,
// serves them over HTTP and RTSP, records them (recorder) with snapshots,
// and applies config reloads channel by channel.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/lubo-edge/lubo/api"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/recorder"
	"github.com/lubo-edge/lubo/recorder/snapshot"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/push"
	"github.com/lubo-edge/lubo/relay/rtmp"
	"github.com/lubo-edge/lubo/relay/rtsp"
	"github.com/lubo-edge/lubo/relay/sources"
	"github.com/lubo-edge/lubo/storage"
	"github.com/prometheus/client_golang/prometheus"
)

// Options are the daemon's settings that do not come from the config file.
type Options struct {
	// Logger receives every log line. Default slog.Default().
	Logger *slog.Logger
	// Backoff paces source reconnects. Default: relay's (1 s for the first
	// two minutes of an outage, then doubling to a 30 s cap).
	Backoff relay.Backoff
	// DB is the store, opened once by the caller and shared with the
	// clouds. Default: the daemon opens {data_dir}/lubo.db itself.
	DB *storage.DB
	// Clouds reports the state of the clouds the box talks to, for the
	// dashboard and /metrics. Default: none.
	Clouds func() []api.CloudStatus
	// ConfigFile reports the config file's state (a broken edit keeps the
	// last good version running). Default: always current.
	ConfigFile func() configs.FileStatus
	// OnSnapshot is called after each periodic snapshot is saved (the
	// uploads subscribe here). It must not block. Default: none.
	OnSnapshot func(snapshot.Taken)
	// OnCover is called with the path of each recording cover saved (the
	// uploads subscribe here). It must not block. Default: none.
	OnCover func(path string)
	// Collectors add series to /metrics. Default: none.
	Collectors []prometheus.Collector
	// WrapHTTP, when set, wraps the whole HTTP surface (sign-in). Default:
	// none.
	WrapHTTP func(http.Handler) http.Handler
	// Handlers are served beside the built-in HTTP paths, by pattern
	// (e.g. "/api/v1/"). Default: none.
	Handlers map[string]http.Handler
	// Sources opens channel sources. Default sources.Builtin() (no cloud
	// cameras: their resolvers come from the cloud wiring).
	Sources *sources.Registry
	// ShutdownTimeout bounds Run's return after its context ends; what has
	// not stopped by then is logged and left behind. Default 15s.
	ShutdownTimeout time.Duration
	// StopTimeout bounds the stop of one channel on a reload. Default 10s.
	StopTimeout time.Duration
}

// Daemon owns the channels and the listeners.
type Daemon struct {
	log     *slog.Logger
	backoff relay.Backoff

	shutdownTimeout time.Duration
	stopTimeout     time.Duration
	sources         *sources.Registry

	httpLn net.Listener
	rtsp   *rtsp.Server
	rtmp   *rtmp.Server // nil unless rtmp.listen is set
	rtmpLn net.Addr

	// Made by Listen, closed when Run returns.
	db      *storage.DB
	ownDB   bool // opened here, closed when Run returns
	clouds  func() []api.CloudStatus
	cfgFile func() configs.FileStatus
	extra   map[string]http.Handler
	onSnap  func(snapshot.Taken)
	onCover func(string)
	metrics []prometheus.Collector
	wrap    func(http.Handler) http.Handler
	rec     *recorder.Recorder
	snaps   *snapshot.Snapshotter

	pushes *push.Manager // the channels' RTMP pushes (config and API)

	mu       sync.RWMutex
	cfg      *configs.Config
	channels map[string]*channel
}

// New checks that every channel's source can be built; it starts nothing.
func New(cfg *configs.Config, opts Options) (*Daemon, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = 15 * time.Second
	}
	if opts.Sources == nil {
		opts.Sources = sources.Builtin()
	}
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = 10 * time.Second // past the stream's own 5 s for a stuck source
	}
	d := &Daemon{
		log: opts.Logger, backoff: opts.Backoff, cfg: cfg, channels: map[string]*channel{},
		shutdownTimeout: opts.ShutdownTimeout, stopTimeout: opts.StopTimeout, sources: opts.Sources,
		db: opts.DB, clouds: opts.Clouds, cfgFile: opts.ConfigFile, extra: opts.Handlers, onSnap: opts.OnSnapshot,
		onCover: opts.OnCover, metrics: opts.Collectors, wrap: opts.WrapHTTP,
	}
	// Pushes send the recorded picture with AAC sound, what ingests take.
	d.pushes = push.NewManager(push.Options{Lookup: d.RecordStream, Backoff: opts.Backoff, Logger: d.log})
	if cfg.RTMP.Listen != "" {
		// Encoders push channels whose source is "publisher" to
		// rtmp://box/live/{id}; players may play them back from there.
		d.rtmp = rtmp.NewServer(rtmp.ServerOptions{Logger: d.log})
		srv := d.rtmp
		d.sources.SetPublished(func(channel string) relay.Source { return srv.Source("live/" + channel) })
	}
	for _, chCfg := range cfg.Channels {
		c, err := d.newChannel(chCfg, cfg.HLS)
		if err != nil {
			return nil, err
		}
		d.channels[chCfg.ID] = c
	}
	return d, nil
}

// Listen binds the HTTP and RTSP listeners and opens the store under
// data_dir, so a port in use or a second lubo on the same data is reported
// before anything starts.
func (d *Daemon) Listen() error {
	if err := d.openStore(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", d.cfg.HTTP.Listen)
	if err != nil {
		d.closeStore()
		return fmt.Errorf("http.listen %s: %w", d.cfg.HTTP.Listen, err)
	}
	d.httpLn = ln
	if d.cfg.RTSP.Listen != "" {
		d.rtsp = rtsp.NewServer(rtsp.ServerOptions{Lookup: d.liveStream, Logger: d.log})
		if err := d.rtsp.Listen(d.cfg.RTSP.Listen); err != nil {
			ln.Close()
			d.closeStore()
			return fmt.Errorf("rtsp.listen %s: %w", d.cfg.RTSP.Listen, err)
		}
	}
	if d.rtmp != nil {
		addr, err := d.rtmp.Listen(d.cfg.RTMP.Listen)
		if err != nil {
			ln.Close()
			if d.rtsp != nil {
				d.rtsp.Close()
			}
			d.closeStore()
			return fmt.Errorf("rtmp.listen %s: %w", d.cfg.RTMP.Listen, err)
		}
		d.rtmpLn = addr
	}
	return nil
}

// openStore opens {data_dir}/lubo.db and makes the snapshotter and the
// recorder on it.
func (d *Daemon) openStore() error {
	db := d.db
	if db == nil {
		var err error
		db, err = storage.Open(filepath.Join(d.cfg.DataDir, "lubo.db"), storage.Options{Logger: d.log})
		if err != nil {
			return fmt.Errorf("data_dir %s: %w", d.cfg.DataDir, err)
		}
		d.ownDB = true
	}
	loc := d.cfg.Location()
	dec, err := snapshot.NewDecoder(snapshot.DecoderOptions{})
	if err != nil {
		d.log.Warn("snapshots and covers off", "err", err)
		dec = nil
	}
	d.snaps = snapshot.NewSnapshotter(snapshot.Options{
		Dir: filepath.Join(d.cfg.DataDir, "snapshots"), Interval: d.cfg.Record.SnapshotInterval,
		Decoder: dec, Logger: d.log, Now: func() time.Time { return time.Now().In(loc) }, OnTaken: d.onSnap,
		OnCover: d.onCover,
	})
	rec, err := recorder.New(recorder.Options{
		Config: d.cfg, DB: db, Streams: d.RecordStream, Snapshots: d.snaps, Logger: d.log,
	})
	if err != nil {
		if d.ownDB {
			db.Close()
		}
		return err
	}
	d.db, d.rec = db, rec
	return nil
}

func (d *Daemon) closeStore() {
	if d.db == nil || !d.ownDB {
		return
	}
	if err := d.db.Close(); err != nil {
		d.log.Error("closing the store", "err", err)
	}
	d.db = nil
}

// snapshotSource gives the snapshotter channel id's newest keyframe: the
// main stream's when it runs (recording), else the live one's.
func (d *Daemon) snapshotSource(id string) func() *media.Frame {
	return func() *media.Frame {
		d.mu.RLock()
		c, ok := d.channels[id]
		d.mu.RUnlock()
		if !ok {
			return nil
		}
		if f := c.main.LatestKeyframe(); f != nil {
			return f
		}
		return c.live.LatestKeyframe()
	}
}

// Clouds is the state of the clouds the box talks to (api.Box).
func (d *Daemon) Clouds() []api.CloudStatus {
	if d.clouds == nil {
		return nil
	}
	return d.clouds()
}

// RTSPConns are the RTSP listener's connection counters (api.Box).
func (d *Daemon) RTSPConns() rtsp.ConnStats {
	if d.rtsp == nil {
		return rtsp.ConnStats{}
	}
	return d.rtsp.ConnStats()
}

// ConfigFile is the config file's state (api.Box).
func (d *Daemon) ConfigFile() configs.FileStatus {
	if d.cfgFile == nil {
		return configs.FileStatus{}
	}
	return d.cfgFile()
}

// Recorder records the lessons (api.Box).
func (d *Daemon) Recorder() *recorder.Recorder { return d.rec }

// Snapshots takes the snapshots (api.Box).
func (d *Daemon) Snapshots() *snapshot.Snapshotter { return d.snaps }

// HTTPAddr is the bound HTTP address (after Listen).
func (d *Daemon) HTTPAddr() net.Addr { return d.httpLn.Addr() }

// RTMPAddr is the bound RTMP address, nil when RTMP is off.
func (d *Daemon) RTMPAddr() net.Addr { return d.rtmpLn }

// RTSPAddr is the bound RTSP address, nil when RTSP is off.
func (d *Daemon) RTSPAddr() net.Addr {
	if d.rtsp == nil {
		return nil
	}
	return d.rtsp.Addr()
}

// Run serves until ctx ends, applying configs from updates as they come.
// Listen must have been called.
func (d *Daemon) Run(ctx context.Context, updates <-chan *configs.Config) error {
	defer d.closeStore()
	d.mu.Lock()
	for _, chCfg := range d.cfg.Channels {
		d.channels[chCfg.ID].start(ctx)
		d.snaps.Add(chCfg.ID, d.snapshotSource(chCfg.ID))
	}
	d.mu.Unlock()
	d.pushes.ConfigureAll(pushList(d.cfg))
	pushCtx, stopPushes := context.WithCancel(ctx)
	defer stopPushes()
	pushesDone := make(chan struct{})
	go func() { defer close(pushesDone); d.pushes.Run(pushCtx) }()

	// Recording stops before the channels, so every slice is closed and
	// finalized while its stream still exists.
	recCtx, stopRec := context.WithCancel(ctx)
	defer stopRec()
	var recWG sync.WaitGroup
	recWG.Add(2)
	recEnded := make(chan struct{})
	go func() {
		defer recWG.Done()
		defer close(recEnded)
		if err := d.rec.Run(recCtx); err != nil {
			d.log.Error("recorder stopped", "err", err)
		}
	}()
	go func() { defer recWG.Done(); _ = d.snaps.Run(recCtx) }()
	select { // recordings can be started from the moment HTTP answers
	case <-d.rec.Ready():
	case <-recEnded: // it failed; the log says why, and the live side still serves
	case <-ctx.Done():
	}

	apiSrv := api.NewServer(d, d.log)
	for pattern, h := range d.extra {
		apiSrv.Mount(pattern, h)
	}
	pushAPI := d.pushes.Handler()
	for _, pattern := range []string{"GET /api/push", "POST /api/push/start", "POST /api/push/stop"} {
		apiSrv.Mount(pattern, pushAPI)
	}
	if err := apiSrv.Register(slices.Concat(d.rtmpMetrics(), d.metrics, []prometheus.Collector{d.pushes.Collector()})...); err != nil {
		d.log.Error("metrics: a collector was refused", "err", err)
	}
	var handler http.Handler = apiSrv
	if d.wrap != nil {
		handler = d.wrap(handler)
	}
	srv := &http.Server{
		Handler:           api.WithWriteDeadlines(handler, 0),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(d.log.Handler(), slog.LevelDebug),
	}
	var wg sync.WaitGroup
	errc := make(chan error, 2)
	wg.Add(1)
	d.mu.RLock()
	tls := d.cfg.HTTP.TLS // listener settings apply at start only
	d.mu.RUnlock()
	go func() {
		defer wg.Done()
		var err error
		if t := tls; t != nil {
			err = srv.ServeTLS(d.httpLn, t.Cert, t.Key)
		} else {
			err = srv.Serve(d.httpLn)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
		}
	}()
	if d.rtsp != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.rtsp.Run(ctx); err != nil {
				errc <- fmt.Errorf("rtsp: %w", err)
			}
		}()
	}
	if d.rtmp != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.rtmp.Run(ctx); err != nil {
				errc <- fmt.Errorf("rtmp: %w", err)
			}
		}()
	}
	d.log.Info("lubo running", "http", d.httpLn.Addr().String(), "rtsp", addrString(d.RTSPAddr()), "rtmp", addrString(d.RTMPAddr()), "channels", len(d.cfg.Channels))

	var runErr error
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-errc:
			runErr = err
			break loop
		case cfg, ok := <-updates:
			if !ok {
				updates = nil
				continue
			}
			d.apply(ctx, cfg)
		}
	}
	// Shutdown has one deadline: whatever would not stop by then is
	// logged and left, so SIGTERM always ends lubo.
	deadline := time.Now().Add(d.shutdownTimeout)
	stopRec()
	stopPushes()
	if !waitGroupWithin(&recWG, time.Until(deadline)) {
		d.log.Error("recorder did not stop by the shutdown deadline; open slices are recovered at the next start")
	}
	select {
	case <-pushesDone:
	case <-time.After(time.Until(deadline)):
		d.log.Error("pushes did not stop by the shutdown deadline")
	}
	// Viewers hold long requests: stop the channels first (which ends
	// their readers), then close the listener.
	d.mu.Lock()
	var all []*channel
	for _, c := range d.channels {
		all = append(all, c)
	}
	d.mu.Unlock()
	d.stopChannels(context.Background(), all, time.Until(deadline))
	shutCtx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		d.log.Warn("http connections still open at the shutdown deadline; closing them", "err", err)
		srv.Close()
	}
	if d.rtsp != nil {
		d.rtsp.Close()
	}
	if d.rtmp != nil {
		d.rtmp.Close()
	}
	if !waitGroupWithin(&wg, time.Until(deadline)) {
		d.log.Error("listeners did not stop by the shutdown deadline; exiting anyway")
	}
	return runErr
}

// apply restarts only the channels the new config adds, removes or changes.
// The lock is held only to swap map entries: stopping a channel waits for
// its goroutines, and every viewer, playlist and /metrics lookup needs the
// lock, so one slow channel must not hold up the rest.
func (d *Daemon) apply(ctx context.Context, cfg *configs.Config) {
	d.mu.Lock()
	old := d.cfg
	added, removed, changed := configs.ChannelDiff(old, cfg)
	var stopping []*channel
	for _, id := range append(removed, changed...) {
		if c, ok := d.channels[id]; ok { // absent when it failed to start
			stopping = append(stopping, c)
			delete(d.channels, id)
		}
	}
	d.mu.Unlock()

	if !reflect.DeepEqual(old.HTTP, cfg.HTTP) || old.RTSP != cfg.RTSP || old.DataDir != cfg.DataDir {
		d.log.Warn("config reload: listeners and data_dir change only on restart; keeping the old ones")
	}
	if old.HLS != cfg.HLS {
		d.log.Warn("config reload: hls settings apply to channels started from now on")
	}
	for _, id := range removed {
		d.snaps.Remove(id)
	}
	// A changed channel's successor starts after its predecessor stopped
	// (or was given up on): both would use the camera and the HLS folder.
	d.stopChannels(ctx, stopping, d.stopTimeout)

	started := map[string]*channel{}
	for _, id := range append(changed, added...) {
		c, err := d.newChannel(*cfg.ChannelByID(id), cfg.HLS)
		if err != nil {
			d.log.Error("config reload: channel not started", "channel", id, "err", err)
			continue
		}
		c.start(ctx)
		started[id] = c
	}
	renamed := configs.ChannelsRenamed(old, cfg)
	d.mu.Lock()
	for id, c := range started {
		d.channels[id] = c
	}
	for _, id := range renamed {
		if c, ok := d.channels[id]; ok {
			c.cfg.Name = cfg.ChannelByID(id).Name // info reads it under d.mu
		}
	}
	d.cfg = cfg
	d.mu.Unlock()
	for id := range started {
		d.snaps.Add(id, d.snapshotSource(id))
	}
	d.rec.Reload(cfg)
	d.pushes.ConfigureAll(pushList(cfg))
	d.log.Info("config reloaded", "added", added, "removed", removed, "changed", changed, "renamed", renamed)
}

// stopChannels stops cs in parallel and waits at most limit for them; a
// channel that would not stop by then is named in the log and left behind.
// A shutdown (ctx ending) also ends the wait: it has its own deadline.
func (d *Daemon) stopChannels(ctx context.Context, cs []*channel, limit time.Duration) {
	if len(cs) == 0 {
		return
	}
	deadline := time.Now().Add(limit)
	for _, c := range cs {
		c.cancel()
	}
	for _, c := range cs {
		if !c.wait(ctx, time.Until(deadline)) {
			d.log.Error("channel did not stop in time; left behind", "channel", c.cfg.ID, "waited", limit)
		}
	}
}

// Channels lists the channels in config order (api.Box).
func (d *Daemon) Channels() []api.ChannelInfo {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var out []api.ChannelInfo
	for _, chCfg := range d.cfg.Channels {
		if c, ok := d.channels[chCfg.ID]; ok {
			out = append(out, c.info())
		}
	}
	return out
}

// LiveStream is the stream viewers of id read (api.Box).
func (d *Daemon) LiveStream(id string) (*relay.Stream, bool) { return d.liveStream(id) }

func (d *Daemon) liveStream(id string) (*relay.Stream, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	c, ok := d.channels[id]
	if !ok {
		return nil, false
	}
	return c.live, true
}

// WebStream is what web players of id read by default (api.Box): the
// live stream with G.711 audio encoded to AAC. Its readers sit on the
// live stream itself while that carries no G.711.
func (d *Daemon) WebStream(id string) (*relay.Stream, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	c, ok := d.channels[id]
	if !ok {
		return nil, false
	}
	return c.webLive(), true
}

// RecordStream is the stream recording of id reads: the main stream with
// G.711 audio encoded to AAC, which MP4 carries. Its readers sit on the
// main stream itself while that carries no G.711.
func (d *Daemon) RecordStream(id string) (*relay.Stream, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	c, ok := d.channels[id]
	if !ok {
		return nil, false
	}
	return c.webMain(), true
}

// MainStream is the channel's main stream as the camera sends it.
func (d *Daemon) MainStream(id string) (*relay.Stream, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	c, ok := d.channels[id]
	if !ok {
		return nil, false
	}
	return c.main, true
}

// HLS is the HLS handler of id (api.Box).
func (d *Daemon) HLS(id string) (http.Handler, bool) {
	d.mu.RLock()
	c, ok := d.channels[id]
	d.mu.RUnlock()
	if !ok {
		return nil, false
	}
	return c.hlsHandler()
}

func (d *Daemon) newChannel(cfg configs.Channel, hls configs.HLS) (*channel, error) {
	return newChannel(cfg, hls, d.cfg.DataDir, d.log, relay.StreamOptions{Backoff: d.backoff, StopTimeout: d.stopTimeout / 2}, d.sources)
}

// waitGroupWithin waits for wg at most limit; false when it gave up.
func waitGroupWithin(wg *sync.WaitGroup, limit time.Duration) bool {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	t := time.NewTimer(max(limit, 0))
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}

func addrString(a net.Addr) string {
	if a == nil {
		return "off"
	}
	return a.String()
}

// rtmpMetrics are the RTMP listener's connection counters (none when off).
func (d *Daemon) rtmpMetrics() []prometheus.Collector {
	if d.rtmp == nil {
		return nil
	}
	srv := d.rtmp
	return []prometheus.Collector{
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "lubo_rtmp_connections", Help: "RTMP connections held now."},
			func() float64 { return float64(srv.Conns().Open) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "lubo_rtmp_connections_refused_total", Help: "RTMP connections closed on arrival: over the limit (256)."},
			func() float64 { return float64(srv.Conns().Refused) }),
	}
}

// Pushes is the state of every RTMP push, for the dashboard.
func (d *Daemon) Pushes() []push.Status { return d.pushes.List() }

// pushList is every channel's configured pushes (empty ones included, so
// a channel whose pushes were removed loses them).
func pushList(cfg *configs.Config) map[string][]string {
	m := make(map[string][]string, len(cfg.Channels))
	for _, ch := range cfg.Channels {
		m[ch.ID] = ch.Push
	}
	return m
}
