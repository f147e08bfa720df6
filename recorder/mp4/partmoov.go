package mp4

import (
	"errors"
	"fmt"

	"github.com/lubo-edge/lubo/internal/bmff"
)

// maxTracks bounds the tracks Finalize accepts; lubo writes two.
const maxTracks = 16

// partTrack is one track of a .part file as Finalize rebuilds it.
type partTrack struct {
	id        uint32
	audio     bool
	timescale uint32
	stsd      []byte // payload of the stsd box, copied as it is
	entries   uint32 // sample descriptions in stsd
	width     uint32 // tkhd, 16.16
	height    uint32

	// trex defaults
	defDesc, defDur, defSize, defFlags uint32

	samples []partSample
	chunks  []partChunk // one per trun: samples stored back to back

	started  bool
	firstDTS uint64 // decode time of the first sample
	lastDTS  uint64 // decode time of the newest sample
	nextDTS  uint64 // decode time after the newest sample
}

type partSample struct {
	size uint32
	dur  uint32
	cto  int32
	sync bool
}

type partChunk struct {
	out     int64 // offset in the progressive mdat payload
	samples uint32
	desc    uint32 // sample description index, from 1
}

// parseMoov reads the tracks of an init segment. Tracks other than video
// and sound are left out (their samples are skipped too).
func parseMoov(moov []byte) ([]*partTrack, error) {
	var tracks []*partTrack
	var trex [][5]uint32
	err := eachChild(moov, func(typ string, body []byte) error {
		switch typ {
		case "trak":
			t, err := parseTrak(body)
			if err != nil {
				return err
			}
			if t == nil {
				return nil
			}
			if len(tracks) >= maxTracks {
				return fmt.Errorf("more than %d tracks", maxTracks)
			}
			for _, o := range tracks {
				if o.id == t.id {
					return fmt.Errorf("track ID %d appears twice", t.id)
				}
			}
			tracks = append(tracks, t)
		case "mvex":
			return eachChild(body, func(typ string, body []byte) error {
				if typ != "trex" {
					return nil
				}
				c := cursor{b: body}
				c.fullBox()
				v := [5]uint32{c.u32(), c.u32(), c.u32(), c.u32(), c.u32()}
				if err := c.err(typ); err != nil {
					return err
				}
				if len(trex) < maxTracks {
					trex = append(trex, v)
				}
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, t := range tracks {
		t.defDesc = 1
		for _, v := range trex {
			if v[0] == t.id {
				t.defDesc, t.defDur, t.defSize, t.defFlags = v[1], v[2], v[3], v[4]
			}
		}
	}
	return tracks, nil
}

// parseTrak reads what the progressive file needs from a trak box; nil
// for a track that is neither video nor sound.
func parseTrak(trak []byte) (*partTrack, error) {
	t := &partTrack{}
	handler := ""
	var walk func(typ string, body []byte) error
	walk = func(typ string, body []byte) error {
		c := cursor{b: body}
		switch typ {
		case "mdia", "minf", "stbl":
			return eachChild(body, walk)
		case "tkhd":
			v, _ := c.fullBox()
			c.skipTimes(v)
			t.id = c.u32()
			c.take(4 + 4*(1+int(v)) + 8 + 8 + 36) // reserved, duration, reserved, layer…volume, matrix
			t.width, t.height = c.u32(), c.u32()
		case "mdhd":
			v, _ := c.fullBox()
			c.skipTimes(v)
			t.timescale = c.u32()
		case "hdlr":
			c.fullBox()
			c.take(4)
			handler = string(c.take(4))
		case "stsd":
			c.fullBox()
			t.entries = c.u32()
			t.stsd = body
		}
		return c.err(typ)
	}
	if err := eachChild(trak, walk); err != nil {
		return nil, err
	}
	switch handler {
	case "vide":
	case "soun":
		t.audio = true
	default:
		return nil, nil
	}
	switch {
	case t.id == 0:
		return nil, errors.New("track without tkhd or with track ID 0")
	case t.timescale == 0:
		return nil, fmt.Errorf("track %d: no mdhd or timescale 0", t.id)
	case t.entries == 0 || len(t.stsd) < 16:
		return nil, fmt.Errorf("track %d: no sample description", t.id)
	}
	return t, nil
}

// kind is what the track carries, for the boxes that say so.
func (t *partTrack) kind() bmff.Kind {
	if t.audio {
		return bmff.Sound
	}
	return bmff.Video
}

// firstEntryType is the format of the first sample description (avc1,
// hvc1, mp4a…).
func (t *partTrack) firstEntryType() string {
	if len(t.stsd) < 16 {
		return ""
	}
	return string(t.stsd[12:16])
}
