package mp4file

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h264"
	"github.com/bluenviron/mediacommon/v2/pkg/codecs/h265"
	mp4 "github.com/yapingcat/gomedia/go-mp4"

	"github.com/lubo-edge/lubo/media"
)

// ErrNoTrack means a file has nothing lubo can play.
var ErrNoTrack = errors.New("no H.264/H.265/AAC track")

// maxTimestamp bounds sample timestamps; beyond it a file is broken.
const maxTimestamp = 100 * 24 * time.Hour

// ReadFrames demuxes a whole MP4 (plain or fragmented) into memory, without
// pacing. It plays the first H.264/H.265 track and the first AAC track and
// ignores the others.
//
// Frames come in file order (interleaved by DTS), timestamps as in the file.
// Video Data is Annex-B and every keyframe carries its parameter sets; video
// before the first keyframe is dropped. AAC Data is one raw access unit. The
// frames' Tracks field is the returned tracks. A file cut short (a truncated
// mdat) yields the frames it holds.
func ReadFrames(r io.ReadSeeker) (tracks *media.Tracks, frames []*media.Frame, err error) {
	defer func() {
		// gomedia's go-mp4 indexes and divides by values from the file
		// without checking them and panics on malformed input; checkLayout
		// rules out the inputs that would make it allocate without bound,
		// and this turns the remaining panics into errors.
		if p := recover(); p != nil {
			tracks, frames, err = nil, nil, fmt.Errorf("malformed MP4 (demuxer: %v)", p)
		}
	}()

	size, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return nil, nil, fmt.Errorf("size: %w", err)
	}
	if size > maxFileSize {
		return nil, nil, fmt.Errorf("file is %d MB, more than the %d MB a looping channel may hold in memory", size>>20, maxFileSize>>20)
	}
	if err := checkLayout(r, size); err != nil {
		return nil, nil, fmt.Errorf("malformed MP4: %w", err)
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, nil, err
	}

	demuxer := mp4.CreateMp4Demuxer(r)
	infos, err := demuxer.ReadHead()
	if err != nil {
		return nil, nil, fmt.Errorf("malformed MP4: %w", err)
	}
	c := newClip(infos)
	if c.video == nil && c.audio == nil {
		return nil, nil, ErrNoTrack
	}
	for {
		pkt, err := demuxer.ReadPacket()
		if err != nil {
			if err == io.EOF || (errors.Is(err, io.ErrUnexpectedEOF) && len(c.frames) > 0) {
				break
			}
			return nil, nil, fmt.Errorf("read sample: %w", err)
		}
		if err := c.add(pkt); err != nil {
			return nil, nil, err
		}
	}
	return c.finish()
}

// clip collects one file's frames and tracks.
type clip struct {
	video, audio *mp4.TrackInfo
	vt           *media.VideoTrack
	at           *media.AudioTrack
	frames       []*media.Frame
	lastVideo    time.Duration // last DTS per track, to keep them strictly increasing
	lastAudio    time.Duration
	haveVideo    bool
	haveAudio    bool
}

func newClip(infos []mp4.TrackInfo) *clip {
	c := &clip{}
	for i := range infos {
		info := &infos[i]
		switch info.Cid {
		case mp4.MP4_CODEC_H264, mp4.MP4_CODEC_H265:
			if c.video == nil {
				c.video = info
				codec := media.H264
				if info.Cid == mp4.MP4_CODEC_H265 {
					codec = media.H265
				}
				c.vt = &media.VideoTrack{Codec: codec, Width: int(info.Width), Height: int(info.Height)}
			}
		case mp4.MP4_CODEC_AAC:
			if c.audio == nil {
				c.audio = info
			}
		}
	}
	return c
}

func (c *clip) add(pkt *mp4.AVPacket) error {
	dts := time.Duration(pkt.Dts) * time.Millisecond
	pts := time.Duration(pkt.Pts) * time.Millisecond
	if pkt.Dts > uint64(maxTimestamp/time.Millisecond) || pkt.Pts > uint64(maxTimestamp/time.Millisecond) {
		return fmt.Errorf("sample timestamp %d ms is out of range", max(pkt.Dts, pkt.Pts))
	}
	// Codec too: a broken file may give two tracks one id.
	switch {
	case c.video != nil && pkt.TrackId == c.video.TrackId && pkt.Cid == c.video.Cid:
		c.addVideo(pkt.Data, dts, pts)
	case c.audio != nil && pkt.TrackId == c.audio.TrackId && pkt.Cid == c.audio.Cid:
		return c.addAudio(pkt.Data, dts)
	}
	return nil
}

// addVideo takes one sample gomedia turned into Annex-B.
func (c *clip) addVideo(data []byte, dts, pts time.Duration) {
	key := false
	media.SplitAnnexB(data, func(nalu []byte) bool {
		if media.IsKeyNALU(c.vt.Codec, nalu) {
			key = true
		}
		c.learnParameterSet(nalu)
		return true
	})
	dts, pts = strictlyAfter(c.lastVideo, c.haveVideo, dts, pts)
	c.lastVideo, c.haveVideo = dts, true
	c.frames = append(c.frames, &media.Frame{Codec: c.vt.Codec, DTS: dts, PTS: pts, Key: key, Data: data})
}

// learnParameterSet keeps the first VPS/SPS/PPS seen. They alias frame data,
// clipped so an append by a reader cannot write into the frame.
func (c *clip) learnParameterSet(nalu []byte) {
	v := c.vt
	set := func(dst *[]byte) {
		if *dst == nil {
			*dst = slices.Clip(nalu)
		}
	}
	switch v.Codec {
	case media.H264:
		switch media.H264Type(nalu) {
		case media.H264SPS:
			set(&v.SPS)
		case media.H264PPS:
			set(&v.PPS)
		}
	case media.H265:
		switch media.H265Type(nalu) {
		case media.H265VPS:
			set(&v.VPS)
		case media.H265SPS:
			set(&v.SPS)
		case media.H265PPS:
			set(&v.PPS)
		}
	}
}

// addAudio takes one AAC sample, which gomedia returns behind an ADTS header.
func (c *clip) addAudio(data []byte, dts time.Duration) error {
	h, err := parseADTS(data)
	if err != nil {
		return err
	}
	if c.at == nil {
		c.at = &media.AudioTrack{
			Codec:      media.AAC,
			SampleRate: h.sampleRate(),
			Channels:   h.channelCount(int(c.audio.ChannelCount)),
			Config:     h.audioSpecificConfig(),
		}
	}
	au := data[h.len:]
	if len(au) == 0 {
		return nil
	}
	dts = snapAAC(dts, c.at.SampleRate)
	dts, _ = strictlyAfter(c.lastAudio, c.haveAudio, dts, dts)
	c.lastAudio, c.haveAudio = dts, true
	c.frames = append(c.frames, &media.Frame{Codec: media.AAC, DTS: dts, PTS: dts, Key: true, Data: au})
	return nil
}

// strictlyAfter moves a sample that does not come after the previous one of
// its track (a zero or negative duration in a broken file) just after it.
func strictlyAfter(last time.Duration, have bool, dts, pts time.Duration) (time.Duration, time.Duration) {
	if have && dts <= last {
		shift := last + time.Millisecond - dts
		dts, pts = dts+shift, pts+shift
	}
	return dts, max(pts, dts)
}

// finish checks the video track can be decoded, makes every keyframe
// self-contained and builds the Tracks.
func (c *clip) finish() (*media.Tracks, []*media.Frame, error) {
	if c.vt != nil && !hasParameterSets(c.vt) {
		c.vt = nil // no decoder could start: play the audio alone, if any
	}
	tracks := &media.Tracks{Video: c.vt, Audio: c.at}
	if c.vt != nil {
		c.vt.Width, c.vt.Height = pictureSize(c.vt)
	}
	frames := c.frames[:0]
	seenKey := false
	for _, f := range c.frames {
		if f.IsVideo() {
			if c.vt == nil || (!seenKey && !f.Key) {
				continue
			}
			seenKey = true
			if f.Key {
				f.Data = withParameterSets(c.vt, f.Data)
			}
		}
		f.Tracks = tracks
		frames = append(frames, f)
	}
	clear(c.frames[len(frames):])
	if len(frames) == 0 {
		return nil, nil, ErrNoTrack
	}
	return tracks, frames, nil
}

// hasParameterSets reports whether a decoder can be set up for v.
func hasParameterSets(v *media.VideoTrack) bool {
	return v.SPS != nil && v.PPS != nil && (v.Codec != media.H265 || v.VPS != nil)
}

// withParameterSets returns a keyframe's Annex-B data with the track's
// parameter sets in front if it lacks any of them.
func withParameterSets(v *media.VideoTrack, data []byte) []byte {
	var vps, sps, pps bool
	media.SplitAnnexB(data, func(nalu []byte) bool {
		switch v.Codec {
		case media.H264:
			t := media.H264Type(nalu)
			sps, pps = sps || t == media.H264SPS, pps || t == media.H264PPS
			vps = true
		case media.H265:
			t := media.H265Type(nalu)
			vps, sps, pps = vps || t == media.H265VPS, sps || t == media.H265SPS, pps || t == media.H265PPS
		}
		return true
	})
	if vps && sps && pps {
		return data
	}
	sets := [][]byte{v.SPS, v.PPS}
	if v.Codec == media.H265 {
		sets = [][]byte{v.VPS, v.SPS, v.PPS}
	}
	out := make([]byte, 0, media.AnnexBSize(sets)+len(data))
	out = media.AppendAnnexB(out, sets...)
	return append(out, data...)
}

// pictureSize reads width and height from the SPS, falling back to what the
// sample entry declares.
func pictureSize(v *media.VideoTrack) (int, int) {
	switch v.Codec {
	case media.H264:
		var sps h264.SPS
		if sps.Unmarshal(v.SPS) == nil {
			return sps.Width(), sps.Height()
		}
	case media.H265:
		var sps h265.SPS
		if sps.Unmarshal(v.SPS) == nil {
			return sps.Width(), sps.Height()
		}
	}
	return v.Width, v.Height
}
