package tplink

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// The constants of the signature (§1.2.2.2).
const (
	signAlgorithm   = "HmacSHA256"
	scopeSuffix     = "tp-link_request"
	signingKeyLabel = "tp-link"
	emptyPayload    = "{}"

	// AuthHeader is the request header carrying the signature.
	AuthHeader = "X-Authorization"

	// NonceLength is the length of the Nonce field (32, the document's UUID without dashes).
	NonceLength = 32
	// MaxTerminalIDLength is the longest TerminalId the document allows.
	MaxTerminalIDLength = 64
)

// Signed is what signing one request produces; Header is the value of the
// X-Authorization header. The intermediate values are kept for tests.
type Signed struct {
	HashedPayload string
	StringToSign  string
	Signature     string
	Header        string
}

// SignInput is one request to sign. Path is the request path as sent, with
// its leading "/", without host.
type SignInput struct {
	AccessKey  string
	SecretKey  Secret
	TerminalID string
	Timestamp  int64
	Nonce      string
	Method     string
	Path       string
	Payload    []byte
}

// Sign computes the signature of §1.2.2.2:
//
//	hashed       = sha256Hex(payload or "{}")
//	stringToSign = "HmacSHA256\n" + ts + "\n" + method + " " + path + " tp-link_request\n" + hashed
//	key          = hmac(hmac(hmac(sk, ts), path), "tp-link")
//	signature    = hex(hmac(key, stringToSign))
//
// and the header "Timestamp=..,Nonce=..,AccessKey=..,Signature=..,TerminalId=.."
// (comma separated, no spaces).
func Sign(in SignInput) Signed {
	payload := in.Payload
	if len(payload) == 0 {
		payload = []byte(emptyPayload)
	}
	sum := sha256.Sum256(payload)
	hashed := hex.EncodeToString(sum[:])
	ts := strconv.FormatInt(in.Timestamp, 10)
	stringToSign := signAlgorithm + "\n" + ts + "\n" + in.Method + " " + in.Path + " " + scopeSuffix + "\n" + hashed

	secretDate := hmacSHA256([]byte(in.SecretKey.Reveal()), ts)
	secretService := hmacSHA256(secretDate, in.Path)
	secretSigning := hmacSHA256(secretService, signingKeyLabel)
	signature := hex.EncodeToString(hmacSHA256(secretSigning, stringToSign))

	header := "Timestamp=" + ts + ",Nonce=" + in.Nonce + ",AccessKey=" + in.AccessKey +
		",Signature=" + signature + ",TerminalId=" + in.TerminalID
	return Signed{HashedPayload: hashed, StringToSign: stringToSign, Signature: signature, Header: header}
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

// newNonce returns 32 lowercase hex characters from crypto/rand, fresh for
// every request (the cloud refuses a nonce seen in the last 5 minutes).
func newNonce() (string, error) {
	var b [NonceLength / 2]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("tplink: nonce: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// checkHeaderField rejects values that would break the comma separated
// header: empty, too long, or containing a comma, space, control or non-ASCII byte.
func checkHeaderField(name, v string, maxLen int) error {
	if v == "" {
		return fmt.Errorf("tplink: %s is empty", name)
	}
	if maxLen > 0 && len(v) > maxLen {
		return fmt.Errorf("tplink: %s is %d characters, at most %d are accepted", name, len(v), maxLen)
	}
	if i := strings.IndexFunc(v, func(r rune) bool { return r <= ' ' || r == ',' || r >= 0x7f }); i >= 0 {
		return fmt.Errorf("tplink: %s has a character at byte %d that the X-Authorization header cannot carry (accepted: printable ASCII without space or comma)", name, i)
	}
	return nil
}
