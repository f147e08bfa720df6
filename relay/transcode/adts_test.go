package transcode

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
)

var mono48k = adtsFormat{objectType: aacObjectTypeLC, rateIndex: 3, channels: 1}

// adtsFrame builds an ADTS frame around au; crc adds the two CRC bytes
// (zero: the reader does not check them), blocks is the raw data block
// count, as in the header.
func adtsFrame(f adtsFormat, au []byte, crc bool, blocks int) []byte {
	hdr := adtsHeaderLen
	if crc {
		hdr += adtsCRCLen
	}
	n := hdr + len(au)
	b := make([]byte, 0, n)
	absent := byte(1)
	if crc {
		absent = 0
	}
	b = append(b, 0xff, 0xf0|absent,
		byte(f.objectType-1)<<6|byte(f.rateIndex)<<2|byte(f.channels>>2),
		byte(f.channels&3)<<6|byte(n>>11),
		byte(n>>3),
		byte(n&7)<<5|0x1f,
		0xfc|byte(blocks-1))
	if crc {
		b = append(b, 0, 0)
	}
	return append(b, au...)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// adtsCases feed TestReadADTS and seed FuzzReadADTS.
var adtsCases = []struct {
	name  string
	in    []byte
	aus   [][]byte // access units read before the error
	err   error    // what the last read returns
	isErr bool     // err is matched with errors.Is
}{
	{"empty", nil, nil, io.EOF, true},
	{"one", adtsFrame(mono48k, []byte{1, 2, 3}, false, 1), [][]byte{{1, 2, 3}}, io.EOF, true},
	{"two", cat(adtsFrame(mono48k, []byte{1}, false, 1), adtsFrame(mono48k, []byte{2, 2}, false, 1)),
		[][]byte{{1}, {2, 2}}, io.EOF, true},
	{"crc", adtsFrame(mono48k, []byte{7, 7}, true, 1), [][]byte{{7, 7}}, io.EOF, true},
	{"garbage before", cat([]byte{0, 1, 0xff, 0x00, 0xff}, adtsFrame(mono48k, []byte{9}, false, 1)),
		[][]byte{{9}}, io.EOF, true},
	{"cut header", adtsFrame(mono48k, []byte{1, 2, 3}, false, 1)[:5], nil, io.ErrUnexpectedEOF, true},
	{"cut payload", adtsFrame(mono48k, []byte{1, 2, 3}, false, 1)[:8], nil, io.ErrUnexpectedEOF, true},
	{"lone 0xff", []byte{0xff}, nil, io.ErrUnexpectedEOF, true},
	{"other rate", adtsFrame(adtsFormat{aacObjectTypeLC, 8, 1}, []byte{1}, false, 1), nil, ErrADTS, true},
	{"stereo", adtsFrame(adtsFormat{aacObjectTypeLC, 3, 2}, []byte{1}, false, 1), nil, ErrADTS, true},
	{"HE-AAC", adtsFrame(adtsFormat{1, 3, 1}, []byte{1}, false, 1), nil, ErrADTS, true},
	{"two blocks", adtsFrame(mono48k, []byte{1}, false, 2), nil, ErrADTS, true},
	{"no payload", adtsFrame(mono48k, nil, false, 1), nil, ErrADTS, true},
	{"no sync", make([]byte, adtsMaxResync+10), nil, ErrADTS, true},
}

func TestReadADTS(t *testing.T) {
	for _, c := range adtsCases {
		t.Run(c.name, func(t *testing.T) {
			r := bufio.NewReader(bytes.NewReader(c.in))
			for i, want := range c.aus {
				au, err := readADTS(r, mono48k)
				if err != nil || !bytes.Equal(au, want) {
					t.Fatalf("unit %d: %x, %v; want %x", i, au, err, want)
				}
			}
			au, err := readADTS(r, mono48k)
			if !errors.Is(err, c.err) {
				t.Fatalf("after %d units: %x, %v; want %v", len(c.aus), au, err, c.err)
			}
		})
	}
}

// TestReadADTSFromFFmpeg reads what ffmpeg's encoder wrote (made by
//
//	ffmpeg -f lavfi -i sine=f=1000:sample_rate=8000:d=0.25 -f alaw -ar 8000 -ac 1 - |
//	ffmpeg -f alaw -ar 8000 -ac 1 -i - -c:a aac -b:a 32000 -ar 48000 -ac 1 -f adts tone48k_mono.adts
//
// ): every frame is AAC-LC 48 kHz mono, one unit each, and the config
// lubo announces matches the header ffmpeg wrote.
func TestReadADTSFromFFmpeg(t *testing.T) {
	data, err := os.ReadFile("testdata/tone48k_mono.adts")
	if err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(bytes.NewReader(data))
	n := 0
	for {
		au, err := readADTS(r, mono48k)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("unit %d: %v", n, err)
		}
		if len(au) == 0 || len(au) > 768 {
			t.Fatalf("unit %d has %d bytes", n, len(au))
		}
		n++
	}
	// 0.25 s at 48 kHz is 11.7 units of 1024 samples, plus priming and
	// the padded last one.
	if n < 12 || n > 15 {
		t.Errorf("%d access units", n)
	}
	if asc := mono48k.audioSpecificConfig(); !bytes.Equal(asc, []byte{0x11, 0x88}) {
		t.Errorf("AudioSpecificConfig %x, want 1188 (AAC-LC, 48 kHz, mono)", asc)
	}
}

// FuzzReadADTS reads hostile encoder output: no panic, no unit larger than
// a frame can be, and every read either gives a unit or ends the stream.
func FuzzReadADTS(f *testing.F) {
	for _, c := range adtsCases {
		f.Add(c.in)
	}
	if data, err := os.ReadFile("testdata/tone48k_mono.adts"); err == nil {
		f.Add(data)
	} else {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bufio.NewReader(bytes.NewReader(in))
		total := 0
		for {
			au, err := readADTS(r, mono48k)
			if err != nil {
				return
			}
			if len(au) == 0 || len(au) > adtsMaxFrameLen {
				t.Fatalf("unit of %d bytes", len(au))
			}
			total += len(au)
			if total > len(in) {
				t.Fatalf("%d bytes of units from %d of input", total, len(in))
			}
		}
	})
}
