package mp4file

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// box builds an MP4 box from its payload parts.
func box(typ string, parts ...[]byte) []byte {
	payload := bytes.Join(parts, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(payload)))
	return append(append(b, typ...), payload...)
}

func u32s(v ...uint32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.BigEndian.AppendUint32(b, x)
	}
	return b
}

// fullBox is a version and flags word.
func fullBox(version byte, flags uint32) []byte { return u32s(uint32(version)<<24 | flags) }

func zeros(n int) []byte { return make([]byte, n) }

var ftyp = box("ftyp", []byte("isom"), u32s(0x200), []byte("isomiso2avc1mp41"))

// stbl wraps sample tables in moov/trak/mdia/minf/stbl.
func stbl(tables ...[]byte) []byte {
	return box("moov", box("trak", box("mdia", box("minf", box("stbl", tables...)))))
}

// layoutCases feed TestCheckLayout and seed FuzzReadFrames; want is a part
// of the error, empty for a file the check accepts.
var layoutCases = []struct {
	name string
	file []byte
	want string
}{
	{"ftyp only", ftyp, ""},
	{"empty", nil, ""},
	{"truncated mdat last", append(append([]byte{}, ftyp...), append(u32s(1000), "mdat"...)...), ""},
	{"free past the end", append(u32s(1000), "free"...), "past the end"},
	{"stray bytes", append(append([]byte{}, ftyp...), 0, 0, 0), "stray bytes"},
	{"box shorter than header", u32s(4, 0x66726565), "shorter than its header"},
	{"size zero", u32s(0, 0x6d646174), "no size"},
	{"64-bit mdat last", append(append(u32s(1), "mdat"...), append(u32s(0, 16), zeros(0)...)...), ""},
	{"64-bit mdat not last", append(append(append(u32s(1), "mdat"...), u32s(0, 16)...), ftyp...), "64-bit size"},
	{"64-bit ftyp", append(append(u32s(1), "ftyp"...), append(u32s(0, 32), zeros(16)...)...), "64-bit size"},
	{"child past parent", box("moov", u32s(100), []byte("trak")), "past the end of its parent"},
	{"stts count without entries", stbl(box("stts", fullBox(0, 0), u32s(0x10000000))), "entries"},
	{"stts count short of bytes", stbl(box("stts", fullBox(0, 0), u32s(2, 1, 1))), "want 24"},
	{"stts good", stbl(box("stts", fullBox(0, 0), u32s(1, 5, 1024))), ""},
	{"elst v1", stbl(box("elst", fullBox(1, 0), u32s(1), zeros(20))), ""},
	{"stsz too many samples", stbl(box("stsz", fullBox(0, 0), u32s(100, 1<<30))), "more than"},
	{"stsz sample larger than file", stbl(box("stsz", fullBox(0, 0), u32s(0, 1, 1<<30))), "a sample of"},
	{"stsz more samples than bytes", stbl(box("stsz", fullBox(0, 0), u32s(10, 10))), "10 samples of 10 bytes"},
	{"stsz good", stbl(box("stsz", fullBox(0, 0), u32s(0, 2, 10, 20))), ""},
	{"mvhd wrong length", box("moov", box("mvhd", fullBox(0, 0), zeros(50))), "want 100"},
	{"mvhd v1", box("moov", box("mvhd", fullBox(1, 0), zeros(108))), ""},
	{"hint media header", stbl(box("hmhd", fullBox(0, 0), zeros(16))), "want 4"},
	{"tfhd too short", box("moof", box("traf", box("tfhd"))), "at least 8"},
	{"tfhd fields missing", box("moof", box("traf", box("tfhd", fullBox(0, 0x39), u32s(1)))), "at least 28"},
	{"tfhd huge default size", box("moof", box("traf", box("tfhd", fullBox(0, 0x10), u32s(1, 1<<30)))), "a sample of"},
	{"trun count without entries", box("moof", box("traf", box("trun", fullBox(0, 0x300), u32s(3)))), "at least 32"},
	{"trun more samples than bytes", box("moof", box("traf", box("trun", fullBox(0, 0), u32s(1000)))), "samples in a"},
	{"trun count without fields", box("moof", box("traf", box("trun", fullBox(0, 0), u32s(1<<24)))), "more than"},
	{"trun huge sample", box("moof", box("traf", box("trun", fullBox(0, 0x200), u32s(1, 1<<30)))), "a sample of"},
	{"trun good", box("moof", box("traf", box("trun", fullBox(0, 0x301), u32s(2, 0, 40, 10, 40, 20)))), ""},
	{"sgpd endless", stbl(box("sgpd", fullBox(0, 0), []byte("roll"), u32s(0xffffffff))), "entries in"},
	{"encrypted", stbl(box("stsd", fullBox(0, 0), u32s(1), box("encv", zeros(78)))), "encrypted"},
	{"visual entry short", stbl(box("stsd", fullBox(0, 0), u32s(1), box("avc1", zeros(20)))), "at least 78"},
	{"audio entry with esds", stbl(box("stsd", fullBox(0, 0), u32s(1), box("mp4a", zeros(28), box("esds", fullBox(0, 0), zeros(20))))), ""},
	{"too many tracks", box("moov", bytes.Repeat(box("trak"), 40)), "tracks"},
	{"deep nesting", func() []byte {
		b := box("free")
		for range 20 {
			b = box("moov", b)
		}
		return b
	}(), "nest"},
}

func TestCheckLayout(t *testing.T) {
	for _, c := range layoutCases {
		t.Run(c.name, func(t *testing.T) {
			err := checkLayout(bytes.NewReader(c.file), int64(len(c.file)))
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("checkLayout: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("checkLayout = %v, want an error with %q", err, c.want)
			}
			// Whatever the check says, ReadFrames must answer with an
			// error rather than crash: none of these files has a track.
			if _, _, err := ReadFrames(bytes.NewReader(c.file)); err == nil {
				t.Fatal("ReadFrames accepted a file without samples")
			}
		})
	}
}

func TestCheckLayoutAcceptsTestdata(t *testing.T) {
	for _, name := range []string{"sample.mp4", "h264_aac.mp4", "h265_aac.mp4", "tiny_h264_aac.mp4", "tiny_h265_aac.mp4", "tiny_h264_aac_frag.mp4"} {
		b, err := os.ReadFile(testmedia.Require(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := checkLayout(bytes.NewReader(b), int64(len(b))); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCheckLayoutEncryptedIsTyped(t *testing.T) {
	b := stbl(box("sinf"))
	if err := checkLayout(bytes.NewReader(b), int64(len(b))); !errors.Is(err, errEncrypted) {
		t.Fatalf("checkLayout = %v, want errEncrypted", err)
	}
}
