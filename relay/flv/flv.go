// Package flv reads and writes FLV: a muxer for HTTP-FLV viewers (Writer), a
// tag reader and demuxer for FLV input (TagReader, Demuxer) and an HTTP-FLV
// pull source (Source).
//
// H.265 uses FLV video codec id 12 by default, the de-facto extension that
// flv.js forks, ffmpeg builds with the Chinese patches and most Chinese
// players expect; a Writer can write enhanced-RTMP FLV (FourCC "hvc1")
// instead (WithHEVCMode). On input, both are understood, as is enhanced
// "avc1".
package flv

import "github.com/lubo-edge/lubo/media"

// TagType is the type field of an FLV tag.
type TagType uint8

// FLV tag types.
const (
	TagAudio  TagType = 8
	TagVideo  TagType = 9
	TagScript TagType = 18
)

// FLV video codec ids (low nibble of the first video tag byte).
const (
	VideoCodecH264 = 7
	VideoCodecH265 = 12
)

// FLV sound formats (high nibble of the first audio tag byte).
const (
	SoundPCMA = 7
	SoundPCMU = 8
	SoundAAC  = 10
)

// Packet types of AVC/HEVC video and AAC audio tags.
const (
	packetSequenceHeader = 0
	packetData           = 1
)

// Enhanced-RTMP video packet types (used when bit 7 of the first byte is set).
const (
	exPacketSequenceStart = 0
	exPacketCodedFrames   = 1
	exPacketCodedFramesX  = 3
)

// Video frame types (high nibble of the first video tag byte).
const (
	frameTypeKey   = 1
	frameTypeInter = 2
)

// maxTagSize bounds one tag's payload. The 24-bit size field allows 16 MiB;
// no real picture comes near 8 MiB, so anything larger is treated as garbage.
const maxTagSize = 8 << 20

// VideoCodec maps an FLV video codec id to a codec; CodecUnknown if lubo
// does not carry it.
func VideoCodec(codecID byte) media.Codec {
	switch codecID {
	case VideoCodecH264:
		return media.H264
	case VideoCodecH265:
		return media.H265
	}
	return media.CodecUnknown
}

// AudioCodec maps an FLV sound format to a codec; CodecUnknown if lubo does
// not carry it.
func AudioCodec(soundFormat byte) media.Codec {
	switch soundFormat {
	case SoundAAC:
		return media.AAC
	case SoundPCMA:
		return media.PCMA
	case SoundPCMU:
		return media.PCMU
	}
	return media.CodecUnknown
}

// videoCodecID is the FLV codec id for c, 0 if FLV cannot carry it.
func videoCodecID(c media.Codec) byte {
	switch c {
	case media.H264:
		return VideoCodecH264
	case media.H265:
		return VideoCodecH265
	}
	return 0
}

// soundFormat is the FLV sound format for c, 0 if FLV cannot carry it.
func soundFormat(c media.Codec) byte {
	switch c {
	case media.AAC:
		return SoundAAC
	case media.PCMA:
		return SoundPCMA
	case media.PCMU:
		return SoundPCMU
	}
	return 0
}
