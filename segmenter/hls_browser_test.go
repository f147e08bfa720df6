package segmenter

import (
	"log/slog"
	"net/http"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/browser"
	"github.com/lubo-edge/lubo/media"
)

// hlsJS is the project's pinned hls.js, put there by `make web`.
const hlsJS = "../api/web/vendor/hls.min.js"

// hlsPage loads /hls/index.m3u8 with hls.js and records what hls.js says.
const hlsPage = `<!doctype html><html><body><video id="video" muted playsinline></video>
<script src="/hls.min.js"></script>
<script>
window.seen = {manifest: false, fragParsed: 0, frags: [], errors: [], stubbed: ""};
// This Chromium has no HEVC decoder, so MediaSource refuses an hvc1
// SourceBuffer and hls.js would stop before parsing a fragment. For hvc1
// only, a stand-in SourceBuffer takes the appends (and plays nothing), so
// hls.js's demuxer still reads every init section and fragment.
if (!MediaSource.isTypeSupported('video/mp4;codecs="hvc1.1.6.L60.90"')) {
  const supported = MediaSource.isTypeSupported.bind(MediaSource);
  MediaSource.isTypeSupported = (type) => /hvc1|hev1/.test(type) || supported(type);
  const add = MediaSource.prototype.addSourceBuffer;
  MediaSource.prototype.addSourceBuffer = function (type) {
    if (!/hvc1|hev1/.test(type)) return add.call(this, type);
    window.seen.stubbed = type;
    const sb = new EventTarget();
    Object.assign(sb, {updating: false, mode: "segments", timestampOffset: 0, appendWindowStart: 0, appendWindowEnd: Infinity,
      buffered: {length: 0, start() { throw new RangeError("empty"); }, end() { throw new RangeError("empty"); }}});
    const finish = () => setTimeout(() => { sb.updating = false; sb.dispatchEvent(new Event("update")); sb.dispatchEvent(new Event("updateend")); }, 0);
    sb.appendBuffer = () => { sb.updating = true; finish(); };
    sb.remove = () => { sb.updating = true; finish(); };
    sb.abort = () => {};
    sb.changeType = () => {};
    return sb;
  };
}
const video = document.getElementById("video");
const hls = new Hls();
hls.on(Hls.Events.MANIFEST_PARSED, () => { window.seen.manifest = true; video.play().catch(() => {}); });
hls.on(Hls.Events.FRAG_PARSED, (_, d) => {
  window.seen.fragParsed++;
  window.seen.frags.push({sn: d.frag.sn, start: d.frag.startPTS, end: d.frag.endPTS});
});
hls.on(Hls.Events.ERROR, (_, d) => {
  const e = d.type + " " + d.details + (d.fatal ? " fatal" : "") + (d.error ? ": " + d.error.message : "");
  window.seen.errors.push(e);
  document.body.append(e + "\n"); // shown by a failing WaitTrue
});
hls.loadSource("/hls/index.m3u8");
hls.attachMedia(video);
</script></body></html>`

// servePage serves the hls.js page, hls.js itself and h under /hls/.
func servePage(t *testing.T, h *HLS) string {
	t.Helper()
	if _, err := os.Stat(hlsJS); err != nil {
		t.Fatalf("hls.js is not built (%v): run `make web` first", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/hls/", http.StripPrefix("/hls/", h))
	mux.HandleFunc("/hls.min.js", func(w http.ResponseWriter, r *http.Request) { http.ServeFile(w, r, hlsJS) })
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(hlsPage))
	})
	return serve(t, mux)
}

// looped is n plays of the clip in one source session, back to back with
// no gap: each play's first picture follows the last one's by a frame, and
// the audio ahead of it is left out after the first play. (hls.js 1.6
// reloads a keyframe-less fMP4 segment and the one before it in a loop when
// a gap in the timestamps comes before them; see TestHLSLongGOPSplits for
// what such segments are.)
func looped(cl *clip, n int) []*media.Frame {
	tracks := *cl.tracks
	tracks.Session = 1
	first := cl.frames[slices.IndexFunc(cl.frames, (*media.Frame).IsVideo)].DTS
	shift := cl.duration - first
	var out []*media.Frame
	for i := range n {
		for _, f := range cl.frames {
			if i > 0 && f.DTS < first {
				continue
			}
			g := *f
			g.Tracks = &tracks
			g.DTS += time.Duration(i) * shift
			g.PTS += time.Duration(i) * shift
			out = append(out, &g)
		}
	}
	return out
}

// TestHLSFMP4InHLSJS: hls.js in headless Chromium reads the fMP4 HLS of
// H.265 (MANIFEST_PARSED, FRAG_PARSED: this Chromium cannot decode HEVC, so
// its demuxer is the judge) and plays that of H.264, also when a long GOP
// has its segments split.
func TestHLSFMP4InHLSJS(t *testing.T) {
	cases := []struct {
		kind  string
		plays bool
	}{
		{"h265_aac", false},
		{"h264_aac", true},
		{"h264_gop4", true}, // segments split mid-GOP play on
	}
	for _, c := range cases {
		t.Run(c.kind, func(t *testing.T) {
			cl := loadClip(t, c.kind)
			h := NewHLS(HLSOptions{Channel: "c101", Variant: VariantFMP4, Window: 20, Logger: slog.New(slog.DiscardHandler)})
			for _, f := range looped(cl, 3) {
				h.WriteFrame(f)
			}
			h.Close()
			p := browser.Open(t, servePage(t, h)+"/")
			p.WaitTrue(t, `window.seen && window.seen.manifest`, 30*time.Second, "hls.js: MANIFEST_PARSED")
			// 18 s in segments of about 2 s.
			p.WaitTrue(t, `window.seen.fragParsed >= 8`, 60*time.Second, "hls.js: FRAG_PARSED for the segments")
			// hls.js read each fragment's timing from its boxes: about 2 s each, back to back.
			_, _ = p.Eval("document.body.append(JSON.stringify(window.seen.frags))") // shown by a failing WaitTrue
			p.WaitTrue(t, `window.seen.frags.every((f, i, a) => f.end - f.start > 1.5 && f.end - f.start < 2.6 &&
				(i == 0 || a[i-1].sn != f.sn - 1 || Math.abs(a[i-1].end - f.start) < 0.05))`, time.Second, "fragments of about 2 s, back to back")
			// Each segment parsed once: hls.js did not go back and forth.
			p.WaitTrue(t, `new Set(window.seen.frags.map((f) => f.sn)).size === window.seen.frags.length`, time.Second, "each fragment parsed once")
			if c.plays {
				p.WaitTrue(t, `document.getElementById("video").currentTime > 3`, 30*time.Second, "the video plays")
			} else {
				p.WaitTrue(t, `window.seen.stubbed.includes("hvc1")`, time.Second, "hls.js asked for an hvc1 SourceBuffer")
			}
			// Nothing fatal, and no hole in what the muxer wrote (see
			// addLeadAudio). A stall notice (bufferStalledError) is hls.js
			// timing a slow machine, not the media, and is let pass.
			p.WaitTrue(t, `!window.seen.errors.some((e) => e.includes("fatal") || e.includes("Hole"))`, time.Second, "no fatal hls.js error and no hole")
		})
	}
}
