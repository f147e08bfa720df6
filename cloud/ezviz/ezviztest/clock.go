package ezviztest

import (
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
)

// Clock is a manual clock for tests (testkit.ManualClock): hand Now to both
// the emulator and the client, and Sleep to the client, so expiry and
// backoff happen without real waiting.
type Clock = testkit.ManualClock

// NewClock starts a clock at start.
func NewClock(start time.Time) *Clock { return testkit.NewManualClock(start) }
