package media

import "bytes"

// SplitAnnexB calls fn for each NAL unit in an Annex-B buffer, without
// copying: each nalu is a sub-slice of b. It stops early when fn returns false.
func SplitAnnexB(b []byte, fn func(nalu []byte) bool) {
	// A start code is 00 00 01; a 4-byte 00 00 00 01 ends in one too, and
	// its extra zero is trimmed as trailing zeros of the previous unit.
	// bytes.Index finds start codes far faster than a byte loop.
	i := bytes.Index(b, startCode)
	if i < 0 {
		return
	}
	start := i + 3
	for {
		j := bytes.Index(b[start:], startCode)
		if j < 0 {
			if start < len(b) {
				fn(b[start:])
			}
			return
		}
		end := start + j
		next := end + 3
		for end > start && b[end-1] == 0 {
			end--
		}
		if end > start && !fn(b[start:end]) {
			return
		}
		start = next
	}
}

var startCode = []byte{0, 0, 1}

// AppendAnnexB appends NAL units to dst, each preceded by a 4-byte start code.
func AppendAnnexB(dst []byte, nalus ...[]byte) []byte {
	for _, n := range nalus {
		dst = append(dst, 0, 0, 0, 1)
		dst = append(dst, n...)
	}
	return dst
}

// AnnexBSize is the length AppendAnnexB would add for nalus.
func AnnexBSize(nalus [][]byte) int {
	n := 0
	for _, u := range nalus {
		n += 4 + len(u)
	}
	return n
}

// H264Type is the nal_unit_type of an H.264 NAL unit.
func H264Type(nalu []byte) byte {
	if len(nalu) == 0 {
		return 0
	}
	return nalu[0] & 0x1f
}

// H265Type is the nal_unit_type of an H.265 NAL unit.
func H265Type(nalu []byte) byte {
	if len(nalu) == 0 {
		return 0
	}
	return (nalu[0] >> 1) & 0x3f
}

// H.264 and H.265 NAL unit types lubo looks at.
const (
	H264IDR = 5
	H264SPS = 7
	H264PPS = 8
	H264AUD = 9

	H265VPS    = 32
	H265SPS    = 33
	H265PPS    = 34
	H265AUD    = 35
	H265IRAPLo = 16 // BLA_W_LP
	H265IRAPHi = 23 // RSV_IRAP_VCL23
)

// IsKeyNALU reports whether nalu starts a random access point for codec.
func IsKeyNALU(codec Codec, nalu []byte) bool {
	switch codec {
	case H264:
		return H264Type(nalu) == H264IDR
	case H265:
		t := H265Type(nalu)
		return t >= H265IRAPLo && t <= H265IRAPHi
	}
	return false
}

// CanonicalAnnexB returns b as a list of non-empty NAL units each behind a
// 4-byte start code: b itself when it is already so (the usual case, no
// copy), else a new buffer. ok is false when b holds no NAL unit at all.
// Sources' frames pass through it once, where they enter the relay, so no
// output ever meets an empty NAL unit (gomedia's TS muxer panics on one),
// stray zero bytes or 3-byte start codes.
func CanonicalAnnexB(b []byte) (out []byte, ok bool) {
	off, n, canonical := 0, 0, true
	size := 0
	SplitAnnexB(b, func(nalu []byte) bool {
		n++
		size += 4 + len(nalu)
		if canonical {
			canonical = off+4 <= len(b) && b[off] == 0 && b[off+1] == 0 && b[off+2] == 0 && b[off+3] == 1 &&
				&b[off+4] == &nalu[0]
			off += 4 + len(nalu)
		}
		return true
	})
	if n == 0 {
		return nil, false
	}
	if canonical && off == len(b) {
		return b, true
	}
	out = make([]byte, 0, size)
	SplitAnnexB(b, func(nalu []byte) bool {
		out = append(out, 0, 0, 0, 1)
		out = append(out, nalu...)
		return true
	})
	return out, true
}
