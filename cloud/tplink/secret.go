package tplink

import (
	"fmt"
	"log/slog"
)

// Secret is a string that never shows itself in logs, errors or %v output.
// Use Reveal where the value must really be sent.
type Secret string

const redacted = "******"

// Reveal returns the secret value; call it only to put the value on the wire.
func (s Secret) Reveal() string { return string(s) }

// String hides the value.
func (s Secret) String() string { return redacted }

// GoString hides the value from %#v.
func (s Secret) GoString() string { return redacted }

// LogValue hides the value from log/slog.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalText hides the value from encoders (JSON, YAML, text).
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Format hides the value from every fmt verb, %q and %x included.
func (s Secret) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(redacted)) }
