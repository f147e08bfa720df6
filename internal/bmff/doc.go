// Package bmff writes the ISO base media file format (ISO/IEC 14496-12,
// MP4) boxes lubo needs: the init segment of a fragmented file (ftyp, moov
// with empty sample tables, mvex), the sample entries and decoder
// configurations of H.264, H.265 and AAC (avc1/avcC, hvc1/hvcC,
// mp4a/esds, ISO/IEC 14496-15 and 14496-1), the head of a fragment (moof
// with a traf per track, then the mdat header), and the rewriting of an
// Annex-B access unit into the length-prefixed NAL units a sample holds.
//
// It is the one box writer of the fMP4 HLS segmenter and of the recorder.
// Neither mediacommon's fmp4 nor gomedia's go-mp4 is used for this: the
// first writes H.265 as hev1 (Safari wants hvc1, parameter sets in the
// hvcC), parses the SPS before it writes anything and copies every payload
// once more into each fragment; the second fixes every timescale at
// 1000 Hz and writes a fragment in several writes, so there is no point
// after which it is whole on disk.
//
// Everything appends to a Builder's reusable byte slice: after the first
// use, building a fragment head allocates nothing. Payloads are never
// copied here; a Part points into the frame it came from.
package bmff
