package yunlubo

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

func FuzzInt(f *testing.F) {
	for _, tc := range intCases {
		f.Add([]byte(tc.in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var n Int
		if err := json.Unmarshal(b, &n); err != nil {
			return
		}
		out, err := json.Marshal(n)
		if err != nil {
			t.Fatal(err)
		}
		var back Int
		if err := json.Unmarshal(out, &back); err != nil || back != n {
			t.Fatalf("%s -> %d -> %s -> %d (%v)", b, n, out, back, err)
		}
	})
}

// FuzzDecodeAnswer feeds any body to the decoding of every answer type, as
// the client does it (err_code first, then the typed answer).
func FuzzDecodeAnswer(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "examples", "*.json"))
	if len(files) == 0 {
		f.Fatal("no example answers in testdata/examples")
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"err_code":"0","data":[{"camera_id":"1","device_pass":"YWRtaW4=","device_cmd_prot":"8000"}],"max_page":"2"}`))
	f.Add([]byte(`{"err_code":1007,"err_msg":"凭证已过期"}`))
	f.Add([]byte(`{"err_code":0,"data":null}`))
	f.Add([]byte(`{"err_code":0,"data":{}}`))
	c, err := New(Options{BaseURL: "http://127.0.0.1:1", UnionID: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		decodePage[School](t, c, body)
		decodePage[Subject](t, c, body)
		decodePage[Grade](t, c, body)
		decodePage[Teacher](t, c, body)
		decodePage[Gather](t, c, body)
		decodePage[Record](t, c, body)
		decodePage[Course](t, c, body)
		if p := decodePage[Camera](t, c, body); p != nil {
			for _, cam := range p.Data {
				_, _ = cam.Password()
				_ = cam.String()
				if _, err := json.Marshal(cam); err != nil {
					t.Fatal(err)
				}
			}
		}
		var v Version
		_ = decodeJSON(EndpointVersion, body, &v)
		if tok, err := DecodeToken(body); err == nil {
			if back, err := DecodeToken(EncodeToken(tok)); err != nil || back.Value != tok.Value {
				t.Fatalf("stored token round trip: %v", err)
			}
		}
		var tok struct {
			Token   Secret `json:"token"`
			Expires Int    `json:"expires"`
		}
		_ = c.decode(EndpointAccessToken, body, &tok, "")
		var saved CourseSaved
		_ = c.decode(EndpointAddCourse, body, &saved, "")
		var added CameraAdded
		_ = c.decode(EndpointAddCamera, body, &added, "")
	})
}

func decodePage[T any](t *testing.T, c *Client, body []byte) *Page[T] {
	var d pageDecoder[T]
	if err := c.decode("list", body, &d, ""); err != nil {
		return nil
	}
	if d.p == nil {
		t.Fatal("no page and no error")
	}
	if len(d.p.Data) > maxRowsPerPage {
		t.Fatalf("%d rows accepted", len(d.p.Data))
	}
	return d.p
}

// FuzzParseURL feeds any request target to the request side (ParseURL,
// ValidateParams, PageParams).
func FuzzParseURL(f *testing.F) {
	for _, tc := range requestCases {
		f.Add(tc.target)
	}
	for _, tc := range validateCases {
		f.Add("/api/v1/" + tc.endpoint + "?" + tc.query)
	}
	f.Fuzz(func(t *testing.T, target string) {
		u, err := url.ParseRequestURI(target)
		if err != nil {
			return
		}
		ep, params, err := ParseURL(u)
		if err != nil {
			return
		}
		if !knownEndpoint(ep) {
			t.Fatalf("unknown endpoint %q accepted", ep)
		}
		if err := ValidateParams(ep, params); err != nil {
			if e, ok := err.(*Error); !ok || Meaning(ep, e.Code) == "" {
				t.Fatalf("undocumented refusal %v", err)
			}
		}
		cur, per := PageParams(params)
		if cur < 1 || per < 1 || per > MaxPerPage {
			t.Fatalf("cur %d per %d", cur, per)
		}
	})
}
