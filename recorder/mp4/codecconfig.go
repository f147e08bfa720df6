package mp4

import (
	"errors"
	"fmt"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
	"github.com/yapingcat/gomedia/go-codec"

	"github.com/lubo-edge/lubo/media"
)

// Timescales of the tracks: the MPEG 90 kHz clock for video, the sample rate
// for audio (so every AAC frame lasts exactly 1024 ticks).
const videoTimescale = 90000

// trackConfig is what the sample description of one track needs, and what
// the writer strips from samples because the description already holds it.
type trackConfig struct {
	codec     media.Codec
	timescale uint32
	entry     []byte // the stsd sample entry box: avc1, hvc1 or mp4a
	width     int    // pixels; 0 for audio
	height    int
	// paramSets are the raw parameter sets in the decoder configuration;
	// identical copies in a sample are redundant and dropped.
	paramSets [][]byte
}

func (c *trackConfig) audio() bool { return c.codec.IsAudio() }

// newVideoConfig builds the avc1/hvc1 sample entry of v. The decoder
// configuration records come from gomedia's go-codec.
func newVideoConfig(v *media.VideoTrack) (*trackConfig, error) {
	var (
		record []byte
		err    error
		fourcc string
		sets   [][]byte
	)
	switch v.Codec {
	case media.H264:
		if len(v.SPS) < 4 || len(v.PPS) == 0 {
			return nil, errors.New("H264 track without SPS/PPS")
		}
		fourcc, sets = "avc1", [][]byte{v.SPS, v.PPS}
		record, err = avcRecord(v.SPS, v.PPS)
	case media.H265:
		if len(v.VPS) == 0 || len(v.SPS) < 4 || len(v.PPS) == 0 {
			return nil, errors.New("H265 track without VPS/SPS/PPS")
		}
		fourcc, sets = "hvc1", [][]byte{v.VPS, v.SPS, v.PPS}
		record, err = hevcRecord(v.VPS, v.SPS, v.PPS)
	default:
		return nil, fmt.Errorf("video codec %v cannot go into MP4", v.Codec)
	}
	if err != nil {
		return nil, fmt.Errorf("%v decoder configuration: %w", v.Codec, err)
	}
	width, height := v.Width, v.Height
	if width <= 0 || height <= 0 {
		width, height = spsSize(v.Codec, v.SPS)
	}
	if width <= 0 || height <= 0 || width > 0xffff || height > 0xffff {
		return nil, fmt.Errorf("%v picture size %dx%d unknown or invalid", v.Codec, width, height)
	}

	var w boxBuilder
	at := w.open(fourcc)
	w.zeros(6)  // reserved
	w.u16(1)    // data_reference_index
	w.zeros(16) // pre_defined, reserved
	w.u16(uint16(width))
	w.u16(uint16(height))
	w.u32(0x00480000) // 72 dpi
	w.u32(0x00480000)
	w.u32(0)    // reserved
	w.u16(1)    // frame_count
	w.zeros(32) // compressorname
	w.u16(0x0018)
	w.u16(0xffff) // pre_defined = -1
	if fourcc == "avc1" {
		rec := w.open("avcC")
		w.bytes(record)
		w.close(rec)
	} else {
		rec := w.open("hvcC")
		w.bytes(record)
		w.close(rec)
	}
	w.close(at)
	return &trackConfig{codec: v.Codec, timescale: videoTimescale, entry: w.b,
		width: width, height: height, paramSets: sets}, nil
}

// avcRecord is the AVCDecoderConfigurationRecord, by gomedia.
func avcRecord(sps, pps []byte) (record []byte, err error) {
	defer recoverInto(&err)
	// go-codec strips a start code from each parameter set and would cut
	// two bytes off one without, so they go in with one.
	return codec.CreateH264AVCCExtradata([][]byte{withStartCode(sps)}, [][]byte{withStartCode(pps)})
}

// hevcRecord is the HEVCDecoderConfigurationRecord, by gomedia.
func hevcRecord(vps, sps, pps []byte) (record []byte, err error) {
	defer recoverInto(&err)
	c := codec.NewHEVCRecordConfiguration()
	c.UpdateVPS(withStartCode(vps))
	c.UpdateSPS(withStartCode(sps))
	c.UpdatePPS(withStartCode(pps))
	return c.Encode()
}

// recoverInto turns a panic of gomedia's bit readers on a malformed
// parameter set into an error.
func recoverInto(err *error) {
	if p := recover(); p != nil {
		*err = fmt.Errorf("malformed parameter set (%v)", p)
	}
}

func withStartCode(nalu []byte) []byte {
	return append([]byte{0, 0, 0, 1}, nalu...)
}

// spsSize reads the picture size from an SPS; zeros when it cannot.
func spsSize(c media.Codec, sps []byte) (width, height int) {
	switch c {
	case media.H264:
		var s h264.SPS
		if s.Unmarshal(sps) == nil {
			return s.Width(), s.Height()
		}
	case media.H265:
		var s h265.SPS
		if s.Unmarshal(sps) == nil {
			return s.Width(), s.Height()
		}
	}
	return 0, 0
}

// aacSampleRates is the sampling_frequency_index table of ISO 14496-3.
var aacSampleRates = [...]int{96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350}

// newAudioConfig builds the mp4a sample entry of an AAC track.
func newAudioConfig(a *media.AudioTrack) (*trackConfig, error) {
	if a.Codec != media.AAC {
		return nil, fmt.Errorf("audio codec %v cannot go into MP4", a.Codec)
	}
	if a.SampleRate <= 0 || a.SampleRate > 192000 {
		return nil, fmt.Errorf("AAC sample rate %d is invalid", a.SampleRate)
	}
	channels := a.Channels
	if channels <= 0 {
		channels = 2
	}
	asc := a.Config
	if len(asc) == 0 {
		var err error
		if asc, err = lcConfig(a.SampleRate, channels); err != nil {
			return nil, err
		}
	}
	if len(asc) > 100 {
		return nil, fmt.Errorf("AAC AudioSpecificConfig of %d bytes is too long", len(asc))
	}

	var w boxBuilder
	at := w.open("mp4a")
	w.zeros(6) // reserved
	w.u16(1)   // data_reference_index
	w.zeros(8) // reserved
	w.u16(uint16(min(channels, 0xffff)))
	w.u16(16) // samplesize
	w.u32(0)  // pre_defined, reserved
	if a.SampleRate <= 0xffff {
		w.u32(uint32(a.SampleRate) << 16)
	} else {
		w.u32(0) // does not fit 16.16; the timescale says it
	}
	esds(&w, asc)
	w.close(at)
	return &trackConfig{codec: media.AAC, timescale: uint32(a.SampleRate), entry: w.b}, nil
}

// lcConfig is the AudioSpecificConfig of plain AAC-LC at rate and channels.
func lcConfig(rate, channels int) ([]byte, error) {
	index := -1
	for i, r := range aacSampleRates {
		if r == rate {
			index = i
		}
	}
	if index < 0 || channels > 7 {
		return nil, fmt.Errorf("AAC track without AudioSpecificConfig, and %d Hz/%d channels has no standard one", rate, channels)
	}
	v := uint16(2)<<11 | uint16(index)<<7 | uint16(channels)<<3
	return []byte{byte(v >> 8), byte(v)}, nil
}

// esds writes the elementary stream descriptor that carries asc.
func esds(w *boxBuilder, asc []byte) {
	at := w.openFull("esds", 0, 0)
	decSpecific := 2 + len(asc)
	decConfig := 2 + 13 + decSpecific
	es := 2 + 3 + decConfig + 2 + 1
	w.u8(0x03) // ES_DescrTag
	w.u8(byte(es - 2))
	w.u16(0)   // ES_ID
	w.u8(0)    // flags
	w.u8(0x04) // DecoderConfigDescrTag
	w.u8(byte(decConfig - 2))
	w.u8(0x40) // objectTypeIndication: MPEG-4 audio
	w.u8(0x15) // streamType audio, upStream 0, reserved 1
	w.u8(0)    // bufferSizeDB (24 bits)
	w.u16(0)
	w.u32(0)   // maxBitrate
	w.u32(0)   // avgBitrate
	w.u8(0x05) // DecSpecificInfoTag
	w.u8(byte(len(asc)))
	w.bytes(asc)
	w.u8(0x06) // SLConfigDescrTag
	w.u8(1)
	w.u8(0x02) // predefined: MP4
	w.close(at)
}
