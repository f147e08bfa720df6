package tplink_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/cloud/tplink"
	"github.com/lubo-edge/lubo/cloud/tplink/tplinktest"
)

// rawCall signs and posts one request by hand, for what the client never
// does on its own (reusing a nonce, signing with an expired key).
func rawCall(t *testing.T, e *env, path, ak, sk, nonce string, body []byte, header string) (int, json.RawMessage) {
	t.Helper()
	if header == "" {
		header = tplink.Sign(tplink.SignInput{AccessKey: ak, SecretKey: tplink.Secret(sk), TerminalID: "raw",
			Timestamp: e.clock.Now().Unix(), Nonce: nonce, Method: "POST", Path: path, Payload: body}).Header
	}
	req, err := http.NewRequest(http.MethodPost, e.cloud.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(tplink.AuthHeader, header)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		ErrorCode int             `json:"error_code"`
		Result    json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("emulator answer: %v", err)
	}
	return out.ErrorCode, out.Result
}

const nonceA = "0123456789abcdef0123456789abcdef"

func TestSignedCallIsAccepted(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, nil)
	if _, err := e.client.ListDevices(context.Background(), tplink.ListOptions{}); err != nil {
		t.Fatalf("ListDevices: %v", err)
	}
	if n := e.cloud.Calls(tplinktest.PathDevicesDeviceApp); n != 1 {
		t.Fatalf("emulator saw %d calls, want 1", n)
	}
}

func TestWrongSecretIsRefused10301(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, func(c *tplink.Config) { c.SecretKey = "not-the-secret" })
	_, err := e.client.ListDevices(context.Background(), tplink.ListOptions{})
	if got := code(t, err); got != tplink.CodeSignatureMismatch {
		t.Fatalf("code %d, want -10301", got)
	}
	if strings.Contains(err.Error(), "not-the-secret") {
		t.Fatalf("error shows the secret: %v", err)
	}
}

func TestClockSixMinutesOffIsRefused10302(t *testing.T) {
	for _, tc := range []struct {
		name   string
		offset time.Duration
		want   string
	}{
		{"ahead", 6 * time.Minute, "6m0s ahead of"},
		{"behind", -6 * time.Minute, "6m0s behind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, tplinktest.Options{}, nil)
			// The box's clock is the cloud's plus the offset.
			box := func() time.Time { return e.clock.Now().Add(tc.offset) }
			cfg := e.cfg
			cfg.Now = box
			c, err := tplink.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.ListDevices(context.Background(), tplink.ListOptions{})
			if got := code(t, err); got != tplink.CodeRequestExpired {
				t.Fatalf("code %d, want -10302", got)
			}
			if !strings.Contains(err.Error(), "box's clock is off") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error does not say the clock is off by %s: %v", tc.want, err)
			}
			var te *tplink.Error
			if !errors.As(err, &te) {
				t.Fatal("not *tplink.Error")
			}
			if skew, ok := te.Skew(); !ok || skew.Round(time.Second) != tc.offset {
				t.Fatalf("skew %s (known %v), want %s", skew, ok, tc.offset)
			}
		})
	}
}

func TestSkewWindowIsConfigurable(t *testing.T) {
	e := newEnv(t, tplinktest.Options{SkewWindow: 10 * time.Minute}, nil)
	cfg := e.cfg
	cfg.Now = func() time.Time { return e.clock.Now().Add(6 * time.Minute) }
	c, err := tplink.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListDevices(context.Background(), tplink.ListOptions{}); err != nil {
		t.Fatalf("6 minutes inside a 10 minute window refused: %v", err)
	}
}

func TestClockErrorWithoutServerTimeSaysSo(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, nil)
	e.cloud.InjectFault("", tplinktest.Fault{Body: []byte(`{"error_code":-10302,"msg":"请求已过期"}`)})
	_, err := e.client.ListDevices(context.Background(), tplink.ListOptions{})
	if code(t, err) != tplink.CodeRequestExpired {
		t.Fatal(err)
	}
	// The emulator sets Date on every answer, so this one has a time; the
	// text must still say the clock is off.
	if !strings.Contains(err.Error(), "clock") {
		t.Fatalf("error does not mention the clock: %v", err)
	}
	te := &tplink.Error{Code: tplink.CodeRequestExpired, Op: "x"}
	if !strings.Contains(te.Error(), "carried no server time") {
		t.Fatalf("error without server time: %v", te)
	}
}

func TestReusedNonceIsRefused10303(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, nil)
	body := []byte(`{"start":0,"limit":10}`)
	if c, _ := rawCall(t, e, tplinktest.PathDevicesDeviceApp, testAK, testSK, nonceA, body, ""); c != 0 {
		t.Fatalf("first use of the nonce: code %d", c)
	}
	if c, _ := rawCall(t, e, tplinktest.PathDevicesDeviceApp, testAK, testSK, nonceA, body, ""); c != tplink.CodeBadAuthorization {
		t.Fatalf("reused nonce: code %d, want -10303", c)
	}
	// After the 5 minute window the nonce may be used again.
	e.clock.Advance(5*time.Minute + time.Second)
	if c, _ := rawCall(t, e, tplinktest.PathDevicesDeviceApp, testAK, testSK, nonceA, body, ""); c != 0 {
		t.Fatalf("nonce after 5 minutes: code %d", c)
	}
}

func TestMalformedHeaderIsRefused10303(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, nil)
	good := tplink.Sign(tplink.SignInput{AccessKey: testAK, SecretKey: testSK, TerminalID: "raw",
		Timestamp: e.clock.Now().Unix(), Nonce: nonceA, Method: "POST", Path: tplinktest.PathDevicesDeviceApp}).Header
	for name, h := range map[string]string{
		"spaces":          strings.ReplaceAll(good, ",", ", "),
		"missing field":   good[:strings.LastIndex(good, ",")],
		"short timestamp": strings.Replace(good, "Timestamp=1", "Timestamp=", 1),
		"no header":       "-",
	} {
		t.Run(name, func(t *testing.T) {
			if h == "-" {
				h = " "
			}
			if c, _ := rawCall(t, e, tplinktest.PathDevicesDeviceApp, testAK, testSK, nonceA, nil, h); c != tplink.CodeBadAuthorization {
				t.Fatalf("code %d, want -10303", c)
			}
		})
	}
}

func TestUnknownAKIsRefused10304(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, func(c *tplink.Config) { c.AccessKey = "no-such-ak" })
	_, err := e.client.ListDevices(context.Background(), tplink.ListOptions{})
	if got := code(t, err); got != tplink.CodeInvalidAK {
		t.Fatalf("code %d, want -10304", got)
	}
}

func TestDisabledAKIsRefused10305WithBothTexts(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, nil)
	e.cloud.DisableKey(testAK)
	_, err := e.client.ListDevices(context.Background(), tplink.ListOptions{})
	if got := code(t, err); got != tplink.CodeAKDenied {
		t.Fatalf("code %d, want -10305", got)
	}
	for _, text := range []string{"AK被禁用", "访问被拒绝"} {
		if !strings.Contains(err.Error(), text) {
			t.Errorf("error lacks %q: %v", text, err)
		}
	}
}

func TestTamperedBodyIsRefused10301(t *testing.T) {
	e := newEnv(t, tplinktest.Options{}, nil)
	signedFor := tplink.Sign(tplink.SignInput{AccessKey: testAK, SecretKey: testSK, TerminalID: "raw",
		Timestamp: e.clock.Now().Unix(), Nonce: nonceA, Method: "POST", Path: tplinktest.PathDevicesDeviceApp,
		Payload: []byte(`{"start":0,"limit":10}`)}).Header
	if c, _ := rawCall(t, e, tplinktest.PathDevicesDeviceApp, testAK, testSK, nonceA, []byte(`{"start":0,"limit":100}`), signedFor); c != tplink.CodeSignatureMismatch {
		t.Fatalf("tampered body: code %d, want -10301", c)
	}
}
