package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/cloud/hikyunmou"
	"github.com/lubo-edge/lubo/cloud/setup"
)

func (env *cloudEnv) hikyunmouClient() (*hikyunmou.Client, error) {
	cfg, err := env.config()
	if err != nil {
		return nil, err
	}
	return setup.HikYunmou(cfg.Cloud.HikYunmou, env.opts)
}

func hikyunmouVendor() cloudVendor {
	return cloudVendor{name: "hikyunmou", verbs: []cloudVerb{
		{
			name:     "confirm",
			synopsis: "-serial S [-validate-code C -group G]",
			about: "with -validate-code: register the device, running 设备确权 when the cloud answers 515019; " +
				"without: run 设备确权 alone. Follow the OFFLINE / ONLINE instructions printed on stderr",
			define: hikyunmouConfirm,
		},
	}}
}

// hikConfirmOut is the outcome of `lubo cloud hikyunmou confirm`.
type hikConfirmOut struct {
	Serial     string `json:"serial"`
	Confirmed  bool   `json:"confirmed"`  // 设备确权 done, or not needed
	Registered bool   `json:"registered"` // the device is registered (with -validate-code only)
	DeviceID   string `json:"device_id,omitempty"`
	DeviceName string `json:"device_name,omitempty"`
	Next       string `json:"next,omitempty"`
}

func hikyunmouConfirm(fs *flag.FlagSet) cloudRunner {
	serial := fs.String("serial", "", "the device serial (序列号, on its label) (required)")
	validateCode := fs.String("validate-code", "", "the device's verification code (验证码, on its label); given, the device is registered too")
	group := fs.String("group", "", "groupNo, the organization the device is added to (with -validate-code; default cloud.hikyunmou.group_no)")
	return func(ctx context.Context, env *cloudEnv) (any, error) {
		sn := strings.TrimSpace(*serial)
		if err := requireString("serial", sn); err != nil {
			return nil, err
		}
		if *validateCode == "" && *group != "" {
			return nil, usagef("-group needs -validate-code: registration takes both")
		}
		c, err := env.hikyunmouClient()
		if err != nil {
			return nil, err
		}
		groupNo := strings.TrimSpace(*group)
		if groupNo == "" && env.cfg.Cloud.HikYunmou != nil {
			groupNo = env.cfg.Cloud.HikYunmou.GroupNo // the config's default organization
		}
		if *validateCode != "" && groupNo == "" {
			return nil, usagef("-group (or cloud.hikyunmou.group_no) is required with -validate-code: the organization (groupNo) the device goes into")
		}
		report := env.hikProgress(env.cfg.Location()) // loaded with the client
		if *validateCode == "" {
			if err := c.Confirm(ctx, sn, report); err != nil {
				return nil, err
			}
			return hikConfirmOut{Serial: sn, Confirmed: true,
				Next: "register the device now (within the cloud's window), e.g. with -validate-code and -group"}, nil
		}
		reg, err := c.Enroll(ctx, hikyunmou.Device{Serial: sn, GroupNo: groupNo, ValidateCode: hikyunmou.Secret(*validateCode)}, report)
		if err != nil {
			return nil, err
		}
		return hikConfirmOut{Serial: sn, Confirmed: true, Registered: true, DeviceID: reg.DeviceID, DeviceName: reg.DeviceName}, nil
	}
}

// hikProgress prints each step of registration and 确权 on stderr as it
// happens; the two steps where the installer must act stand out.
func (env *cloudEnv) hikProgress(loc *time.Location) func(hikyunmou.Progress) {
	return func(p hikyunmou.Progress) {
		at := env.now().In(loc).Format(time.TimeOnly)
		if p.InstallerAction {
			env.progressf("%s %s\n\n    >>> INSTALLER: %s\n", at, p.State, p.Message)
			return
		}
		line := fmt.Sprintf("%s %s: %s", at, p.State, p.Message)
		if !p.StepDeadline.IsZero() {
			line += fmt.Sprintf(" (this step gives up at %s)", p.StepDeadline.In(loc).Format(time.TimeOnly))
		}
		if p.Err != nil {
			line += "; cloud: " + hikCause(p.Err)
		}
		env.progressf("%s", line)
	}
}

// hikCause is a refusal in a few words: the code and the cloud's message
// (the full hint comes with the final error, not on every poll).
func hikCause(err error) string {
	var e *hikyunmou.Error
	if errors.As(err, &e) {
		return fmt.Sprintf("code %s (%s)", e.Code, e.Message)
	}
	return err.Error()
}
