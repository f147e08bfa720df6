package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/push"
)

// lubo push start/stop/list drive the push API of a running lubo (here the
// push Manager's own handler, as the daemon mounts it) and print its JSON;
// errors go to stderr with exit 1, and no output shows the stream key.
func TestPushCommand(t *testing.T) {
	stream := relay.NewStream("c1", relay.SourceFunc(func(ctx context.Context, _ relay.Publisher) error { <-ctx.Done(); return nil }), relay.StreamOptions{})
	m := push.NewManager(push.Options{Lookup: func(id string) (*relay.Stream, bool) { return stream, id == "c1" }})
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	addr := srv.URL
	const key = "cli-Key-0c7e5b"
	ingest := "rtmp://ingest.example/live/" + key

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"push"}, 2, "usage:"},
		{[]string{"push", "frob"}, 2, "usage:"},
		{[]string{"push", "start", "-addr", addr}, 2, "-channel and -url are required"},
		{[]string{"push", "start", "-channel", "c1", "-url", ingest, "-addr", addr}, 0, `"url":"rtmp://ingest.example/live/******"`},
		{[]string{"push", "start", "-channel", "c1", "-url", ingest, "-addr", addr}, 0, `"origin":"api"`},
		{[]string{"push", "list", "-addr", addr}, 0, `"pushes":[{"channel":"c1"`},
		{[]string{"push", "start", "-channel", "c1", "-url", "rtmps://ingest.example/live/" + key, "-addr", addr}, 1, "rtmps"},
		{[]string{"push", "start", "-channel", "c2", "-url", ingest, "-addr", addr}, 1, "no such channel"},
		{[]string{"push", "stop", "-channel", "c1", "-url", ingest, "-addr", addr}, 0, `"stopped":`},
		{[]string{"push", "stop", "-channel", "c1", "-url", ingest, "-addr", addr}, 1, "no such push"},
		{[]string{"push", "list", "-addr", addr}, 0, `"pushes":[]`},
		{[]string{"push", "list", "-addr", addr, "extra"}, 2, "unexpected argument"},
	} {
		code, out, errs := runCLI(c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("lubo %s: exit %d %q %q, want %d with %q", strings.Join(c.args, " "), code, out, errs, c.code, c.want)
		}
		if strings.Contains(out+errs, key) {
			t.Errorf("lubo %s shows the key: %q %q", strings.Join(c.args, " "), out, errs)
		}
		if code == 0 && !json.Valid([]byte(out)) {
			t.Errorf("lubo %s: stdout is not JSON: %q", strings.Join(c.args, " "), out)
		}
	}
}

// A lubo without the push API, or none at all, is an error that says so.
func TestPushCommandNoAPI(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	addr := srv.URL
	code, _, errs := runCLI("push", "list", "-addr", addr)
	if code != 1 || !strings.Contains(errs, "has no push API") {
		t.Errorf("against a server without the API: exit %d %q", code, errs)
	}
	srv.Close()
	code, _, errs = runCLI("push", "start", "-channel", "c1", "-url", "rtmp://h/live/secretkey", "-addr", addr)
	if code != 1 || errs == "" || strings.Contains(errs, "secretkey") {
		t.Errorf("against nothing: exit %d %q", code, errs)
	}
}
