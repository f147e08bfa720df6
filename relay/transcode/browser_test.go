package transcode

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/browser"
	"github.com/lubo-edge/lubo/relay/flv"
	"github.com/lubo-edge/lubo/segmenter"
)

// playersDir holds the web players the dashboard uses (make web).
const playersDir = "../../api/web/vendor"

// playerPage plays a URL with hls.js or mpegts.js (muted, four times as
// fast) and records how far the video played and how many bytes of audio
// Chromium decoded.
const playerPage = `<!doctype html><html><body>
<script src="/hls.min.js"></script><script src="/mpegts.js"></script>
<script>
window.results = {};
function start(name, kind, url) {
  const v = document.createElement("video");
  v.muted = true;
  document.body.appendChild(v);
  const res = {error: ""};
  const finish = () => {
    if (results[name]) return;
    res.time = v.currentTime;
    res.audioBytes = v.webkitAudioDecodedByteCount;
    res.videoBytes = v.webkitVideoDecodedByteCount;
    results[name] = res;
  };
  v.addEventListener("error", () => { res.error += "video: " + (v.error && v.error.message) + "; "; finish(); });
  v.addEventListener("ended", finish);
  v.addEventListener("timeupdate", () => { if (v.currentTime > 1.5) finish(); });
  v.addEventListener("playing", () => { v.playbackRate = 4; });
  if (kind === "hls") {
    const h = new Hls();
    h.on(Hls.Events.ERROR, (e, d) => { if (d.fatal) { res.error += "hls.js: " + d.details + "; "; finish(); } });
    h.on(Hls.Events.MANIFEST_PARSED, () => v.play());
    h.loadSource(url);
    h.attachMedia(v);
  } else {
    const p = mpegts.createPlayer({type: "flv", isLive: false, url: url});
    p.on(mpegts.Events.ERROR, (t, d) => { res.error += "mpegts.js: " + t + " " + d + "; "; finish(); });
    p.attachMediaElement(v);
    p.load();
    v.play();
  }
}
</script></body></html>`

// TestPlaysInChromium plays the derived stream in the players lubo serves
// to web browsers, hls.js (HLS) and mpegts.js (HTTP-FLV), in a real
// Chromium: the AAC must be decoded (audio bytes counted by the browser)
// and the video play on. 48 kHz is the default; 16 kHz and 8 kHz are tried
// too, as the rates a smaller encoder load would suggest.
func TestPlaysInChromium(t *testing.T) {
	for _, name := range []string{"hls.min.js", "mpegts.js"} {
		if _, err := os.Stat(filepath.Join(playersDir, name)); err != nil {
			t.Fatalf("the web players are not there (%v): run `make web` first", err)
		}
	}
	c := loadClip(t, 4, "pcm_alaw", 1)
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, playerPage)
	})
	mux.Handle("/hls.min.js", http.FileServer(http.Dir(playersDir)))
	mux.Handle("/mpegts.js", http.FileServer(http.Dir(playersDir)))
	rates := []int{48000, 16000, 8000}
	for _, rate := range rates {
		opts := testOptions()
		opts.SampleRate = rate
		r := startRig(t, twoSessions(c, c), opts)
		frames := r.readSessions(t, 2)[0]
		r.stop()

		h := segmenter.NewHLS(segmenter.HLSOptions{Channel: "c1", Window: 10})
		var flvBytes bytes.Buffer
		fw := flv.NewWriter(&flvBytes, frames[0].Tracks)
		for _, f := range frames {
			h.WriteFrame(f)
			if err := fw.WriteFrame(f); err != nil {
				t.Fatal(err)
			}
		}
		h.Close()
		prefix := fmt.Sprintf("/%d/", rate)
		mux.Handle(prefix+"hls/", http.StripPrefix(prefix+"hls", h))
		mux.HandleFunc(prefix+"live.flv", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "video/x-flv")
			_, _ = w.Write(flvBytes.Bytes())
		})
	}
	srv := httptest.NewServer(mux)
	defer srv.Close()

	page := browser.Open(t, srv.URL+"/")
	page.WaitTrue(t, `typeof Hls === "function" && typeof mpegts === "object"`, 30*time.Second, "players loaded")
	for _, rate := range rates {
		for _, kind := range []string{"hls", "flv"} {
			name := fmt.Sprintf("%s%d", kind, rate)
			url := fmt.Sprintf("/%d/hls/index.m3u8", rate)
			if kind == "flv" {
				url = fmt.Sprintf("/%d/live.flv", rate)
			}
			if _, err := page.Eval(fmt.Sprintf("start(%q, %q, %q)", name, kind, url)); err != nil {
				t.Fatal(err)
			}
			page.WaitTrue(t, fmt.Sprintf("results[%q] !== undefined", name), 60*time.Second, name+" played")
			raw, err := page.Eval(fmt.Sprintf("JSON.stringify(results[%q])", name))
			if err != nil {
				t.Fatal(err)
			}
			var s string
			var res struct {
				Error      string  `json:"error"`
				Time       float64 `json:"time"`
				AudioBytes int     `json:"audioBytes"`
				VideoBytes int     `json:"videoBytes"`
			}
			if err := json.Unmarshal(raw, &s); err != nil || json.Unmarshal([]byte(s), &res) != nil {
				t.Fatalf("%s: result %s", name, raw)
			}
			t.Logf("%s: played to %.2f s, decoded %d audio and %d video bytes, errors %q",
				name, res.Time, res.AudioBytes, res.VideoBytes, res.Error)
			if rate != 48000 {
				continue // measured for the record; only the default must play
			}
			if res.Error != "" || res.AudioBytes == 0 || res.Time < 1 {
				t.Errorf("%s at %d Hz does not play in Chromium: %+v", kind, rate, res)
			}
		}
	}
}
