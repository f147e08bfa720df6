package auth

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTicketOpensOnlyItsPrefixAndOnlyReads(t *testing.T) {
	r := newRig(t)
	tk := r.guard.Mint("/hls/c1/", 10*time.Minute)
	link := &client{r: r}
	q := "?ticket=" + url.QueryEscape(tk)
	for _, p := range []string{"/hls/c1/index.m3u8", "/hls/c1/seg1.ts", "/hls/c1/init.mp4"} {
		a := link.do("GET", p+q, "")
		if a.code != 200 {
			t.Errorf("GET %s with its ticket: %d %q", p, a.code, a.body)
		}
	}
	if a := link.do("HEAD", "/hls/c1/seg1.ts"+q, ""); a.code != 200 {
		t.Errorf("HEAD with a ticket: %d", a.code)
	}
	if a := link.do("GET", "/hls/c1/seg1.ts"+q, ""); !strings.Contains(a.body, "user= role=viewer known=true") {
		t.Errorf("UserFrom for a ticket: %q", a.body)
	}
	for _, c := range []struct{ method, path string }{
		{"GET", "/hls/c2/index.m3u8"},
		{"GET", "/hls/c10/index.m3u8"},
		{"GET", "/live/c1.flv"},
		{"GET", "/records/c1/a.mp4"},
		{"GET", "/api/records"},
		{"GET", "/api/auth/me"},
		{"GET", "/metrics"},
		{"GET", "/hls/c1/../c2/index.m3u8"},
		{"POST", "/hls/c1/index.m3u8"},
		{"DELETE", "/hls/c1/seg1.ts"},
		{"POST", "/api/record/start"},
	} {
		if a := link.do(c.method, c.path+q, ""); a.code != 401 {
			t.Errorf("%s %s with a ticket for /hls/c1/: %d, want 401", c.method, c.path, a.code)
		}
	}
	// A prefix without a slash: the file itself, not a longer name.
	flv := "?ticket=" + r.guard.Mint("/live/c1.flv", time.Minute)
	if a := link.do("GET", "/live/c1.flv"+flv, ""); a.code != 200 {
		t.Errorf("ticket for /live/c1.flv: %d", a.code)
	}
	if a := link.do("GET", "/live/c1.flv2"+flv, ""); a.code != 401 {
		t.Errorf("ticket for /live/c1.flv opens /live/c1.flv2: %d", a.code)
	}
}

func TestTicketExpiresAndTamperingIsRefused(t *testing.T) {
	r := newRig(t)
	tk := r.guard.Mint("/records/c1/", 10*time.Minute)
	link := &client{r: r}
	get := func(ticket string) answer {
		return link.do("GET", "/records/c1/2026-09-01/080000_0.mp4?ticket="+url.QueryEscape(ticket), "")
	}
	if a := get(tk); a.code != 200 {
		t.Fatalf("fresh ticket: %d", a.code)
	}
	body, sig, _ := strings.Cut(tk, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(body)
	later := append([]byte{}, payload...)
	later[7] ^= 0x40 // a later expiry, same signature
	wider := append(append([]byte{}, payload[:8]...), "/records/"...)
	tampered := map[string]string{
		"flipped signature": body + "." + flipMiddle(sig),
		"flipped body":      flipMiddle(body) + "." + sig,
		"later expiry":      base64.RawURLEncoding.EncodeToString(later) + "." + sig,
		"wider prefix":      base64.RawURLEncoding.EncodeToString(wider) + "." + sig,
		"no signature":      body,
		"empty signature":   body + ".",
		"padded":            tk + "=",
		"other key":         otherGuardTicket(t, "/records/c1/"),
		"garbage":           "not-a-ticket",
		"empty":             "",
		"huge":              strings.Repeat("A", 5000) + "." + sig,
	}
	for name, bad := range tampered {
		if a := get(bad); a.code != 401 {
			t.Errorf("%s ticket: %d, want 401", name, a.code)
		}
	}
	r.clock.Advance(10*time.Minute - time.Second)
	if a := get(tk); a.code != 200 {
		t.Fatalf("1 s before expiry: %d", a.code)
	}
	r.clock.Advance(time.Second)
	a := get(tk)
	if a.code != 401 || !strings.Contains(a.body, "expired") {
		t.Fatalf("expired ticket: %d %q", a.code, a.body)
	}
}

func TestTicketTTLCapped(t *testing.T) {
	r := newRig(t)
	tk := r.guard.Mint("/live/", 30*24*time.Hour)
	pt, err := r.guard.tickets.parse(tk)
	if err != nil {
		t.Fatal(err)
	}
	if got := pt.expires.Sub(r.clock.Now()); got != MaxTicketTTL {
		t.Fatalf("a 30-day ticket lives %v, cap %v", got, MaxTicketTTL)
	}
}

func TestTicketKeySurvivesRestart(t *testing.T) {
	r := newRig(t)
	tk := r.guard.Mint("/snapshots/c1.jpg", time.Hour)
	r2 := newRigOn(t, r.db)
	if err := r2.guard.tickets.verify(tk, "/snapshots/c1.jpg", r.clock.Now()); err != nil {
		t.Fatalf("a ticket from before the restart: %v", err)
	}
	if got, _ := r.db.GetState(ticketKeyState); len(got) != ticketKeyLen {
		t.Fatalf("stored key has %d bytes", len(got))
	}
}

func TestTicketEndpoint(t *testing.T) {
	r := newRig(t)
	admin := r.login(adminName, adminPass)
	a := admin.write("POST", "/api/auth/ticket", `{"path":"/live/c1.flv","ttl":"10m"}`)
	if a.code != 200 {
		t.Fatalf("ticket: %d %s", a.code, a.body)
	}
	m := a.json(t)
	tk, _ := m["ticket"].(string)
	if tk == "" || m["url"] != "/live/c1.flv?ticket="+tk || m["expires"] != "2026-09-01T08:10:00Z" {
		t.Fatalf("ticket answer %s", a.body)
	}
	if a := (&client{r: r}).do("GET", m["url"].(string), ""); a.code != 200 {
		t.Fatalf("the minted url: %d", a.code)
	}
	for _, body := range []string{
		`{"path":"/live/c1.flv","ttl":"25h"}`,
		`{"path":"/live/c1.flv","ttl":"-1m"}`,
		`{"path":"/live/c1.flv","ttl":"soon"}`,
		`{"path":"/api/outbox"}`,
		`{"path":"/live"}`,
		`{"path":"/live/../api/outbox"}`,
		`{"path":"live/c1.flv"}`,
		`{"path":""}`,
		`{"path":"/live/c1.flv?x=1"}`,
		`not json`,
	} {
		if a := admin.write("POST", "/api/auth/ticket", body); a.code != 400 || a.json(t)["error"] == nil {
			t.Errorf("ticket %s: %d %s, want 400", body, a.code, a.body)
		}
	}
	viewer := r.login(viewerName, viewerPass)
	if a := viewer.write("POST", "/api/auth/ticket", `{"path":"/live/c1.flv"}`); a.code != 403 {
		t.Errorf("viewer minting a ticket: %d", a.code)
	}
	if a := r.anon().do("POST", "/api/auth/ticket", `{"path":"/live/c1.flv"}`); a.code != 401 {
		t.Errorf("anonymous minting a ticket: %d", a.code)
	}
}

func TestPlaylistCarriesTicket(t *testing.T) {
	r := newRig(t)
	tk := r.guard.Mint("/hls/c1/", time.Minute)
	a := (&client{r: r}).do("GET", "/hls/c1/index.m3u8?ticket="+tk, "")
	if a.code != 200 {
		t.Fatalf("playlist: %d", a.code)
	}
	want := strings.NewReplacer(
		`URI="init.mp4"`, `URI="init.mp4?ticket=`+tk+`"`,
		"\nseg1.ts\n", "\nseg1.ts?ticket="+tk+"\n",
		"\nseg2.ts?x=1\n", "\nseg2.ts?x=1&ticket="+tk+"\n",
	).Replace(testPlaylist)
	if a.body != want {
		t.Fatalf("playlist:\n%s\nwant:\n%s", a.body, want)
	}
	if a.header.Get("Content-Length") != itoa(len(want)) {
		t.Errorf("Content-Length %q, body %d bytes", a.header.Get("Content-Length"), len(want))
	}
	// Every URI in it opens with the ticket it carries.
	for _, line := range strings.Split(a.body, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			if got := (&client{r: r}).do("GET", "/hls/c1/"+line, ""); got.code != 200 {
				t.Errorf("segment %s from the playlist: %d", line, got.code)
			}
		}
	}
	// A signed-in viewer gets the playlist as it is.
	v := r.login(viewerName, viewerPass)
	if a := v.do("GET", "/hls/c1/index.m3u8", ""); a.body != testPlaylist {
		t.Errorf("playlist for a session was changed:\n%s", a.body)
	}
}

func TestAddTicket(t *testing.T) {
	cases := []struct{ in, want string }{
		{"#EXTM3U\r\nseg.ts\r\n", "#EXTM3U\r\nseg.ts?ticket=T\r\n"},
		{"a.ts#frag\n", "a.ts?ticket=T#frag\n"},
		{"/hls/c1/a.ts\n", "/hls/c1/a.ts?ticket=T\n"},
		{"http://cdn.example/a.ts\n", "http://cdn.example/a.ts\n"},
		{"//cdn.example/a.ts\n", "//cdn.example/a.ts\n"},
		{"#EXT-X-KEY:METHOD=AES-128,URI=\"https://keys.example/k\"\n", "#EXT-X-KEY:METHOD=AES-128,URI=\"https://keys.example/k\"\n"},
		{"#EXT-X-MEDIA:TYPE=AUDIO,URI=\"audio/index.m3u8\",NAME=\"a\"\n", "#EXT-X-MEDIA:TYPE=AUDIO,URI=\"audio/index.m3u8?ticket=T\",NAME=\"a\"\n"},
		{"#EXT-X-PART:DURATION=0.5,URI=\"p1.m4s\"\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p2.m4s\"\n", "#EXT-X-PART:DURATION=0.5,URI=\"p1.m4s?ticket=T\"\n#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"p2.m4s?ticket=T\"\n"},
		{"\n\n", "\n\n"},
		{"last", "last?ticket=T"},
	}
	for _, c := range cases {
		if got := string(addTicket([]byte(c.in), "T")); got != c.want {
			t.Errorf("addTicket(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func flipMiddle(s string) string {
	i := len(s) / 2
	c := byte('A')
	if s[i] == 'A' {
		c = 'B'
	}
	return s[:i] + string(c) + s[i+1:]
}

func otherGuardTicket(t *testing.T, prefix string) string {
	g, err := New(Options{Logger: discardLogger()})
	if err != nil {
		t.Fatal(err)
	}
	return g.Mint(prefix, time.Hour)
}

// ticketCases seed FuzzTicket.
var ticketCases = []string{
	"", ".", "a.b", "AAAAAAAAAAA.AAAA", strings.Repeat("A", maxTicketLen+1),
	"AAAAAGj1l4AvbGl2ZS9jMS5mbHY.zzzz",
}

func TestPlaylistWriterPassesOtherAnswers(t *testing.T) {
	// Not 200: passed through as it is.
	rec := httptest.NewRecorder()
	pw := &playlistWriter{ResponseWriter: rec, ticket: "T"}
	http.NotFound(pw, httptest.NewRequest("GET", "/", nil))
	pw.finish()
	if rec.Code != 404 || strings.Contains(rec.Body.String(), "ticket") {
		t.Errorf("404 through the playlist writer: %d %q", rec.Code, rec.Body.String())
	}
	// Over maxPlaylist: passed through unchanged, every byte.
	rec = httptest.NewRecorder()
	pw = &playlistWriter{ResponseWriter: rec, ticket: "T"}
	big := strings.Repeat("seg.ts\n", maxPlaylist/7+10)
	for chunk := range slices.Chunk([]byte(big), 4096) {
		if _, err := pw.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	pw.finish()
	if rec.Code != 200 || rec.Body.String() != big {
		t.Errorf("an oversized playlist: %d, %d bytes of %d, changed %v", rec.Code, rec.Body.Len(), len(big), rec.Body.String() != big)
	}
	// Nothing written: nothing added.
	rec = httptest.NewRecorder()
	pw = &playlistWriter{ResponseWriter: rec, ticket: "T"}
	pw.finish()
	if rec.Body.Len() != 0 {
		t.Errorf("empty answer grew: %q", rec.Body.String())
	}
}
