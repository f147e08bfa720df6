package hikyunmou

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Device is what registration needs.
type Device struct {
	Serial       string // deviceSerial, on the device label
	GroupNo      string // groupNo, the organization the device goes into
	ValidateCode Secret // validateCode (验证码), on the device label
}

func (d Device) check() error {
	switch {
	case d.Serial == "" || len(d.Serial) > 64:
		return fmt.Errorf("device serial %q: want 1-64 characters from the device label", cleanText(d.Serial))
	case cleanText(d.Serial) != d.Serial:
		return fmt.Errorf("device serial %q contains control characters", cleanText(d.Serial))
	case d.GroupNo == "":
		return errors.New("groupNo is required: the organization the device is added to")
	case d.ValidateCode == "":
		return errors.New("validateCode is required: the six-letter code on the device label")
	}
	return nil
}

// Register adds the device once. A refusal is a *Error; NeedsConfirm() tells
// a 515019, for which Enroll runs the 确权 flow.
func (c *Client) Register(ctx context.Context, d Device) (*Registration, error) {
	if err := d.check(); err != nil {
		return nil, fmt.Errorf("hikyunmou register device: %w", err)
	}
	body, err := json.Marshal(struct {
		DeviceSerial string `json:"deviceSerial"`
		GroupNo      string `json:"groupNo"`
		ValidateCode string `json:"validateCode"`
	}{d.Serial, d.GroupNo, d.ValidateCode.Reveal()})
	if err != nil {
		return nil, fmt.Errorf("hikyunmou register device: %w", err)
	}
	var reg *Registration
	err = c.authorized(ctx, request{
		op: "register device", method: http.MethodPost, path: c.cfg.Paths.Register,
		contentType: "application/json", body: body,
	}, func(a answer) (err error) {
		reg, err = decodeRegistration(a.status, a.body)
		return err
	})
	return reg, err
}

// Enroll registers the device and, when the cloud answers 515019, runs the
// 确权 flow and registers once more. progress (may be nil) sees every step.
func (c *Client) Enroll(ctx context.Context, d Device, progress func(Progress)) (*Registration, error) {
	report := func(p Progress) {
		p.Serial = d.Serial
		c.cfg.Logger.Info("hikyunmou: device registration", "progress", p)
		if progress != nil {
			progress(p)
		}
	}
	report(Progress{State: StateRegistering, Message: "registering the device"})
	reg, err := c.Register(ctx, d)
	var e *Error
	if err == nil {
		report(Progress{State: StateRegistered, Message: "device registered"})
		return reg, nil
	}
	if !errors.As(err, &e) || !e.NeedsConfirm() {
		report(Progress{State: StateFailed, Message: "registration refused", Err: err})
		return nil, err
	}
	report(Progress{State: StateNeedsConfirm, Message: "the cloud asks for device authorization (设备确权, code 515019)", Err: err})
	if err := c.confirm(ctx, d.Serial, report); err != nil {
		report(Progress{State: StateFailed, Message: "device authorization failed", Err: err})
		return nil, err
	}
	report(Progress{State: StateReRegistering, Message: "authorized; registering again"})
	reg, err = c.Register(ctx, d)
	if err != nil {
		if errors.As(err, &e) && e.NeedsConfirm() {
			err = fmt.Errorf("hikyunmou: device %s still needs authorization right after it was authorized; not trying again: %w", d.Serial, err)
		}
		report(Progress{State: StateFailed, Message: "registration after authorization refused", Err: err})
		return nil, err
	}
	report(Progress{State: StateRegistered, Message: "device registered"})
	return reg, nil
}
