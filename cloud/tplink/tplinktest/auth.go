package tplinktest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Authorization is a parsed X-Authorization header (§1.2.2.2).
type Authorization struct {
	Timestamp  int64
	Nonce      string
	AccessKey  string
	Signature  string
	TerminalID string
}

// authFields are the five fields the header must carry, each exactly once.
var authFields = []string{"Timestamp", "Nonce", "AccessKey", "Signature", "TerminalId"}

// ParseAuthorization reads "Timestamp=..,Nonce=..,AccessKey=..,Signature=..,TerminalId=..".
// It refuses what §1.2.2.4 lists under -10303: a missing field, a space, a
// Timestamp that is not 10 digits; and what the decisions add: a Nonce that
// is not 32 characters, a TerminalId longer than 64.
func ParseAuthorization(h string) (Authorization, error) {
	var a Authorization
	if h == "" {
		return a, errors.New("no X-Authorization header")
	}
	if len(h) > 1024 {
		return a, errors.New("X-Authorization header too long")
	}
	if strings.ContainsAny(h, " \t\r\n") {
		return a, errors.New("X-Authorization header contains whitespace")
	}
	parts := strings.Split(h, ",")
	if len(parts) != len(authFields) {
		return a, fmt.Errorf("X-Authorization has %d fields, want 5", len(parts))
	}
	seen := map[string]string{}
	for _, p := range parts {
		k, v, ok := strings.Cut(p, "=")
		if !ok || v == "" {
			return a, fmt.Errorf("X-Authorization field %.30q has no value", p)
		}
		if _, dup := seen[k]; dup {
			return a, fmt.Errorf("X-Authorization field %.30q given twice", k)
		}
		seen[k] = v
	}
	for _, k := range authFields {
		if _, ok := seen[k]; !ok {
			return a, fmt.Errorf("X-Authorization lacks %s", k)
		}
	}
	ts := seen["Timestamp"]
	if len(ts) != 10 || strings.Trim(ts, "0123456789") != "" {
		return a, errors.New("the Timestamp is not a 10-digit UNIX time")
	}
	a.Timestamp, _ = strconv.ParseInt(ts, 10, 64)
	a.Nonce, a.AccessKey, a.Signature, a.TerminalID = seen["Nonce"], seen["AccessKey"], seen["Signature"], seen["TerminalId"]
	if len(a.Nonce) != 32 {
		return a, errors.New("the Nonce is not 32 characters")
	}
	if len(a.TerminalID) > 64 {
		return a, errors.New("the TerminalId is longer than 64 characters")
	}
	return a, nil
}

// expectedSignature is the emulator's own computation of §1.2.2.2, written
// apart from the client's so that one mistake is not shared by both.
func expectedSignature(sk string, ts int64, method, path string, body []byte) string {
	if len(body) == 0 {
		body = []byte("{}")
	}
	h := sha256.New()
	h.Write(body)
	tsText := strconv.FormatInt(ts, 10)
	toSign := strings.Join([]string{
		"HmacSHA256",
		tsText,
		method + " " + path + " tp-link_request",
		hex.EncodeToString(h.Sum(nil)),
	}, "\n")
	key := []byte(sk)
	for _, part := range []string{tsText, path, "tp-link"} {
		key = mac(key, part)
	}
	return hex.EncodeToString(mac(key, toSign))
}

func mac(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
