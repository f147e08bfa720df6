package rtsp

import (
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// FuzzServerPacketize feeds arbitrary pictures and audio frames, with
// arbitrary track parameters, through a player's packetizers. Whatever a
// source let through, serving it must not panic, and what comes out is
// RTP packets that marshal, or an error.
func FuzzServerPacketize(f *testing.F) {
	c := loadClip(f, clipH264AAC)
	for i, fr := range c.frames {
		if i < 8 {
			f.Add(false, fr.IsVideo(), fr.Key, c.tracks.Video.SPS, c.tracks.Video.PPS, fr.Data)
		}
	}
	h := loadClip(f, clipH265PCMA)
	for i, fr := range h.frames {
		if i < 4 && fr.IsVideo() {
			f.Add(true, true, fr.Key, h.tracks.Video.SPS, h.tracks.Video.PPS, fr.Data)
		}
	}
	f.Add(false, true, true, []byte{}, []byte{}, []byte{0, 0, 0, 1, 0x65})
	f.Add(false, true, true, []byte{0x67}, []byte{0x68}, []byte{0, 0, 1})

	f.Fuzz(func(t *testing.T, h265, video, key bool, sps, pps, data []byte) {
		v := &media.VideoTrack{Codec: media.H264, SPS: sps, PPS: pps}
		if h265 {
			v = &media.VideoTrack{Codec: media.H265, VPS: []byte{0x40, 1}, SPS: sps, PPS: pps}
		}
		tracks := &media.Tracks{Video: v, Audio: c.tracks.Audio}
		out, err := buildOutStream(tracks)
		if err != nil {
			return // parameters no SDP can carry: the player gets a 503
		}
		fr := &media.Frame{Codec: v.Codec, Key: key, Data: data, PTS: 40 * time.Millisecond, Tracks: tracks}
		if !video {
			fr.Codec = media.AAC
		}
		m := out.media(fr.Codec)
		pkts, err := m.packets(fr)
		if err != nil {
			return
		}
		if len(pkts) == 0 {
			t.Fatal("no packets and no error")
		}
		for _, p := range pkts {
			if _, err := p.Marshal(); err != nil {
				t.Fatalf("packet does not marshal: %v", err)
			}
		}
	})
}
