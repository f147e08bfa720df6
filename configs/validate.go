package configs

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lubo-edge/lubo/internal/redact"
	"github.com/lubo-edge/lubo/relay/sources"
)

// Validate checks a configuration built in code, without filling in
// defaults, and returns a *ProblemsError listing every problem, or nil.
func (c *Config) Validate() error {
	ps := c.validate(func(string) bool { return true })
	if len(ps) == 0 {
		return nil
	}
	return &ProblemsError{Problems: ps}
}

// validate collects every problem of c. set reports whether a path was
// written in the document, for settings that are required.
func (c *Config) validate(set func(path string) bool) problems {
	var ps problems
	if c.DataDir == "" {
		ps.add("data_dir", "required")
	}
	if c.Timezone != "" {
		if _, err := time.LoadLocation(c.Timezone); err != nil {
			ps.add("timezone", "unknown time zone %q; want an IANA name like Asia/Shanghai", c.Timezone)
		}
	}
	checkOneOf(&ps, "log.level", c.Log.Level, "debug", "info", "warn", "error")
	checkOneOf(&ps, "log.format", c.Log.Format, "text", "json")
	c.validateListeners(&ps)
	checkDuration(&ps, "hls.segment", c.HLS.Segment, 500*time.Millisecond, 10*time.Second)
	checkInt(&ps, "hls.window", c.HLS.Window, 3, 20)
	if c.HLS.Variant != "" {
		checkOneOf(&ps, "hls.variant", c.HLS.Variant, "ts", "fmp4")
	}
	if t := c.HTTP.TLS; t != nil {
		checkRequired(&ps, "http.tls.cert", t.Cert)
		checkRequired(&ps, "http.tls.key", t.Key)
	}
	if c.Auth != nil {
		c.Auth.validate(&ps)
	}

	firstIndex := map[string]int{}
	for i := range c.Channels {
		path := fmt.Sprintf("channels[%d]", i)
		ch := &c.Channels[i]
		if j, dup := firstIndex[ch.ID]; dup && ch.ID != "" {
			ps.add(path+".id", "duplicate of channels[%d]", j)
		} else {
			firstIndex[ch.ID] = i
		}
		ch.validate(&ps, path)
		for k, u := range ch.Push {
			checkPushURL(&ps, fmt.Sprintf("%s.push[%d]", path, k), u)
		}
		if ch.Source == sources.Publisher && c.RTMP.Listen == "" {
			ps.add(path+".source", "publisher: encoders push to rtmp://box:PORT/live/%s, which needs rtmp.listen (e.g. \":1935\")", ch.ID)
		}
		if ch.SubSource == sources.Publisher {
			ps.add(path+".sub_source", "publisher can only be a channel's source")
		}
		for _, u := range []struct{ key, raw string }{{".source", ch.Source}, {".sub_source", ch.SubSource}} {
			if cloud := sourceSchemes.Cloud(u.raw); cloud != "" && !c.Cloud.has(cloud) {
				ps.add(path+u.key, "%s:// cameras are resolved through cloud.%s, which is not configured", cloud, cloud)
			}
		}
	}
	c.Record.validate(&ps)
	for i := range c.Schedule {
		c.Schedule[i].validate(&ps, fmt.Sprintf("schedule[%d]", i), c, set)
	}
	c.Cloud.validate(&ps)
	if c.API != nil {
		checkRequired(&ps, "api.unionid", string(c.API.UnionID))
		if c.API.StorageAddr != "" {
			checkHTTPURL(&ps, "api.storage_addr", c.API.StorageAddr)
		}
	}
	return ps
}

func (c *Config) validateListeners(ps *problems) {
	if c.HTTP.Listen == "" {
		ps.add("http.listen", "required; the HTTP listener cannot be turned off")
	} else {
		checkListen(ps, "http.listen", c.HTTP.Listen)
	}
	if c.RTSP.Listen != "" {
		checkListen(ps, "rtsp.listen", c.RTSP.Listen)
	}
	if c.RTMP.Listen != "" {
		checkListen(ps, "rtmp.listen", c.RTMP.Listen)
	}
	type listener struct{ path, addr string }
	ls := []listener{{"http.listen", c.HTTP.Listen}, {"rtsp.listen", c.RTSP.Listen}, {"rtmp.listen", c.RTMP.Listen}}
	for i := range ls {
		for j := range i {
			if sameListenAddr(ls[i].addr, ls[j].addr) {
				ps.add(ls[i].path, "%q clashes with %s %q", ls[i].addr, ls[j].path, ls[j].addr)
			}
		}
	}
}

var channelIDRe = regexp.MustCompile(`^[a-z0-9_-]+$`)

func (ch *Channel) validate(ps *problems, path string) {
	switch {
	case ch.ID == "":
		ps.add(path+".id", "required")
	case len(ch.ID) > 64:
		ps.add(path+".id", "%q is longer than 64 characters", ch.ID)
	case !channelIDRe.MatchString(ch.ID):
		ps.add(path+".id", "%q has characters outside [a-z0-9_-]", ch.ID)
	}
	switch {
	case ch.Source != "" && ch.Device != nil:
		ps.add(path, "set either source or device, not both")
	case ch.Source == "" && ch.Device == nil:
		ps.add(path, "set source or device")
	case ch.Source != "":
		checkSource(ps, path+".source", ch.Source)
	default:
		ch.Device.validate(ps, path+".device")
		if ch.Device.Stream == StreamBoth && ch.SubSource != "" {
			ps.add(path+".sub_source", "device.stream %q already provides the sub stream", StreamBoth)
		}
	}
	if ch.SubSource != "" {
		checkSource(ps, path+".sub_source", ch.SubSource)
	}
	checkOneOf(ps, path+".transport", ch.Transport, "tcp", "udp", "auto")
	checkDuration(ps, path+".idle_timeout", ch.IdleTimeout, time.Second, 0)
}

func (d *Device) validate(ps *problems, path string) {
	if d.Vendor == "" {
		ps.add(path+".vendor", "required; want hikvision or dahua")
	} else {
		checkOneOf(ps, path+".vendor", d.Vendor, VendorHikvision, VendorDahua)
	}
	switch {
	case d.Host == "":
		ps.add(path+".host", "required")
	case strings.ContainsAny(d.Host, "/@?# ") || strings.Contains(d.Host, "://"):
		ps.add(path+".host", "%q is not a host; want an IP address or name like 192.168.1.64", redact.URL(d.Host))
	}
	checkInt(ps, path+".port", d.Port, 1, 65535)
	if d.Channel < 1 {
		ps.add(path+".channel", "%d is below the minimum 1", d.Channel)
	}
	checkOneOf(ps, path+".stream", d.Stream, StreamMain, StreamSub, StreamBoth)
	if d.Password != "" && d.User == "" {
		ps.add(path+".password", "set without device.user")
	}
}

func (r *Record) validate(ps *problems) {
	checkDuration(ps, "record.slice", r.Slice, 0, 30*time.Minute)
	checkInt(ps, "record.overlap_keyframes", r.OverlapKeyframes, 0, 3)
	checkDuration(ps, "record.snapshot_interval", r.SnapshotInterval, 0, 0)
	checkDuration(ps, "record.pre_roll", r.PreRoll, 0, time.Minute)
	if p, err := parsePercent(r.MinFree); err != nil {
		ps.add("record.min_free", "%q is not a percentage like \"10%%\"", r.MinFree)
	} else if p < 0 || p > 90 {
		ps.add("record.min_free", "%s is outside 0%%-90%%", r.MinFree)
	}
	checkDuration(ps, "record.max_age", r.MaxAge, 0, 0)
}

func (co *Course) validate(ps *problems, path string, c *Config, set func(string) bool) {
	switch {
	case co.Channel == "":
		ps.add(path+".channel", "required")
	case c.ChannelByID(co.Channel) == nil:
		ps.add(path+".channel", "%q is not a configured channel", co.Channel)
	}
	if !set(path + ".weekday") {
		ps.add(path+".weekday", "required; 0-6 (0 = Sunday)")
	} else if co.Weekday < time.Sunday || co.Weekday > time.Saturday {
		ps.add(path+".weekday", "%d is outside 0-6 (0 = Sunday)", int(co.Weekday))
	}
	if co.Start == "" {
		ps.add(path+".start", "required; a time of day HH:MM:SS")
	} else if _, err := parseTimeOfDay(co.Start); err != nil {
		ps.add(path+".start", "%q is not a time of day HH:MM:SS", co.Start)
	}
	if !set(path + ".duration") {
		ps.add(path+".duration", "required; a duration like \"45m\"")
	} else {
		checkDuration(ps, path+".duration", co.Duration, time.Second, 24*time.Hour)
	}
}

func (cl *Cloud) validate(ps *problems) {
	if y := cl.Yunlubo; y != nil {
		checkHTTPURL(ps, "cloud.yunlubo.url", y.URL)
		checkRequired(ps, "cloud.yunlubo.unionid", string(y.UnionID))
		checkDuration(ps, "cloud.yunlubo.sync_interval", y.SyncInterval, 10*time.Second, time.Hour)
		checkOneOf(ps, "cloud.yunlubo.vendor", y.Vendor, VendorHikvision, VendorDahua)
		if y.MAC != "" {
			if _, err := net.ParseMAC(y.MAC); err != nil {
				ps.add("cloud.yunlubo.mac", "%q is not a MAC address like aa:bb:cc:dd:ee:ff", y.MAC)
			}
		}
	}
	if o := cl.OneNET; o != nil {
		checkHTTPURL(ps, "cloud.onenet.api", o.API)
		checkRequired(ps, "cloud.onenet.master_key", string(o.MasterKey))
		checkRequired(ps, "cloud.onenet.product_id", o.ProductID)
		checkDuration(ps, "cloud.onenet.preload_lead", o.PreloadLead, 0, time.Hour)
	}
	if t := cl.TPLink; t != nil {
		checkHTTPURL(ps, "cloud.tplink.api", t.API)
		checkRequired(ps, "cloud.tplink.ak", string(t.AK))
		checkRequired(ps, "cloud.tplink.sk", string(t.SK))
		if t.Application != "" {
			checkOneOf(ps, "cloud.tplink.application", t.Application, "device", "project")
		}
		if id := t.TerminalID; len(id) > 64 || strings.ContainsAny(id, " ,\t\r\n") {
			ps.add("cloud.tplink.terminal_id", "%q: want 1 to 64 characters without spaces or commas", id)
		}
		if t.TempTTL != 0 {
			checkDuration(ps, "cloud.tplink.temp_ttl", t.TempTTL, time.Second, 24*time.Hour)
		}
	}
	if e := cl.Ezviz; e != nil {
		checkHTTPURL(ps, "cloud.ezviz.api", e.API)
		checkRequired(ps, "cloud.ezviz.app_key", string(e.AppKey))
		checkRequired(ps, "cloud.ezviz.app_secret", string(e.AppSecret))
	}
	if h := cl.HikYunmou; h != nil {
		checkHTTPURL(ps, "cloud.hikyunmou.api", h.API)
		checkRequired(ps, "cloud.hikyunmou.client_id", h.ClientID)
		checkRequired(ps, "cloud.hikyunmou.client_secret", string(h.ClientSecret))
		for _, p := range []struct{ key, v string }{
			{"token", h.Paths.Token}, {"register", h.Paths.Register}, {"auto_confirm", h.Paths.AutoConfirm},
			{"offline_confirm", h.Paths.OfflineConfirm}, {"online_confirm", h.Paths.OnlineConfirm},
		} {
			if p.v != "" && (!strings.HasPrefix(p.v, "/") || strings.ContainsAny(p.v, "?# ")) {
				ps.add("cloud.hikyunmou.paths."+p.key, "%q: want an absolute path like /oauth/token, without query or spaces", p.v)
			}
		}
	}
}

func checkRequired(ps *problems, path, v string) {
	if v == "" {
		ps.add(path, "required")
	}
}

func checkHTTPURL(ps *problems, path, raw string) {
	if raw == "" {
		ps.add(path, "required; an http(s) URL")
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		ps.add(path, "%q is not an http(s) URL like \"https://host[:port]\"", redact.URL(raw))
	}
}

func checkOneOf(ps *problems, path, v string, allowed ...string) {
	if !slices.Contains(allowed, v) {
		ps.add(path, "%q is not one of %s", v, strings.Join(allowed, ", "))
	}
}

func checkInt(ps *problems, path string, v, lo, hi int) {
	if v < lo || v > hi {
		ps.add(path, "%d is outside %d-%d", v, lo, hi)
	}
}

// checkDuration checks lo <= d and, when hi > 0, d <= hi.
func checkDuration(ps *problems, path string, d, lo, hi time.Duration) {
	switch {
	case d < 0:
		ps.add(path, "%s is negative", formatDuration(d))
	case d < lo:
		ps.add(path, "%s is below the minimum %s", formatDuration(d), formatDuration(lo))
	case hi > 0 && d > hi:
		ps.add(path, "%s is above the maximum %s", formatDuration(d), formatDuration(hi))
	}
}

// formatDuration writes d the way people write it in the file: "30m", not
// "30m0s".
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

func checkListen(ps *problems, path, addr string) {
	_, port, err := net.SplitHostPort(addr)
	if err == nil {
		var n int
		n, err = strconv.Atoi(port)
		if err == nil && (n < 0 || n > 65535) {
			err = fmt.Errorf("port out of range")
		}
	}
	if err != nil {
		ps.add(path, "%q is not a listen address HOST:PORT like \":8080\"", addr)
	}
}

// sameListenAddr reports whether two listen addresses would take the same
// port; port 0 (any free port) never clashes.
func sameListenAddr(a, b string) bool {
	ha, pa, errA := net.SplitHostPort(a)
	hb, pb, errB := net.SplitHostPort(b)
	if errA != nil || errB != nil || pa != pb || pa == "0" {
		return false
	}
	wildcard := func(h string) bool { return h == "" || h == "0.0.0.0" || h == "::" }
	return ha == hb || wildcard(ha) || wildcard(hb)
}
