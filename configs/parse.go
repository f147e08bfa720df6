package configs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads and parses the configuration file at path. A configuration
// with problems returns a *ProblemsError listing all of them.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes a YAML configuration, fills in defaults and validates it.
// origin names the source in the error (usually the file name). Unknown
// keys, values of the wrong type and invalid settings are all collected and
// returned together as a *ProblemsError.
func Parse(data []byte, origin string) (*Config, error) {
	fail := func(ps []Problem) (*Config, error) {
		return nil, &ProblemsError{Origin: origin, Problems: ps}
	}

	root, err := decodeDocument(data)
	if err != nil {
		return fail([]Problem{{Msg: syntaxMessage(data, err)}})
	}
	cfg := &Config{}
	var decodeProblems []Problem
	var broken []string // paths whose values did not decode; their checks are moot
	if root.Kind != 0 {
		typeErrs, err := decodeStrict(data, cfg)
		if err != nil {
			return fail([]Problem{{Msg: yamlMessage(err)}})
		}
		idx := buildIndex(root)
		if idx.truncated {
			return fail([]Problem{{Msg: fmt.Sprintf("the document is too large or too deeply nested (more than %d values or %d levels)", maxIndexedNodes, maxIndexDepth)}})
		}
		for _, msg := range typeErrs {
			p, brokenPath, ok := idx.explain(msg)
			if !ok {
				continue
			}
			decodeProblems = append(decodeProblems, p)
			if brokenPath != nil {
				broken = append(broken, *brokenPath)
			}
		}
		applyDefaults(cfg, idx.has)
		decodeProblems = append(decodeProblems, withoutBroken(cfg.validate(idx.has), broken)...)
	} else {
		applyDefaults(cfg, func(string) bool { return false })
		decodeProblems = cfg.validate(func(string) bool { return false })
	}
	if len(decodeProblems) > 0 {
		return fail(decodeProblems)
	}
	return cfg, nil
}

// decodeDocument parses data into a node tree and insists on at most one
// document. An empty document has a zero root.
func decodeDocument(data []byte) (root *yaml.Node, err error) {
	defer recoverYAML(&err)
	root = &yaml.Node{}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(root); err != nil {
		if errors.Is(err, io.EOF) {
			return &yaml.Node{}, nil
		}
		return nil, err
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, err
	default:
		return nil, fmt.Errorf("line %d: a second YAML document; the configuration must be one document", extra.Line)
	}
	return root, nil
}

// decodeStrict decodes into cfg refusing unknown keys. Type problems come
// back as messages (yaml.v3 decodes everything else regardless); other
// errors end decoding.
func decodeStrict(data []byte, cfg *Config) (typeErrs []string, err error) {
	defer recoverYAML(&err)
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err = dec.Decode(cfg)
	var te *yaml.TypeError
	if errors.As(err, &te) {
		return te.Errors, nil
	}
	return nil, err
}

// recoverYAML turns a panic inside the YAML library into an error, so a
// hostile file cannot bring the daemon down.
func recoverYAML(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("the YAML parser failed: %v", r)
	}
}

// syntaxMessage words a YAML syntax error with the line at fault. yaml.v3
// names the line where the enclosing block began (counted from zero for
// parser errors), which is often one or more lines before the mistake; the
// first line at which the document's prefix stops parsing is the one a
// person has to fix.
func syntaxMessage(data []byte, err error) string {
	msg := yamlMessage(err)
	m := syntaxLineRe.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	parses := func(n int) bool {
		_, err := decodeDocument(bytes.Join(lines[:n], nil))
		return err == nil
	}
	// Binary search for the shortest failing prefix; the whole fails.
	lo, hi := 0, len(lines)
	if !parses(lo) {
		return msg
	}
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if parses(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return fmt.Sprintf("line %d: %s", hi, m[2])
}

var syntaxLineRe = regexp.MustCompile(`^line (\d+): (.*)$`)

func yamlMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

// withoutBroken drops validation problems at or under, or above, a path
// whose value did not decode: they would only restate the decode problem.
func withoutBroken(ps []Problem, broken []string) []Problem {
	out := ps[:0]
	for _, p := range ps {
		related := false
		for _, b := range broken {
			if pathWithin(p.Path, b) || pathWithin(b, p.Path) {
				related = true
				break
			}
		}
		if !related {
			out = append(out, p)
		}
	}
	return out
}

// pathWithin reports whether path is base or lies under it.
func pathWithin(path, base string) bool {
	if base == "" || path == base {
		return true
	}
	rest, ok := strings.CutPrefix(path, base)
	return ok && (rest[0] == '.' || rest[0] == '[')
}

var (
	unknownFieldRe = regexp.MustCompile(`^line (\d+): field (.+) not found in type \S+$`)
	fieldTwiceRe   = regexp.MustCompile(`^line (\d+): field (.+) already set in type \S+$`)
	wrongTypeRe    = regexp.MustCompile("^line (\\d+): cannot unmarshal (\\S+)(?: `(.*)`)? into (.+)$")
)

// explain turns one yaml.v3 type error into a Problem at the setting's
// path. broken is the path whose value failed to decode (nil if none);
// ok is false for errors that are not problems (0 as a duration).
func (idx *nodeIndex) explain(msg string) (p Problem, broken *string, ok bool) {
	if m := unknownFieldRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if k := idx.key(line, m[2]); k != nil {
			return Problem{Path: k.path, Msg: fmt.Sprintf("unknown field (line %d); %s", line, suggest(m[2], yamlFields(k.parent)))}, nil, true
		}
		return Problem{Msg: msg}, nil, true
	}
	if m := fieldTwiceRe.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if k := idx.key(line, m[2]); k != nil {
			return Problem{Path: k.path, Msg: fmt.Sprintf("set twice (line %d)", line)}, nil, true
		}
		return Problem{Msg: msg}, nil, true
	}
	m := wrongTypeRe.FindStringSubmatch(msg)
	if m == nil {
		return Problem{Msg: msg}, nil, true
	}
	line, _ := strconv.Atoi(m[1])
	tag, value, into := m[2], m[3], m[4]
	if tag == "!!int" && value == "0" && into == "time.Duration" {
		// "0" needs no unit; the field keeps its zero value.
		return Problem{}, nil, false
	}
	v := idx.value(line, tag, value)
	if v == nil {
		return Problem{Msg: msg}, nil, true
	}
	text := fmt.Sprintf("%s is not %s (line %d)", describeNode(v.node), describeType(into), line)
	if v.path == "" {
		return Problem{Msg: "the document " + text}, &v.path, true
	}
	return Problem{Path: v.path, Msg: text}, &v.path, true
}

// key finds the first unclaimed mapping key with this name on this line.
func (idx *nodeIndex) key(line int, name string) *keyEntry {
	for i := range idx.keys {
		k := &idx.keys[i]
		if !k.used && k.line == line && k.name == name {
			k.used = true
			return k
		}
	}
	return nil
}

// value finds the first unclaimed value on this line that matches what
// yaml.v3 quoted (it shortens values longer than 10 bytes to 7 and "...").
func (idx *nodeIndex) value(line int, tag, quoted string) *valueEntry {
	for i := range idx.values {
		v := &idx.values[i]
		if v.used || v.node.Line != line || v.node.ShortTag() != tag {
			continue
		}
		if v.node.Kind == yaml.ScalarNode {
			short, cut := strings.CutSuffix(quoted, "...")
			if v.node.Value != quoted && !(cut && len(v.node.Value) > 10 && strings.HasPrefix(v.node.Value, short)) {
				continue
			}
		}
		v.used = true
		return v
	}
	return nil
}

func describeNode(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	if n.ShortTag() == "!!str" {
		return strconv.Quote(n.Value)
	}
	return n.Value
}

func describeType(goType string) string {
	switch strings.TrimPrefix(goType, "*") {
	case "time.Duration":
		return `a duration like "30s" or "2m"`
	case "time.Weekday":
		return "a weekday number 0-6 (0 = Sunday)"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	case "float32", "float64":
		return "a number"
	case "bool":
		return "true or false"
	case "string", "configs.Secret":
		return "a text value"
	}
	if strings.HasPrefix(goType, "[]") {
		return "a list"
	}
	return "a mapping of settings"
}

// suggest names the closest known field, or lists them all.
func suggest(name string, known []string) string {
	best, bestDist := "", 3
	for _, k := range known {
		if d := editDistance(name, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	if best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	if len(known) == 0 {
		return "no settings are accepted here"
	}
	return "known fields: " + strings.Join(known, ", ")
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
