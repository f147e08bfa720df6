package rtmp

import (
	"bytes"
	"testing"

	"github.com/lubo-edge/lubo/media"
)

func TestAACConfigOf(t *testing.T) {
	cases := []struct {
		name  string
		track media.AudioTrack
		want  aacConfig
	}{
		{"LC 44.1k mono", media.AudioTrack{Config: []byte{0x12, 0x08}}, aacConfig{2, 4, 1}},
		{"LC 48k stereo", media.AudioTrack{Config: []byte{0x11, 0x90}}, aacConfig{2, 3, 2}},
		// HE-AAC, explicit: AOT 5, core 24 kHz stereo, extension 48 kHz, then AOT 2.
		{"HE-AAC goes out as LC at the core rate", media.AudioTrack{Config: []byte{0x2b, 0x12, 0x08, 0x00}}, aacConfig{2, 6, 2}},
		// Escaped object type 31+6 bits, then index 3, then 2 channels.
		{"escaped object type", media.AudioTrack{Config: []byte{0xf8, 0x06, 0x40}}, aacConfig{2, 3, 2}},
		// Explicit 24-bit rate 44100 (index 15).
		{"explicit rate", media.AudioTrack{Config: []byte{0x17, 0x80, 0x56, 0x22, 0x10}}, aacConfig{2, 4, 2}},
		{"no config: from rate and channels", media.AudioTrack{SampleRate: 16000, Channels: 1}, aacConfig{2, 8, 1}},
		{"truncated config", media.AudioTrack{Config: []byte{0x12}, SampleRate: 8000, Channels: 2}, aacConfig{2, 11, 2}},
	}
	for _, c := range cases {
		if got := aacConfigOf(&c.track); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestADTSRoundTrip(t *testing.T) {
	au := bytes.Repeat([]byte{0x5a}, 300)
	for _, c := range []aacConfig{{2, 4, 1}, {2, 3, 2}, {1, 11, 6}, {4, 0, 7}} {
		b := c.appendADTS(nil, len(au))
		b = append(b, au...)
		n := 0
		err := splitADTS(b, func(got aacConfig, gotAU []byte) {
			n++
			if got != c || !bytes.Equal(gotAU, au) {
				t.Errorf("%+v came back as %+v with %d bytes", c, got, len(gotAU))
			}
		})
		if err != nil || n != 1 {
			t.Errorf("%+v: %v, %d frames", c, err, n)
		}
		// The ASC it describes reads back the same.
		if back := aacConfigOf(&media.AudioTrack{Config: c.audioSpecificConfig()}); back != c {
			t.Errorf("ASC of %+v reads back as %+v", c, back)
		}
	}
}

func FuzzSplitADTS(f *testing.F) {
	f.Add(append(aacConfig{2, 4, 1}.appendADTS(nil, 3), 1, 2, 3))
	f.Add([]byte{0xff, 0xf0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		total := 0
		err := splitADTS(b, func(c aacConfig, au []byte) {
			if len(au) == 0 || c.freqIndex >= len(aacSampleRates) {
				t.Fatalf("bad frame %+v of %d bytes", c, len(au))
			}
			total += len(au)
			// Re-wrapping must parse back to the same access unit.
			again := append(c.appendADTS(nil, len(au)), au...)
			if len(again) <= maxADTSFrame {
				if err := splitADTS(again, func(c2 aacConfig, au2 []byte) {
					if c2.freqIndex != c.freqIndex || c2.channelConfig != c.channelConfig || !bytes.Equal(au2, au) {
						t.Fatalf("re-wrap changed %+v to %+v", c, c2)
					}
				}); err != nil {
					t.Fatalf("re-wrap: %v", err)
				}
			}
		})
		if err == nil && total > len(b) {
			t.Fatalf("%d bytes of access units from %d", total, len(b))
		}
		aacConfigOf(&media.AudioTrack{Config: b}) // must not panic
	})
}
