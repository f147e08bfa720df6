package daemon

import (
	"os"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/browser"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// The dashboard in a real browser: the channel card appears with its state,
// and the live preview really plays (the video's clock advances).
func TestDashboardPlaysInChromium(t *testing.T) {
	if _, err := os.Stat("../api/web/vendor/hls.min.js"); err != nil {
		t.Fatalf("the dashboard player is not built (%v): run `make web` first", err)
	}
	b := startBox(t, fileChannel("demo", testmedia.Require(t, "sample.mp4"), false))
	page := browser.Open(t, b.http+"/")
	page.WaitTrue(t, `!!document.querySelector("#ch-demo dl")`, 30*time.Second, "channel card shown")
	page.WaitTrue(t, `document.querySelector("#ch-demo dl").innerText.includes("H264 640x360")`, 30*time.Second, "tracks shown")
	page.WaitTrue(t, `document.querySelector("#ch-demo").dataset.playing === "yes"`, 60*time.Second, "preview plays")
	if out := os.Getenv("LUBO_SCREENSHOT"); out != "" {
		if err := page.Screenshot(out); err != nil {
			t.Error(err)
		}
	}
}
