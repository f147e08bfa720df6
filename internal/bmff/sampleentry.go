package bmff

import (
	"errors"
	"fmt"

	"github.com/lubo-edge/lubo/media"
)

// ParamSets are a video track's parameter sets, NAL units without start
// codes (VPS for H.265 only).
type ParamSets struct {
	VPS, SPS, PPS []byte
}

// VideoSampleEntry writes the avc1 (H.264) or hvc1 (H.265) sample entry
// of a picture size and parameter sets: the decoder configuration record
// carries them, where hvc1 requires them. On error nothing is written.
func (w *Builder) VideoSampleEntry(codec media.Codec, width, height uint16, ps ParamSets) error {
	start := len(w.b)
	var fourcc string
	switch codec {
	case media.H264:
		fourcc = "avc1"
	case media.H265:
		fourcc = "hvc1"
	default:
		return fmt.Errorf("video codec %v has no MP4 sample entry here", codec)
	}
	at := w.Open(fourcc)
	w.Zeros(6)  // reserved
	w.U16(1)    // data_reference_index
	w.Zeros(16) // pre_defined, reserved
	w.U16(width)
	w.U16(height)
	w.U32(0x00480000) // 72 dpi
	w.U32(0x00480000)
	w.U32(0)    // reserved
	w.U16(1)    // frame_count
	w.Zeros(32) // compressorname
	w.U16(0x0018)
	w.U16(0xffff) // pre_defined = -1
	var err error
	if codec == media.H264 {
		err = w.avcConfig(ps)
	} else {
		err = w.hevcConfig(ps)
	}
	if err != nil {
		w.Truncate(start)
		return err
	}
	w.Close(at)
	return nil
}

// maxAudioConfig bounds an AudioSpecificConfig; real ones are 2 to 5 bytes.
const maxAudioConfig = 1 << 10

// AACSampleEntry writes the mp4a sample entry of an AAC track whose
// AudioSpecificConfig is asc. A rate above 65535 Hz does not fit the
// entry's 16.16 field and is written as 0: the track's timescale says it.
func (w *Builder) AACSampleEntry(channels, sampleRate int, asc []byte) error {
	if len(asc) == 0 || len(asc) > maxAudioConfig {
		return fmt.Errorf("AAC AudioSpecificConfig of %d bytes", len(asc))
	}
	if channels <= 0 || sampleRate <= 0 {
		return errors.New("AAC without channels or sample rate")
	}
	at := w.Open("mp4a")
	w.Zeros(6) // reserved
	w.U16(1)   // data_reference_index
	w.Zeros(8) // reserved
	w.U16(uint16(min(channels, 0xffff)))
	w.U16(16) // samplesize
	w.U32(0)  // pre_defined, reserved
	if sampleRate <= 0xffff {
		w.U32(uint32(sampleRate) << 16)
	} else {
		w.U32(0)
	}
	w.esds(asc)
	w.Close(at)
	return nil
}

// esds writes the elementary stream descriptor (ISO/IEC 14496-1 7.2.6)
// that carries an AudioSpecificConfig: ES_Descriptor >
// DecoderConfigDescriptor > DecoderSpecificInfo, and an SLConfigDescriptor.
func (w *Builder) esds(asc []byte) {
	at := w.OpenFull("esds", 0, 0)
	dsi := descriptorSize(len(asc))
	dcd := descriptorSize(13 + dsi)
	sl := descriptorSize(1)
	w.descriptor(0x03, 3+dcd+sl) // ES_DescrTag
	w.U16(0)                     // ES_ID: 0 as stored in a file (ISO/IEC 14496-14 3.1.2)
	w.U8(0)                      // no dependency, URL or OCR stream
	w.descriptor(0x04, 13+dsi)   // DecoderConfigDescrTag
	w.U8(0x40)                   // objectTypeIndication: Audio ISO/IEC 14496-3
	w.U8(0x05<<2 | 1)            // streamType audio, upStream 0, reserved 1
	w.Zeros(3)                   // bufferSizeDB
	w.U32(0)                     // maxBitrate
	w.U32(0)                     // avgBitrate
	w.descriptor(0x05, len(asc)) // DecSpecificInfoTag
	w.Append(asc)
	w.descriptor(0x06, 1) // SLConfigDescrTag
	w.U8(0x02)            // predefined: reserved for use in MP4 files
	w.Close(at)
}

// descriptorSize is the whole size of a descriptor with a body of n bytes.
func descriptorSize(n int) int {
	return 1 + sizeFieldLen(n) + n
}

// sizeFieldLen is how many bytes the expandable size n takes: 7 bits each.
func sizeFieldLen(n int) int {
	k := 1
	for n >= 1<<(7*k) && k < 4 {
		k++
	}
	return k
}

// descriptor writes a descriptor's tag and the size of its body.
func (w *Builder) descriptor(tag byte, n int) {
	w.U8(tag)
	for i := sizeFieldLen(n) - 1; i > 0; i-- {
		w.U8(0x80 | byte(n>>(7*i))&0x7f)
	}
	w.U8(byte(n) & 0x7f)
}
