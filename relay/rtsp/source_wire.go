package rtsp

import (
	"errors"
	"fmt"

	"github.com/bluenviron/gortsplib/v4"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph264"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph265"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtpmpeg4audio"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	"github.com/pion/rtp"

	"github.com/lubo-edge/lubo/media"
)

// auDecoder is what the H.264 and H.265 depacketizers share.
type auDecoder interface {
	Decode(pkt *rtp.Packet) ([][]byte, error)
}

// incomplete reports the depacketizer errors that only mean "not a whole
// access unit yet" (including the start of a stream mid-fragment).
func incomplete(err error) bool {
	return errors.Is(err, rtph264.ErrMorePacketsNeeded) ||
		errors.Is(err, rtph264.ErrNonStartingPacketAndNoPrevious) ||
		errors.Is(err, rtph265.ErrMorePacketsNeeded) ||
		errors.Is(err, rtph265.ErrNonStartingPacketAndNoPrevious) ||
		errors.Is(err, rtpmpeg4audio.ErrMorePacketsNeeded)
}

// wireVideo prepares the depacketizer and assembler of the video media and
// queues its packet callback for attach.
func (s *Source) wireVideo(c *gortsplib.Client, sess *pullSession, m *description.Media, f format.Format) (*videoAssembler, error) {
	var dec auDecoder
	var a *videoAssembler
	switch f := f.(type) {
	case *format.H264:
		d, err := newRenewingDecoder(func() (auDecoder, error) { return f.CreateDecoder() })
		if err != nil {
			return nil, fmt.Errorf("H.264 depacketizer: %w", err)
		}
		sps, pps := f.SafeParams()
		dec, a = d, newVideoAssembler(media.H264, nil, sps, pps, sess.note)
	case *format.H265:
		d, err := newRenewingDecoder(func() (auDecoder, error) { return f.CreateDecoder() })
		if err != nil {
			return nil, fmt.Errorf("H.265 depacketizer: %w", err)
		}
		vps, sps, pps := f.SafeParams()
		dec, a = d, newVideoAssembler(media.H265, vps, sps, pps, sess.note)
	default:
		return nil, fmt.Errorf("unsupported video format %s", f.Codec())
	}
	sess.attachers = append(sess.attachers, func() {
		c.OnPacketRTP(m, f, func(pkt *rtp.Packet) {
			sess.touch()
			pts, ok := c.PacketPTS2(m, pkt)
			if !ok {
				return
			}
			au, err := dec.Decode(pkt)
			if err != nil {
				if !incomplete(err) {
					sess.note("video-depacketize", "video packet dropped: "+err.Error())
				}
				return
			}
			sess.onVideo(au, pts)
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
