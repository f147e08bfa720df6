package rtsp

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"

	"github.com/lubo-edge/lubo/media"
)

// videoClock is the RTP clock of H.264 and H.265.
const videoClock = 90000

// errVideoSizeChanged ends a session: the camera switched resolution, so the
// stream must restart with new tracks.
var errVideoSizeChanged = errors.New("video size changed")

// dtsExtractor is what mediacommon's H.264 and H.265 extractors share.
type dtsExtractor interface {
	Extract(au [][]byte, pts int64) (int64, error)
}

// videoAssembler turns the access units of one session into lubo frames:
// Annex-B, keyframes carrying their parameter sets, DTS computed from the
// picture order so cameras with B-frames work too.
type videoAssembler struct {
	codec media.Codec

	// Latest parameter sets, from the SDP or in-band. Owned copies.
	vps, sps, pps []byte
	width, height int

	// track is set at the first keyframe; it is what the session publishes.
	track *media.VideoTrack

	dts       dtsExtractor
	dtsBroken bool // the extractor failed on a keyframe: DTS = PTS this session
	waitKey   bool

	// Reused per access unit, cleared after it.
	body  []nalUnit
	nalus [][]byte

	// note receives what is worth a (rate-limited) log line but does not
	// end the session; kind groups repeats.
	note func(kind, msg string)
}

func newVideoAssembler(codec media.Codec, vps, sps, pps []byte, note func(kind, msg string)) *videoAssembler {
	if note == nil {
		note = func(string, string) {}
	}
	a := &videoAssembler{codec: codec, waitKey: true, note: note}
	a.setParam(paramVPS, vps)
	a.setParam(paramSPS, sps)
	a.setParam(paramPPS, pps)
	a.resetDTS()
	return a
}

func (a *videoAssembler) resetDTS() {
	switch a.codec {
	case media.H264:
		e := &h264.DTSExtractor{}
		e.Initialize()
		a.dts = e
	case media.H265:
		e := &h265.DTSExtractor{}
		e.Initialize()
		a.dts = e
	}
}

type paramKind int

const (
	paramNone paramKind = iota
	paramVPS
	paramSPS
	paramPPS
)

func (a *videoAssembler) paramKindOf(nalu []byte) paramKind {
	switch a.codec {
	case media.H264:
		switch media.H264Type(nalu) {
		case media.H264SPS:
			return paramSPS
		case media.H264PPS:
			return paramPPS
		}
	case media.H265:
		switch media.H265Type(nalu) {
		case media.H265VPS:
			return paramVPS
		case media.H265SPS:
			return paramSPS
		case media.H265PPS:
			return paramPPS
		}
	}
	return paramNone
}

func (a *videoAssembler) isAUD(nalu []byte) bool {
	if a.codec == media.H264 {
		return media.H264Type(nalu) == media.H264AUD
	}
	return media.H265Type(nalu) == media.H265AUD
}

// setParam stores a parameter set when it differs from the one known.
// It reports whether it changed.
func (a *videoAssembler) setParam(k paramKind, nalu []byte) bool {
	if len(nalu) == 0 {
		return false
	}
	dst := &a.sps
	switch k {
	case paramVPS:
		dst = &a.vps
	case paramPPS:
		dst = &a.pps
	}
	if bytes.Equal(*dst, nalu) {
		return false
	}
	*dst = bytes.Clone(nalu)
	if k == paramSPS {
		a.width, a.height = media.PictureSize(a.codec, a.sps)
	}
	return true
}

// haveParams reports whether a keyframe can be made self-contained.
func (a *videoAssembler) haveParams() bool {
	if a.codec == media.H265 && len(a.vps) == 0 {
		return false
	}
	return len(a.sps) > 0 && len(a.pps) > 0
}

func (a *videoAssembler) params() [][]byte {
	if a.codec == media.H265 {
		return [][]byte{a.vps, a.sps, a.pps}
	}
	return [][]byte{a.sps, a.pps}
}

// push takes one access unit and its PTS in 90 kHz ticks. It returns the
// frame to publish, nil when the unit is skipped, or an error when the
// session must end. The frame's Annex-B bytes are the one copy of the
// unit's pieces; nothing of au is kept.
func (a *videoAssembler) push(au accessUnit, pts int64) (*media.Frame, error) {
	body := a.body[:0]
	defer func() { clear(body); a.body = body[:0] }()
	key := false
	size := 0
	var err error
	au.each(func(u nalUnit) {
		h := u.header()
		if err != nil || a.isAUD(h) {
			return
		}
		if k := a.paramKindOf(h); k != paramNone {
			if a.setParam(k, u.bytes()) && k == paramSPS && a.track != nil &&
				(a.width != a.track.Width || a.height != a.track.Height) {
				err = fmt.Errorf("%w from %dx%d to %dx%d", errVideoSizeChanged,
					a.track.Width, a.track.Height, a.width, a.height)
			}
			return
		}
		if media.IsKeyNALU(a.codec, h) {
			key = true
		}
		body = append(body, u)
		size += 4 + u.size
	})
	if err != nil {
		return nil, err
	}
	if len(body) == 0 {
		return nil, nil // parameter sets or delimiters only
	}
	if !key && a.waitKey {
		return nil, nil
	}
	var params [][]byte
	if key {
		if !a.haveParams() {
			a.note("params", "keyframe dropped: no parameter sets in the SDP or in-band yet")
			return nil, nil
		}
		params = a.params()
		size += media.AnnexBSize(params)
	}

	// The frame's bytes, and views of its NAL units for the DTS
	// extractor; data is never reallocated, so the views stay valid.
	data := make([]byte, 0, size)
	nalus := a.nalus[:0]
	defer func() { clear(nalus); a.nalus = nalus[:0] }()
	for _, p := range params {
		data = append(data, 0, 0, 0, 1)
		nalus = append(nalus, data[len(data):len(data)+len(p)])
		data = append(data, p...)
	}
	for _, u := range body {
		data = append(data, 0, 0, 0, 1)
		nalus = append(nalus, data[len(data):len(data)+u.size])
		data = u.appendTo(data)
	}

	dts, ok := a.extractDTS(nalus, pts, key)
	if !ok {
		return nil, nil
	}
	// A clock that goes back is passed on as it is: the stream decides
	// whether it is jitter or a jump (a discontinuity); clamping here froze
	// the pictures for as long as the jump.
	if pts < dts {
		pts = dts
	}
	a.waitKey = false

	if key && a.track == nil {
		a.track = &media.VideoTrack{
			Codec: a.codec, VPS: a.vps, SPS: a.sps, PPS: a.pps,
			Width: a.width, Height: a.height,
		}
	}
	return &media.Frame{
		Codec: a.codec,
		DTS:   ticksToDuration(dts, videoClock),
		PTS:   ticksToDuration(pts, videoClock),
		Key:   key,
		Data:  data,
	}, nil
}

// extractDTS asks mediacommon for the decode time. When that fails on a
// keyframe the stream is something the extractor does not understand, and
// DTS = PTS is the best left for the session; a failure on another frame
// skips to the next keyframe with a fresh extractor.
func (a *videoAssembler) extractDTS(nalus [][]byte, pts int64, key bool) (int64, bool) {
	if a.dtsBroken {
		return pts, true
	}
	dts, err := a.dts.Extract(nalus, pts)
	if err == nil {
		return dts, true
	}
	if key {
		a.dtsBroken = true
		a.note("dts", fmt.Sprintf("cannot compute DTS from the picture order (%v); using PTS as DTS for this session", err))
		return pts, true
	}
	a.resetDTS()
	a.waitKey = true
	a.note("dts", fmt.Sprintf("frame dropped: cannot compute DTS (%v); waiting for the next keyframe", err))
	return 0, false
}
