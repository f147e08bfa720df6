package outbox_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/cloud/outbox"
)

// A failing upload whose error quotes a credential: neither the stored
// LastError, the stats, nor the log lines may show it.
func TestSecretsStayOutOfErrorsAndLogs(t *testing.T) {
	clock := newFakeClock()
	target := newFakeTarget("onenet", clock)
	const password, token = "hunter2pw", "s3cr3ttok"
	target.setFail(func(_ context.Context, it outbox.Item) error {
		if it.Name == "refused" {
			return fmt.Errorf("put http://api.example/upload?api_key=%s: %w", token, errRefused)
		}
		return fmt.Errorf("dial rtsp://admin:%s@10.0.0.5/x?token=%s: %w", password, token, errDown)
	})
	fx := newFixture(t, outbox.Options{Targets: []outbox.Target{target}, Clock: clock})
	refused := fx.enqueue("onenet", outbox.KindSnapshot, "refused", 10)
	failed := fx.enqueue("onenet", outbox.KindSnapshot, "failed", 10)
	fx.run()
	<-clock.added // "failed" waits for its retry
	fx.stop()
	var shown []string
	for _, id := range []uint64{refused.ID, failed.ID} {
		it, err := fx.db.Outbox().Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if it.LastError == "" {
			t.Errorf("%s: no error kept", it.Name)
		}
		shown = append(shown, it.LastError, fmt.Sprintf("%v %+v %#v", it, it, it))
	}
	stats, err := fx.q.Stats()
	if err != nil {
		t.Fatal(err)
	}
	shown = append(shown, fmt.Sprintf("%+v", stats), fx.logs.String())
	for _, s := range shown {
		if strings.Contains(s, password) || strings.Contains(s, token) {
			t.Errorf("secret shown: %s", s)
		}
	}
	if !strings.Contains(fx.logs.String(), "upload failed") {
		t.Error("the failure was not logged")
	}
}
