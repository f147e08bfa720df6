package yunlubo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Int is an integer the server may send as a JSON number (12), as a string
// ("12") or as an empty string or null (both 0). The document does all of
// these for cur_page, per_page, file_size, duration and ids. It is written
// back as a JSON number.
type Int int64

// UnmarshalJSON accepts 12, 12.0, "12", " 12 ", "" and null.
func (n *Int) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		*n = 0
		return nil
	}
	text := string(b)
	if b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return fmt.Errorf("yunlubo: number: %w", err)
		}
		text = strings.TrimSpace(s)
		if text == "" {
			*n = 0
			return nil
		}
	}
	v, err := parseInt(text)
	if err != nil {
		return err
	}
	*n = Int(v)
	return nil
}

// MarshalJSON writes a plain JSON number.
func (n Int) MarshalJSON() ([]byte, error) {
	return strconv.AppendInt(nil, int64(n), 10), nil
}

// parseInt accepts a decimal integer, or a JSON number with no fractional
// part (1e3, 12.0), within int64.
func parseInt(s string) (int64, error) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) ||
		f < math.MinInt64 || f >= math.MaxInt64 {
		return 0, fmt.Errorf("yunlubo: %q is not an integer", clip(s, 32))
	}
	return int64(f), nil
}

// clip shortens hostile text before it goes into an error message, and
// makes it one line of valid UTF-8 (no log injection through err_msg).
func clip(s string, max int) string {
	if len(s) > max {
		s = s[:max] + "…"
	}
	s = strings.ToValidUTF8(s, "?")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}
