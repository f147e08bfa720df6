package rtsp

import (
	"bytes"
	"fmt"
	"math/rand/v2"

	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	"github.com/pion/rtp"

	"github.com/lubo-edge/lubo/media"
)

// Payload types of the served SDP; G.711 at 8 kHz mono uses its static ones.
const (
	payloadVideo = 96
	payloadAAC   = 97
	payloadG711  = 98
)

// outMedia is one media of a served stream: its SDP entry and how a frame
// becomes RTP packets.
type outMedia struct {
	desc   *description.Media
	codec  media.Codec
	clock  int
	offset uint32 // random start of the RTP timestamps (RFC 3550)
	encode func(f *media.Frame) ([]*rtp.Packet, error)
}

// packets packetizes f with RTP timestamps from its PTS.
func (m *outMedia) packets(f *media.Frame) ([]*rtp.Packet, error) {
	pkts, err := m.encode(f)
	if err != nil {
		return nil, err
	}
	ts := m.offset + uint32(durationToTicks(f.PTS, m.clock))
	for _, p := range pkts {
		p.Timestamp += ts // encoders number samples from 0 within the frame
	}
	return pkts, nil
}

// outStream is the SDP and the packetizers for one set of tracks.
type outStream struct {
	desc  *description.Session
	video *outMedia
	audio *outMedia
}

// media finds the packetizer for a frame's codec; nil when the served SDP
// has no such media.
func (o *outStream) media(c media.Codec) *outMedia {
	if o.video != nil && o.video.codec == c {
		return o.video
	}
	if o.audio != nil && o.audio.codec == c {
		return o.audio
	}
	return nil
}

// buildOutStream describes tracks as an RTSP session.
func buildOutStream(t *media.Tracks) (*outStream, error) {
	o := &outStream{desc: &description.Session{Title: "lubo"}}
	if t.Video != nil {
		m, err := videoOut(t.Video)
		if err != nil {
			return nil, err
		}
		o.video = m
		o.desc.Medias = append(o.desc.Medias, m.desc)
	}
	if t.Audio != nil {
		m, err := audioOut(t.Audio)
		if err != nil {
			return nil, err
		}
		o.audio = m
		o.desc.Medias = append(o.desc.Medias, m.desc)
	}
	if len(o.desc.Medias) == 0 {
		return nil, fmt.Errorf("no tracks to serve")
	}
	return o, nil
}

func videoOut(v *media.VideoTrack) (*outMedia, error) {
	var f format.Format
	var encode func([][]byte) ([]*rtp.Packet, error)
	switch v.Codec {
	case media.H264:
		h := &format.H264{PayloadTyp: payloadVideo, SPS: v.SPS, PPS: v.PPS, PacketizationMode: 1}
		enc, err := h.CreateEncoder()
		if err != nil {
			return nil, fmt.Errorf("H.264 packetizer: %w", err)
		}
		f, encode = h, enc.Encode
	case media.H265:
		h := &format.H265{PayloadTyp: payloadVideo, VPS: v.VPS, SPS: v.SPS, PPS: v.PPS}
		enc, err := h.CreateEncoder()
		if err != nil {
			return nil, fmt.Errorf("H.265 packetizer: %w", err)
		}
		f, encode = h, enc.Encode
	default:
		return nil, fmt.Errorf("video codec %s cannot be served over RTSP", v.Codec)
	}
	return &outMedia{
		desc:   &description.Media{Type: description.MediaTypeVideo, Formats: []format.Format{f}},
		codec:  v.Codec,
		clock:  f.ClockRate(),
		offset: rand.Uint32(),
		encode: func(f *media.Frame) ([]*rtp.Packet, error) {
			nalus := make([][]byte, 0, 8)
			params := false
			media.SplitAnnexB(f.Data, func(n []byte) bool {
				nalus = append(nalus, n)
				params = params || isSPS(v.Codec, n)
				return true
			})
			if len(nalus) == 0 {
				return nil, fmt.Errorf("empty video frame")
			}
			if f.Key && !params {
				nalus = withParamSets(f, nalus)
			}
			return encode(nalus)
		},
	}, nil
}

func isSPS(c media.Codec, nalu []byte) bool {
	if c == media.H265 {
		return media.H265Type(nalu) == media.H265SPS
	}
	return media.H264Type(nalu) == media.H264SPS
}

// withParamSets puts the frame's parameter sets before a keyframe that
// came without them. A player tuned in with the SDP's sprop parameter sets;
// after a reconnect with a new resolution (same codec, same session) the
// only place it can learn the new ones is in-band, before the keyframe.
func withParamSets(f *media.Frame, nalus [][]byte) [][]byte {
	if f.Tracks == nil || f.Tracks.Video == nil {
		return nalus
	}
	v := f.Tracks.Video
	var ps [][]byte
	for _, n := range [][]byte{v.VPS, v.SPS, v.PPS} {
		if len(n) > 0 {
			ps = append(ps, n)
		}
	}
	return append(ps, nalus...)
}

func audioOut(a *media.AudioTrack) (*outMedia, error) {
	var f format.Format
	var encode func(*media.Frame) ([]*rtp.Packet, error)
	switch a.Codec {
	case media.AAC:
		cfg, err := aacConfig(a)
		if err != nil {
			return nil, err
		}
		m := &format.MPEG4Audio{
			PayloadTyp: payloadAAC, ProfileLevelID: 1, Config: cfg,
			SizeLength: 13, IndexLength: 3, IndexDeltaLength: 3,
		}
		enc, err := m.CreateEncoder()
		if err != nil {
			return nil, fmt.Errorf("AAC packetizer: %w", err)
		}
		f = m
		encode = func(f *media.Frame) ([]*rtp.Packet, error) { return enc.Encode([][]byte{f.Data}) }
	case media.PCMA, media.PCMU:
		g := &format.G711{PayloadTyp: payloadG711, MULaw: a.Codec == media.PCMU, SampleRate: a.SampleRate, ChannelCount: a.Channels}
		if g.SampleRate <= 0 {
			g.SampleRate = 8000
		}
		if g.ChannelCount <= 0 {
			g.ChannelCount = 1
		}
		if g.SampleRate == 8000 && g.ChannelCount == 1 {
			g.PayloadTyp = 8 // static PCMA
			if g.MULaw {
				g.PayloadTyp = 0 // static PCMU
			}
		}
		enc, err := g.CreateEncoder()
		if err != nil {
			return nil, fmt.Errorf("G.711 packetizer: %w", err)
		}
		f = g
		encode = func(f *media.Frame) ([]*rtp.Packet, error) { return enc.Encode(f.Data) }
	default:
		return nil, fmt.Errorf("audio codec %s cannot be served over RTSP", a.Codec)
	}
	return &outMedia{
		desc:   &description.Media{Type: description.MediaTypeAudio, Formats: []format.Format{f}},
		codec:  a.Codec,
		clock:  f.ClockRate(),
		offset: rand.Uint32(),
		encode: encode,
	}, nil
}

// aacConfig is the track's AudioSpecificConfig, or AAC-LC made from its
// rate and channels when a source gave none.
func aacConfig(a *media.AudioTrack) (*mpeg4audio.AudioSpecificConfig, error) {
	var cfg mpeg4audio.AudioSpecificConfig
	if len(a.Config) > 0 {
		if err := cfg.Unmarshal(a.Config); err != nil {
			return nil, fmt.Errorf("AAC config: %w", err)
		}
		return &cfg, nil
	}
	if a.SampleRate <= 0 || a.Channels <= 0 {
		return nil, fmt.Errorf("AAC track without config, sample rate or channels")
	}
	cfg = mpeg4audio.AudioSpecificConfig{Type: mpeg4audio.ObjectTypeAACLC, SampleRate: a.SampleRate, ChannelCount: a.Channels}
	return &cfg, nil
}

// sameShape reports whether frames of tracks b can go on being served with
// the SDP made for a: same codecs and the same audio clock. Changed video
// parameter sets travel in-band, so they do not matter here.
func sameShape(a, b *media.Tracks) bool {
	if (a.Video == nil) != (b.Video == nil) || (a.Audio == nil) != (b.Audio == nil) {
		return false
	}
	if a.Video != nil && a.Video.Codec != b.Video.Codec {
		return false
	}
	if a.Audio != nil {
		x, y := a.Audio, b.Audio
		if x.Codec != y.Codec || x.SampleRate != y.SampleRate || x.Channels != y.Channels || !bytes.Equal(x.Config, y.Config) {
			return false
		}
	}
	return true
}
