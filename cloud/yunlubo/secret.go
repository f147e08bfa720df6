package yunlubo

import (
	"encoding/json"
	"log/slog"
)

const redacted = "******"

// Secret holds a credential (unionid, token, device password). Every way of
// printing, logging or marshalling it yields "******"; Reveal gives the value.
type Secret string

// Reveal returns the real value, for the one place that must send it.
func (s Secret) Reveal() string { return string(s) }

// String hides the value from fmt's %v and %s.
func (s Secret) String() string { return redacted }

// GoString hides the value from fmt's %#v.
func (s Secret) GoString() string { return redacted }

// LogValue hides the value from log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText hides the value from encoders (JSON, YAML, …).
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// UnmarshalJSON reads a JSON string (null leaves it empty). It exists so that
// decoding does not go through UnmarshalText symmetry with MarshalText.
func (s *Secret) UnmarshalJSON(b []byte) error {
	var v *string
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	if v == nil {
		*s = ""
		return nil
	}
	*s = Secret(*v)
	return nil
}
