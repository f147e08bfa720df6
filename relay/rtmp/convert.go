package rtmp

import (
	"errors"
	"fmt"
	"time"

	"github.com/yapingcat/gomedia/go-codec"

	"github.com/lubo-edge/lubo/media"
)

// Limits, in stream time, while the converter works out a session's tracks.
const (
	// audioWait is how long after the first keyframe audio may still show
	// up and be part of the session.
	audioWait = time.Second
	// audioOnlyWait is how much audio must arrive, with no video at all,
	// before the session is declared audio-only.
	audioOnlyWait = 2 * time.Second
	// keyframeWait bounds the wait for the first keyframe once video flows.
	keyframeWait = 10 * time.Second
	// maxPending bounds the frames held back meanwhile.
	maxPending = 1024
	// maxJumpBack is how far timestamps may go back before the converter
	// treats it as a restarted stream rather than jitter between tracks.
	maxJumpBack = time.Second
)

var errNoKeyframe = fmt.Errorf("no video keyframe within %s", keyframeWait)

// converter turns what gomedia's FLV tag demuxers hand out - Annex-B video
// with parameter sets often in front of keyframes, ADTS-wrapped AAC, raw
// G.711, 32-bit millisecond times - into media frames, and works out the
// session's tracks: it announces them at the first keyframe, once audio has
// shown up or audioWait has passed.
//
// When codec parameters change mid-stream it announces a new set of tracks
// at the next keyframe; what that means (a new session, or an error) is up
// to the owner of the callbacks.
type converter struct {
	onTracks func(*media.Tracks)
	onFrame  func(*media.Frame)

	clock  msClock
	tracks *media.Tracks // announced; nil while working them out

	// Learned while working the tracks out; kept across a restart.
	video *media.VideoTrack
	audio *media.AudioTrack

	pending    []*media.Frame // held back until the tracks are announced
	sawVideo   bool
	firstVideo time.Duration
	sawAudio   bool
	firstAudio time.Duration
	haveKey    bool
	keyAt      time.Duration

	lastVideo, lastAudio time.Duration // per-track monotonic DTS
	hadVideo, hadAudio   bool

	lateAudio int // audio dropped: it began after a video-only announcement
	badAudio  int // AAC messages whose ADTS wrapping did not parse
	err       error
}

func newConverter(onTracks func(*media.Tracks), onFrame func(*media.Frame)) *converter {
	return &converter{onTracks: onTracks, onFrame: onFrame}
}

// push takes one frame from gomedia. data must not be reused by the caller
// (gomedia allocates a fresh buffer per message). After an error push does
// nothing; the error is in c.err.
func (c *converter) push(cid codec.CodecID, pts, dts uint32, data []byte) {
	if c.err != nil {
		return
	}
	d := c.clock.at(dts)
	p := d + time.Duration(int32(pts-dts))*time.Millisecond
	switch cid {
	case codec.CODECID_VIDEO_H264:
		c.pushVideo(media.H264, d, p, data)
	case codec.CODECID_VIDEO_H265:
		c.pushVideo(media.H265, d, p, data)
	case codec.CODECID_AUDIO_AAC:
		c.pushAAC(d, data)
	case codec.CODECID_AUDIO_G711A:
		c.pushAudio(&media.AudioTrack{Codec: media.PCMA, SampleRate: 8000, Channels: 1}, d, data)
	case codec.CODECID_AUDIO_G711U:
		c.pushAudio(&media.AudioTrack{Codec: media.PCMU, SampleRate: 8000, Channels: 1}, d, data)
	}
	// Anything else (MP3, Speex...) is not carried by lubo.
}

func (c *converter) pushVideo(codec media.Codec, dts, pts time.Duration, data []byte) {
	au := splitAccessUnit(codec, data)
	if c.tracks != nil {
		v := c.tracks.Video
		if v != nil && v.Codec == codec && !au.differs(v) && !c.jumpedBack(dts, c.lastVideo, c.hadVideo) {
			if au.vcl {
				c.emit(c.videoFrame(&au, v, au.key, dts, pts))
			}
			return
		}
		c.restart()
	}
	if c.video == nil || c.video.Codec != codec {
		c.restart() // frames held back are of the old codec
		c.video = &media.VideoTrack{Codec: codec}
	} else if c.haveKey && au.differs(c.video) {
		// New parameters while holding frames made with the old ones:
		// start over from the next keyframe.
		c.restart()
	}
	au.learn(c.video)
	if !au.vcl {
		return // parameter sets or SEI alone: remembered, nothing to show
	}
	if !c.sawVideo {
		c.sawVideo = true
		c.firstVideo = dts
	}
	key := au.key && complete(c.video)
	switch {
	case key && !c.haveKey:
		c.haveKey = true
		c.keyAt = dts
		c.pending = clearFrames(c.pending) // audio before the first picture is of no use
	case !c.haveKey:
		if dts-c.firstVideo >= keyframeWait {
			c.err = errNoKeyframe
		}
		return // nothing decodes before the first keyframe
	}
	c.hold(c.videoFrame(&au, c.video, key, dts, pts))
	c.maybeAnnounce(dts)
}

func (c *converter) videoFrame(au *accessUnit, v *media.VideoTrack, key bool, dts, pts time.Duration) *media.Frame {
	return &media.Frame{Codec: v.Codec, DTS: dts, PTS: pts, Key: key, Data: au.build(v, key)}
}

func (c *converter) pushAAC(dts time.Duration, data []byte) {
	i := 0
	err := splitADTS(data, func(cfg aacConfig, au []byte) {
		t := cfg.track()
		// Several frames in one message follow each other at 1024 samples.
		at := dts + time.Duration(i)*1024*time.Second/time.Duration(t.SampleRate)
		c.pushAudio(t, at, au)
		i++
	})
	if err != nil {
		c.badAudio++
	}
}

func (c *converter) pushAudio(t *media.AudioTrack, dts time.Duration, data []byte) {
	if len(data) == 0 || c.err != nil {
		return
	}
	f := &media.Frame{Codec: t.Codec, DTS: dts, PTS: dts, Key: true, Data: data}
	if c.tracks != nil {
		a := c.tracks.Audio
		if a == nil {
			c.lateAudio++
			return
		}
		if media.SameAudio(a, t) && !c.jumpedBack(dts, c.lastAudio, c.hadAudio) {
			c.emit(f)
			return
		}
		c.restart()
	}
	if !media.SameAudio(c.audio, t) {
		c.audio = t
	}
	if !c.sawAudio {
		c.sawAudio = true
		c.firstAudio = dts
	}
	if c.haveKey || !c.sawVideo {
		c.hold(f)
	}
	c.maybeAnnounce(dts)
}

// jumpedBack reports a timestamp well behind its track: the peer restarted
// its clock, which is a new session, not jitter.
func (c *converter) jumpedBack(dts, last time.Duration, had bool) bool {
	return had && dts < last-maxJumpBack
}

func (c *converter) hold(f *media.Frame) {
	if len(c.pending) >= maxPending {
		if c.haveKey {
			c.announce()
			c.emit(f)
			return
		}
		copy(c.pending, c.pending[1:])
		c.pending = c.pending[:len(c.pending)-1]
	}
	c.pending = append(c.pending, f)
}

func (c *converter) maybeAnnounce(now time.Duration) {
	switch {
	case c.haveKey && (c.audio != nil || now-c.keyAt >= audioWait):
		c.announce()
	case !c.sawVideo && c.sawAudio && now-c.firstAudio >= audioOnlyWait:
		c.announce()
	}
}

func (c *converter) announce() {
	t := &media.Tracks{}
	if c.haveKey {
		v := *c.video
		t.Video = &v
	}
	if c.audio != nil {
		a := *c.audio
		t.Audio = &a
	}
	c.tracks = t
	c.onTracks(t)
	pending := c.pending
	c.pending = nil
	for _, f := range pending {
		if t.Video != nil && f.Codec == t.Video.Codec || t.Audio != nil && f.Codec == t.Audio.Codec {
			c.emit(f)
		}
	}
}

// emit hands f on, keeping each track's DTS monotonic.
func (c *converter) emit(f *media.Frame) {
	last, had := &c.lastAudio, &c.hadAudio
	if f.IsVideo() {
		last, had = &c.lastVideo, &c.hadVideo
	}
	if *had && f.DTS < *last {
		shift := *last - f.DTS
		f.DTS += shift
		f.PTS += shift
	}
	*last, *had = f.DTS, true
	c.onFrame(f)
}

// restart forgets the announced session; what was learned about the
// parameters stays, so the next keyframe can start a new one at once.
func (c *converter) restart() {
	c.tracks = nil
	c.pending = clearFrames(c.pending)
	c.sawVideo, c.sawAudio, c.haveKey = false, false, false
	c.hadVideo, c.hadAudio = false, false
}

func clearFrames(fs []*media.Frame) []*media.Frame {
	clear(fs)
	return fs[:0]
}

// msClock extends RTMP's wrapping 32-bit millisecond timestamps.
type msClock struct {
	started bool
	last    uint32
	ms      int64
}

func (c *msClock) at(ts uint32) time.Duration {
	if !c.started {
		c.started = true
		c.ms = int64(ts)
	} else {
		// The signed difference survives the wrap after 49 days and small
		// steps back between interleaved tracks.
		c.ms += int64(int32(ts - c.last))
	}
	c.last = ts
	return time.Duration(c.ms) * time.Millisecond
}

// errTracksChanged ends a play session whose codec parameters changed: a
// relay.Source announces its tracks once per Run.
var errTracksChanged = errors.New("codec parameters changed mid-stream")
