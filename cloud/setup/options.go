package setup

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Options are the parts of a client that come from the program rather than
// from the config file. Zero fields leave each client's own default.
type Options struct {
	// Logger receives the client's log lines (retries, token renewals).
	// Default: the client's own (slog.Default()). TP-LINK's client does not log.
	Logger *slog.Logger
	// HTTPClient makes every call. Default: the client's own, with its timeout.
	HTTPClient *http.Client

	// Now and Sleep replace the clock, for tests that drive expiry and polling
	// without waiting. Default: the real clock. OneNET's client takes no
	// clock: its retry pauses are always real.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// NotConfiguredError is a vendor whose section is missing from the config.
type NotConfiguredError struct {
	// Section is the YAML key under cloud, e.g. "ezviz".
	Section string
	// Keys are the settings the section needs, e.g. "app_key, app_secret".
	Keys string
}

func (e *NotConfiguredError) Error() string {
	return fmt.Sprintf("cloud.%s is not configured; add %s", e.Section, e.Example())
}

// Example is the YAML a user adds to configure the section.
func (e *NotConfiguredError) Example() string {
	return fmt.Sprintf("cloud: {%s: {%s}}", e.Section, e.Keys)
}
