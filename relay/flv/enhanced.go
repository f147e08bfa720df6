package flv

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Enhanced RTMP / enhanced FLV video, as specified by Veovera's "Enhanced
// RTMP" v2 (enhanced-rtmp-v2, document v2-2026-01-31-r2; the single-track
// "hvc1" layout lubo writes is unchanged since v1): when bit 7 of the first
// video byte (IsExVideoHeader) is set, bits 4-6 are the FrameType, the low
// nibble is a VideoPacketType instead of a codec id, and a FourCC follows.

// HEVCMode is how a Writer puts H.265 into FLV. H.264 and audio are written
// the same way in every mode.
type HEVCMode uint8

const (
	// Legacy12 uses video codec id 12 with AVC-style packets (packet type,
	// composition time, HEVCDecoderConfigurationRecord): what flv.js forks
	// and Chinese players read. The default.
	Legacy12 HEVCMode = iota
	// Enhanced uses the enhanced-RTMP ExVideoTagHeader with FourCC "hvc1":
	// what ffmpeg 6.1+, OBS and current players read.
	Enhanced
)

func (m HEVCMode) String() string {
	switch m {
	case Legacy12:
		return "12"
	case Enhanced:
		return "enhanced"
	}
	return fmt.Sprintf("HEVCMode(%d)", uint8(m))
}

// ParseHEVCMode maps the names a viewer may ask for ("12", "enhanced"; ""
// is the default, Legacy12) to a mode.
func ParseHEVCMode(s string) (HEVCMode, error) {
	switch s {
	case "", "12":
		return Legacy12, nil
	case "enhanced":
		return Enhanced, nil
	}
	return Legacy12, fmt.Errorf("hevc mode %q: want 12 (the default) or enhanced", s)
}

// exVideoHeaderFlag is IsExVideoHeader, bit 7 of the first video byte.
const exVideoHeaderFlag = 0x80

// Enhanced-RTMP VideoPacketType values (low nibble when IsExVideoHeader is
// set). Packet types 0, 1 and 3 are declared with the legacy constants.
const (
	exPacketSequenceEnd          = 2
	exPacketMetadata             = 4
	exPacketMPEG2TSSequenceStart = 5
	exPacketMultitrack           = 6
	exPacketModEx                = 7
)

// frameTypeCommand is the video info/command frame: a VideoCommand byte
// follows the header instead of a picture.
const frameTypeCommand = 5

// fourCCHEVC is the FourCC of H.265 in enhanced RTMP; its big-endian value
// is what onMetaData's videocodecid holds for an enhanced stream.
var fourCCHEVC = [4]byte{'h', 'v', 'c', '1'}

// fourCCNumber is a FourCC as the number onMetaData carries.
func fourCCNumber(f [4]byte) float64 { return float64(binary.BigEndian.Uint32(f[:])) }

// appendExVideoHeader appends the ExVideoTagHeader of a single-track hvc1
// packet: one byte (IsExVideoHeader | FrameType<<4 | PacketType), the FourCC.
func appendExVideoHeader(b []byte, frameType, packetType byte) []byte {
	b = append(b, exVideoHeaderFlag|frameType<<4|packetType)
	return append(b, fourCCHEVC[:]...)
}

// exVideo is a parsed ExVideoTagHeader: what a video tag says once ModEx
// prefixes are consumed.
type exVideo struct {
	frameType  byte
	packetType byte
	fourCC     [4]byte
	hasFourCC  bool   // false for a command frame, a metadata or multitrack packet
	body       []byte // after the FourCC (a CodedFrames body starts with its SI24)
}

var errExTruncated = errors.New("flv video: enhanced header truncated")

// parseExVideoHeader reads the ExVideoTagHeader of a tag whose first byte
// has IsExVideoHeader set. Reserved frame types, packet types and an
// incomplete header are errors; what lubo does not carry (commands,
// metadata, multitrack) comes back without a fourCC.
func parseExVideoHeader(tag []byte) (exVideo, error) {
	if len(tag) < 1 || tag[0]&exVideoHeaderFlag == 0 {
		return exVideo{}, errors.New("flv video: not an enhanced header")
	}
	v := exVideo{frameType: tag[0] >> 4 & 7, packetType: tag[0] & 0x0f}
	p := 1
	// ModEx packets prefix the real packet type with modifier data.
	for v.packetType == exPacketModEx {
		if p >= len(tag) {
			return exVideo{}, errExTruncated
		}
		size := int(tag[p]) + 1
		p++
		if size == 256 {
			if p+2 > len(tag) {
				return exVideo{}, errExTruncated
			}
			size = int(binary.BigEndian.Uint16(tag[p:])) + 1
			p += 2
		}
		// The data (a sub-millisecond timestamp offset, the only ModEx type
		// defined) is skipped: FLV timestamps are in milliseconds anyway.
		if p+size+1 > len(tag) {
			return exVideo{}, errExTruncated
		}
		p += size
		v.packetType = tag[p] & 0x0f
		p++
	}
	// The order of the checks is the specification's: the frame type means
	// nothing to a Metadata packet, and a command frame has no FourCC.
	if v.packetType == exPacketMetadata {
		v.body = tag[p:]
		return v, nil
	}
	if v.frameType == 0 || v.frameType > frameTypeCommand {
		return exVideo{}, fmt.Errorf("flv video: reserved frame type %d", v.frameType)
	}
	if v.frameType == frameTypeCommand {
		if p >= len(tag) {
			return exVideo{}, errExTruncated
		}
		v.body = tag[p:] // the VideoCommand byte
		return v, nil
	}
	switch v.packetType {
	case exPacketSequenceStart, exPacketCodedFrames, exPacketSequenceEnd, exPacketCodedFramesX, exPacketMPEG2TSSequenceStart:
	case exPacketMultitrack:
		v.body = tag[p:] // lubo does not take multitrack streams apart
		return v, nil
	default:
		return exVideo{}, fmt.Errorf("flv video: reserved packet type %d", v.packetType)
	}
	if p+4 > len(tag) {
		return exVideo{}, errExTruncated
	}
	v.fourCC, v.hasFourCC, v.body = [4]byte(tag[p:p+4]), true, tag[p+4:]
	return v, nil
}
