package boxapi

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// TestSecretsStayHidden: the unionid, tokens and the ticket key never show
// in formatting, logs or answers.
func TestSecretsStayHidden(t *testing.T) {
	e := newEnv(t)
	tok := e.token()
	e.wantCode("/api/v1/access_token?unionid=wrong-"+testUnionID, 1002)
	e.wantCode("/api/v1/list_camera?token="+tok+"x", 1006)
	_, body := e.raw("/api/v1/list_camera?token=" + tok)
	page := e.playURL("/api/v1/play_camera?token=" + tok + "&camera_id=10001")

	var logged bytes.Buffer
	lg := slog.New(slog.NewTextHandler(&logged, nil))
	lg.Info("handler", "h", e.h, "opts", e.h.opts)
	texts := []string{
		fmt.Sprintf("%v", e.h), fmt.Sprintf("%+v", e.h), fmt.Sprintf("%#v", e.h), e.h.String(),
		fmt.Sprintf("%v", e.h.opts), fmt.Sprintf("%+v", e.h.opts), fmt.Sprintf("%#v", e.h.opts),
		logged.String(), e.logs.String(), body, page,
	}
	key := fmt.Sprintf("%x", e.h.tickets.key)
	for i, s := range texts {
		for _, secret := range []string{testUnionID, tok, key} {
			if strings.Contains(s, secret) {
				t.Errorf("text %d shows a secret: %.300s", i, s)
			}
		}
	}
	// The answer to a wrong unionid does not echo it.
	_, body = e.raw("/api/v1/access_token?unionid=guess-" + testUnionID)
	if strings.Contains(body, "guess") {
		t.Errorf("the answer echoes the unionid: %s", body)
	}
}
