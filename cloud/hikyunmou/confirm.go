package hikyunmou

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// The document's limits for 设备确权.
const (
	MinPollInterval      = 5 * time.Second   // 建议轮询间隔5秒及以上
	DefaultOfflineWindow = 120 * time.Second // 下线确认: 总时长不超过120秒
	DefaultOnlineWindow  = 180 * time.Second // 上线确认: 总时长不超过180秒
	DefaultConfirmTotal  = 20 * time.Minute  // 以上操作总时长建议不超过20分钟
)

// ConfirmSettings time the 确权 flow. Zero fields take the document's values.
type ConfirmSettings struct {
	PollInterval  time.Duration // pause between polls; default and minimum 5 s
	OfflineWindow time.Duration // how long offline-confirm is polled; default 120 s
	OnlineWindow  time.Duration // how long online-confirm is polled; default 180 s
	Total         time.Duration // the whole flow; default 20 min

	// WaitForInstaller, when set, is called after the installer is told to take
	// the device offline or bring it back, and polling starts when it returns
	// (e.g. a CLI waiting for Enter). Its time counts against Total, not the
	// step's window. Nil: polling starts at once and the window is the
	// installer's time to act.
	WaitForInstaller func(ctx context.Context, p Progress) error
}

func (s ConfirmSettings) withDefaults() ConfirmSettings {
	if s.PollInterval < MinPollInterval {
		s.PollInterval = MinPollInterval
	}
	if s.OfflineWindow <= 0 {
		s.OfflineWindow = DefaultOfflineWindow
	}
	if s.OnlineWindow <= 0 {
		s.OnlineWindow = DefaultOnlineWindow
	}
	if s.Total <= 0 {
		s.Total = DefaultConfirmTotal
	}
	return s
}

// ConfirmError is a 确权 flow that gave up. Check it with errors.As.
type ConfirmError struct {
	Serial    string
	State     State         // the step that gave up
	Attempts  int           // polls made in that step
	Waited    time.Duration // time spent in that step
	Limit     time.Duration // the limit reached
	FlowLimit bool          // the whole flow's limit (Total) was reached, not the step's window
	Err       error         // the last refusal, if any
}

func (e *ConfirmError) Error() string {
	var what, todo string
	switch e.State {
	case StateOfflinePolling:
		what = "the cloud did not see the device go offline"
		todo = "when told, unplug the device's power or network and keep it off until told to bring it back; then register again"
	case StateOnlinePolling:
		what = "the cloud did not see the device come back online"
		todo = "when told, power the device and connect it to the internet promptly; then register again"
	default:
		what = "device authorization did not finish"
		todo = "register again"
	}
	limit := fmt.Sprintf("within %s", e.Limit)
	if e.FlowLimit {
		limit = fmt.Sprintf("within the whole flow's limit of %s", e.Limit)
	}
	msg := fmt.Sprintf("hikyunmou 设备确权 of %s: %s %s (%d polls over %s): %s", e.Serial, what, limit, e.Attempts, e.Waited, todo)
	if e.Err != nil {
		msg += "; last answer: " + e.Err.Error()
	}
	return msg
}

func (e *ConfirmError) Unwrap() error { return e.Err }

// Confirm runs the 确权 flow for serial alone (Enroll runs it on 515019).
// progress (may be nil) sees every step.
func (c *Client) Confirm(ctx context.Context, serial string, progress func(Progress)) error {
	return c.confirm(ctx, serial, func(p Progress) {
		p.Serial = serial
		c.cfg.Logger.Info("hikyunmou: device authorization", "progress", p)
		if progress != nil {
			progress(p)
		}
	})
}

// confirmStep is step 2 or 3 of the document's flow.
type confirmStep struct {
	action, polling State
	op, path        string
	window          time.Duration
	tell            string
}

func (c *Client) confirm(ctx context.Context, serial string, report func(Progress)) error {
	cs := c.cfg.Confirm
	flowDeadline := c.cfg.Now().Add(cs.Total)
	ctx, cancel := context.WithTimeout(ctx, cs.Total) // the same cap in real time
	defer cancel()

	report(Progress{State: StateAutoConfirm, Message: "step 1: asking for automatic authorization", FlowDeadline: flowDeadline})
	err := c.confirmCall(ctx, "auto confirm", c.cfg.Paths.AutoConfirm, serial)
	if err == nil {
		report(Progress{State: StateConfirmed, Message: "automatic authorization succeeded", FlowDeadline: flowDeadline})
		return nil
	}
	if stop(err) {
		return err
	}
	steps := []confirmStep{
		{StateTakeOffline, StateOfflinePolling, "offline confirm", c.cfg.Paths.OfflineConfirm, cs.OfflineWindow,
			fmt.Sprintf("step 2: take device %s OFFLINE now (unplug its power or network cable) and keep it off until told; waiting up to %s", serial, cs.OfflineWindow)},
		{StateBringOnline, StateOnlinePolling, "online confirm", c.cfg.Paths.OnlineConfirm, cs.OnlineWindow,
			fmt.Sprintf("step 3: bring device %s back ONLINE now (power and network); waiting up to %s", serial, cs.OnlineWindow)},
	}
	for i, st := range steps {
		cause := err // why the installer is asked: auto-confirm's refusal
		if i > 0 {
			cause = nil
		}
		if err := c.poll(ctx, serial, st, flowDeadline, cause, report); err != nil {
			return err
		}
	}
	report(Progress{State: StateConfirmed, Message: "device authorized", FlowDeadline: flowDeadline})
	return nil
}

// poll tells the installer what to do, then polls st.path every PollInterval
// (measured from the end of one poll to the start of the next) until it
// succeeds or the step's window or the flow's deadline would be passed.
func (c *Client) poll(ctx context.Context, serial string, st confirmStep, flowDeadline time.Time, last error, report func(Progress)) error {
	cs := c.cfg.Confirm
	p := Progress{State: st.action, InstallerAction: true, Message: st.tell, FlowDeadline: flowDeadline, Err: last}
	report(p)
	if cs.WaitForInstaller != nil {
		if err := cs.WaitForInstaller(ctx, p); err != nil {
			return fmt.Errorf("hikyunmou 设备确权 of %s: waiting for the installer: %w", serial, err)
		}
	}
	start := c.cfg.Now()
	deadline, limit, flowLimit := start.Add(st.window), st.window, false
	if deadline.After(flowDeadline) {
		deadline, limit, flowLimit = flowDeadline, cs.Total, true
	}
	giveUp := func(attempts int, err error) error {
		return &ConfirmError{Serial: serial, State: st.polling, Attempts: attempts, Waited: c.cfg.Now().Sub(start), Limit: limit, FlowLimit: flowLimit, Err: err}
	}
	for attempt := 1; ; attempt++ {
		if c.cfg.Now().After(deadline) {
			return giveUp(attempt-1, last)
		}
		err := c.confirmCall(ctx, st.op, st.path, serial)
		if err == nil {
			return nil
		}
		if stop(err) {
			return err
		}
		last = err
		report(Progress{State: st.polling, Attempt: attempt, StepDeadline: deadline, FlowDeadline: flowDeadline, Err: err,
			Message: fmt.Sprintf("%s: not yet (poll %d); next in %s", st.op, attempt, cs.PollInterval)})
		if c.cfg.Now().Add(cs.PollInterval).After(deadline) {
			return giveUp(attempt, last)
		}
		if err := c.cfg.Sleep(ctx, cs.PollInterval); err != nil {
			return fmt.Errorf("hikyunmou %s of %s: %w", st.op, serial, err)
		}
	}
}

// stop says whether an error ends the flow instead of meaning "not yet":
// cancellation and refused credentials do; a refusal code or a network error does not.
func stop(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var e *Error
	if errors.As(err, &e) {
		switch e.Code {
		case CodeInvalidClient, CodeUnauthorized, CodeInvalidToken, CodeInvalidGrant, CodeUnsupportedGrant:
			return true
		}
		return e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden
	}
	return false
}

// confirmCall is one GET of a 确权 call; code 200 is success.
func (c *Client) confirmCall(ctx context.Context, op, path, serial string) error {
	return c.authorized(ctx, request{op: op, method: http.MethodGet, path: path, query: url.Values{"deviceSerial": {serial}}},
		func(a answer) error {
			_, err := decodeEnvelope(op, a.status, a.body)
			return err
		})
}
