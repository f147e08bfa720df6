// Package testclip turns short clips made by ffmpeg into lubo frames, for
// tests that need media the committed testdata does not have (B-frames,
// other sizes, G.711 beside H.265). Clips are MPEG-TS, demuxed with
// gomedia, so the demuxer under test is never the one making the fixture.
package testclip

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	mpeg2 "github.com/yapingcat/gomedia/go-mpeg2"

	"github.com/lubo-edge/lubo/media"
)

// FFmpeg runs ffmpeg quietly and returns its output with any failure.
func FFmpeg(args ...string) error {
	cmd := exec.Command("ffmpeg", append([]string{"-hide_banner", "-nostdin", "-v", "error", "-y"}, args...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("ffmpeg %v: %v\n%s", args, err, out)
	}
	return nil
}

// DemuxTS reads the H.264/H.265 and AAC frames of an MPEG-TS file: video as
// Annex-B with every keyframe self-contained (parameter sets prepended when
// the access unit lacks them), AAC as raw access units. Frames are in DTS
// order, start at zero and point at the returned tracks.
func DemuxTS(path string) (*media.Tracks, []*media.Frame, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	tracks := &media.Tracks{Session: 1}
	var frames []*media.Frame
	var params [][]byte // the latest VPS/SPS/PPS, for keyframes without them
	var demuxErr error
	d := mpeg2.NewTSDemuxer()
	d.OnFrame = func(cid mpeg2.TS_STREAM_TYPE, data []byte, ptsMS, dtsMS uint64) {
		if demuxErr != nil {
			return
		}
		pts, dts := time.Duration(ptsMS)*time.Millisecond, time.Duration(dtsMS)*time.Millisecond
		switch cid {
		case mpeg2.TS_STREAM_H264, mpeg2.TS_STREAM_H265:
			codec := media.H264
			if cid == mpeg2.TS_STREAM_H265 {
				codec = media.H265
			}
			fr, err := videoFrame(tracks, codec, data, &params)
			if err != nil {
				demuxErr = err
				return
			}
			fr.DTS, fr.PTS, fr.Tracks = dts, pts, tracks
			frames = append(frames, fr)
		case mpeg2.TS_STREAM_AAC:
			var pkts mpeg4audio.ADTSPackets
			if err := pkts.Unmarshal(data); err != nil {
				demuxErr = fmt.Errorf("ADTS at %v: %w", pts, err)
				return
			}
			for i, p := range pkts {
				if tracks.Audio == nil {
					asc := mpeg4audio.AudioSpecificConfig{Type: p.Type, SampleRate: p.SampleRate, ChannelCount: p.ChannelCount}
					conf, err := asc.Marshal()
					if err != nil {
						demuxErr = err
						return
					}
					tracks.Audio = &media.AudioTrack{Codec: media.AAC, SampleRate: p.SampleRate, Channels: p.ChannelCount, Config: conf}
				}
				step := time.Duration(i) * 1024 * time.Second / time.Duration(p.SampleRate)
				frames = append(frames, &media.Frame{Codec: media.AAC, PTS: pts + step, DTS: dts + step,
					Key: true, Data: bytes.Clone(p.AU), Tracks: tracks})
			}
		}
	}
	if err := d.Input(f); err != nil {
		return nil, nil, fmt.Errorf("demux %s: %w", path, err)
	}
	if demuxErr != nil {
		return nil, nil, fmt.Errorf("demux %s: %w", path, demuxErr)
	}
	if tracks.Video == nil || len(frames) == 0 {
		return nil, nil, fmt.Errorf("demux %s: no video keyframe", path)
	}
	slices.SortStableFunc(frames, func(a, b *media.Frame) int { return int(a.DTS - b.DTS) })
	base := frames[0].DTS
	for _, fr := range frames {
		fr.DTS -= base
		fr.PTS -= base
	}
	return tracks, frames, nil
}

// videoFrame copies an access unit, learns the track from its parameter
// sets and makes keyframes self-contained.
func videoFrame(tracks *media.Tracks, codec media.Codec, data []byte, params *[][]byte) (*media.Frame, error) {
	var nalus [][]byte
	key := false
	var vps, sps, pps []byte
	media.SplitAnnexB(data, func(n []byte) bool {
		n = bytes.Clone(n)
		nalus = append(nalus, n)
		switch {
		case codec == media.H264 && media.H264Type(n) == media.H264SPS, codec == media.H265 && media.H265Type(n) == media.H265SPS:
			sps = n
		case codec == media.H264 && media.H264Type(n) == media.H264PPS, codec == media.H265 && media.H265Type(n) == media.H265PPS:
			pps = n
		case codec == media.H265 && media.H265Type(n) == media.H265VPS:
			vps = n
		}
		key = key || media.IsKeyNALU(codec, n)
		return true
	})
	hasParams := sps != nil && pps != nil && (codec != media.H265 || vps != nil)
	if hasParams {
		*params = [][]byte{sps, pps}
		if codec == media.H265 {
			*params = [][]byte{vps, sps, pps}
		}
		if tracks.Video == nil {
			w, h := media.PictureSize(codec, sps)
			tracks.Video = &media.VideoTrack{Codec: codec, VPS: vps, SPS: sps, PPS: pps, Width: w, Height: h}
		}
	}
	if key && !hasParams {
		if *params == nil {
			return nil, fmt.Errorf("keyframe before any parameter sets")
		}
		nalus = append(slices.Clone(*params), nalus...)
	}
	return &media.Frame{Codec: codec, Key: key, Data: media.AppendAnnexB(nil, nalus...)}, nil
}
