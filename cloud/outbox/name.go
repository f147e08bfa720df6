package outbox

import (
	"strings"
	"time"
)

// ObjectName is the deterministic remote name of a channel's picture or
// file taken at t: "{channel}_{kind}_{UTC 20060102T150405Z}" plus suffix
// (e.g. "_1" for a slice), with every byte outside [A-Za-z0-9._-] replaced
// by '-', since platforms refuse "special characters" (OneNET 1001). The
// same arguments give the same name, so a retry is recognised as a
// duplicate instead of stored twice.
func ObjectName(channel string, kind Kind, t time.Time, suffix string) string {
	raw := channel + "_" + string(kind) + "_" + t.UTC().Format("20060102T150405Z") + suffix
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_', r == '-':
			return r
		}
		return '-'
	}, raw)
}
