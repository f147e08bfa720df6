package configs

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// nodeIndex maps the YAML document onto the schema: which settings are
// present (for defaults and required checks), and which path a line of a
// yaml.v3 decode error refers to.
type nodeIndex struct {
	present map[string]bool
	keys    []keyEntry
	values  []valueEntry
	budget  int // nodes left to visit; guards against alias bombs
	// truncated is set when the budget ran out: presence is then unknown
	// and defaults could override what the file says.
	truncated bool
}

// keyEntry is one mapping key of the document.
type keyEntry struct {
	line   int
	name   string
	path   string
	parent reflect.Type // the enclosing struct, for naming the keys it accepts
	used   bool
}

// valueEntry is one value of the document (mapping value or list item).
type valueEntry struct {
	node *yaml.Node
	path string
	used bool
}

// maxIndexedNodes bounds the walk; yaml.v3 has already refused documents
// with excessive aliasing before the index is built.
const (
	maxIndexedNodes = 1 << 16
	maxIndexDepth   = 32
)

func buildIndex(root *yaml.Node) *nodeIndex {
	idx := &nodeIndex{present: map[string]bool{}, budget: maxIndexedNodes}
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}
	if root.Kind == 0 {
		return idx
	}
	idx.values = append(idx.values, valueEntry{node: root, path: ""})
	idx.walk(root, "", reflect.TypeFor[Config](), 0)
	return idx
}

// has reports whether the setting at path was written in the document.
func (idx *nodeIndex) has(path string) bool { return idx.present[path] }

func (idx *nodeIndex) walk(n *yaml.Node, path string, t reflect.Type, depth int) {
	if depth > maxIndexDepth || idx.budget <= 0 {
		idx.truncated = true
		return
	}
	idx.budget--
	n = resolveAlias(n)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			if key.Tag == "!!merge" || (key.Value == "<<" && key.Style == 0) {
				idx.walkMerge(val, path, t, depth+1)
				continue
			}
			child := joinPath(path, key.Value)
			idx.present[child] = true
			idx.keys = append(idx.keys, keyEntry{line: key.Line, name: key.Value, path: child, parent: t})
			idx.values = append(idx.values, valueEntry{node: resolveAlias(val), path: child})
			idx.walk(val, child, fieldType(t, key.Value), depth+1)
		}
	case yaml.SequenceNode:
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Slice {
			elem = t.Elem()
		}
		for i, item := range n.Content {
			child := fmt.Sprintf("%s[%d]", path, i)
			idx.present[child] = true
			idx.values = append(idx.values, valueEntry{node: resolveAlias(item), path: child})
			idx.walk(item, child, elem, depth+1)
		}
	}
}

// walkMerge indexes the keys a "<<" merge brings into the mapping at path.
func (idx *nodeIndex) walkMerge(val *yaml.Node, path string, t reflect.Type, depth int) {
	val = resolveAlias(val)
	if val.Kind == yaml.SequenceNode {
		for _, item := range val.Content {
			idx.walk(item, path, t, depth)
		}
		return
	}
	idx.walk(val, path, t, depth)
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 8; i++ {
		n = n.Alias
	}
	return n
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	return parent + "." + key
}

// yamlFields lists the keys a struct type accepts, in declaration order.
func yamlFields(t reflect.Type) []string {
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var names []string
	for f := range t.Fields() {
		if name := yamlName(f); name != "" {
			names = append(names, name)
		}
	}
	return names
}

// fieldType returns the type of the struct field with the given YAML key.
func fieldType(t reflect.Type, key string) reflect.Type {
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	for f := range t.Fields() {
		if yamlName(f) == key {
			return f.Type
		}
	}
	return nil
}

func yamlName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" {
		return ""
	}
	if name == "" {
		return strings.ToLower(f.Name)
	}
	return name
}
