package flv

import (
	"errors"
	"fmt"

	"github.com/lubo-edge/lubo/media"
)

// aacSampleRates are the rates of the 4-bit samplingFrequencyIndex.
var aacSampleRates = [...]int{96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}

// ParseAudioConfig decodes an AAC AudioSpecificConfig (the payload of an AAC
// sequence header) into a track that owns a copy of it. SampleRate is the
// core rate (for HE-AAC, the rate before SBR), which is what timestamps use.
func ParseAudioConfig(config []byte) (*media.AudioTrack, error) {
	r := bitReader{b: config}
	objectType := r.read(5)
	if objectType == 31 {
		objectType = 32 + r.read(6)
	}
	rate := 0
	if idx := r.read(4); idx == 15 {
		rate = int(r.read(24))
	} else if int(idx) < len(aacSampleRates) {
		rate = aacSampleRates[idx]
	}
	channels := int(r.read(4))
	if r.err != nil {
		return nil, fmt.Errorf("AAC config: %w", r.err)
	}
	if objectType == 0 || rate <= 0 {
		return nil, fmt.Errorf("AAC config: object type %d, sample rate %d not usable", objectType, rate)
	}
	switch channels {
	case 0:
		channels = 2 // layout in a program config element: rare, stereo is the safe guess
	case 7:
		channels = 8
	}
	return &media.AudioTrack{
		Codec:      media.AAC,
		SampleRate: rate,
		Channels:   channels,
		Config:     append([]byte(nil), config...),
	}, nil
}

// AudioSpecificConfig returns a.Config, or for a track without one an AAC-LC
// config built from SampleRate and Channels.
func AudioSpecificConfig(a *media.AudioTrack) ([]byte, error) {
	if a == nil || a.Codec != media.AAC {
		return nil, errors.New("AAC config: not an AAC track")
	}
	if len(a.Config) > 0 {
		return a.Config, nil
	}
	if a.Channels < 1 || a.Channels > 7 || a.SampleRate <= 0 || a.SampleRate >= 1<<24 {
		return nil, fmt.Errorf("AAC config: cannot describe %d Hz, %d channels", a.SampleRate, a.Channels)
	}
	var w bitWriter
	w.write(2, 5) // AAC-LC
	idx := 15
	for i, r := range aacSampleRates {
		if r == a.SampleRate {
			idx = i
		}
	}
	w.write(uint32(idx), 4)
	if idx == 15 {
		w.write(uint32(a.SampleRate), 24)
	}
	w.write(uint32(a.Channels), 4)
	w.write(0, 3) // frameLength 1024, no core coder, no extension
	return w.bytes(), nil
}

type bitReader struct {
	b   []byte
	pos int
	err error
}

func (r *bitReader) read(n int) uint32 {
	var v uint32
	for range n {
		if r.pos >= 8*len(r.b) {
			r.err = errShortRecord
			return 0
		}
		bit := r.b[r.pos/8] >> (7 - r.pos%8) & 1
		v = v<<1 | uint32(bit)
		r.pos++
	}
	return v
}

type bitWriter struct {
	b   []byte
	pos int
}

func (w *bitWriter) write(v uint32, n int) {
	for i := n - 1; i >= 0; i-- {
		if w.pos%8 == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(v>>i&1) << (7 - w.pos%8)
		w.pos++
	}
}

func (w *bitWriter) bytes() []byte { return w.b }
