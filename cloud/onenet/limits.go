package onenet

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits from the document, checked before a request is sent.
const (
	MaxDeviceTitle    = 64        // 1.1 title: "64个字符以内" (characters)
	MaxRegisterTitle  = 32        // 1.2 title: "最长32个字符"
	MaxRegisterSNMAC  = 512       // 1.2 sn / mac: "最长512字符"
	MaxChannelTitle   = 64        // 2.3/2.4 title: "长度不超过64", letters and digits only
	MaxStatusIDs      = 30        // 8 devIds: "最多30个"
	MaxStatusIDsLen   = 500       // 8 devIds: "长度不超过500"
	MaxPreloadIdle    = 120       // 4.2 idle_time (s): "最大值120"
	MaxFileName       = 256       // 15 errno 1002
	MaxFileDesc       = 1024      // 15 errno 1003
	MaxFileSize       = 8 << 20   // 15.1 "8M以内", taken as 8 MiB
	maxPictureSize    = 100 << 20 // not documented; bounds a caller's mistake only
	maxNameOrIDLength = 256       // names and ids we put in a query, not documented
)

func fieldLen(op, field string, n, limit int, rule string) error {
	return &FieldError{Op: op, Field: field, Len: n, Limit: limit, Rule: rule}
}

func fieldBad(op, field, reject, rule string) error {
	return &FieldError{Op: op, Field: field, Reject: reject, Rule: rule}
}

// checkText checks a free text: valid UTF-8, no control characters, at
// most limit characters (0: no documented limit), present when required.
func checkText(op, field, v string, limit int, required bool) error {
	if v == "" {
		if required {
			return fieldBad(op, field, "is empty", "required")
		}
		return nil
	}
	if !utf8.ValidString(v) {
		return fieldBad(op, field, "is not valid UTF-8", "UTF-8 text")
	}
	if strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fieldBad(op, field, "contains control characters", "printable text")
	}
	if n := utf8.RuneCountInString(v); limit > 0 && n > limit {
		return fieldLen(op, field, n, limit, "characters")
	}
	return nil
}

// checkChannelTitle: required, at most 64, only ASCII letters and digits.
func checkChannelTitle(op, title string) error {
	const rule = "1-64 letters and digits"
	if title == "" {
		return fieldBad(op, "title", "is empty", rule)
	}
	if len(title) > MaxChannelTitle {
		return fieldLen(op, "title", utf8.RuneCountInString(title), MaxChannelTitle, rule)
	}
	for _, r := range title {
		if !isASCIIAlnum(r) {
			return fieldBad(op, "title", "contains "+strconv.QuoteRune(r), rule)
		}
	}
	return nil
}

// checkFileName: object-storage names (15, errno 1001/1002).
func checkFileName(op, name string) error {
	const rule = "1-256 of letters, digits, '-', '_', '.'"
	if name == "" {
		return fieldBad(op, "name", "is empty", rule)
	}
	if len(name) > MaxFileName {
		return fieldLen(op, "name", len(name), MaxFileName, rule)
	}
	for _, r := range name {
		if !isASCIIAlnum(r) && r != '-' && r != '_' && r != '.' {
			return fieldBad(op, "name", "contains "+strconv.QuoteRune(r), rule)
		}
	}
	return nil
}

// checkID checks a device id or other identifier the caller gives: digits
// only, as the platform assigns them.
func checkID(op, field, id string) error {
	const rule = "a platform id (digits)"
	if id == "" {
		return fieldBad(op, field, "is empty", rule)
	}
	if len(id) > maxIDLen {
		return fieldLen(op, field, len(id), maxIDLen, rule)
	}
	for _, r := range id {
		if r < '0' || r > '9' {
			return fieldBad(op, field, "contains "+strconv.QuoteRune(r), rule)
		}
	}
	return nil
}

func checkChannelID(op string, ch int) error {
	if ch < 0 {
		return fieldBad(op, "channel_id", "is negative", "a channel number >= 0")
	}
	return nil
}

func isASCIIAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}
