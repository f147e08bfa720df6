package configs

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/relay/sources"
)

// badCase is a configuration with problems and every problem Parse must
// report for it, in order. The same table seeds FuzzParse.
type badCase struct {
	name string
	yaml string
	want []string
	// hidden must not appear anywhere in the error (a password).
	hidden string
}

var badCases = []badCase{
	{
		name: "channels",
		yaml: `
channels:
  - {id: "C 1", source: "rtsp://cam/1"}
  - {id: c2, source: "rtsp://cam/2", idle_timeout: 200ms}
  - {id: c3, source: "htp://cam/3"}
  - {id: c2, source: "rtsp://cam/4"}
  - {id: c5, source: "rtsp://cam/5", device: {vendor: hikvision, host: 192.168.1.64}}
  - {name: nameless}
  - {id: c7, source: "rtsp://cam/7", transport: quic}
  - {id: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, source: "cam/9"}
`,
		want: []string{
			`channels[0].id: "C 1" has characters outside [a-z0-9_-]`,
			`channels[1].idle_timeout: 200ms is below the minimum 1s`,
			`channels[2].source: unsupported scheme "htp"; want rtsp, rtmp, http(s) (FLV), file, ezviz (cloud.ezviz), tplink (cloud.tplink), or publisher (pushed to lubo over RTMP)`,
			`channels[3].id: duplicate of channels[1]`,
			`channels[4]: set either source or device, not both`,
			`channels[5].id: required`,
			`channels[5]: set source or device`,
			`channels[6].transport: "quic" is not one of tcp, udp, auto`,
			`channels[7].id: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" is longer than 64 characters`,
			`channels[7].source: "cam/9" has no scheme; want rtsp, rtmp, http(s) (FLV), file, ezviz (cloud.ezviz), tplink (cloud.tplink), or publisher (pushed to lubo over RTMP)`,
		},
	},
	{
		name: "source urls",
		yaml: `
channels:
  - {id: a, source: "rtsp://admin:pa/ss@cam/1"}
  - {id: b, source: "rtsp://cam:pa/1"}
  - {id: c, source: "rtmp:///live"}
  - {id: d, source: "http://cam/live/index.m3u8"}
  - {id: e, source: "file://videos/a.mp4"}
  - {id: f, source: "file:"}
  - {id: g, source: "rtsp://cam/1", sub_source: "udp://cam/2"}
`,
		want: []string{
			`channels[0].source: "rtsp://admin:******@cam/1" is not a valid URL; percent-encode special characters in the user and password (@ as %40, : as %3A, / as %2F, # as %23, ? as %3F)`,
			`channels[1].source: "rtsp://cam:pa/1" is not a valid URL: invalid port ":pa" after host`,
			`channels[2].source: "rtmp:///live" has no host; want rtmp://HOST[:PORT]/PATH`,
			`channels[3].source: "http://cam/live/index.m3u8" is an HLS playlist; HTTP sources must be HTTP-FLV`,
			`channels[4].source: "file://videos/a.mp4" names host "videos"; want file:///abs/path.mp4 or file:relative/path.mp4`,
			`channels[5].source: "file:" has no file path; want file:///abs/path.mp4 or file:relative/path.mp4`,
			`channels[6].sub_source: unsupported scheme "udp"; want rtsp, rtmp, http(s) (FLV), file, ezviz (cloud.ezviz), tplink (cloud.tplink), or publisher (pushed to lubo over RTMP)`,
		},
		hidden: "pa/ss",
	},
	{
		name: "device",
		yaml: `
channels:
  - id: a
    device: {vendor: sony, host: "rtsp://192.168.1.64", port: 70000, channel: 0, stream: third, password: secret1}
  - id: b
    device: {host: 192.168.1.65}
  - id: c
    sub_source: rtsp://cam/sub
    device: {vendor: dahua, host: 192.168.1.66, stream: both}
`,
		want: []string{
			`channels[0].device.vendor: "sony" is not one of hikvision, dahua`,
			`channels[0].device.host: "rtsp://192.168.1.64" is not a host; want an IP address or name like 192.168.1.64`,
			`channels[0].device.port: 70000 is outside 1-65535`,
			`channels[0].device.channel: 0 is below the minimum 1`,
			`channels[0].device.stream: "third" is not one of main, sub, both`,
			`channels[0].device.password: set without device.user`,
			`channels[1].device.vendor: required; want hikvision or dahua`,
			`channels[2].sub_source: device.stream "both" already provides the sub stream`,
		},
		hidden: "secret1",
	},
	{
		name: "record",
		yaml: `
record:
  slice: 31m
  overlap_keyframes: 5
  snapshot_interval: -1s
  pre_roll: 2m
  min_free: 95%
  max_age: -1h
`,
		want: []string{
			`record.slice: 31m is above the maximum 30m`,
			`record.overlap_keyframes: 5 is outside 0-3`,
			`record.snapshot_interval: -1s is negative`,
			`record.pre_roll: 2m is above the maximum 1m`,
			`record.min_free: 95% is outside 0%-90%`,
			`record.max_age: -1h is negative`,
		},
	},
	{
		name: "min free not a percentage",
		yaml: "record: {min_free: ten}\n",
		want: []string{`record.min_free: "ten" is not a percentage like "10%"`},
	},
	{
		name: "schedule",
		yaml: `
channels: [{id: c1, source: "rtsp://cam/1"}]
schedule:
  - {channel: c9, weekday: 7, start: "10:00:00", duration: 45m}
  - {channel: c1, weekday: 1, start: "25:00", duration: 45m}
  - {channel: c1, start: "8:00", duration: 25h}
  - {weekday: 2, duration: 0s}
`,
		want: []string{
			`schedule[0].channel: "c9" is not a configured channel`,
			`schedule[0].weekday: 7 is outside 0-6 (0 = Sunday)`,
			`schedule[1].start: "25:00" is not a time of day HH:MM:SS`,
			`schedule[2].weekday: required; 0-6 (0 = Sunday)`,
			`schedule[2].start: "8:00" is not a time of day HH:MM:SS`,
			`schedule[2].duration: 25h is above the maximum 24h`,
			`schedule[3].channel: required`,
			`schedule[3].start: required; a time of day HH:MM:SS`,
			`schedule[3].duration: 0s is below the minimum 1s`,
		},
	},
	{
		name: "top level",
		yaml: `
data_dir: ""
timezone: Mars/Olympus
log: {level: verbose, format: xml}
http: {listen: ""}
rtsp: {listen: "off"}
rtmp: {listen: "0.0.0.0:8080"}
hls: {segment: 100ms, window: 30}
`,
		want: []string{
			`timezone: unknown time zone "Mars/Olympus"; want an IANA name like Asia/Shanghai`,
			`log.level: "verbose" is not one of debug, info, warn, error`,
			`log.format: "xml" is not one of text, json`,
			`http.listen: required; the HTTP listener cannot be turned off`,
			`rtsp.listen: "off" is not a listen address HOST:PORT like ":8080"`,
			`hls.segment: 100ms is below the minimum 500ms`,
			`hls.window: 30 is outside 3-20`,
		},
	},
	{
		name: "listener clash",
		yaml: "http: {listen: \":8080\"}\nrtmp: {listen: \"0.0.0.0:8080\"}\nrtsp: {listen: \"127.0.0.1:99999\"}\n",
		want: []string{
			`rtsp.listen: "127.0.0.1:99999" is not a listen address HOST:PORT like ":8080"`,
			`rtmp.listen: "0.0.0.0:8080" clashes with http.listen ":8080"`,
		},
	},
	{
		name: "source port out of range",
		yaml: "channels:\n  - {id: a, source: \"rtsp://cam:99999/x\"}\n",
		want: []string{`channels[0].source: "rtsp://cam:99999/x" has port 99999; want a port from 1 to 65535`},
	},
	{
		// yaml.v3 names the line the block began on; the mistake is on 4.
		name: "syntax error names the line at fault",
		yaml: "data_dir: /tmp/x\nchannels:\n  - id: a\n   source: x\n",
		want: []string{`line 4: did not find expected '-' indicator`},
	},
	{
		name: "unclosed quote names its line",
		yaml: "data_dir: /tmp/x\nchannels:\n  - id: a\n    source: \"file:///x.mp4\n  - id: b\n",
		want: []string{`line 4: found unexpected end of stream`},
	},
	{
		name: "cloud",
		yaml: `
cloud:
  yunlubo: {url: "ftp://server"}
  onenet: {api: "http://api", product_id: 7355}
  tplink: {ak: x}
  ezviz: {app_key: k, app_secret: s}
  hikyunmou: {client_secret: s}
`,
		want: []string{
			`cloud.yunlubo.url: "ftp://server" is not an http(s) URL like "https://host[:port]"`,
			`cloud.yunlubo.unionid: required`,
			`cloud.onenet.master_key: required`,
			`cloud.tplink.sk: required`,
			`cloud.hikyunmou.api: required; an http(s) URL`,
			`cloud.hikyunmou.client_id: required`,
		},
	},
	{
		name: "unknown keys and wrong types",
		yaml: `dta_dir: x
channels:
  - {id: a, source: "rtsp://x/y", trasport: tcp, idle_timeout: 30}
  - id: b
    source: rtsp://x/z
    on_demand: maybe
    device: hikvision
hls: {window: many}
record: {slise: 1m}
schedule: [{channel: a, weekday: monday, start: "08:00:00", duration: 45m}]
cloud: {aws: {}}
`,
		want: []string{
			`dta_dir: unknown field (line 1); did you mean "data_dir"?`,
			`channels[0].trasport: unknown field (line 3); did you mean "transport"?`,
			`channels[0].idle_timeout: 30 is not a duration like "30s" or "2m" (line 3)`,
			`channels[1].on_demand: "maybe" is not true or false (line 6)`,
			`channels[1].device: "hikvision" is not a mapping of settings (line 7)`,
			`hls.window: "many" is not a whole number (line 8)`,
			`record.slise: unknown field (line 9); did you mean "slice"?`,
			`schedule[0].weekday: "monday" is not a weekday number 0-6 (0 = Sunday) (line 10)`,
			`cloud.aws: unknown field (line 11); known fields: yunlubo, onenet, tplink, ezviz, hikyunmou`,
		},
	},
	{
		name: "not a mapping",
		yaml: "hello\n",
		want: []string{`the document "hello" is not a mapping of settings (line 1)`},
	},
	{
		name: "channels not a list",
		yaml: "channels: c101\n",
		want: []string{`channels: "c101" is not a list (line 1)`},
	},
	{
		name: "syntax",
		yaml: "channels: [\n",
		want: []string{`line 1: did not find expected node content`},
	},
	{
		name: "key twice",
		yaml: "data_dir: a\ndata_dir: b\n",
		want: []string{`line 2: mapping key "data_dir" already defined at line 1`},
	},
	{
		name: "two documents",
		yaml: "data_dir: a\n---\ndata_dir: b\n",
		want: []string{`line 2: a second YAML document; the configuration must be one document`},
	},
}

func TestParseReportsEveryProblem(t *testing.T) {
	for _, tc := range badCases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := Parse([]byte(tc.yaml), "bad.yaml")
			if err == nil {
				t.Fatalf("Parse accepted the configuration: %+v", cfg)
			}
			if cfg != nil {
				t.Errorf("Parse returned a configuration along with the error")
			}
			var pe *ProblemsError
			if !errors.As(err, &pe) {
				t.Fatalf("error is %T, want *ProblemsError: %v", err, err)
			}
			if pe.Origin != "bad.yaml" {
				t.Errorf("Origin = %q, want bad.yaml", pe.Origin)
			}
			got := strings.Split(err.Error(), "\n")
			if !slices.Equal(got, tc.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", err, strings.Join(tc.want, "\n"))
			}
			if tc.hidden != "" && strings.Contains(err.Error(), tc.hidden) {
				t.Errorf("error reveals %q:\n%s", tc.hidden, err)
			}
		})
	}
}

func TestExampleParses(t *testing.T) {
	cfg, err := Parse(ExampleYAML(), "lubo.yaml")
	if err != nil {
		t.Fatalf("lubo.yaml has problems:\n%v", err)
	}
	if len(cfg.Channels) < 5 || len(cfg.Schedule) < 3 {
		t.Fatalf("example lost channels or courses: %d channels, %d courses", len(cfg.Channels), len(cfg.Schedule))
	}
	c := cfg.Cloud
	if c.Yunlubo == nil || c.OneNET == nil || c.TPLink == nil || c.Ezviz == nil || c.HikYunmou == nil {
		t.Errorf("example does not document every cloud section: %+v", c)
	}
	if cfg.Location().String() != "Asia/Shanghai" {
		t.Errorf("Location = %v, want Asia/Shanghai", cfg.Location())
	}
	dahua := cfg.ChannelByID("c102")
	if dahua == nil {
		t.Fatal("example has no channel c102")
	}
	if got, want := dahua.SubURL(), "rtsp://admin:p%40ss%3Aword@192.168.1.65:554/cam/realmonitor?channel=1&subtype=1"; got != want {
		t.Errorf("c102 SubURL = %s, want %s", got, want)
	}
	if cfg.Record.MaxAge != 720*time.Hour {
		t.Errorf("record.max_age = %v, want 720h", cfg.Record.MaxAge)
	}
	if err := cfg.Validate(); err != nil {
		t.Errorf("Validate of the parsed example: %v", err)
	}
}

// The example file on disk is the one embedded (no stale copy), and Load
// reads it.
func TestLoadExampleFile(t *testing.T) {
	cfg, err := Load("lubo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ChannelByID("c101") == nil {
		t.Error("c101 missing")
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file: %v, want ErrNotExist", err)
	}
}

func TestDemo(t *testing.T) {
	cfg := Demo()
	if cfg.DataDir != "lubo-demo" || cfg.HTTP.Listen != ":8080" || cfg.RTSP.Listen != ":8554" {
		t.Errorf("demo top level = %q %q %q", cfg.DataDir, cfg.HTTP.Listen, cfg.RTSP.Listen)
	}
	if len(cfg.Channels) != 1 {
		t.Fatalf("demo has %d channels, want 1", len(cfg.Channels))
	}
	ch := cfg.Channels[0]
	if ch.ID != "demo" || ch.Name != "Demo classroom" || ch.Source != "file:lubo-demo/sample.mp4" || ch.OnDemand {
		t.Errorf("demo channel = %+v", ch)
	}
	if p, ok := sources.FilePath(ch.Source); !ok || p != "lubo-demo/sample.mp4" {
		t.Errorf("sources.FilePath(%q) = %q, %v", ch.Source, p, ok)
	}
	// Each call is a fresh copy.
	cfg.Channels[0].ID = "changed"
	if Demo().Channels[0].ID != "demo" {
		t.Error("Demo shares state between calls")
	}
}

func TestDefaults(t *testing.T) {
	cfg, err := Parse([]byte(`
channels:
  - id: c1
    source: rtsp://cam/1
  - id: c2
    device: {vendor: hikvision, host: 10.0.0.2}
cloud: {tplink: {ak: a, sk: b}, ezviz: {app_key: k, app_secret: s}}
`), "t")
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"data_dir", cfg.DataDir, "/var/lib/lubo"},
		{"timezone", cfg.Location(), time.Local},
		{"log", cfg.Log, Log{Level: "info", Format: "text"}},
		{"http", cfg.HTTP.Listen, ":8080"},
		{"rtsp", cfg.RTSP.Listen, ":8554"},
		{"rtmp", cfg.RTMP.Listen, ""},
		{"hls", cfg.HLS, HLS{Segment: 2 * time.Second, Window: 6}},
		{"channel name", cfg.Channels[0].Name, "c1"},
		{"transport", cfg.Channels[0].Transport, "tcp"},
		{"on_demand", cfg.Channels[0].OnDemand, true},
		{"idle_timeout", cfg.Channels[0].IdleTimeout, 30 * time.Second},
		{"device", *cfg.Channels[1].Device, Device{Vendor: "hikvision", Host: "10.0.0.2", Port: 554, Channel: 1, Stream: "main"}},
		{"record", cfg.Record, Record{Slice: 30 * time.Minute, OverlapKeyframes: 1, SnapshotInterval: 2 * time.Minute, PreRoll: 10 * time.Second, MinFree: "10%"}},
		{"min_free", cfg.Record.MinFreePercent(), 10.0},
		{"tplink api", cfg.Cloud.TPLink.API, "https://api-smbcloud.tplinkcloud.com.cn"},
		{"ezviz api", cfg.Cloud.Ezviz.API, "https://open.ys7.com"},
		{"no onenet", cfg.Cloud.OneNET == nil, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %+v, want %+v", c.name, c.got, c.want)
		}
	}
}

// Explicit zeros that mean something are kept, not replaced by defaults;
// a bare 0 is a valid duration.
func TestExplicitZeros(t *testing.T) {
	cfg, err := Parse([]byte(`
rtsp: {listen: ""}
channels: [{id: c1, source: "rtsp://cam/1", on_demand: false}]
record: {slice: 0, overlap_keyframes: 0, snapshot_interval: 0, pre_roll: 0s, max_age: 0, min_free: 0%}
schedule: [{channel: c1, weekday: 0, start: "07:30", duration: 45m}]
`), "t")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RTSP.Listen != "" {
		t.Errorf("rtsp.listen = %q, want off", cfg.RTSP.Listen)
	}
	if cfg.Channels[0].OnDemand {
		t.Error("on_demand false was overridden")
	}
	if cfg.Record != (Record{MinFree: "0%"}) {
		t.Errorf("record = %+v, want all zero", cfg.Record)
	}
	if cfg.Record.MinFreePercent() != 0 {
		t.Errorf("MinFreePercent = %v", cfg.Record.MinFreePercent())
	}
	co := cfg.Schedule[0]
	if co.Weekday != time.Sunday || co.StartOfDay() != 7*time.Hour+30*time.Minute {
		t.Errorf("course = %+v, start %v", co, co.StartOfDay())
	}
}

func TestEmptyDocumentIsAllDefaults(t *testing.T) {
	for _, doc := range []string{"", "# nothing\n", "---\n"} {
		cfg, err := Parse([]byte(doc), "t")
		if err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		if cfg.HTTP.Listen != ":8080" || len(cfg.Channels) != 0 {
			t.Errorf("%q: %+v", doc, cfg)
		}
	}
}

func TestMergeKeysCountAsPresent(t *testing.T) {
	cfg, err := Parse([]byte(`
channels:
  - &base {id: c1, source: "rtsp://cam/1", on_demand: false, idle_timeout: 5s}
  - {<<: *base, id: c2}
`), "t")
	if err != nil {
		t.Fatal(err)
	}
	c2 := cfg.ChannelByID("c2")
	if c2 == nil || c2.OnDemand || c2.IdleTimeout != 5*time.Second || c2.Source != "rtsp://cam/1" {
		t.Errorf("merged channel = %+v", c2)
	}
}

func TestValidateBuiltInCode(t *testing.T) {
	cfg := Demo()
	if err := cfg.Validate(); err != nil {
		t.Fatalf("demo: %v", err)
	}
	cfg.Channels = append(cfg.Channels, Channel{ID: "demo", Source: "rtsp://cam/1"})
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "channels[1].id: duplicate of channels[0]") {
		t.Errorf("Validate = %v", err)
	}
	if cfg.ChannelByID("nope") != nil {
		t.Error("ChannelByID found a missing channel")
	}
}

func TestParseTimeOfDay(t *testing.T) {
	good := map[string]time.Duration{"00:00:00": 0, "23:59:59": 24*time.Hour - time.Second, "08:05": 8*time.Hour + 5*time.Minute}
	for s, want := range good {
		if got, err := parseTimeOfDay(s); err != nil || got != want {
			t.Errorf("%q = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "24:00:00", "12:60", "12:00:60", "1:00", "12", "12:00:00:00", "+1:00", "ab:cd"} {
		if _, err := parseTimeOfDay(s); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func TestTooDeep(t *testing.T) {
	doc := "cloud: " + strings.Repeat("[", 40) + strings.Repeat("]", 40) + "\n"
	_, err := Parse([]byte(doc), "t")
	if err == nil || !strings.Contains(err.Error(), "too large or too deeply nested") {
		t.Errorf("Parse of a deep document = %v", err)
	}
}

func BenchmarkParseExample(b *testing.B) {
	data := ExampleYAML()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, "lubo.yaml"); err != nil {
			b.Fatal(err)
		}
	}
}
