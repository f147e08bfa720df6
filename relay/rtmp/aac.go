package rtmp

import (
	"errors"
	"fmt"

	"github.com/lubo-edge/lubo/media"
)

// aacSampleRates maps the MPEG-4 sampling frequency index to Hz.
var aacSampleRates = [...]int{96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}

// aacConfig is the part of an AAC configuration that ADTS headers carry and
// gomedia's FLV code understands: the 2-byte AudioSpecificConfig.
type aacConfig struct {
	objectType    int // MPEG-4 audio object type; ADTS holds 1-4
	freqIndex     int // index into aacSampleRates
	channelConfig int // 1-6, 7 = 7.1; 0 = defined in the stream
}

var errADTS = errors.New("bad ADTS header")

// splitADTS calls fn with the configuration and raw access unit of each
// ADTS frame in b. gomedia hands AAC out wrapped in ADTS; lubo carries the
// bare access units.
func splitADTS(b []byte, fn func(c aacConfig, au []byte)) error {
	if len(b) == 0 {
		return fmt.Errorf("%w: empty frame", errADTS)
	}
	for len(b) > 0 {
		if len(b) < 7 {
			return fmt.Errorf("%w: %d bytes", errADTS, len(b))
		}
		if b[0] != 0xFF || b[1]&0xF6 != 0xF0 {
			return fmt.Errorf("%w: no sync word", errADTS)
		}
		hdrLen := 7
		if b[1]&0x01 == 0 { // CRC present
			hdrLen = 9
		}
		c := aacConfig{
			objectType:    int(b[2]>>6) + 1,
			freqIndex:     int(b[2]>>2) & 0x0F,
			channelConfig: int(b[2]&0x01)<<2 | int(b[3]>>6),
		}
		if c.freqIndex >= len(aacSampleRates) {
			return fmt.Errorf("%w: sampling index %d", errADTS, c.freqIndex)
		}
		frameLen := int(b[3]&0x03)<<11 | int(b[4])<<3 | int(b[5]>>5)
		if frameLen < hdrLen || frameLen > len(b) {
			return fmt.Errorf("%w: frame length %d of %d bytes", errADTS, frameLen, len(b))
		}
		if frameLen > hdrLen {
			fn(c, b[hdrLen:frameLen])
		}
		b = b[frameLen:]
	}
	return nil
}

// audioSpecificConfig encodes c as the 2-byte AudioSpecificConfig.
func (c aacConfig) audioSpecificConfig() []byte {
	return []byte{
		byte(c.objectType<<3) | byte(c.freqIndex>>1),
		byte(c.freqIndex&1)<<7 | byte(c.channelConfig&0x0F)<<3,
	}
}

// track describes c as a media track.
func (c aacConfig) track() *media.AudioTrack {
	ch := c.channelConfig
	switch ch {
	case 0:
		ch = 2 // set by a program config element; stereo is the usual case
	case 7:
		ch = 8
	}
	return &media.AudioTrack{
		Codec:      media.AAC,
		SampleRate: aacSampleRates[c.freqIndex],
		Channels:   ch,
		Config:     c.audioSpecificConfig(),
	}
}

// aacConfigOf reads what an ADTS header needs from a track: its
// AudioSpecificConfig when present, else its rate and channel count.
func aacConfigOf(a *media.AudioTrack) aacConfig {
	c := aacConfig{objectType: 2, freqIndex: nearestRateIndex(a.SampleRate), channelConfig: channelConfigOf(a.Channels)}
	r := bitReader{b: a.Config}
	ot := r.read(5)
	if ot == 31 {
		ot = 32 + r.read(6)
	}
	idx := r.read(4)
	rate := 0
	if idx == 15 {
		rate = r.read(24)
	} else if idx < len(aacSampleRates) {
		rate = aacSampleRates[idx]
	}
	ch := r.read(4)
	if r.short || rate == 0 {
		return c
	}
	// ADTS has two bits for the profile: HE-AAC and the like go out as LC at
	// the core rate read above, and the decoder finds the extension itself.
	if ot >= 1 && ot <= 4 {
		c.objectType = ot
	}
	c.freqIndex = nearestRateIndex(rate)
	c.channelConfig = ch
	return c
}

// bitReader reads big-endian bit fields; short is set when b runs out.
type bitReader struct {
	b     []byte
	pos   int
	short bool
}

func (r *bitReader) read(n int) int {
	v := 0
	for range n {
		if r.pos >= len(r.b)*8 {
			r.short = true
			return 0
		}
		bit := r.b[r.pos/8] >> (7 - r.pos%8) & 1
		v = v<<1 | int(bit)
		r.pos++
	}
	return v
}

func nearestRateIndex(rate int) int {
	best := 4 // 44100
	for i, r := range aacSampleRates {
		if abs(r-rate) < abs(aacSampleRates[best]-rate) {
			best = i
		}
	}
	return best
}

func channelConfigOf(n int) int {
	switch {
	case n >= 1 && n <= 6:
		return n
	case n == 8:
		return 7
	}
	return 2
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// maxADTSFrame is the largest frame the 13-bit ADTS length field holds.
const maxADTSFrame = 1<<13 - 1

// appendADTS appends a 7-byte ADTS header (no CRC) for an access unit of
// auLen bytes.
func (c aacConfig) appendADTS(dst []byte, auLen int) []byte {
	n := auLen + 7
	const fullness = 0x7FF // variable bit rate
	return append(dst,
		0xFF,
		0xF1, // MPEG-4, layer 0, no CRC
		byte((c.objectType-1)&0x03)<<6|byte(c.freqIndex&0x0F)<<2|byte(c.channelConfig>>2)&0x01,
		byte(c.channelConfig&0x03)<<6|byte(n>>11)&0x03,
		byte(n>>3),
		byte(n&0x07)<<5|byte(fullness>>6),
		byte(fullness&0x3F)<<2,
	)
}
