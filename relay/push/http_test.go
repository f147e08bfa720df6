package push

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/relay"
)

type apiReply struct {
	Error   string   `json:"error"`
	Push    Status   `json:"push"`
	Stopped Status   `json:"stopped"`
	Pushes  []Status `json:"pushes"`
}

func call(t *testing.T, srv *httptest.Server, method, path string, form url.Values) (int, apiReply, string) {
	t.Helper()
	var body io.Reader
	req, err := http.NewRequest(method, srv.URL+path, body)
	if form != nil {
		req, err = http.NewRequest(method, srv.URL+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var r apiReply
	if resp.Header.Get("Content-Type") == "application/json" {
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatalf("%s %s: %v\n%s", method, path, err, raw)
		}
	}
	return resp.StatusCode, r, string(raw)
}

func q(channel, u string) string {
	return "?" + url.Values{"channel": {channel}, "url": {u}}.Encode()
}

// TestHandler drives the push API: start (query or form), idempotent
// start, list, stop, the refusals, and redaction in every answer and in
// the metrics.
func TestHandler(t *testing.T) {
	const key1, key2 = "first-Key-3e1", "second-Key-9b7"
	u1 := "rtmp://ingest.example/live/" + key1
	u2 := "rtmp://ingest.example/live/" + key2 + "?token=tk-" + key2
	fake := &fakeIngests{refuse: true}
	m := NewManager(Options{Lookup: lookupOf(cameraStream(t, "c1")), Logger: quiet, dial: fake.dial, MaxPerChannel: 2,
		Backoff: relay.Backoff{Min: time.Millisecond, Max: 5 * time.Millisecond}})
	runManager(t, m)
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	var everything strings.Builder

	code, r, raw := call(t, srv, "POST", "/api/push/start"+q("c1", u1), nil)
	everything.WriteString(raw)
	if code != 200 || r.Push.URL != "rtmp://ingest.example/live/******" || r.Push.Origin != OriginAPI || r.Push.Channel != "c1" {
		t.Fatalf("start: %d %s", code, raw)
	}
	code, _, raw = call(t, srv, "POST", "/api/push/start"+q("c1", u1), nil)
	everything.WriteString(raw)
	if code != 200 {
		t.Errorf("second start of the same push: %d %s, want 200", code, raw)
	}
	// The key in the body, out of the request line.
	code, r, raw = call(t, srv, "POST", "/api/push/start", url.Values{"channel": {"c1"}, "url": {u2}})
	everything.WriteString(raw)
	if code != 200 || r.Push.URL != "rtmp://ingest.example/live/******#2" {
		t.Errorf("start by form: %d %s, want the url labelled #2 beside the first", code, raw)
	}
	code, r, raw = call(t, srv, "GET", "/api/push", nil)
	everything.WriteString(raw)
	if code != 200 || len(r.Pushes) != 2 {
		t.Errorf("list: %d %s, want 2 pushes", code, raw)
	}

	for _, c := range []struct {
		method, path string
		code         int
		want         string
	}{
		{"POST", "/api/push/start" + q("", u1), 400, "channel is required"},
		{"POST", "/api/push/start?channel=c1", 400, "url is required: rtmp://host[:port]/app/stream"},
		{"POST", "/api/push/start" + q("c1", "rtmps://ingest.example/live/"+key1), 400, "want rtmp://host[:port]/app/stream"},
		{"POST", "/api/push/start" + q("c1", "http://ingest.example/live/"+key1), 400, `scheme "http"`},
		{"POST", "/api/push/start" + q("c1", "rtmp://ingest.example/"+key1), 400, "no /app/stream path"},
		{"POST", "/api/push/start" + q("c1", "rtmp://ingest.example/live/third"), 400, "too many pushes"},
		{"POST", "/api/push/start" + q("nope", u1), 404, `no such channel: "nope"`},
		{"POST", "/api/push/stop" + q("c1", "rtmp://other.example/live/"+key1), 404, "no such push"},
		{"POST", "/api/push/stop" + q("", u1), 400, "channel is required"},
		{"GET", "/api/push/start" + q("c1", u1), 405, ""},
		{"POST", "/api/push/start?channel=c1&url=" + strings.Repeat("a", 20<<10), 400, ""},
	} {
		code, r, raw := call(t, srv, c.method, c.path, nil)
		everything.WriteString(raw)
		if code != c.code || !strings.Contains(r.Error, c.want) {
			t.Errorf("%s %.80s: %d %q, want %d %q", c.method, c.path, code, r.Error, c.code, c.want)
		}
	}

	// A refused ingest: the error is shown, redacted.
	testkit.WaitFor(t, "the refused pushes to wait", func() bool {
		for _, st := range m.List() {
			if st.State != Waiting || st.Reconnects == 0 {
				return false
			}
		}
		return true
	})
	code, r, raw = call(t, srv, "GET", "/api/push", nil)
	everything.WriteString(raw)
	if code != 200 || !strings.Contains(r.Pushes[0].Error, "connection refused") || !strings.Contains(r.Pushes[0].Error, "******") {
		t.Errorf("list of refused pushes: %s", raw)
	}

	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(m.Collector())
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]bool{}
	for _, f := range families {
		everything.WriteString(f.String())
		if f.GetName() == "lubo_push_reconnects_total" {
			for _, metric := range f.GetMetric() {
				for _, l := range metric.GetLabel() {
					if l.GetName() == "url" {
						labels[l.GetValue()] = true
					}
				}
				if metric.GetCounter().GetValue() < 1 {
					t.Errorf("reconnects %v, want >= 1", metric)
				}
			}
		}
	}
	if len(labels) != 2 {
		t.Errorf("url labels %v, want two distinct", labels)
	}

	code, r, raw = call(t, srv, "POST", "/api/push/stop"+q("c1", u1), nil)
	everything.WriteString(raw)
	if code != 200 || r.Stopped.State != Stopped || r.Stopped.URL != "rtmp://ingest.example/live/******" {
		t.Errorf("stop: %d %s", code, raw)
	}
	code, r, raw = call(t, srv, "GET", "/api/push", nil)
	if code != 200 || len(r.Pushes) != 1 || r.Pushes[0].URL != "rtmp://ingest.example/live/******#2" {
		t.Errorf("list after stop: %s", raw)
	}

	if s := everything.String(); strings.Contains(s, key1) || strings.Contains(s, key2) {
		t.Errorf("an answer or a metric shows a key:\n%s", s)
	}
}
