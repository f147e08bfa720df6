package tplink

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// flexInt reads a JSON number or a numeric string: the document prints some
// fields as "string" in its tables and as numbers in its examples (channelId
// of searchYear), so both are accepted. set tells a present field from 0.
type flexInt struct {
	v   int
	set bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		fl, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || fl != math.Trunc(fl) {
			return fmt.Errorf("not an integer: %.40q", s)
		}
		if math.Abs(fl) > 1<<53 {
			return fmt.Errorf("integer out of range: %.40q", s)
		}
		n = int64(fl)
	}
	f.v, f.set = int(n), true
	return nil
}
