package segmenter

import (
	"math"
	"strconv"

	"github.com/grafov/m3u8"
)

// renderLocked renders the playlist of the last Window segments. h.mu is held.
//
// The playlist is rendered once per change and served as is, so encoding
// cost does not grow with the number of clients.
func (h *HLS) renderLocked() {
	listed := h.segments[max(0, len(h.segments)-h.opts.Window):]
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
	for i, s := range listed {
		ms := &m3u8.MediaSegment{URI: segmentName(s.seq), Duration: s.dur.Seconds()}
		// The first listed segment carries its discontinuity in the
		// sequence number below, not as a tag: clients that count tags on
		// top of EXT-X-DISCONTINUITY-SEQUENCE would otherwise count it twice.
		ms.Discontinuity = s.discontinuity && i > 0
		if err := p.AppendSegment(ms); err != nil {
			h.log.Error("hls: playlist", "err", err)
			return
		}
	}
	p.DiscontinuitySeq = first.discSeq
	// Must not change while the playlist is live, so it only ever grows:
	// the longest segment so far, rounded up.
	p.TargetDuration = max(1, math.Ceil(h.maxDur.Seconds()))
	p.Closed = h.ended
	h.playlist = p.Encode().Bytes()
}

// segmentName is the file name of segment seq, relative to the playlist.
func segmentName(seq uint64) string {
	return "seg" + strconv.FormatUint(seq, 10) + ".ts"
}
