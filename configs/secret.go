package configs

import (
	"log/slog"
)

// redacted replaces secrets wherever they are shown.
const redacted = "******"

// Secret is a password, key or token. It prints, logs and marshals (JSON,
// YAML, text) as "******"; string(s) is the real value, for use on the wire.
type Secret string

// String returns "******".
func (Secret) String() string { return redacted }

// GoString returns "******" so %#v does not reveal the value either.
func (Secret) GoString() string { return `"` + redacted + `"` }

// LogValue returns "******" for log/slog.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText returns "******", so encoders (JSON, YAML) never write the value.
func (Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }
