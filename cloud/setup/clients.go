package setup

import (
	"fmt"

	"github.com/lubo-edge/lubo/cloud/ezviz"
	"github.com/lubo-edge/lubo/cloud/hikyunmou"
	"github.com/lubo-edge/lubo/cloud/onenet"
	"github.com/lubo-edge/lubo/cloud/tplink"
	"github.com/lubo-edge/lubo/configs"
)

// TPLink builds a TUMS client from cloud.tplink: its application kind,
// terminal id and, when asked, temporary credentials.
func TPLink(c *configs.TPLink, opts Options) (*tplink.Client, error) {
	if c == nil {
		return nil, &NotConfiguredError{Section: "tplink", Keys: "ak, sk"}
	}
	app := tplink.DeviceApplication
	if c.Application == "project" {
		app = tplink.ProjectApplication
	}
	cl, err := tplink.New(tplink.Config{
		API:                c.API,
		AccessKey:          string(c.AK),
		SecretKey:          tplink.Secret(string(c.SK)),
		Application:        app,
		TerminalID:         c.TerminalID,
		UseTempCredentials: c.TempCredentials,
		TempTTL:            c.TempTTL,
		HTTPClient:         opts.HTTPClient,
		Now:                opts.Now,
		Sleep:              opts.Sleep,
	})
	if err != nil {
		return nil, fmt.Errorf("cloud.tplink: %w", err)
	}
	return cl, nil
}

// Ezviz builds an Ezviz open platform client from cloud.ezviz.
func Ezviz(c *configs.Ezviz, opts Options) (*ezviz.Client, error) {
	if c == nil {
		return nil, &NotConfiguredError{Section: "ezviz", Keys: "app_key, app_secret"}
	}
	cl, err := ezviz.New(ezviz.Config{
		BaseURL:    c.API,
		AppKey:     string(c.AppKey),
		AppSecret:  ezviz.Secret(string(c.AppSecret)),
		HTTPClient: opts.HTTPClient,
		Now:        opts.Now,
		Sleep:      opts.Sleep,
		Logger:     opts.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("cloud.ezviz: %w", err)
	}
	return cl, nil
}

// HikYunmou builds a 云眸 client from cloud.hikyunmou: its API paths (each
// empty one keeps the client's default) and the document's 确权 timing.
func HikYunmou(c *configs.HikYunmou, opts Options) (*hikyunmou.Client, error) {
	if c == nil {
		return nil, &NotConfiguredError{Section: "hikyunmou", Keys: "api, client_id, client_secret"}
	}
	cl, err := hikyunmou.New(hikyunmou.Config{
		BaseURL:      c.API,
		ClientID:     c.ClientID,
		ClientSecret: hikyunmou.Secret(string(c.ClientSecret)),
		Paths: hikyunmou.Paths{
			Token: c.Paths.Token, Register: c.Paths.Register, AutoConfirm: c.Paths.AutoConfirm,
			OfflineConfirm: c.Paths.OfflineConfirm, OnlineConfirm: c.Paths.OnlineConfirm,
		},
		HTTPClient: opts.HTTPClient,
		Now:        opts.Now,
		Sleep:      opts.Sleep,
		Logger:     opts.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("cloud.hikyunmou: %w", err)
	}
	return cl, nil
}

// OneNET builds a OneNET video platform client from cloud.onenet, sending
// the product's master key (use WithKey for a device key).
func OneNET(c *configs.OneNET, opts Options) (*onenet.Client, error) {
	if c == nil {
		return nil, &NotConfiguredError{Section: "onenet", Keys: "api, master_key, product_id"}
	}
	cl, err := onenet.New(onenet.Config{
		API:        c.API,
		Key:        onenet.Secret(string(c.MasterKey)),
		ProductID:  c.ProductID,
		HTTPClient: opts.HTTPClient,
		Logger:     opts.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("cloud.onenet: %w", err)
	}
	return cl, nil
}
