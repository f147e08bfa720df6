package segmenter

import (
	"bytes"
	"strconv"

	"github.com/grafov/m3u8"
)

// renderLocked renders the playlist of the last Window segments. h.mu is held.
//
// The playlist is rendered once per change and served as is, so encoding
// cost does not grow with the number of clients.
//
// grafov/m3u8 writes everything but one tag: EXT-X-INDEPENDENT-SEGMENTS has
// no field in its MediaPlaylist, so it goes in as a custom tag
// (independentSegments below), the one thing written by hand.
func (h *HLS) renderLocked() {
	listed := h.segments[max(0, len(h.segments)-h.opts.Window):]
	for len(listed) > 0 && listed[0].seq < h.listFrom {
		listed = listed[1:]
	}
	if len(listed) == 0 {
		h.playlist = nil
		return
	}
	p, err := m3u8.NewMediaPlaylist(uint(len(listed)), uint(len(listed)))
	if err != nil { // only for a window larger than the capacity
		h.log.Error("hls: playlist", "err", err)
		return
	}
	first := listed[0]
	p.SeqNo = first.seq
	fmp4, independent := false, true
	for i, s := range listed {
		ms := &m3u8.MediaSegment{URI: s.name(), Duration: s.dur.Seconds()}
		// The first listed segment carries its discontinuity in the
		// sequence number below, not as a tag: clients that count tags on
		// top of EXT-X-DISCONTINUITY-SEQUENCE would otherwise count it twice.
		ms.Discontinuity = s.discontinuity && i > 0
		if s.init != nil {
			fmp4 = true
			// EXT-X-MAP applies to the segments after it until the next
			// one: written before the first listed segment and wherever
			// the init section changes.
			if i == 0 || listed[i-1].init != s.init {
				ms.Map = &m3u8.Map{URI: s.init.name}
			}
		}
		independent = independent && !s.split
		if err := p.AppendSegment(ms); err != nil {
			h.log.Error("hls: playlist", "err", err)
			return
		}
	}
	p.DiscontinuitySeq = first.discSeq
	// Fixed for the muxer's life (RFC 8216 6.2.1): see HLS.
	p.TargetDuration = float64(h.target)
	if fmp4 {
		p.SetVersion(7) // EXT-X-MAP without I-frames-only needs version 6; 7 is what fMP4 players expect
		if independent {
			p.Custom = map[string]m3u8.CustomTag{independentSegments{}.TagName(): independentSegments{}}
		}
	}
	p.Closed = h.ended
	h.playlist = p.Encode().Bytes()
}

// independentSegments is the EXT-X-INDEPENDENT-SEGMENTS tag: every listed
// segment begins with a keyframe and decodes without the ones before it.
type independentSegments struct{}

func (independentSegments) TagName() string { return "#EXT-X-INDEPENDENT-SEGMENTS" }
func (independentSegments) Encode() *bytes.Buffer {
	return bytes.NewBufferString("#EXT-X-INDEPENDENT-SEGMENTS")
}
func (independentSegments) String() string { return "#EXT-X-INDEPENDENT-SEGMENTS" }

// segmentName is the file name of segment seq, relative to the playlist;
// ext is ".ts" or ".m4s".
func segmentName(seq uint64, ext string) string {
	return "seg" + strconv.FormatUint(seq, 10) + ext
}

// initName is the file name of the fMP4 init section first used by segment
// seq.
func initName(seq uint64) string {
	return "init" + strconv.FormatUint(seq, 10) + ".mp4"
}
