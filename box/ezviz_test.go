package box

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/ezviz/ezviztest"
	"github.com/lubo-edge/lubo/internal/fakecam"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// addressTTL is how long the emulated cloud's addresses live (the issue's
// scenario).
const addressTTL = 20 * time.Second

// An ezviz:// channel whose address expires keeps an FLV viewer and a
// recording going across three re-resolves, with at most one reconnect
// each. The camera sits behind a relay that, like the cloud's, refuses an
// expired or forged address and cuts a stream when its address expires: a
// re-resolve never cuts the running pull, the expiry does, once.
func TestEzvizChannelAcrossReResolves(t *testing.T) {
	t.Parallel()
	clip := testmedia.Require(t, "h264_aac.mp4")
	cam, err := fakecam.Start(fakecam.Options{Files: map[string]string{"cam": clip}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer cam.Close()
	emu := ezviztest.New(ezviztest.Config{})
	defer emu.Close()
	emu.AddApp("app-key-1", "app-secret-1")
	relay := startExpiringRelay(t, cam.RTSPAddr().String(), emu.AddressValid)
	emu.AddDevice(ezviztest.Device{Serial: "D12345678", Online: true, StreamURL: fmt.Sprintf("rtsp://%s/cam", relay.addr)})
	emu.SetAddressTTL(addressTTL)

	dir := t.TempDir()
	doc := fmt.Sprintf(`data_dir: %s
http: {listen: "127.0.0.1:0"}
rtsp: {listen: ""}
record: {slice: 0s, snapshot_interval: 0s}
channels:
  - {id: ez, source: "ezviz://D12345678/1?quality=1", on_demand: true}
cloud:
  ezviz: {api: %q, app_key: app-key-1, app_secret: app-secret-1}
`, dir, emu.URL())
	b := startTestBox(t, dir, doc)
	defer func() {
		b.stop()
		if l := b.logs.String(); strings.Contains(l, "app-secret-1") || regexp.MustCompile(`[?&]t=[^*]`).MatchString(l) {
			t.Errorf("the log shows the app secret or an address signature:\n%s", l)
		}
	}()
	d, base := b.d, b.base

	// A cloud player may ask the box for the address too.
	code, body := getText(t, base+"/api/cloud/resolve?source="+url.QueryEscape("ezviz://D12345678/1?quality=1"))
	if code != 200 || !strings.Contains(body, `"url":"rtsp://`) || !strings.Contains(body, `"expires_at"`) {
		t.Errorf("/api/cloud/resolve: %d %s", code, body)
	}
	if code, body := getText(t, base+"/api/cloud/resolve?source="+url.QueryEscape("tplink://ABCDEFGHIJ1234567/1")); code != 502 || !strings.Contains(body, "cloud.tplink is not configured") {
		t.Errorf("/api/cloud/resolve of an unconfigured cloud: %d %s", code, body)
	}

	// An FLV viewer for the whole test.
	flv := filepath.Join(dir, "viewer.flv")
	var flvBytes atomic.Int64
	viewCtx, stopView := context.WithCancel(context.Background())
	viewed := make(chan error, 1)
	go func() {
		req, _ := http.NewRequestWithContext(viewCtx, "GET", base+"/live/ez.flv", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			viewed <- err
			return
		}
		defer resp.Body.Close()
		f, err := os.Create(flv)
		if err != nil {
			viewed <- err
			return
		}
		defer f.Close()
		buf := make([]byte, 32<<10)
		for {
			n, err := resp.Body.Read(buf)
			if n > 0 {
				f.Write(buf[:n])
				flvBytes.Add(int64(n))
			}
			if err != nil {
				viewed <- err
				return
			}
		}
	}()
	testkit.WaitFor(t, "the viewer's first bytes", func() bool { return flvBytes.Load() > 0 })
	if code, body := postJSON(t, base+"/api/record/start?channel=ez&duration=1m"); code != 200 {
		t.Fatalf("start recording: %d %s", code, body)
	}
	live, _ := d.LiveStream("ez")
	testkit.WaitForWithin(t, "three re-resolves and the cuts at expiry", 6*addressTTL, func() bool {
		return len(emu.Calls("/api/lapp/v2/live/address/get")) >= 4 && relay.cuts.Load() >= 2
	})
	resolves := len(emu.Calls("/api/lapp/v2/live/address/get"))
	sessions := int(live.Stats().Sessions.Load())
	t.Logf("%d resolves, %d relay cuts at expiry, %d refused, %d source sessions", resolves, relay.cuts.Load(), relay.refused.Load(), sessions)
	if sessions > resolves {
		t.Errorf("%d source sessions for %d resolves: more than one reconnect per re-resolve", sessions, resolves)
	}
	if n := relay.refused.Load(); n > 0 {
		t.Errorf("lubo used an expired or forged address %d times", n)
	}
	before := flvBytes.Load()
	testkit.WaitFor(t, "the viewer still receiving", func() bool { return flvBytes.Load() > before+64<<10 })
	stopView()
	<-viewed
	if code, body := postJSON(t, base+"/api/record/stop?channel=ez"); code != 200 {
		t.Fatalf("stop recording: %d %s", code, body)
	}
	// A cut at expiry ends a slice (the camera reconnected); every slice
	// is finished and playable.
	testkit.WaitFor(t, "every slice finished", func() bool {
		rs := recordsOf(t, base, "ez")
		for _, r := range rs {
			if r.State == "recording" {
				return false
			}
		}
		return len(rs) >= 2
	})
	for _, r := range recordsOf(t, base, "ez") {
		t.Logf("slice %s: %s", r.Path, r.State)
		if r.State != "complete" {
			t.Errorf("slice %s is %s, want complete", r.Path, r.State)
			continue
		}
		probe(t, filepath.Join(dir, "records", filepath.FromSlash(r.Path)))
	}
	probe(t, flv)
}

func postJSON(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func getText(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// expiringRelay stands for the cloud's media relay in front of a camera:
// it reads the address a client asks for (the RTSP request line), refuses
// one that is forged or expired, and cuts the connection when the address
// expires.
type expiringRelay struct {
	addr          string
	cuts, refused atomic.Int64
}

func startExpiringRelay(t *testing.T, camAddr string, valid func(addr string) bool) *expiringRelay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &expiringRelay{addr: ln.Addr().String()}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); r.serve(c, camAddr, valid) }()
		}
	}()
	return r
}

func (r *expiringRelay) serve(c net.Conn, camAddr string, valid func(string) bool) {
	defer c.Close()
	br := bufio.NewReader(c)
	line, err := br.ReadString('\n')
	if err != nil {
		return
	}
	fields := strings.Fields(line) // METHOD URL RTSP/1.0
	if len(fields) != 3 || !valid(fields[1]) {
		r.refused.Add(1)
		return
	}
	u, _ := url.Parse(fields[1])
	exp, _ := strconv.ParseInt(u.Query().Get("expire"), 10, 64)
	cam, err := net.Dial("tcp", camAddr)
	if err != nil {
		return
	}
	defer cam.Close()
	cut := time.AfterFunc(time.Until(time.Unix(exp, 0)), func() {
		r.cuts.Add(1)
		c.Close()
		cam.Close()
	})
	defer cut.Stop()
	done := make(chan struct{}, 2)
	go func() {
		_, _ = io.Copy(cam, io.MultiReader(strings.NewReader(line), br))
		cam.Close()
		done <- struct{}{}
	}()
	go func() { _, _ = io.Copy(c, cam); c.Close(); done <- struct{}{} }()
	<-done
	<-done
}
