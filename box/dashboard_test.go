package box

import (
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/api/auth/password"
	"github.com/lubo-edge/lubo/internal/browser"
	"github.com/lubo-edge/lubo/internal/fakecam"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// middayZone is a fixed IANA zone in which now is around noon, so a course
// a minute ahead never crosses midnight whenever the test runs.
func middayZone(now time.Time) string {
	off := 12 - now.UTC().Hour() // hours east of UTC, -11…12
	if off == 0 {
		return "Etc/GMT"
	}
	// The Etc zones count the other way: Etc/GMT-8 is UTC+8.
	return fmt.Sprintf("Etc/GMT%+d", -off)
}

// dashPage drives the dashboard in a Chromium tab.
type dashPage struct {
	t *testing.T
	p *browser.Page
}

// js evaluates expr, failing the test on an exception.
func (d dashPage) js(expr string) json.RawMessage {
	d.t.Helper()
	v, err := d.p.Eval(expr)
	if err != nil {
		d.t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// wait polls expr until true; an element not drawn yet (an exception) is
// false, not a failure.
func (d dashPage) wait(expr, what string) {
	d.t.Helper()
	d.p.WaitTrue(d.t, "(() => { try { return ("+expr+") === true } catch (e) { return false } })()", 90*time.Second, what)
}

func (d dashPage) click(sel string) {
	d.t.Helper()
	d.wait(fmt.Sprintf(`!!document.querySelector(%q)`, sel), sel+" shown")
	d.js(fmt.Sprintf(`document.querySelector(%q).click(), true`, sel))
}

// fill sets form fields by selector, as typing would.
func (d dashPage) fill(fields map[string]string) {
	d.t.Helper()
	for sel, v := range fields {
		d.wait(fmt.Sprintf(`!!document.querySelector(%q)`, sel), sel+" shown")
		d.js(fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q;
			e.dispatchEvent(new Event("input", {bubbles: true})); e.dispatchEvent(new Event("change", {bubbles: true})); return true })()`, sel, v))
	}
}

func (d dashPage) goTo(page string) {
	d.t.Helper()
	d.js(fmt.Sprintf(`location.hash = %q, true`, "#"+page))
	d.wait(fmt.Sprintf(`window.lubo.page === %q`, page), "page "+page)
}

func requireDashPlayers(t *testing.T) {
	t.Helper()
	for _, f := range []string{"../api/dashboard/web/vendor/mpegts.js", "../api/dashboard/web/vendor/hls.min.js"} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("the dashboard's players are not built (%v): run `make web` first", err)
		}
	}
}

// dashCourses reads the running timetable's dashboard courses.
func dashTimetable(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/api/dash/timetable")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// The dashboard in a real Chromium against a real box: switch language,
// add a channel pointing at the test camera (test button first) and watch
// it play, see a broken camera's error and retry time, record by hand and
// stop early with a logged reason, add a course a few seconds ahead (and
// see an overlapping one refused with 1012), see it record and grow, play
// the recording with a seek; a restart keeps the channel and the course.
// Screenshots of every page at 1366×768 and 390×844 go to bin/screenshots
// (or $LUBO_SCREENSHOTS; the README's two come from
// LUBO_SCREENSHOTS=$PWD/docs/screenshots), so a test run leaves the work
// tree clean.
func TestDashboardInChromium(t *testing.T) {
	requireDashPlayers(t)
	clip := testmedia.Require(t, "h264_aac.mp4")
	cam, err := fakecam.Start(fakecam.Options{Files: map[string]string{"cam": clip}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer cam.Close()

	zone := middayZone(time.Now())
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfgText := fmt.Sprintf(`data_dir: %s
timezone: %s
http: {listen: "127.0.0.1:0"}
rtsp: {listen: "127.0.0.1:0"}
record: {snapshot_interval: 3s}
channels:
  - {id: demo, name: 演示教室, source: "file://%s", on_demand: false}
  - {id: broken, name: 三年级二班, source: "rtsp://admin:cam-secret@127.0.0.1:1/x"}
  - {id: hevc, name: 四年级一班, source: "file://%s", on_demand: false}
schedule:
  - {channel: demo, weekday: 1, start: "08:00:00", duration: 45m, subject: 语文, teacher: 张老师}
  - {channel: demo, weekday: 3, start: "10:00:00", duration: 45m, subject: 数学, teacher: 李老师}
`, dir, zone, testmedia.Require(t, "sample.mp4"), testmedia.Require(t, "h265_aac.mp4"))
	b := startTestBox(t, dir, cfgText)

	d := dashPage{t: t, p: browser.Open(t, b.base+"/#channels")}
	d.wait(`!!window.lubo && window.lubo.ready`, "the page started")
	// The browser's language picks the page's (Chinese for zh, else
	// English); the switch gives the other, and Chinese is kept for the rest.
	d.wait(`document.querySelector('#nav a[data-page=live]').textContent === (navigator.language.toLowerCase().startsWith("zh") ? "直播" : "Live")`,
		"the browser's language first")
	if string(d.js(`navigator.language.toLowerCase().startsWith("zh")`)) == "false" {
		d.wait(`!document.getElementById("banner").hidden && document.getElementById("banner").textContent.includes("anyone on the network")`, "the open-box banner")
		d.click("#lang")
	} else {
		d.click("#lang")
		d.wait(`document.querySelector('#nav a[data-page=live]').textContent === "Live" && document.documentElement.lang === "en-GB"`, "English after the switch")
		d.click("#lang")
	}
	d.wait(`document.querySelector('#nav a[data-page=live]').textContent === "直播" && document.documentElement.lang === "zh-CN"`, "Chinese after the switch")
	d.wait(`document.getElementById("banner").textContent.includes("任何人")`, "the open-box banner in Chinese")

	// Add a channel pointing at the test camera, testing it first.
	d.click("#ch-add")
	d.fill(map[string]string{"#ch-form [name=id]": "cam1", "#ch-form [name=name]": "二年级一班",
		"#ch-form [name=source]": fmt.Sprintf("rtsp://%s/cam", cam.RTSPAddr())})
	d.click("#ch-test")
	d.wait(`document.getElementById("ch-probe").textContent.includes("H264")`, "the test button shows the tracks")
	d.js(`document.querySelector("#ch-form button[type=submit]").click(), true`)
	d.wait(`!!document.getElementById("chrow-cam1") && !document.querySelector(".dialog")`, "the new channel listed")
	d.wait(`document.getElementById("chrow-demo").textContent.includes("配置文件")`, "the file's channel shown with its origin")
	found := false
	for _, c := range b.d.Channels() {
		found = found || (c.ID == "cam1" && c.Origin == "dashboard")
	}
	if !found {
		t.Fatalf("the daemon does not run cam1 from the dashboard: %+v", b.d.Channels())
	}
	// A wrong camera's exact error from the test button.
	d.click("#ch-add")
	d.fill(map[string]string{"#ch-form [name=id]": "cam9", "#ch-form [name=source]": "rtsp://admin:pw@127.0.0.1:1/none"})
	d.click("#ch-test")
	d.wait(`document.getElementById("ch-probe").textContent.includes("connection refused")`, "the probe's exact error")
	d.wait(`!document.getElementById("ch-probe").textContent.includes(":pw@")`, "no password in the error")
	d.click("#ch-form button[type=button]:last-child")

	// Live: the new channel plays; the broken one says why and when it retries.
	d.goTo("live")
	d.wait(`document.getElementById("tile-cam1").dataset.playing === "yes"`, "the new channel plays (currentTime advances)")
	d.wait(`document.getElementById("tile-broken").dataset.broken === "yes" && document.querySelector("#tile-broken .note").textContent.includes("重试")`,
		"the broken camera's error and retry time")
	hevcOK := string(d.js(`MediaSource.isTypeSupported('video/mp4; codecs="hvc1.1.6.L93.B0"')`)) == "true"
	if !hevcOK {
		d.wait(`document.getElementById("tile-hevc").dataset.supported === "no" && document.querySelector("#tile-hevc .note").textContent.includes("H265")`,
			"the H.265 tile says the browser cannot play it")
		d.wait(`(document.querySelector("#tile-hevc img").getAttribute("src") || "").startsWith("/snapshots/hevc.jpg")`, "the H.265 tile shows the snapshot")
	} else {
		t.Log("this Chromium decodes H.265 in MSE: the H.265 tile plays instead of showing the snapshot")
	}

	// Record by hand, then stop early with a reason that is logged.
	d.fill(map[string]string{"#tile-demo select.duration": "15m"})
	d.click("#tile-demo button.start")
	d.click("#tile-demo button.stop")
	d.fill(map[string]string{"#tile-demo input.reason": "公开课提前结束"})
	d.click("#tile-demo button.confirm-stop")
	d.wait(`!document.querySelector("#tile-demo button.stop") && !!document.querySelector("#tile-demo button.start")`, "the manual recording stopped")
	testkit.WaitFor(t, "the early stop logged with its reason", func() bool {
		return strings.Contains(b.logs.String(), "stopped early by") && strings.Contains(b.logs.String(), "公开课提前结束")
	})

	// Timetable: a course a few seconds ahead on the new channel.
	d.goTo("timetable")
	d.fill(map[string]string{"#tt-channel": "cam1"})
	start := time.Now().In(loc).Add(20 * time.Second).Truncate(time.Second)
	d.click("#tt-add")
	d.fill(map[string]string{"#tt-form [name=weekday]": strconv.Itoa(int(start.Weekday())), "#tt-form [name=start]": start.Format("15:04:05"),
		"#tt-form [name=duration]": "25s", "#tt-form [name=subject]": "科学", "#tt-form [name=teacher]": "赵老师"})
	d.js(`document.querySelector("#tt-form button[type=submit]").click(), true`)
	d.wait(`!document.querySelector(".dialog") && document.getElementById("tt-grid").textContent.includes("科学")`, "the course in the grid")
	// The same time again overlaps: refused with 1012, shown in the form.
	d.click("#tt-add")
	d.fill(map[string]string{"#tt-form [name=weekday]": strconv.Itoa(int(start.Weekday())), "#tt-form [name=start]": start.Format("15:04:05"),
		"#tt-form [name=duration]": "10m"})
	d.js(`document.querySelector("#tt-form button[type=submit]").click(), true`)
	d.wait(`document.getElementById("tt-error").textContent.includes("1012")`, "the overlap refused with 1012")
	d.click("#tt-form button[type=button]")
	d.wait(`document.getElementById("tt-summary").textContent.includes("科学")`, "the next lesson named")
	d.wait(`document.querySelector("#tt-summary div").textContent.includes("科学")`, "the lesson recording now")

	// Recordings: the lesson in progress grows, then plays with a seek.
	d.goTo("records")
	d.wait(`(() => { const s = document.querySelector("tr[data-state=recording] .size"); if (!s) return false;
		const prev = window.__size; window.__size = s.textContent; return prev !== undefined && prev !== s.textContent })()`, "the recording in progress grows")
	const lesson = `[...document.querySelectorAll("tr[data-state=complete]")].find((r) => r.textContent.includes("科学"))`
	d.wait(`!!`+lesson+`.querySelector("button.play")`, "the lesson complete")
	d.js(lesson + `.querySelector("button.play").click(), true`)
	d.wait(`(() => { const v = document.getElementById("rec-video"); return !!v && v.duration > 5 && v.currentTime > 0.5 })()`, "the recording plays")
	d.js(`(() => { const v = document.getElementById("rec-video"); window.__seeked = false; v.addEventListener("seeked", () => { window.__seeked = true });
		window.__target = Math.floor(v.duration * 0.7); v.currentTime = window.__target; return true })()`)
	d.wait(`window.__seeked && document.getElementById("rec-video").currentTime >= window.__target`, "the seek lands and plays on")

	screenshots(t, b.base)

	// A restart keeps the dashboard's channel and course.
	b.stop()
	if s := b.logs.String(); strings.Contains(s, "cam-secret") {
		t.Error("a camera password is in the log")
	}
	b2 := startTestBox(t, dir, cfgText)
	tt := dashTimetable(t, b2.base)
	if !strings.Contains(tt, `"科学"`) || !strings.Contains(tt, `"id":"cam1"`) {
		t.Fatalf("after a restart the timetable is %s", tt)
	}
}

// screenshots opens every page at 1366×768 and 390×844 in Chinese and
// writes PNGs named {page}-{desktop|phone}.png.
func screenshots(t *testing.T, base string) {
	out := os.Getenv("LUBO_SCREENSHOTS")
	if out == "" {
		out = filepath.Join("..", "bin", "screenshots")
	}
	t.Logf("screenshots in %s", out)
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, size := range []struct {
		name string
		w, h int
	}{{"desktop", 1366, 768}, {"phone", 390, 844}} {
		// browser.Open starts "chromium" from PATH: a wrapper there gives
		// the window its size. Chromium keeps a window at least 500 wide,
		// so a phone is an iframe of its size in a 500-wide window; the
		// window's page area is shorter than the window, so it is made
		// taller and every picture is cropped to the size.
		bin := t.TempDir()
		script := fmt.Sprintf("#!/bin/sh\nexec /usr/bin/chromium --window-size=%d,%d --hide-scrollbars \"$@\"\n", max(size.w, 500), size.h+200)
		if err := os.WriteFile(filepath.Join(bin, "chromium"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		d := dashPage{t: t, p: browser.Open(t, base+"/#live")}
		d.wait(`!!window.lubo && window.lubo.ready`, "the page started")
		d.js(`localStorage.setItem("lubo.lang", "zh"), true`)
		win := "window"
		if size.w < 500 {
			d.js(`location.href = "/assets/vendor/README.txt", true`)
			d.wait(`location.pathname === "/assets/vendor/README.txt" && document.readyState === "complete"`, "a quiet page")
			d.js(fmt.Sprintf(`document.body.style.margin = "0", document.body.innerHTML = '<iframe src="/#live" style="border:0;width:%dpx;height:%dpx"></iframe>', true`, size.w, size.h))
			win = "frames[0]"
		} else {
			d.js(`location.reload(), true`)
		}
		d.wait(win+`.lubo.ready && `+win+`.document.documentElement.lang === "zh-CN"`, "Chinese")
		d.wait(fmt.Sprintf(`%s.innerWidth === %d && %s.innerHeight >= %d`, win, size.w, win, size.h), "the page area at least the size")
		for _, pg := range []struct{ name, ready string }{
			{"live", `.getElementById("tile-cam1").dataset.playing === "yes"`},
			{"timetable", `.getElementById("tt-grid").textContent.includes("语文")`},
			{"channels", `.getElementById("chrow-cam1") !== null`},
			{"records", `.getElementById("rec-table") !== null`},
		} {
			d.js(fmt.Sprintf(`%s.location.hash = %q, true`, win, "#"+pg.name))
			if pg.name == "timetable" {
				d.wait(win+`.document.getElementById("tt-channel") !== null`, "timetable drawn")
				d.js(win + `.document.getElementById("tt-channel").value = "demo", ` + win + `.document.getElementById("tt-channel").dispatchEvent(new Event("change")), true`)
			}
			d.wait(win+".document"+pg.ready, pg.name+" drawn")
			path := filepath.Join(out, pg.name+"-"+size.name+".png")
			if err := d.p.Screenshot(path); err != nil {
				t.Fatal(err)
			}
			if err := cropPNG(path, size.w, size.h); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// cropPNG cuts the PNG at path to its top-left w×h; a smaller one is an
// error (the page was not shown at the size asked).
func cropPNG(path string, w, h int) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	r := img.Bounds()
	if r.Dx() < w || r.Dy() < h {
		return fmt.Errorf("%s: the picture is %dx%d, smaller than %dx%d", path, r.Dx(), r.Dy(), w, h)
	}
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		return fmt.Errorf("%s: cannot crop a %T", path, img)
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(out, sub.SubImage(image.Rect(r.Min.X, r.Min.Y, r.Min.X+w, r.Min.Y+h))); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// With auth: in the config, the real box asks for a sign-in: a wrong
// password is refused, a viewer watches live but gets no admin controls
// and the server refuses the viewer's changes (with the viewer's own
// CSRF token), sign-out brings the form back, and an admin's early stop
// is logged with the admin's name and the reason.
func TestDashboardSignInOnBox(t *testing.T) {
	requireDashPlayers(t)
	const adminPass, viewerPass = "admin-Passw0rd-box", "viewer-Passw0rd-box"
	var hashes []string
	for _, pw := range []string{adminPass, viewerPass} {
		h, err := password.Hash(pw)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	dir := t.TempDir()
	b := startTestBox(t, dir, fmt.Sprintf(`data_dir: %s
http: {listen: "127.0.0.1:0"}
rtsp: {listen: "127.0.0.1:0"}
auth:
  users:
    - {name: admin, role: admin, password_hash: %q}
    - {name: 张老师, role: viewer, password_hash: %q}
channels:
  - {id: demo, name: 演示教室, source: "file://%s", on_demand: false}
`, dir, hashes[0], hashes[1], testmedia.Require(t, "sample.mp4")))
	d := dashPage{t: t, p: browser.Open(t, b.base+"/#live")}
	login := func(user, pw string) {
		d.fill(map[string]string{"#login-user": user, "#login-password": pw})
		d.click("#login-submit")
	}
	d.wait(`!document.getElementById("login").hidden && document.getElementById("banner").hidden`, "the sign-in form, no open-box banner")
	login("admin", "not-the-password")
	d.wait(`!document.getElementById("login-error").hidden`, "the wrong password refused")
	login("张老师", viewerPass)
	d.wait(`document.getElementById("login").hidden && document.getElementById("who").textContent.includes("张老师")`, "signed in as the viewer")
	d.wait(`document.getElementById("tile-demo").dataset.playing === "yes"`, "the viewer watches live")
	if string(d.js(`!!document.querySelector("#tile-demo button")`)) != "false" {
		t.Error("the viewer is offered record controls")
	}
	// Around the page, with the viewer's own session and CSRF token.
	d.js(`window.__st = {}, fetch("/api/auth/me").then((r) => r.json()).then((me) => Promise.all([
		fetch("/api/dash/record/start", {method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": me.csrf}, body: JSON.stringify({channel: "demo"})})
			.then((r) => { window.__st.start = r.status }),
		fetch("/api/dash/courses", {method: "POST", headers: {"Content-Type": "application/json", "X-CSRF-Token": me.csrf},
			body: JSON.stringify({channel: "demo", weekday: 2, start: "08:00", duration: "45m"})}).then((r) => { window.__st.course = r.status }),
		fetch("/api/dash/admin/channels/demo").then((r) => { window.__st.editor = r.status })])), true`)
	d.wait(`window.__st.start === 403 && window.__st.course === 403 && window.__st.editor === 403`, "the server refuses the viewer")
	d.click("#logout")
	d.wait(`!document.getElementById("login").hidden`, "the sign-in form after sign-out")
	login("admin", adminPass)
	d.click("#tile-demo button.start")
	d.click("#tile-demo button.stop")
	d.fill(map[string]string{"#tile-demo input.reason": "停电演练"})
	d.click("#tile-demo button.confirm-stop")
	testkit.WaitFor(t, "the early stop logged with the admin and the reason", func() bool {
		return strings.Contains(b.logs.String(), "stopped early by admin because 停电演练")
	})
	b.stop()
	for _, secret := range append(hashes, adminPass, viewerPass) {
		if strings.Contains(b.logs.String(), secret) {
			t.Error("a password or its hash is in the log")
		}
	}
}
