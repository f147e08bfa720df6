package rtsp

import (
	"errors"
	"fmt"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtpmpeg4audio"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	"github.com/pion/rtp"

	"github.com/lubo-edge/lubo/media"
)

// incomplete reports the AAC depacketizer's errors that only mean "not a
// whole access unit yet".
func incomplete(err error) bool {
	return errors.Is(err, rtpmpeg4audio.ErrMorePacketsNeeded)
}

// wireVideo prepares the depacketizer and assembler of the video media and
// queues its packet callback for attach.
func (s *Source) wireVideo(c *gortsplib.Client, sess *pullSession, m *description.Media, f format.Format) (*videoAssembler, error) {
	var a *videoAssembler
	switch f := f.(type) {
	case *format.H264:
		if f.PacketizationMode >= 2 {
			return nil, fmt.Errorf("H.264 packetization mode %d (interleaved) is not supported", f.PacketizationMode)
		}
		sps, pps := f.SafeParams()
		a = newVideoAssembler(media.H264, nil, sps, pps, sess.note)
	case *format.H265:
		vps, sps, pps := f.SafeParams()
		a = newVideoAssembler(media.H265, vps, sps, pps, sess.note)
	default:
		return nil, fmt.Errorf("unsupported video format %s", f.Codec())
	}
	dep := newDepacketizer(a.codec == media.H265)
	sess.attachers = append(sess.attachers, func() {
		c.OnPacketRTP(m, f, func(pkt *rtp.Packet) {
			sess.touch()
			pts, ok := c.PacketPTS2(m, pkt)
			if !ok {
				return
			}
			if err := dep.decode(pkt, pts, sess.onVideo); err != nil && !errors.Is(err, errNotStarted) {
				sess.note("video-depacketize", "video packet dropped: "+err.Error())
			}
		})
	})
	return a, nil
}

// wireAudio prepares the depacketizer of the audio media and queues its
// packet callback for attach.
func (s *Source) wireAudio(c *gortsplib.Client, sess *pullSession, m *description.Media, f format.Format) error {
	var onPacket func(pkt *rtp.Packet, pts int64)
	sess.audioClock = f.ClockRate()
	switch f := f.(type) {
	case *format.MPEG4Audio:
		// An AU is 1024 samples at the core rate; with SBR the RTP clock
		// runs at the doubled rate.
		sess.aacAUTicks = int64(mpeg4audio.SamplesPerAccessUnit) * int64(f.ClockRate()) / int64(f.Config.SampleRate)
		dec, err := f.CreateDecoder()
		if err != nil {
			return fmt.Errorf("AAC depacketizer: %w", err)
		}
		onPacket = func(pkt *rtp.Packet, pts int64) {
			aus, err := dec.Decode(pkt)
			if err != nil {
				if !incomplete(err) {
					sess.note("audio-depacketize", "audio packet dropped: "+err.Error())
				}
				return
			}
			sess.onAAC(aus, pts)
		}
	case *format.G711:
		dec, err := f.CreateDecoder()
		if err != nil {
			return fmt.Errorf("G.711 depacketizer: %w", err)
		}
		onPacket = func(pkt *rtp.Packet, pts int64) {
			samples, err := dec.Decode(pkt)
			if err != nil {
				sess.note("audio-depacketize", "audio packet dropped: "+err.Error())
				return
			}
			sess.onG711(samples, pts)
		}
	default:
		return fmt.Errorf("unsupported audio format %s", f.Codec())
	}
	sess.attachers = append(sess.attachers, func() {
		c.OnPacketRTP(m, f, func(pkt *rtp.Packet) {
			sess.touch()
			pts, ok := c.PacketPTS2(m, pkt)
			if !ok {
				return
			}
			onPacket(pkt, pts)
		})
	})
	return nil
}
