package segmenter

import (
	"bytes"
	"testing"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"github.com/lubo-edge/lubo/media"
)

func ascBytes(t testing.TB, c mpeg4audio.AudioSpecificConfig) []byte {
	t.Helper()
	b, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestADTSHeader(t *testing.T) {
	heAAC := ascBytes(t, mpeg4audio.AudioSpecificConfig{Type: mpeg4audio.ObjectTypeAACLC, SampleRate: 24000, ChannelCount: 2,
		ExtensionType: mpeg4audio.ObjectTypeSBR, ExtensionSampleRate: 48000})
	cases := []struct {
		name     string
		track    *media.AudioTrack
		au       int
		rate, ch int
		fails    bool
	}{
		{"LC 44.1k stereo", &media.AudioTrack{Codec: media.AAC, Config: []byte{0x12, 0x10}}, 300, 44100, 2, false},
		{"LC 8k mono", &media.AudioTrack{Codec: media.AAC, Config: []byte{0x15, 0x88}}, 50, 8000, 1, false},
		{"HE-AAC carries its core", &media.AudioTrack{Codec: media.AAC, Config: heAAC}, 200, 24000, 2, false},
		{"no config: from the track", &media.AudioTrack{Codec: media.AAC, SampleRate: 48000, Channels: 1}, 10, 48000, 1, false},
		{"large frame", &media.AudioTrack{Codec: media.AAC, Config: []byte{0x12, 0x10}}, mpeg4audio.MaxAccessUnitSize, 44100, 2, false},
		{"frame too big", &media.AudioTrack{Codec: media.AAC, Config: []byte{0x12, 0x10}}, adtsMaxFrame - 6, 0, 0, true},
		{"broken config", &media.AudioTrack{Codec: media.AAC, Config: []byte{0xff}}, 10, 0, 0, true},
		{"no config, odd rate", &media.AudioTrack{Codec: media.AAC, SampleRate: 12345, Channels: 2}, 10, 0, 0, true},
		{"not AAC", &media.AudioTrack{Codec: media.PCMA, SampleRate: 8000, Channels: 1}, 10, 0, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			au := bytes.Repeat([]byte{0x5a}, c.au)
			h, err := newADTSHeader(c.track)
			var out []byte
			if err == nil {
				out, err = h.appendFrame([]byte("x"), au)
			}
			if c.fails {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out[0] != 'x' {
				t.Fatal("appendFrame lost what dst held")
			}
			var pkts mpeg4audio.ADTSPackets
			if err := pkts.Unmarshal(out[1:]); err != nil {
				t.Fatalf("ADTS does not parse: %v", err)
			}
			p := pkts[0]
			if len(pkts) != 1 || p.Type != mpeg4audio.ObjectTypeAACLC || p.SampleRate != c.rate || p.ChannelCount != c.ch || !bytes.Equal(p.AU, au) {
				t.Fatalf("parsed %d packets, first %v %d Hz %d ch %d bytes; want LC %d Hz %d ch %d bytes",
					len(pkts), p.Type, p.SampleRate, p.ChannelCount, len(p.AU), c.rate, c.ch, len(au))
			}
		})
	}
}

// FuzzADTSHeader: any AudioSpecificConfig a source sends either is refused
// or gives ADTS frames that parse back to the same access unit.
func FuzzADTSHeader(f *testing.F) {
	f.Add([]byte{0x12, 0x10}, []byte{1, 2, 3})
	f.Add([]byte{0x15, 0x88}, bytes.Repeat([]byte{7}, 2000))
	f.Add([]byte{0x2b, 0x92, 0x08, 0x00}, []byte{0})
	f.Fuzz(func(t *testing.T, config, au []byte) {
		h, err := newADTSHeader(&media.AudioTrack{Codec: media.AAC, Config: config})
		if err != nil {
			return
		}
		out, err := h.appendFrame(nil, au)
		if err != nil {
			if len(au)+7 <= adtsMaxFrame {
				t.Fatalf("refused a %d-byte access unit: %v", len(au), err)
			}
			return
		}
		if len(au) == 0 || len(au) > mpeg4audio.MaxAccessUnitSize {
			return // beyond what the parser accepts
		}
		var pkts mpeg4audio.ADTSPackets
		if err := pkts.Unmarshal(out); err != nil {
			t.Fatalf("config %x: ADTS does not parse: %v", config, err)
		}
		if len(pkts) != 1 || !bytes.Equal(pkts[0].AU, au) {
			t.Fatalf("config %x: parsed back %d packets", config, len(pkts))
		}
	})
}
