package mp4

import (
	"encoding/binary"
	"os"
	"testing"
)

// findBoxes returns the bodies of all boxes of type typ under body,
// stepping into the containers on the way to sample tables.
func findBoxes(t *testing.T, body []byte, typ string) [][]byte {
	t.Helper()
	var found [][]byte
	var walk func(string, []byte) error
	walk = func(ty string, b []byte) error {
		if ty == typ {
			found = append(found, b)
		}
		switch ty {
		case "moov", "trak", "mdia", "minf", "stbl":
			return eachChild(b, walk)
		}
		return nil
	}
	if err := eachChild(body, walk); err != nil {
		t.Fatal(err)
	}
	return found
}

// TestProgressiveLargeFile lays out a recording of more than 4 GiB (its
// sample data is not written, only the tables): the chunk offsets must be
// 64-bit and the mdat must use a large size.
func TestProgressiveLargeFile(t *testing.T) {
	tracks, frames := loadClip(t, "h264_aac.mp4")
	part, _ := partPaths(t, "big")
	writePart(t, part, tracks, frames, Options{NoSync: true})
	f, err := os.Open(part)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	st, _ := f.Stat()

	for _, tc := range []struct {
		name  string
		extra int64 // bytes of sample data added between the first and the other chunks
		large bool
	}{
		{"small", 0, false},
		{"just under 4 GiB", 1<<32 - 1<<20, false},
		{"5 GiB", 5 << 30, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _, err := readPart(f, st.Size())
			if err != nil {
				t.Fatal(err)
			}
			for _, tr := range m.tracks {
				for i := range tr.chunks {
					if tr.chunks[i].out > 0 {
						tr.chunks[i].out += tc.extra
					}
				}
			}
			m.payload += tc.extra
			head := progressiveHead(m)

			ftypSize := binary.BigEndian.Uint32(head)
			moovSize := binary.BigEndian.Uint32(head[ftypSize:])
			moov := head[ftypSize+8 : ftypSize+moovSize]
			mdat := head[ftypSize+moovSize:]
			dataBase := int64(len(head))
			if string(mdat[4:8]) != "mdat" {
				t.Fatalf("no mdat after moov: %q", mdat[4:8])
			}
			if tc.large {
				if binary.BigEndian.Uint32(mdat) != 1 || int64(binary.BigEndian.Uint64(mdat[8:])) != 16+m.payload {
					t.Errorf("mdat header % x for %d bytes of data", mdat, m.payload)
				}
			} else if int64(binary.BigEndian.Uint32(mdat)) != 8+m.payload || len(mdat) != 8 {
				t.Errorf("mdat header % x for %d bytes of data", mdat, m.payload)
			}

			want, other := "stco", "co64"
			if tc.large {
				want, other = "co64", "stco"
			}
			if n := len(findBoxes(t, moov, other)); n != 0 {
				t.Errorf("%d %s boxes", n, other)
			}
			tables := findBoxes(t, moov, want)
			if len(tables) != len(m.tracks) {
				t.Fatalf("%d %s boxes for %d tracks", len(tables), want, len(m.tracks))
			}
			for i, b := range tables {
				chunks := m.tracks[i].chunks
				if n := binary.BigEndian.Uint32(b[4:]); int(n) != len(chunks) {
					t.Fatalf("track %d: %d chunk offsets for %d chunks", i, n, len(chunks))
				}
				for j, c := range chunks {
					var got int64
					if tc.large {
						got = int64(binary.BigEndian.Uint64(b[8+8*j:]))
					} else {
						got = int64(binary.BigEndian.Uint32(b[8+4*j:]))
					}
					if got != dataBase+c.out {
						t.Fatalf("track %d chunk %d at %d, want %d", i, j, got, dataBase+c.out)
					}
				}
			}
		})
	}
}
