package onenet

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// flexInt is an integer the platform writes as a JSON number or a numeric
// string (the document does both).
type flexInt int64

func (n *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	v, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(string(b), 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return errors.New("not an integer")
		}
		v = int64(f)
	}
	if v > 1<<53 || v < -(1<<53) {
		return fmt.Errorf("integer out of range")
	}
	*n = flexInt(v)
	return nil
}

// flexID is an identifier the platform writes as a string ("233444") or a
// number (21442). It must be non-empty and short.
type flexID string

// maxIDLen bounds identifiers taken from answers.
const maxIDLen = 64

func (id *flexID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	var s string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	} else {
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return errors.New("id is neither a string nor a number")
		}
		if _, err := strconv.ParseUint(n.String(), 10, 64); err != nil {
			return errors.New("id is not a whole number")
		}
		s = n.String()
	}
	if s == "" || len(s) > maxIDLen {
		return fmt.Errorf("id of %d bytes", len(s))
	}
	*id = flexID(s)
	return nil
}

// flexBool is a boolean the platform may write as true/false, 0/1 or a
// string of those.
type flexBool bool

func (v *flexBool) UnmarshalJSON(b []byte) error {
	switch string(bytes.Trim(bytes.TrimSpace(b), `"`)) {
	case "true", "1":
		*v = true
	case "false", "0", "null", "":
		*v = false
	default:
		return errors.New("not a boolean")
	}
	return nil
}

// decodeInto decodes the data or result part of an answer into v, which
// must be present.
func decodeInto(op string, raw json.RawMessage, v any) error {
	if len(raw) == 0 || string(raw) == "null" {
		return &ProtocolError{Op: op, HTTPStatus: 200, Reason: "answer without data"}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return &ProtocolError{Op: op, HTTPStatus: 200, Reason: describeDecodeError(err)}
	}
	return nil
}
