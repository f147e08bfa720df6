package boxapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/storage"
)

// Options configures New. Fields marked required must be set.
type Options struct {
	// UnionID is the API credential (config api.unionid). Required.
	UnionID yunlubo.Secret
	// DB keeps the API's channels, courses and numbers. Required.
	DB *storage.DB
	// Box is the running daemon. Required.
	Box Box
	// Records is the records index (usually StoreRecords). Required.
	Records Records
	// OnChange is called synchronously, after the change is stored and
	// before the answer is sent, when API channels or courses changed, so
	// the daemon re-composes its configuration. It should not block for
	// long (hand the work to the daemon's loop). Optional.
	OnChange func()
	// Now is the clock of tokens, tickets and leases. Default time.Now.
	Now func() time.Time
	// Location is the zone of created/updated and course times. Default
	// time.Local.
	Location *time.Location
	// PublicURL is the box's address as clients reach it, e.g.
	// "http://192.168.1.20:8080": storage_addr and play_url start with it.
	// Default: the scheme and Host of each request.
	PublicURL string
	// Version is the Version of /api/v1/version. Default "dev".
	Version string
	// TicketTTL is how long a play_url may be opened. Default 10 minutes.
	TicketTTL time.Duration
	// LeaseTimeout is how long a play page stays alive after its last
	// heartbeat (sent every 12 s). Default 30 s.
	LeaseTimeout time.Duration
	// Logger gets the API's few log lines. Default slog.Default().
	Logger *slog.Logger
}

// Handler serves /api/v1/ and /play/. Mount both prefixes on the box's mux.
type Handler struct {
	opts    Options
	log     *slog.Logger
	mux     *http.ServeMux
	tokens  *tokenBook
	tickets ticketSigner
	leases  leaseBook

	// edit serialises add/mod/del, so a check and the write it allows are
	// not interleaved with another edit.
	edit sync.Mutex

	pinMu sync.Mutex
	pins  map[string]*hold // start_camera holds by channel id

	clickMu sync.Mutex
	clicks  map[string]int64 // play_camera/play_record calls by channel id / record

	closeMu sync.Mutex
	closed  bool           // Run is shutting down: no new holds
	wg      sync.WaitGroup // drain goroutines of holds
}

// New checks the options and builds the handler. Call Run to expire play
// leases and to release every hold on shutdown.
func New(opts Options) (*Handler, error) {
	switch {
	case opts.UnionID == "":
		return nil, errors.New("boxapi: no unionid (config api.unionid)")
	case opts.DB == nil:
		return nil, errors.New("boxapi: no store")
	case opts.Box == nil:
		return nil, errors.New("boxapi: no box")
	case opts.Records == nil:
		return nil, errors.New("boxapi: no records")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.Local
	}
	if opts.Version == "" {
		opts.Version = "dev"
	}
	if opts.TicketTTL <= 0 {
		opts.TicketTTL = 10 * time.Minute
	}
	if opts.LeaseTimeout <= 0 {
		opts.LeaseTimeout = 30 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	signer, err := newTicketSigner()
	if err != nil {
		return nil, err
	}
	h := &Handler{
		opts:    opts,
		log:     opts.Logger,
		tokens:  newTokenBook(opts.UnionID, opts.Now),
		tickets: signer,
		leases:  leaseBook{m: map[string]*lease{}},
		pins:    map[string]*hold{},
		clicks:  map[string]int64{},
	}
	h.mux = http.NewServeMux()
	h.mux.HandleFunc("/api/v1/", h.serveAPI)
	h.routePlay(h.mux)
	return h, nil
}

// ServeHTTP answers /api/v1/… and /play/….
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.mux.ServeHTTP(w, r) }

// Run ends play leases whose pages went quiet until ctx ends, then releases
// every lease and start_camera hold and waits for their readers.
func (h *Handler) Run(ctx context.Context) error {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			h.Sweep()
		case <-ctx.Done():
			h.releaseAll()
			h.wg.Wait()
			return nil
		}
	}
}

func (h *Handler) releaseAll() {
	h.closeMu.Lock()
	h.closed = true
	h.closeMu.Unlock()
	h.leases.mu.Lock()
	for k, l := range h.leases.m {
		delete(h.leases.m, k)
		if l.hold != nil {
			l.hold.release()
		}
	}
	h.leases.mu.Unlock()
	h.pinMu.Lock()
	for k, p := range h.pins {
		delete(h.pins, k)
		p.release()
	}
	h.pinMu.Unlock()
}

func (h *Handler) changed() {
	if h.opts.OnChange != nil {
		h.opts.OnChange()
	}
}

// String describes the handler without its unionid, tokens or ticket key.
func (h *Handler) String() string {
	return fmt.Sprintf("boxapi.Handler{unionid:****** leases:%d}", h.Leases())
}

// GoString is String, so %#v cannot print the secrets either.
func (h *Handler) GoString() string { return h.String() }

// LogValue logs the handler without its secrets.
func (h *Handler) LogValue() slog.Value { return slog.StringValue(h.String()) }
