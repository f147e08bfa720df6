package segmenter

import (
	"errors"
	"fmt"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"

	"github.com/lubo-edge/lubo/internal/bmff"
	"github.com/lubo-edge/lubo/media"
)

// videoTimescale is the fMP4 video track's clock, the one MPEG uses.
const videoTimescale = 90000

// fmp4Init is an fMP4 initialization section (init{N}.mp4): ftyp and moov
// for one session's tracks, and what the media segments need to match it.
type fmp4Init struct {
	name      string // file name, relative to the playlist
	data      []byte
	video     *media.VideoTrack // nil without video; parameter sets present
	audio     *media.AudioTrack // nil without (usable AAC) audio
	videoID   uint32            // track IDs, 0 when the track is absent
	audioID   uint32
	audioRate uint32 // the audio track's timescale
	// nalus turns the session's pictures into samples, leaving out what
	// the init section holds.
	nalus bmff.AnnexBFilter
}

// newFMP4Init builds the init section for a video track (nil for none) and
// an AAC track (nil for none). The video track must carry its parameter
// sets; they go into the avcC/hvcC, where hvc1 requires them.
func newFMP4Init(name string, v *media.VideoTrack, a *media.AudioTrack) (*fmp4Init, error) {
	if v == nil && a == nil {
		return nil, errors.New("fmp4 init: no track")
	}
	in := &fmp4Init{name: name, video: v, audio: a}
	var tracks []bmff.Track
	if v != nil {
		width, height := pictureSize(v)
		ps := bmff.ParamSets{VPS: v.VPS, SPS: v.SPS, PPS: v.PPS}
		var entry bmff.Builder
		if err := entry.VideoSampleEntry(v.Codec, width, height, ps); err != nil {
			return nil, fmt.Errorf("fmp4 init: %w", err)
		}
		in.videoID = uint32(len(tracks) + 1)
		in.nalus = bmff.AnnexBFilter{Codec: v.Codec, ParamSets: ps}
		tracks = append(tracks, bmff.Track{ID: in.videoID, Kind: bmff.Video, Timescale: videoTimescale,
			Width: width, Height: height, SampleEntry: entry.Bytes()})
	}
	if a != nil {
		asc, err := audioConfig(a)
		if err != nil {
			return nil, err
		}
		config, err := asc.Marshal()
		if err != nil {
			return nil, fmt.Errorf("fmp4 init: AudioSpecificConfig: %w", err)
		}
		var entry bmff.Builder
		if err := entry.AACSampleEntry(asc.ChannelCount, asc.SampleRate, config); err != nil {
			return nil, fmt.Errorf("fmp4 init: %w", err)
		}
		in.audioID = uint32(len(tracks) + 1)
		in.audioRate = uint32(asc.SampleRate)
		tracks = append(tracks, bmff.Track{ID: in.audioID, Kind: bmff.Sound, Timescale: in.audioRate,
			SampleEntry: entry.Bytes()})
	}
	var w bmff.Builder
	w.InitSegment(tracks, false)
	in.data = w.Bytes()
	return in, nil
}

// pictureSize is the track's picture size, from the SPS when the source did
// not say; 0x0 when unknown or beyond what the sample entry can hold.
func pictureSize(v *media.VideoTrack) (width, height uint16) {
	w, h := v.Width, v.Height
	if w <= 0 || h <= 0 {
		w, h = media.PictureSize(v.Codec, v.SPS)
	}
	if w <= 0 || h <= 0 || w > 0xffff || h > 0xffff {
		return 0, 0
	}
	return uint16(w), uint16(h)
}

// audioConfig is the track's AudioSpecificConfig, or AAC-LC at the track's
// rate and channels when the source gave none.
func audioConfig(a *media.AudioTrack) (mpeg4audio.AudioSpecificConfig, error) {
	var asc mpeg4audio.AudioSpecificConfig
	if len(a.Config) > 0 {
		if err := asc.Unmarshal(a.Config); err != nil {
			return asc, fmt.Errorf("fmp4 init: AudioSpecificConfig %x: %w", a.Config, err)
		}
	} else {
		asc = mpeg4audio.AudioSpecificConfig{Type: mpeg4audio.ObjectTypeAACLC, SampleRate: a.SampleRate, ChannelCount: a.Channels}
	}
	if asc.SampleRate <= 0 || asc.SampleRate > 0xffff || asc.ChannelCount <= 0 {
		return asc, fmt.Errorf("fmp4 init: AAC at %d Hz with %d channels", asc.SampleRate, asc.ChannelCount)
	}
	return asc, nil
}
