package auth

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// FuzzTicket: no input panics the ticket parser; only what the key signed
// parses; a minted ticket round-trips and opens only its prefix.
func FuzzTicket(f *testing.F) {
	s := ticketSigner{key: []byte("0123456789abcdef0123456789abcdef")}
	now := time.Unix(1_800_000_000, 0)
	for _, c := range ticketCases {
		f.Add(c, "/live/c1.flv")
	}
	for _, p := range []string{"/hls/c1/", "/live/c1.flv", "/records/c1/2026-09-01/", "/snapshots/c1.jpg"} {
		tk := s.mint(p, now.Add(time.Minute))
		f.Add(tk, p)
		f.Add(flipMiddle(tk), p)
		f.Add(tk, p+"x")
	}
	f.Fuzz(func(t *testing.T, tk, path string) {
		if pt, err := s.parse(tk); err == nil {
			if !validPrefix(pt.prefix) {
				t.Fatalf("parsed a ticket with prefix %q", pt.prefix)
			}
			if s.mint(pt.prefix, pt.expires) != tk {
				t.Fatalf("a ticket that is not the key's own parsed: %q", tk)
			}
		}
		_ = s.verify(tk, path, now)
		if validPrefix(path) {
			minted := s.mint(path, now.Add(time.Minute))
			if err := s.verify(minted, path, now); err != nil {
				t.Fatalf("a fresh ticket for %q: %v", path, err)
			}
			if err := s.verify(minted, path+"0", now); err == nil && !strings.HasSuffix(path, "/") {
				t.Fatalf("ticket for %q opens %q", path, path+"0")
			}
			if err := s.verify(minted, path, now.Add(time.Minute)); err != errTicketExpired {
				t.Fatalf("ticket for %q at its expiry: %v", path, err)
			}
		}
	})
}

// FuzzSessionCookie: no cookie value panics the parser or finds a session
// it was not given; a real id always parses.
func FuzzSessionCookie(f *testing.F) {
	for _, c := range cookieCases {
		f.Add(c.in)
	}
	st := newSessionStore()
	now := time.Unix(1_800_000_000, 0)
	id, _, err := st.create("admin", RoleAdmin, now)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(id)
	f.Add(id[:42] + "B")
	f.Fuzz(func(t *testing.T, v string) {
		key, ok := parseSessionCookie(v)
		if !ok {
			return
		}
		if len(v) != 43 {
			t.Fatalf("parsed a %d-character cookie", len(v))
		}
		if _, _, found := st.lookup(key, now); found != (v == id) {
			t.Fatalf("cookie %q found=%v", v, found)
		}
	})
}

// FuzzAddTicket: the playlist rewrite never panics, keeps the number of
// lines, and leaves comment lines without URI attributes alone.
func FuzzAddTicket(f *testing.F) {
	f.Add(testPlaylist)
	f.Add("#EXT-X-KEY:URI=\"http://x\"\r\n\r\nseg.ts#a?b\n")
	f.Add("::%zz\n//host/a\n")
	f.Fuzz(func(t *testing.T, pl string) {
		out := string(addTicket([]byte(pl), "T.T"))
		if strings.Count(out, "\n") != strings.Count(pl, "\n") {
			t.Fatalf("lines changed: %q -> %q", pl, out)
		}
		if len(out) < len(pl) {
			t.Fatalf("rewrite shrank the playlist: %q -> %q", pl, out)
		}
	})
}

// FuzzCLIToken: no file content panics the token parser; what parses is
// 64 lower-case hex digits and matches only itself; a bearer header never
// yields a token that matches unless it carries the token.
func FuzzCLIToken(f *testing.F) {
	for _, c := range cliTokenCases {
		f.Add([]byte(c.in), "Bearer "+c.in)
	}
	f.Add([]byte(goodToken), "bearer  "+goodToken+" ")
	f.Add([]byte(goodToken), "Bearer")
	f.Add([]byte(goodToken), "Basic "+goodToken)
	f.Fuzz(func(t *testing.T, content []byte, header string) {
		tok, err := parseCLIToken(content)
		if err == nil {
			if len(tok.hex) != 64 || strings.Trim(tok.hex, "0123456789abcdef") != "" {
				t.Fatalf("parsed %q", tok.hex)
			}
			if !tok.matches(tok.hex) || tok.matches(tok.hex+"0") || tok.matches("") {
				t.Fatal("matches is not equality")
			}
		}
		r, rerr := http.NewRequest("GET", "http://box/api/outbox", nil)
		if rerr != nil {
			t.Fatal(rerr)
		}
		r.Header.Set("Authorization", header)
		if got, ok := bearerToken(r); ok && err == nil && tok.matches(got) && !strings.Contains(header, tok.hex) {
			t.Fatalf("header %q matched a token it does not carry", header)
		}
	})
}
