package transcode

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// ADTS framing (ISO 14496-3 1.A.2): a 7-byte header (9 with a CRC) before
// each AAC access unit. ffmpeg's adts muxer writes one access unit per
// frame, so the stream splits into access units without a decoder.
const (
	adtsHeaderLen   = 7
	adtsCRCLen      = 2
	adtsMaxFrameLen = 1<<13 - 1 // frame_length is 13 bits
	adtsMaxResync   = 64 << 10  // bytes skipped looking for a sync word before giving up
	aacObjectTypeLC = 2
	aacSamplesPerAU = 1024
)

// aacSampleRates is the sampling_frequency_index table of ISO 14496-3.
var aacSampleRates = [...]int{96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}

// rateIndex is the sampling_frequency_index of rate, -1 when it has none.
func rateIndex(rate int) int {
	for i, r := range aacSampleRates {
		if r == rate {
			return i
		}
	}
	return -1
}

// adtsFormat is what the encoder was asked for; every frame must say so.
type adtsFormat struct {
	objectType int // 2: AAC-LC
	rateIndex  int
	channels   int
}

// audioSpecificConfig is the two-byte AudioSpecificConfig of f, what MP4,
// FLV and MSE players need before the first access unit.
func (f adtsFormat) audioSpecificConfig() []byte {
	v := uint16(f.objectType)<<11 | uint16(f.rateIndex)<<7 | uint16(f.channels)<<3
	return []byte{byte(v >> 8), byte(v)}
}

// ErrADTS marks encoder output that is not the ADTS stream asked for.
var ErrADTS = errors.New("transcode: bad ADTS from encoder")

// readADTS reads the next ADTS frame from r and returns its access unit
// (a fresh slice the caller owns). It checks the frame against want, so a
// misconfigured encoder is caught instead of mislabelled. Garbage before
// a sync word is skipped, up to adtsMaxResync bytes. It returns io.EOF at
// a clean end and io.ErrUnexpectedEOF inside a frame.
func readADTS(r *bufio.Reader, want adtsFormat) ([]byte, error) {
	if err := syncADTS(r); err != nil {
		return nil, err
	}
	h, err := r.Peek(adtsHeaderLen)
	if err != nil {
		return nil, noEOF(err)
	}
	protectionAbsent := h[1]&1 == 1
	objectType := int(h[2]>>6) + 1
	rate := int(h[2]>>2) & 0x0f
	channels := int(h[2]&1)<<2 | int(h[3]>>6)
	frameLen := int(h[3]&3)<<11 | int(h[4])<<3 | int(h[5]>>5)
	blocks := int(h[6]&3) + 1
	hdrLen := adtsHeaderLen
	if !protectionAbsent {
		hdrLen += adtsCRCLen
	}
	switch {
	case frameLen <= hdrLen:
		return nil, fmt.Errorf("%w: frame length %d", ErrADTS, frameLen)
	case blocks != 1:
		return nil, fmt.Errorf("%w: %d access units in one frame", ErrADTS, blocks)
	case objectType != want.objectType || rate != want.rateIndex || channels != want.channels:
		return nil, fmt.Errorf("%w: object type %d, rate index %d, %d channels; want %d, %d, %d",
			ErrADTS, objectType, rate, channels, want.objectType, want.rateIndex, want.channels)
	}
	frame := make([]byte, frameLen)
	if _, err := io.ReadFull(r, frame); err != nil {
		return nil, noEOF(err)
	}
	return frame[hdrLen:], nil
}

// syncADTS skips bytes until r is at a 12-bit sync word with layer 0.
func syncADTS(r *bufio.Reader) error {
	for skipped := 0; ; skipped++ {
		b, err := r.Peek(2)
		if len(b) < 2 {
			if err == io.EOF && len(b) == 1 {
				return io.ErrUnexpectedEOF
			}
			return err
		}
		if b[0] == 0xff && b[1]&0xf6 == 0xf0 {
			return nil
		}
		if skipped >= adtsMaxResync {
			return fmt.Errorf("%w: no sync word in %d bytes", ErrADTS, skipped)
		}
		if _, err := r.Discard(1); err != nil {
			return err
		}
	}
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
