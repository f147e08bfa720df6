package segmenter

import (
	"errors"
	"fmt"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"github.com/lubo-edge/lubo/media"
)

// adtsMaxFrame is the largest ADTS frame, header included: the length field
// has 13 bits.
const adtsMaxFrame = 1<<13 - 1

// adtsHeader is the 7-byte ADTS header of one AAC track; only the frame
// length changes from frame to frame, so it is built once per track.
type adtsHeader [7]byte

// newADTSHeader builds the header for t from its AudioSpecificConfig, or from
// SampleRate and Channels as AAC-LC when the source gave no config.
func newADTSHeader(t *media.AudioTrack) (adtsHeader, error) {
	var h adtsHeader
	if t == nil || t.Codec != media.AAC {
		return h, errors.New("adts: not an AAC track")
	}
	pkt := mpeg4audio.ADTSPacket{Type: mpeg4audio.ObjectTypeAACLC, SampleRate: t.SampleRate, ChannelCount: t.Channels}
	if len(t.Config) > 0 {
		var asc mpeg4audio.AudioSpecificConfig
		if err := asc.Unmarshal(t.Config); err != nil {
			return h, fmt.Errorf("adts: AudioSpecificConfig %x: %w", t.Config, err)
		}
		// For HE-AAC (SBR/PS) the config already resolves to the AAC-LC core
		// and its sample rate, which is what ADTS carries.
		pkt.Type, pkt.SampleRate, pkt.ChannelCount = asc.Type, asc.SampleRate, asc.ChannelCount
	}
	// ADTS has two bits for the profile: object types 1 to 4.
	if pkt.Type < 1 || pkt.Type > 4 {
		return h, fmt.Errorf("adts: object type %d cannot be carried in ADTS", pkt.Type)
	}
	b, err := mpeg4audio.ADTSPackets{&pkt}.Marshal()
	if err != nil {
		return h, fmt.Errorf("adts: %w", err)
	}
	copy(h[:], b)
	return h, nil
}

// appendFrame appends au with its ADTS header to dst.
func (h *adtsHeader) appendFrame(dst, au []byte) ([]byte, error) {
	n := len(au) + len(h)
	if n > adtsMaxFrame {
		return dst, fmt.Errorf("adts: access unit of %d bytes is too big", len(au))
	}
	hdr := *h
	hdr[3] = hdr[3]&^0x03 | byte(n>>11)&0x03
	hdr[4] = byte(n >> 3)
	hdr[5] = hdr[5]&^0xe0 | byte(n&0x07)<<5
	dst = append(dst, hdr[:]...)
	return append(dst, au...), nil
}
