package onenet_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/cloud/onenet"
)

const fuzzKey = "FUZZ-KEY-0123"

// canned answers every request with one status and body, without a network.
type canned struct {
	status int
	body   []byte
}

func (c canned) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{StatusCode: c.status, Header: http.Header{}, Body: io.NopCloser(bytes.NewReader(c.body)), Request: req}, nil
}

func cannedClient(t testing.TB, status int, body []byte) *onenet.Client {
	c, err := onenet.New(onenet.Config{API: "http://api.test", Key: fuzzKey, ProductID: "7355", Attempts: 1,
		HTTPClient: &http.Client{Transport: canned{status, body}}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// answer is one answer of the document (or a hostile variant) for a call.
type answer struct {
	call   string
	status int
	body   string
	ok     bool
}

// answers feeds TestAnswers and seeds the fuzz targets.
var answers = []answer{
	{"create", 200, `{"errno": 0, "error":"succ", "data": {"device_id":"233444"}}`, true},
	{"create", 200, `{"errno": 0, "error":"succ", "data": {"device_id":233444}}`, true},
	{"create", 200, `{"errno": 0, "error":"succ", "data": {}}`, false},
	{"create", 200, `{"errno": 0, "error":"succ", "data": {"device_id":"../x"}}`, false},
	{"create", 200, `{"errno": 0, "data": {"device_id":1.5}}`, false},
	{"register", 200, `{"errno": 0, "error":"succ", "data": {"key":"XXAABBCCDD", "device_id": 21442}}`, true},
	{"register", 200, `{"errno": 0, "error":"succ", "data": {"key":"", "device_id": 21442}}`, false},
	{"register", 200, `{"errno": 0, "data": {"key":"a\r\nb", "device_id": 1}}`, false},
	{"channels", 200, `{"errno":0,"error":"succ","result":[{"channel_id":20,"title":"test_qwer","desc":"1qwqwq/"},{"channel_id":100,"title":"my_quto_test","desc":"123_test"}]}`, true},
	{"channels", 200, `{"errno":0,"error":"succ"}`, true},
	{"channels", 200, `{"errno":0,"result":{"channel_id":1}}`, false},
	{"channels", 200, `{"errno":0,"result":[{"channel_id":"x"}]}`, false},
	{"status", 200, `{"errno": 0, "error": "succ", "result": {"total_count": 2, "devices": [{"id": "2480461", "online": false}, {"id": "2818370", "online": true}]}}`, true},
	{"status", 200, `{"errno": 0, "result": {"devices": [{"id": 2480461, "online": "maybe"}]}}`, false},
	{"play", 200, `{"errno": 0, "error":"succ", "data":{"addr":"183.230.40.39:1935", "accessToken":"abc", "type":"rtmpe"}}`, true},
	{"play", 200, `{"errno": 0, "data":{"addr":"183.230.40.39:1935/evil", "accessToken":"abc", "type":"rtmp"}}`, false},
	{"play", 200, `{"errno": 0, "data":{"addr":"h:1935", "accessToken":"a b#c", "type":"rtmp"}}`, false},
	{"play", 200, `{"errno": 0, "data":{"addr":"h:1935", "accessToken":"abc", "type":"javascript"}}`, false},
	{"play", 200, `{"errno": 0, "data":{"addr":"user@h:1935", "accessToken":"abc", "type":"rtmp"}}`, false},
	{"picture", 200, `{"errno": 0, "error":"succ", "data": {"format":"jpg", "size": 1234, "date": 1234, "name":"111", "desc":"name", "url":"url"}}`, true},
	{"picture", 200, `{"errno": 0, "data": {"size": "12x"}}`, false},
	{"files", 200, `{"data": [{"product_id": 111, "name": "test", "size": 1024, "date": 1548228623, "desc": ""}], "errno": 0, "error": "succ", "page_info": {"total_num": 0}}`, true},
	{"files", 200, `{"data": "x", "errno": 0}`, false},
	{"plain", 200, `{"errno":0,"error":"succ"}`, true},
	{"plain", 200, `{"errno":16,"error":"The channel already exists,cannot add again!"}`, false},
	{"plain", 200, `{"errno":"0","error":"succ"}`, true},
	{"plain", 200, `{"errno":0.5}`, false},
	{"plain", 500, `<html>`, false},
	{"plain", 302, ``, false},
	{"plain", 200, `{"errno":1,"error":"auth failed for FUZZ-KEY-0123"}`, false},
	{"storage", 200, `{"errno": 200, "error":"succ"}`, true},
	{"storage", 200, `{"errno": 0, "error":"succ"}`, false},
	{"storage", 413, `{"errno": 413, "error":"resource size is too big"}`, false},
	{"storage", 400, `{"errno": 1001, "error":"invalid name"}`, false},
}

// run sends one call against a canned answer and checks what must hold
// for any answer: no secret in the error, a sane result on success.
func run(t testing.TB, call string, status int, body []byte) error {
	c := cannedClient(t, status, body)
	ctx := context.Background()
	var err error
	switch call {
	case "create":
		var id string
		id, err = c.CreateDevice(ctx, onenet.Device{Title: "t"})
		if err == nil && (id == "" || len(id) > 64 || strings.Trim(id, "0123456789") != "") {
			t.Fatalf("device id %q accepted", id)
		}
	case "register":
		var reg onenet.Registration
		reg, err = c.Register(ctx, "code", onenet.RegisterSpec{SN: "s"})
		if err == nil && (strings.Trim(reg.DeviceID, "0123456789") != "" || reg.DeviceID == "" || reg.Key == "" || strings.ContainsAny(string(reg.Key), "\r\n")) {
			t.Fatalf("registration %q accepted", reg.DeviceID)
		}
	case "channels":
		_, err = c.Channels(ctx, "1")
	case "status":
		var st []onenet.DeviceStatus
		st, err = c.DeviceStatuses(ctx, "1", "2")
		if err == nil && len(st) > onenet.MaxStatusIDs {
			t.Fatalf("%d statuses accepted", len(st))
		}
	case "play":
		var p onenet.PlayAddress
		p, err = c.PlayAddress(ctx, "2162826", 2, onenet.RTMP)
		if err == nil {
			u := p.URL()
			prefix := p.Type + "://" + p.Addr + "/live/2162826-2?"
			if !strings.HasPrefix(u, prefix) || strings.ContainsAny(u, " #\n") || onenet.Redact(u) != prefix+"******" {
				t.Fatalf("play address %q accepted", u)
			}
		}
	case "picture":
		_, err = c.PictureInfo(ctx, onenet.Picture{DeviceID: "1", ChannelID: 1, Name: "n"})
	case "files":
		_, err = c.Files(ctx, "")
	case "plain":
		err = c.AddChannel(ctx, "1", onenet.Channel{ID: 1, Title: "a"})
	case "storage":
		err = c.DeleteFile(ctx, "a.mp4")
	default:
		t.Fatalf("unknown call %q", call)
	}
	if err != nil {
		_ = onenet.Retryable(err)
		if s := err.Error(); strings.Contains(s, fuzzKey) || len(s) > 1024 {
			t.Fatalf("error %q", s)
		}
	}
	return err
}

func TestAnswers(t *testing.T) {
	for _, a := range answers {
		err := run(t, a.call, a.status, []byte(a.body))
		if (err == nil) != a.ok {
			t.Errorf("%s %d %s: err = %v, want ok %v", a.call, a.status, a.body, err, a.ok)
		}
	}
}

func fuzzAnswers(f *testing.F, call string) {
	for _, a := range answers {
		if a.call == call {
			f.Add(a.status, []byte(a.body))
		}
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 100 || status > 599 {
			status = 200
		}
		run(t, call, status, body)
	})
}

func FuzzCreateDeviceAnswer(f *testing.F) { fuzzAnswers(f, "create") }
func FuzzRegisterAnswer(f *testing.F)     { fuzzAnswers(f, "register") }
func FuzzChannelsAnswer(f *testing.F)     { fuzzAnswers(f, "channels") }
func FuzzStatusAnswer(f *testing.F)       { fuzzAnswers(f, "status") }
func FuzzPlayAddressAnswer(f *testing.F)  { fuzzAnswers(f, "play") }
func FuzzPictureInfoAnswer(f *testing.F)  { fuzzAnswers(f, "picture") }
func FuzzFilesAnswer(f *testing.F)        { fuzzAnswers(f, "files") }
func FuzzPlainAnswer(f *testing.F)        { fuzzAnswers(f, "plain") }
func FuzzStorageAnswer(f *testing.F)      { fuzzAnswers(f, "storage") }
