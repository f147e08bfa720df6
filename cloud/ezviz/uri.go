package ezviz

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// URIScheme is the scheme of channel sources resolved through Ezviz.
const URIScheme = "ezviz"

const (
	maxSerial  = 64
	maxChannel = 1024
)

// ParseURI reads ezviz://SERIAL/CHANNEL?quality=Q. CHANNEL defaults to 1 (an
// IPC's only channel, as the document says) and Q to 1 (HD); Q may be 1 or 2.
func ParseURI(s string) (serial string, channel int, quality int, err error) {
	const want = "want ezviz://SERIAL/CHANNEL?quality=1|2, e.g. ezviz://D12345678/1?quality=1"
	shown := s // what errors quote: a source with user info is redacted
	if strings.Contains(s, "@") {
		shown = Redact(s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", 0, 0, fmt.Errorf("ezviz source %q: %v; %s", shown, unwrapURLError(err), want)
	}
	switch {
	case u.Scheme != URIScheme:
		return "", 0, 0, fmt.Errorf("ezviz source %q: scheme %q; %s", shown, u.Scheme, want)
	case u.Opaque != "":
		return "", 0, 0, fmt.Errorf("ezviz source %q: missing // after ezviz:; %s", shown, want)
	case u.User != nil:
		return "", 0, 0, fmt.Errorf("ezviz source %q: no user or password belongs in it (the app key and secret go in the cloud.ezviz settings); %s", shown, want)
	case u.Fragment != "" || strings.Contains(s, "#"):
		return "", 0, 0, fmt.Errorf("ezviz source %q: unexpected #fragment; %s", shown, want)
	}
	serial = u.Host
	if err := checkSerial(serial); err != nil {
		return "", 0, 0, fmt.Errorf("ezviz source %q: %v; %s", shown, err, want)
	}
	channel = 1
	if p := strings.TrimSuffix(u.Path, "/"); p != "" {
		digits := strings.TrimPrefix(p, "/")
		n, err := strconv.Atoi(digits)
		if err != nil || strings.ContainsAny(digits, "+-/ ") || n < 1 || n > maxChannel {
			return "", 0, 0, fmt.Errorf("ezviz source %q: channel %q is not a number from 1 to %d; %s", shown, digits, maxChannel, want)
		}
		channel = n
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", 0, 0, fmt.Errorf("ezviz source %q: query: %v; %s", shown, err, want)
	}
	quality = QualityHD
	for key, values := range q {
		if key != "quality" {
			return "", 0, 0, fmt.Errorf("ezviz source %q: unknown parameter %q (only quality is accepted); %s", shown, key, want)
		}
		if len(values) != 1 || (values[0] != "1" && values[0] != "2") {
			return "", 0, 0, fmt.Errorf("ezviz source %q: quality %q: want 1 (HD) or 2 (SD)", shown, strings.Join(values, ","))
		}
		quality = int(values[0][0] - '0')
	}
	return serial, channel, quality, nil
}

// checkSerial accepts a device serial: 1-64 letters and digits.
func checkSerial(serial string) error {
	if serial == "" {
		return fmt.Errorf("device serial is empty")
	}
	if len(serial) > maxSerial {
		return fmt.Errorf("device serial is %d characters long, at most %d are accepted", len(serial), maxSerial)
	}
	for _, r := range serial {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return fmt.Errorf("device serial %q: only letters and digits are accepted", serial)
		}
	}
	return nil
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
