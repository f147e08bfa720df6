package mp4

import (
	"errors"
	"fmt"

	"github.com/lubo-edge/lubo/internal/bmff"
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
	// nalus turns pictures into samples, leaving out the parameter sets
	// the entry holds (video only).
	nalus bmff.AnnexBFilter
}

func (c *trackConfig) audio() bool { return c.codec.IsAudio() }

func (c *trackConfig) kind() bmff.Kind {
	if c.audio() {
		return bmff.Sound
	}
	return bmff.Video
}

// newVideoConfig builds the avc1/hvc1 sample entry of v.
func newVideoConfig(v *media.VideoTrack) (*trackConfig, error) {
	switch v.Codec {
	case media.H264:
		if len(v.SPS) < 4 || len(v.PPS) == 0 {
			return nil, errors.New("H264 track without SPS/PPS")
		}
	case media.H265:
		if len(v.VPS) == 0 || len(v.SPS) < 4 || len(v.PPS) == 0 {
			return nil, errors.New("H265 track without VPS/SPS/PPS")
		}
	default:
		return nil, fmt.Errorf("video codec %v cannot go into MP4", v.Codec)
	}
	width, height := v.Width, v.Height
	if width <= 0 || height <= 0 {
		width, height = media.PictureSize(v.Codec, v.SPS)
	}
	if width <= 0 || height <= 0 || width > 0xffff || height > 0xffff {
		return nil, fmt.Errorf("%v picture size %dx%d unknown or invalid", v.Codec, width, height)
	}
	ps := bmff.ParamSets{VPS: v.VPS, SPS: v.SPS, PPS: v.PPS}
	var w bmff.Builder
	if err := w.VideoSampleEntry(v.Codec, uint16(width), uint16(height), ps); err != nil {
		return nil, fmt.Errorf("%v decoder configuration: %w", v.Codec, err)
	}
	return &trackConfig{codec: v.Codec, timescale: videoTimescale, entry: w.Bytes(),
		width: width, height: height, nalus: bmff.AnnexBFilter{Codec: v.Codec, ParamSets: ps}}, nil
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
	var w bmff.Builder
	if err := w.AACSampleEntry(channels, a.SampleRate, asc); err != nil {
		return nil, err
	}
	return &trackConfig{codec: media.AAC, timescale: uint32(a.SampleRate), entry: w.Bytes()}, nil
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
