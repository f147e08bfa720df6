package configs

import "time"

// Cloud holds the vendor cloud sections; a nil section is not used.
type Cloud struct {
	// Yunlubo is a 云录播 server this box gathers for. Default: nil.
	Yunlubo *Yunlubo `yaml:"yunlubo"`
	// OneNET is the China Mobile OneNET video platform. Default: nil.
	OneNET *OneNET `yaml:"onenet"`
	// TPLink is the TP-LINK commercial cloud (TUMS) open API. Default: nil.
	TPLink *TPLink `yaml:"tplink"`
	// Ezviz is the Ezviz (萤石) open platform. Default: nil.
	Ezviz *Ezviz `yaml:"ezviz"`
	// HikYunmou is Hikvision 云眸 (education). Default: nil.
	HikYunmou *HikYunmou `yaml:"hikyunmou"`
}

// Yunlubo is a 云录播 server.
type Yunlubo struct {
	// URL is the server's base URL, e.g. "http://server:80". Required.
	URL string `yaml:"url"`
	// UnionID identifies this gather to the server and is exchanged for a
	// token. Required.
	UnionID Secret `yaml:"unionid"`
	// SyncInterval is how often the server's gather settings, cameras and
	// courses are fetched, 10s to 1h. Default 1m.
	SyncInterval time.Duration `yaml:"sync_interval"`
	// MAC is this box's MAC address as the server lists it (mac_addr).
	// Default: the MAC of Interface.
	MAC string `yaml:"mac"`
	// Interface names the network interface whose MAC identifies the box.
	// Default: the one with the default route.
	Interface string `yaml:"interface"`
	// Vendor builds the RTSP paths of the server's IP cameras (stream_prop
	// 0): hikvision or dahua. Default "hikvision".
	Vendor string `yaml:"vendor"`
}

// API enables this box's own 云录播 /api/v1.
type API struct {
	// UnionID is the API credential clients exchange for a token
	// (access_token). Required.
	UnionID Secret `yaml:"unionid"`
	// StorageAddr is the box's base URL as clients reach it, used for
	// storage_addr and play_url. Default: taken from each request's Host.
	StorageAddr string `yaml:"storage_addr"`
}

// OneNET is the OneNET video platform.
type OneNET struct {
	// API is the platform's base URL. Required.
	API string `yaml:"api"`
	// MasterKey is the product's master api-key. Required.
	MasterKey Secret `yaml:"master_key"`
	// ProductID is the product id, e.g. "7355". Required.
	ProductID string `yaml:"product_id"`
	// DeviceID is the box's device on the platform (from `lubo cloud onenet
	// register`). Default: lubo registers one itself and remembers it.
	DeviceID string `yaml:"device_id"`
	// PreloadLead is how long before each lesson its HLS is preloaded on
	// the platform, 0 (off) to 1h. Default 1m.
	PreloadLead time.Duration `yaml:"preload_lead"`
	// Record makes the platform record each lesson too (start and stop
	// with the timetable). Default false.
	Record bool `yaml:"record"`
	// Upload sends snapshots and recording covers to the platform through
	// the upload outbox. Default true.
	Upload *bool `yaml:"upload"`
}

// TPLink is the TP-LINK TUMS open API.
type TPLink struct {
	// API is the base URL. Default "https://api-smbcloud.tplinkcloud.com.cn".
	API string `yaml:"api"`
	// AK is the access key. Required.
	AK Secret `yaml:"ak"`
	// SK is the secret key. Required.
	SK Secret `yaml:"sk"`
	// Application is the kind of TUMS application the AK/SK belong to:
	// "device" (设备型应用) or "project" (项目型应用); it picks the device
	// listing call. Default "device".
	Application string `yaml:"application"`
	// TerminalID identifies this box to TUMS: 1 to 64 characters without
	// spaces or commas. Default "" (derived from the host name, stable
	// across restarts).
	TerminalID string `yaml:"terminal_id"`
	// TempCredentials signs with a temporary AK/SK (§1.4.1.1) fetched with
	// the long-term pair and renewed before it expires, so the long-term SK
	// signs one call per renewal. Default false.
	TempCredentials bool `yaml:"temp_credentials"`
	// TempTTL is the lifetime asked for a temporary AK/SK, 1s to 24h.
	// Default 30m (the cloud's own default).
	TempTTL time.Duration `yaml:"temp_ttl"`
}

// Ezviz is the Ezviz open platform.
type Ezviz struct {
	// API is the base URL. Default "https://open.ys7.com".
	API string `yaml:"api"`
	// AppKey is the application key. Required.
	AppKey Secret `yaml:"app_key"`
	// AppSecret is the application secret. Required.
	AppSecret Secret `yaml:"app_secret"`
}

// HikYunmou is Hikvision 云眸.
type HikYunmou struct {
	// API is the base URL. Required.
	API string `yaml:"api"`
	// ClientID is the OAuth client id. Required.
	ClientID string `yaml:"client_id"`
	// ClientSecret is the OAuth client secret. Required.
	ClientSecret Secret `yaml:"client_secret"`
	// GroupNo is the organization (groupNo) devices are registered into
	// when the CLI is given none. Default "".
	GroupNo string `yaml:"group_no"`
	// Paths of the calls the document names without printing them. Each
	// empty one keeps the vendor's public default (see README).
	Paths HikYunmouPaths `yaml:"paths"`
}

// HikYunmouPaths are the 云眸 API paths, each starting with "/".
type HikYunmouPaths struct {
	Token          string `yaml:"token"`           // default /oauth/token
	Register       string `yaml:"register"`        // default /api/v1/open/basic/devices/create
	AutoConfirm    string `yaml:"auto_confirm"`    // default /v1/carrier/wing/endpoint/confirm/right/autoconfirm
	OfflineConfirm string `yaml:"offline_confirm"` // default …/offlineconfirm
	OnlineConfirm  string `yaml:"online_confirm"`  // default …/onlineconfirm
}

// has reports whether the named cloud section ("ezviz") is configured.
func (c *Cloud) has(name string) bool {
	switch name {
	case "yunlubo":
		return c.Yunlubo != nil
	case "onenet":
		return c.OneNET != nil
	case "tplink":
		return c.TPLink != nil
	case "ezviz":
		return c.Ezviz != nil
	case "hikyunmou":
		return c.HikYunmou != nil
	}
	return false
}
