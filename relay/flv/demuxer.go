package flv

import (
	"bytes"
	"errors"
	"fmt"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// Demuxer turns the bodies of FLV audio and video tags (which are also the
// payloads of RTMP audio and video messages) into frames. It tracks the
// codec parameters from the sequence headers: Video and Audio return a new
// pointer only when the parameters change, so callers can compare pointers.
type Demuxer struct {
	video      *media.VideoTrack
	audio      *media.AudioTrack
	lengthSize int // NAL unit length size of the video record

	haveTS bool
	lastTS uint32
	epoch  int64 // added to timestamps after the 32-bit millisecond counter wrapped
}

// Video is the current video track, nil until a video sequence header came.
func (d *Demuxer) Video() *media.VideoTrack { return d.video }

// Audio is the current audio track, nil until an AAC sequence header or a
// G.711 tag came.
func (d *Demuxer) Audio() *media.AudioTrack { return d.audio }

// Demux parses one tag body with its millisecond timestamp. It returns a
// frame owning its data, or nil when the tag carried codec configuration,
// metadata, or a codec lubo does not carry. Video frames are Annex-B, with
// the parameter sets in front on keyframes. body is not retained.
func (d *Demuxer) Demux(typ TagType, ts uint32, body []byte) (*media.Frame, error) {
	switch typ {
	case TagVideo:
		return d.demuxVideo(d.unwrap(ts), body)
	case TagAudio:
		return d.demuxAudio(d.unwrap(ts), body)
	}
	return nil, nil
}

// unwrap extends 32-bit millisecond timestamps across their wrap (49 days).
func (d *Demuxer) unwrap(ts uint32) time.Duration {
	if d.haveTS && ts < d.lastTS && d.lastTS-ts > 1<<31 {
		d.epoch += 1 << 32
	}
	d.haveTS, d.lastTS = true, ts
	return time.Duration(d.epoch+int64(ts)) * time.Millisecond
}

func (d *Demuxer) demuxVideo(dts time.Duration, body []byte) (*media.Frame, error) {
	if len(body) < 1 {
		return nil, errors.New("flv video: empty tag")
	}
	var (
		codec      media.Codec
		frameType  = body[0] >> 4 & 7
		packetType byte
		cts        int32
		payload    []byte
	)
	if body[0]&exVideoHeaderFlag != 0 {
		ex, err := parseExVideoHeader(body)
		if err != nil {
			return nil, err
		}
		if !ex.hasFourCC {
			return nil, nil // a command, metadata or multitrack: no picture lubo carries
		}
		switch string(ex.fourCC[:]) { // compared, not converted: no allocation
		case "avc1":
			codec = media.H264
		case "hvc1":
			codec = media.H265
		case "vp08", "vp09", "av01", "vvc1":
			return nil, nil // a codec lubo does not carry
		default:
			return nil, fmt.Errorf("flv video: unknown FourCC %q", ex.fourCC[:])
		}
		payload = ex.body
		switch ex.packetType {
		case exPacketSequenceStart:
			packetType = packetSequenceHeader
		case exPacketCodedFrames:
			if len(payload) < 3 {
				return nil, errors.New("flv video: composition time truncated")
			}
			packetType, cts, payload = packetData, int24(payload), payload[3:]
		case exPacketCodedFramesX:
			packetType = packetData
		default:
			return nil, nil // SequenceEnd, MPEG2TSSequenceStart: nothing to show
		}
	} else {
		codec = VideoCodec(body[0] & 0x0f)
		if codec == media.CodecUnknown {
			return nil, nil
		}
		if len(body) < 5 {
			return nil, errors.New("flv video: AVC header truncated")
		}
		packetType, cts, payload = body[1], int24(body[2:5]), body[5:]
	}
	if frameType != frameTypeKey && frameType != frameTypeInter && frameType != 3 {
		return nil, nil // video info/command frames carry no picture
	}

	switch packetType {
	case packetSequenceHeader:
		return nil, d.setVideoConfig(codec, payload)
	case packetData:
	default:
		return nil, nil
	}
	v := d.video
	if v == nil || v.Codec != codec {
		return nil, nil // no parameters yet: the frame cannot be decoded
	}
	data, key, err := avccToAnnexB(v, d.lengthSize, payload, frameType == frameTypeKey)
	if err != nil || data == nil {
		return nil, err
	}
	pts := dts + time.Duration(cts)*time.Millisecond
	return &media.Frame{Codec: codec, DTS: dts, PTS: pts, Key: key, Data: data}, nil
}

func (d *Demuxer) setVideoConfig(codec media.Codec, record []byte) error {
	v, lengthSize, err := parseVideoConfig(codec, record)
	if err != nil {
		return fmt.Errorf("flv video: %w", err)
	}
	if old := d.video; old != nil && old.Codec == v.Codec && bytes.Equal(old.VPS, v.VPS) &&
		bytes.Equal(old.SPS, v.SPS) && bytes.Equal(old.PPS, v.PPS) && d.lengthSize == lengthSize {
		return nil // servers repeat sequence headers; keep the pointer stable
	}
	d.video, d.lengthSize = v, lengthSize
	return nil
}

// avccToAnnexB converts length-prefixed NAL units to Annex-B. A frame is a
// keyframe when flagged or when it holds an IDR/IRAP picture; keyframes get
// the track's parameter sets in front unless they carry their own.
func avccToAnnexB(v *media.VideoTrack, lengthSize int, payload []byte, flaggedKey bool) ([]byte, bool, error) {
	size, count := 0, 0
	key, inbandParams := flaggedKey, false
	for p := 0; p < len(payload); {
		nalu, next, err := nextAVCC(payload, p, lengthSize)
		if err != nil {
			return nil, false, err
		}
		p = next
		if len(nalu) == 0 {
			continue
		}
		size += 4 + len(nalu)
		count++
		key = key || media.IsKeyNALU(v.Codec, nalu)
		inbandParams = inbandParams || isSPS(v.Codec, nalu)
	}
	if count == 0 {
		return nil, false, nil
	}
	params := [][]byte{v.SPS, v.PPS}
	if v.Codec == media.H265 {
		params = [][]byte{v.VPS, v.SPS, v.PPS}
	}
	prepend := key && !inbandParams
	if prepend {
		size += media.AnnexBSize(params)
	}
	out := make([]byte, 0, size)
	for p := 0; p < len(payload); {
		nalu, next, _ := nextAVCC(payload, p, lengthSize)
		p = next
		if len(nalu) == 0 {
			continue
		}
		// Parameter sets go before the first picture NAL unit, after an AUD.
		if prepend && !isAUD(v.Codec, nalu) {
			out = media.AppendAnnexB(out, params...)
			prepend = false
		}
		out = media.AppendAnnexB(out, nalu)
	}
	if prepend {
		out = media.AppendAnnexB(out, params...)
	}
	return out, key, nil
}

func nextAVCC(b []byte, p, lengthSize int) (nalu []byte, next int, err error) {
	if p+lengthSize > len(b) {
		return nil, 0, errors.New("flv video: NAL unit length truncated")
	}
	n := 0
	for _, c := range b[p : p+lengthSize] {
		n = n<<8 | int(c)
	}
	p += lengthSize
	if n > len(b)-p {
		return nil, 0, fmt.Errorf("flv video: NAL unit length %d exceeds the tag", n)
	}
	return b[p : p+n], p + n, nil
}

func isSPS(c media.Codec, nalu []byte) bool {
	if c == media.H265 {
		return media.H265Type(nalu) == media.H265SPS
	}
	return media.H264Type(nalu) == media.H264SPS
}

func isAUD(c media.Codec, nalu []byte) bool {
	if c == media.H265 {
		return media.H265Type(nalu) == media.H265AUD
	}
	return media.H264Type(nalu) == media.H264AUD
}

func (d *Demuxer) demuxAudio(dts time.Duration, body []byte) (*media.Frame, error) {
	if len(body) < 1 {
		return nil, errors.New("flv audio: empty tag")
	}
	codec := AudioCodec(body[0] >> 4)
	switch codec {
	case media.AAC:
		if len(body) < 2 {
			return nil, errors.New("flv audio: AAC header truncated")
		}
		if body[1] == packetSequenceHeader {
			return nil, d.setAACConfig(body[2:])
		}
		if d.audio == nil || d.audio.Codec != media.AAC || len(body) == 2 {
			return nil, nil
		}
		return audioFrame(codec, dts, body[2:]), nil
	case media.PCMA, media.PCMU:
		channels := 1 + int(body[0]&1)
		if a := d.audio; a == nil || a.Codec != codec || a.Channels != channels {
			d.audio = &media.AudioTrack{Codec: codec, SampleRate: 8000, Channels: channels}
		}
		if len(body) == 1 {
			return nil, nil
		}
		return audioFrame(codec, dts, body[1:]), nil
	}
	return nil, nil
}

func (d *Demuxer) setAACConfig(config []byte) error {
	if a := d.audio; a != nil && a.Codec == media.AAC && bytes.Equal(a.Config, config) {
		return nil
	}
	a, err := ParseAudioConfig(config)
	if err != nil {
		return fmt.Errorf("flv audio: %w", err)
	}
	d.audio = a
	return nil
}

func audioFrame(codec media.Codec, dts time.Duration, data []byte) *media.Frame {
	return &media.Frame{Codec: codec, DTS: dts, PTS: dts, Key: true, Data: bytes.Clone(data)}
}

// int24 reads a signed 24-bit big-endian integer.
func int24(b []byte) int32 {
	return int32(uint32(b[0])<<24|uint32(b[1])<<16|uint32(b[2])<<8) >> 8
}
