// Package browser drives a real headless Chromium (Debian package chromium)
// over the DevTools protocol, for tests of the dashboard page.
package browser

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// Page is one tab of a headless Chromium showing url.
type Page struct {
	ws  *websocket.Conn
	seq int
}

// Open starts Chromium on url and connects to its page. The browser is
// stopped when the test ends. A missing chromium fails the test.
func Open(t testing.TB, url string) *Page {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is not installed (Debian package chromium; `make deps` installs it): %v", err)
	}
	// The profile is removed by hand after the whole process group is gone:
	// chromium's helper processes outlive the main one for a moment, and
	// t.TempDir's cleanup would fail on files they are still writing.
	profile, err := os.MkdirTemp("", "lubo-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--autoplay-policy=no-user-gesture-required", "--mute-audio",
		"--remote-allow-origins=*", "--user-data-dir="+profile, "--remote-debugging-port=0", url)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		for range 50 { // helpers may still be exiting
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})

	// Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/…".
	wsURL := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if _, after, ok := strings.Cut(sc.Text(), "DevTools listening on "); ok {
				wsURL <- after
			}
		}
	}()
	var browserWS string
	select {
	case browserWS = <-wsURL:
	case <-time.After(30 * time.Second):
		t.Fatal("chromium did not start its DevTools endpoint")
	}
	page, err := pageTarget(browserWS, url)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := websocket.Dial(page, "", "http://127.0.0.1/")
	if err != nil {
		t.Fatalf("connect to page: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	return &Page{ws: ws}
}

// pageTarget finds the DevTools websocket of the tab showing url.
func pageTarget(browserWS, url string) (string, error) {
	host := strings.TrimPrefix(browserWS, "ws://")
	host = host[:strings.IndexByte(host, '/')]
	for range 100 {
		resp, err := httpGetJSON("http://" + host + "/json/list")
		if err == nil {
			for _, tgt := range resp {
				if tgt.Type == "page" && strings.HasPrefix(tgt.URL, url) {
					return tgt.WebSocketDebuggerURL, nil
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", fmt.Errorf("chromium has no tab for %s", url)
}

// Eval evaluates a JavaScript expression and returns its JSON value.
func (p *Page) Eval(expr string) (json.RawMessage, error) {
	p.seq++
	req := map[string]any{"id": p.seq, "method": "Runtime.evaluate", "params": map[string]any{"expression": expr, "returnByValue": true}}
	if err := websocket.JSON.Send(p.ws, req); err != nil {
		return nil, err
	}
	for {
		var msg struct {
			ID     int `json:"id"`
			Result struct {
				Result struct {
					Value json.RawMessage `json:"value"`
				} `json:"result"`
				ExceptionDetails *struct {
					Text string `json:"text"`
				} `json:"exceptionDetails"`
			} `json:"result"`
			Error *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := websocket.JSON.Receive(p.ws, &msg); err != nil {
			return nil, err
		}
		if msg.ID != p.seq {
			continue // an event
		}
		if msg.Error != nil {
			return nil, errors.New(msg.Error.Message)
		}
		if e := msg.Result.ExceptionDetails; e != nil {
			return nil, fmt.Errorf("javascript: %s", e.Text)
		}
		return msg.Result.Result.Value, nil
	}
}

// WaitTrue polls expr until it is true; it fails the test with what the
// page showed when it is still false after limit.
func (p *Page) WaitTrue(t testing.TB, expr string, limit time.Duration, describe string) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		v, err := p.Eval(expr)
		if err != nil && !navigating(err) {
			t.Fatalf("evaluate %s: %v", expr, err)
		}
		if err == nil && string(v) == "true" {
			return
		}
		if time.Now().After(deadline) {
			body, _ := p.Eval("document.body.innerText")
			t.Fatalf("%s: still false after %v (%s); page text: %s", describe, limit, expr, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// navigating reports whether err is Chromium saying the page was being
// replaced (a navigation the test started) while the expression ran: the
// next evaluation runs in the new page.
func navigating(err error) bool {
	msg := err.Error()
	for _, s := range []string{"Inspected target navigated or closed", "Execution context was destroyed", "Cannot find context with specified id"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// Screenshot saves a PNG of the page to path.
func (p *Page) Screenshot(path string) error {
	p.seq++
	if err := websocket.JSON.Send(p.ws, map[string]any{"id": p.seq, "method": "Page.captureScreenshot", "params": map[string]any{"format": "png"}}); err != nil {
		return err
	}
	for {
		var msg struct {
			ID     int `json:"id"`
			Result struct {
				Data []byte `json:"data"`
			} `json:"result"`
		}
		if err := websocket.JSON.Receive(p.ws, &msg); err != nil {
			return err
		}
		if msg.ID == p.seq {
			return os.WriteFile(path, msg.Result.Data, 0o644)
		}
	}
}
