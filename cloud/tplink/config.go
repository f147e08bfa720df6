package tplink

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"
)

// Application is the kind of TUMS application the AK/SK belongs to; it picks
// the device listing call (§1.4.3.10 or §1.4.3.11).
type Application int

const (
	// DeviceApplication is a 设备型应用 (the default).
	DeviceApplication Application = iota
	// ProjectApplication is a 项目型应用.
	ProjectApplication
)

// Defaults of Config.
const (
	DefaultAPI            = "https://api-smbcloud.tplinkcloud.com.cn"
	DefaultTimeout        = 15 * time.Second
	DefaultPollInterval   = time.Second
	DefaultPollTimeout    = 30 * time.Second
	DefaultTempTTL        = 1800 * time.Second
	DefaultPageSize       = 100
	DefaultMaxPages       = 1000
	DefaultClientType     = "lubo"
	DefaultMaxBodyBytes   = 4 << 20
	maxTempTTL            = 86400 * time.Second
	maxPageSizeDocumented = 100
)

// Config of a Client. Zero fields take the default named in their comment.
type Config struct {
	// API is the base URL of the open API. Default DefaultAPI.
	API string
	// AccessKey and SecretKey are the application's long-term AK/SK.
	AccessKey string
	SecretKey Secret
	// Application picks the device listing call. Default DeviceApplication.
	Application Application
	// TerminalID identifies this client (at most 64 characters, no spaces or
	// commas). Default: derived from the host name, so it is stable across
	// restarts of the same box.
	TerminalID string
	// UseTempCredentials makes the client sign with a temporary AK/SK
	// (§1.4.1.1) obtained with the long-term pair, cached and renewed before
	// it expires; the long-term SK then signs only that one call.
	UseTempCredentials bool
	// TempTTL is the lifetime asked for a temporary AK/SK, 1 s to 24 h.
	// Default 1800 s (the cloud's own default).
	TempTTL time.Duration
	// ClientType is sent as clientType with stream requests. Default "lubo".
	ClientType string

	// Timeout bounds every HTTP call. Default 15 s.
	Timeout time.Duration
	// HTTPClient is used for every call. Default: a client with Timeout.
	HTTPClient *http.Client
	// MaxBodyBytes caps a response body read. Default 4 MiB.
	MaxBodyBytes int64
	// PageSize is the limit of each listing page, 1-100. Default 100.
	PageSize int
	// MaxPages stops a listing that never ends. Default 1000.
	MaxPages int
	// PollInterval is the pause between requestRelayUrlAgain polls. Default 1 s.
	PollInterval time.Duration
	// PollTimeout bounds the whole relay address resolution. Default 30 s.
	PollTimeout time.Duration

	// Now is the clock (tests inject one). Default time.Now.
	Now func() time.Time
	// Sleep pauses between polls; it returns early with ctx.Err(). Tests
	// inject one that advances their clock. Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// withDefaults validates c and fills in the defaults.
func (c Config) withDefaults() (Config, error) {
	if c.API == "" {
		c.API = DefaultAPI
	}
	u, err := url.Parse(c.API)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return c, fmt.Errorf("tplink: api %q is not an http(s) URL with a host (accepted: https://host[:port])", c.API)
	}
	if err := checkHeaderField("access key", c.AccessKey, 0); err != nil {
		return c, err
	}
	if c.SecretKey == "" {
		return c, errors.New("tplink: secret key is empty")
	}
	if c.Application != DeviceApplication && c.Application != ProjectApplication {
		return c, fmt.Errorf("tplink: application %d is unknown (accepted: DeviceApplication, ProjectApplication)", c.Application)
	}
	if c.TerminalID == "" {
		c.TerminalID = defaultTerminalID()
	}
	if err := checkHeaderField("terminal id", c.TerminalID, MaxTerminalIDLength); err != nil {
		return c, err
	}
	if c.TempTTL == 0 {
		c.TempTTL = DefaultTempTTL
	}
	if c.TempTTL < time.Second || c.TempTTL > maxTempTTL {
		return c, fmt.Errorf("tplink: temp_ttl %s is out of range (accepted: 1s to 24h)", c.TempTTL)
	}
	if c.ClientType == "" {
		c.ClientType = DefaultClientType
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: c.Timeout}
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.PageSize == 0 {
		c.PageSize = DefaultPageSize
	}
	if c.PageSize < 1 || c.PageSize > maxPageSizeDocumented {
		return c, fmt.Errorf("tplink: page size %d is out of range (accepted: 1-100)", c.PageSize)
	}
	if c.MaxPages <= 0 {
		c.MaxPages = DefaultMaxPages
	}
	if c.PollInterval <= 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.PollTimeout <= 0 {
		c.PollTimeout = DefaultPollTimeout
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Sleep == nil {
		c.Sleep = sleepTimer
	}
	return c, nil
}

// defaultTerminalID is stable for one host: a hash of its name.
func defaultTerminalID() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown-host"
	}
	sum := sha256.Sum256([]byte("lubo tplink terminal\x00" + host))
	return hex.EncodeToString(sum[:16])
}

func sleepTimer(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// LogValue shows the settings that help a reader of the logs, no secret.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("api", c.API),
		slog.String("ak", c.AccessKey),
		slog.Any("sk", c.SecretKey),
		slog.String("terminal_id", c.TerminalID),
		slog.Bool("temp_credentials", c.UseTempCredentials),
	)
}
