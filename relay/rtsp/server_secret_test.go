package rtsp

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/relay"
)

// TestServerSecretsNotPrinted: the players' password appears in no
// formatting or log line of the options or the server.
func TestServerSecretsNotPrinted(t *testing.T) {
	const secret = "s3cr3t-Pa55"
	var logs bytes.Buffer
	opts := ServerOptions{User: "viewer", Pass: secret, UDPRTPPort: -1,
		Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	srv := startServer(t, opts, map[string]*relay.Stream{})
	var out strings.Builder
	for _, v := range []any{opts, &opts, srv} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			fmt.Fprintf(&out, verb+"\n", v)
		}
	}
	slog.New(slog.NewJSONHandler(&out, nil)).Info("x", "opts", opts, "srv", srv)
	slog.New(slog.NewTextHandler(&out, nil)).Info("x", "opts", opts, "srv", srv)
	if !strings.Contains(out.String(), "viewer") {
		t.Fatalf("the formatting test printed nothing useful:\n%s", out.String())
	}
	// A player with the wrong password is refused and logged.
	run(t, "sh", "-c", "ffprobe -v error -rtsp_transport tcp rtsp://viewer:wrong@"+srv.Addr().String()+"/x 2>&1 || true")
	for what, text := range map[string]string{"formatting": out.String(), "logs": logs.String()} {
		if strings.Contains(text, secret) {
			t.Errorf("the password leaks through %s:\n%s", what, text)
		}
	}
}
