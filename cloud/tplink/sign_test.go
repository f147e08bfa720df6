package tplink

import (
	"encoding/json"
	"os"
	"regexp"
	"testing"
)

// signVector is one entry of testdata/sign_vectors.json, computed by the
// document's own Python example (see testdata/README.md).
type signVector struct {
	Name          string `json:"name"`
	AK            string `json:"ak"`
	SK            string `json:"sk"`
	TerminalID    string `json:"terminal_id"`
	Timestamp     int64  `json:"timestamp"`
	Nonce         string `json:"nonce"`
	Method        string `json:"method"`
	Path          string `json:"path"`
	Payload       string `json:"payload"`
	HashedPayload string `json:"hashed_payload"`
	StringToSign  string `json:"string_to_sign"`
	Signature     string `json:"signature"`
	Authorization string `json:"authorization"`
}

func loadSignVectors(t testing.TB) []signVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/sign_vectors.json")
	if err != nil {
		t.Fatalf("sign vectors missing: %v", err)
	}
	var vs []signVector
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatalf("sign vectors: %v", err)
	}
	if len(vs) < 4 {
		t.Fatalf("expected at least 4 sign vectors, got %d", len(vs))
	}
	return vs
}

func TestSignMatchesDocumentPython(t *testing.T) {
	for _, v := range loadSignVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			got := Sign(SignInput{
				AccessKey: v.AK, SecretKey: Secret(v.SK), TerminalID: v.TerminalID,
				Timestamp: v.Timestamp, Nonce: v.Nonce, Method: v.Method, Path: v.Path,
				Payload: []byte(v.Payload),
			})
			if got.HashedPayload != v.HashedPayload {
				t.Errorf("hashed payload %s, python %s", got.HashedPayload, v.HashedPayload)
			}
			if got.StringToSign != v.StringToSign {
				t.Errorf("string to sign %q, python %q", got.StringToSign, v.StringToSign)
			}
			if got.Signature != v.Signature {
				t.Errorf("signature %s, python %s", got.Signature, v.Signature)
			}
			if got.Header != v.Authorization {
				t.Errorf("header %s, python %s", got.Header, v.Authorization)
			}
		})
	}
}

func TestEmptyPayloadSignsAsBraces(t *testing.T) {
	in := SignInput{AccessKey: "a", SecretKey: "s", TerminalID: "t", Timestamp: 1700000000, Nonce: "n", Method: "POST", Path: "/p"}
	empty := Sign(in)
	in.Payload = []byte("{}")
	if braces := Sign(in); braces != empty {
		t.Fatalf("empty body signed %s, {} signed %s", empty.Signature, braces.Signature)
	}
}

func TestNonceIsFresh32Hex(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		n, err := newNonce()
		if err != nil {
			t.Fatal(err)
		}
		if !re.MatchString(n) {
			t.Fatalf("nonce %q is not 32 lowercase hex", n)
		}
		if seen[n] {
			t.Fatalf("nonce %q repeated", n)
		}
		seen[n] = true
	}
}
