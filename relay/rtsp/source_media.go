package rtsp

import (
	"fmt"
	"strings"

	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"

	"github.com/lubo-edge/lubo/media"
)

// pickedMedia is the video and audio lubo takes from a camera's SDP; either
// may be nil, not both.
type pickedMedia struct {
	videoMedia  *description.Media
	videoFormat format.Format // *format.H264 or *format.H265
	audioMedia  *description.Media
	audioFormat format.Format // *format.MPEG4Audio or *format.G711
	audioTrack  *media.AudioTrack
}

// pickMedia chooses the first H.264/H.265 video and the first AAC/G.711
// audio of desc. Other codecs (and back channels) are ignored.
func pickMedia(desc *description.Session) (*pickedMedia, error) {
	p := &pickedMedia{}
	var seen []string
	for _, m := range desc.Medias {
		if m.IsBackChannel {
			continue
		}
		for _, f := range m.Formats {
			seen = append(seen, f.Codec())
			switch f := f.(type) {
			case *format.H264, *format.H265:
				if p.videoMedia == nil {
					p.videoMedia, p.videoFormat = m, f
				}
			case *format.MPEG4Audio:
				if p.audioMedia == nil && f.Config != nil && f.Config.SampleRate > 0 {
					p.audioMedia, p.audioFormat = m, f
				}
			case *format.G711:
				if p.audioMedia == nil {
					p.audioMedia, p.audioFormat = m, f
				}
			}
		}
	}
	if p.videoMedia == nil && p.audioMedia == nil {
		found := "nothing"
		if len(seen) > 0 {
			found = strings.Join(seen, ", ")
		}
		return nil, fmt.Errorf("no H.264/H.265 video or AAC/G.711 audio in the stream (found %s)", found)
	}
	if p.audioMedia != nil {
		t, err := audioTrackOf(p.audioFormat)
		if err != nil {
			return nil, err
		}
		p.audioTrack = t
	}
	return p, nil
}

// audioTrackOf describes an audio format in lubo's terms.
func audioTrackOf(f format.Format) (*media.AudioTrack, error) {
	switch f := f.(type) {
	case *format.MPEG4Audio:
		cfg, err := f.Config.Marshal()
		if err != nil {
			return nil, fmt.Errorf("AAC config: %w", err)
		}
		return &media.AudioTrack{
			Codec:      media.AAC,
			SampleRate: f.Config.SampleRate,
			Channels:   f.Config.ChannelCount,
			Config:     cfg,
		}, nil
	case *format.G711:
		c := media.PCMA
		if f.MULaw {
			c = media.PCMU
		}
		return &media.AudioTrack{Codec: c, SampleRate: f.SampleRate, Channels: f.ChannelCount}, nil
	}
	return nil, fmt.Errorf("unsupported audio format %s", f.Codec())
}
