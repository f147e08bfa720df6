package bmff

import (
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
)

// box is one box read back by walk.
type box struct {
	path string // types from the top, joined by "/"
	body []byte // after the 8-byte header
}

// containers are the boxes walk descends into.
var containers = map[string]bool{"moov": true, "trak": true, "mdia": true, "minf": true, "stbl": true,
	"dinf": true, "mvex": true, "moof": true, "traf": true}

// walk reads b as a sequence of boxes, nested ones included, and fails the
// test on a size that does not add up. It is the test's own reader, written
// from ISO/IEC 14496-12, not the code under test.
func walk(t testing.TB, b []byte) []box {
	t.Helper()
	var out []box
	if err := walkInto(&out, "", b); err != nil {
		t.Fatal(err)
	}
	return out
}

func walkInto(out *[]box, parent string, b []byte) error {
	for len(b) > 0 {
		if len(b) < 8 {
			return fmt.Errorf("%s: %d trailing bytes", parent, len(b))
		}
		size := int(binary.BigEndian.Uint32(b))
		typ := string(b[4:8])
		if size < 8 || size > len(b) {
			return fmt.Errorf("%s/%s: size %d of %d bytes left", parent, typ, size, len(b))
		}
		path := strings.TrimPrefix(parent+"/"+typ, "/")
		*out = append(*out, box{path: path, body: b[8:size]})
		if containers[typ] {
			if err := walkInto(out, path, b[8:size]); err != nil {
				return err
			}
		}
		if typ == "stsd" { // a full box with an entry count, then entries
			if size < 16 {
				return fmt.Errorf("%s: short stsd", path)
			}
			if err := walkInto(out, path, b[16:size]); err != nil {
				return err
			}
		}
		b = b[size:]
	}
	return nil
}

// find returns the boxes at path.
func find(boxes []box, path string) []box {
	var out []box
	for _, b := range boxes {
		if b.path == path {
			out = append(out, b)
		}
	}
	return out
}

func u32(b []byte, at int) uint32 { return binary.BigEndian.Uint32(b[at:]) }
