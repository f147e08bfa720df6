package configs

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a configuration.
type Problem struct {
	// Path locates the setting, e.g. "channels[2].source"; "" when the
	// problem is with the document as a whole (Msg then names the line).
	Path string
	// Msg says what is wrong and what is accepted.
	Msg string
}

// String returns "path: message".
func (p Problem) String() string {
	if p.Path == "" {
		return p.Msg
	}
	return p.Path + ": " + p.Msg
}

// ProblemsError is every problem found in one configuration.
type ProblemsError struct {
	// Origin names where the configuration came from (usually its file).
	Origin string
	// Problems in document order: decoding problems first, then validation.
	Problems []Problem
}

// Error prints one problem per line as "path: message".
func (e *ProblemsError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// problems collects Problems during validation.
type problems []Problem

func (ps *problems) add(path, format string, args ...any) {
	*ps = append(*ps, Problem{Path: path, Msg: fmt.Sprintf(format, args...)})
}
