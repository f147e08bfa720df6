package mp4file

import (
	"errors"
	"fmt"
	"time"
)

// aacSampleRates maps the 4-bit sampling_frequency_index of ISO 14496-3.
var aacSampleRates = [...]int{96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}

// aacFrameSamples is the samples per channel in one AAC access unit (AAC-LC;
// for HE-AAC, at the core rate the config declares).
const aacFrameSamples = 1024

// adtsHeader is what lubo reads from the ADTS header gomedia puts in front of
// every AAC sample it returns.
type adtsHeader struct {
	len        int  // 7, or 9 with a CRC
	objectType byte // audio object type (profile + 1)
	rateIndex  byte
	channels   byte // channel configuration; 0 means declared elsewhere
}

var errNoADTS = errors.New("AAC sample without ADTS header")

func parseADTS(b []byte) (adtsHeader, error) {
	if len(b) < 7 || b[0] != 0xff || b[1]&0xf0 != 0xf0 {
		return adtsHeader{}, errNoADTS
	}
	h := adtsHeader{
		len:        7,
		objectType: b[2]>>6 + 1,
		rateIndex:  b[2] >> 2 & 0x0f,
		channels:   b[2]&0x01<<2 | b[3]>>6,
	}
	if b[1]&0x01 == 0 {
		h.len = 9
	}
	if len(b) < h.len {
		return adtsHeader{}, errNoADTS
	}
	if int(h.rateIndex) >= len(aacSampleRates) {
		return adtsHeader{}, fmt.Errorf("AAC sampling frequency index %d is reserved", h.rateIndex)
	}
	return h, nil
}

// sampleRate is the rate the header's index stands for.
func (h adtsHeader) sampleRate() int { return aacSampleRates[h.rateIndex] }

// audioSpecificConfig is the two-byte AudioSpecificConfig equivalent to the
// header: object type (5 bits), frequency index (4), channel configuration
// (4), and three zero GASpecificConfig flags.
func (h adtsHeader) audioSpecificConfig() []byte {
	v := uint16(h.objectType)<<11 | uint16(h.rateIndex)<<7 | uint16(h.channels)<<3
	return []byte{byte(v >> 8), byte(v)}
}

// channelCount is the channel count of the header's configuration, or
// fallback for configuration 0 (channels given by a program config element).
func (h adtsHeader) channelCount(fallback int) int {
	switch {
	case h.channels == 7:
		return 8
	case h.channels > 0:
		return int(h.channels)
	}
	return fallback
}

// snapAAC turns a millisecond-truncated timestamp (gomedia gives whole
// milliseconds) back into the exact start of the AAC frame it belongs to,
// so frame durations are exact (23.219 ms at 44.1 kHz, not 23 or 24). A
// timestamp that is not within a millisecond of a frame boundary (a gap in
// the file) is kept as it is.
func snapAAC(ms time.Duration, rate int) time.Duration {
	if rate <= 0 {
		return ms
	}
	// frame n starts at n*1024/rate s; ms is that truncated, so at most
	// 1 ms early.
	perFrame := float64(aacFrameSamples) * float64(time.Second) / float64(rate)
	n := int64(float64(ms)/perFrame + 0.5)
	exact := time.Duration(n) * aacFrameSamples * time.Second / time.Duration(rate)
	if d := exact - ms; d >= 0 && d < time.Millisecond {
		return exact
	}
	return ms
}
