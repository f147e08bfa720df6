package hikyunmou

import (
	"fmt"
	"log/slog"
	"time"
)

// State is a step of registration and the 确权 flow.
type State int

// States in the order the flow passes them.
const (
	StateRegistering    State = iota + 1 // calling register
	StateNeedsConfirm                    // register answered 515019
	StateAutoConfirm                     // step 1: calling auto-confirm
	StateTakeOffline                     // step 2: the installer must take the device offline now
	StateOfflinePolling                  // step 2: polling offline-confirm
	StateBringOnline                     // step 3: the installer must bring the device back now
	StateOnlinePolling                   // step 3: polling online-confirm
	StateConfirmed                       // 确权 done
	StateReRegistering                   // calling register after 确权
	StateRegistered                      // done
	StateFailed                          // gave up; Progress.Err says why
)

var stateNames = map[State]string{
	StateRegistering:    "registering",
	StateNeedsConfirm:   "needs_confirm",
	StateAutoConfirm:    "auto_confirm",
	StateTakeOffline:    "take_offline",
	StateOfflinePolling: "offline_polling",
	StateBringOnline:    "bring_online",
	StateOnlinePolling:  "online_polling",
	StateConfirmed:      "confirmed",
	StateReRegistering:  "re_registering",
	StateRegistered:     "registered",
	StateFailed:         "failed",
}

// String is a stable snake_case name, usable as a metric label.
func (s State) String() string {
	if n, ok := stateNames[s]; ok {
		return n
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// Progress is one observation of the flow, for logs, metrics and an
// installer's screen.
type Progress struct {
	State   State
	Serial  string
	Message string // what is happening, or what the installer must do now
	// InstallerAction is true when a person has to do something (StateTakeOffline, StateBringOnline).
	InstallerAction bool
	Attempt         int       // polls made so far in this step
	StepDeadline    time.Time // when this step gives up (zero outside polling steps)
	FlowDeadline    time.Time // when the whole 确权 flow gives up (zero before it starts)
	Err             error     // the last poll's refusal, or why the flow failed
}

// LogValue makes a Progress a structured log group.
func (p Progress) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.String("state", p.State.String()),
		slog.String("serial", p.Serial),
		slog.String("message", p.Message),
	}
	if p.Attempt > 0 {
		attrs = append(attrs, slog.Int("attempt", p.Attempt))
	}
	if !p.StepDeadline.IsZero() {
		attrs = append(attrs, slog.Time("step_deadline", p.StepDeadline))
	}
	if p.Err != nil {
		attrs = append(attrs, slog.String("err", p.Err.Error()))
	}
	return slog.GroupValue(attrs...)
}
