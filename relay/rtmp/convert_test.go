package rtmp

import (
	"bytes"
	"encoding/binary"
	"testing"
	"time"

	"github.com/yapingcat/gomedia/go-codec"

	"github.com/lubo-edge/lubo/media"
)

// Synthetic NAL units: only their types matter to the converter.
var (
	sps1   = []byte{0x67, 0x42, 0xc0, 0x1e, 0x01}
	sps2   = []byte{0x67, 0x42, 0xc0, 0x1f, 0x02}
	pps1   = []byte{0x68, 0xce, 0x3c, 0x80}
	idr    = []byte{0x65, 0x88, 0x84, 0x00}
	pslice = []byte{0x41, 0x9a, 0x02, 0x00}
	aud    = []byte{0x09, 0xf0}

	vps5   = []byte{0x40, 0x01, 0x0c, 0x01}
	sps5   = []byte{0x42, 0x01, 0x01, 0x01}
	pps5   = []byte{0x44, 0x01, 0xc1, 0x72}
	cra5   = []byte{0x2a, 0x01, 0xaf, 0x00} // CRA_NUT (21)
	trail5 = []byte{0x02, 0x01, 0xd0, 0x00} // TRAIL_R (1)
)

func annexB(nalus ...[]byte) []byte { return media.AppendAnnexB(nil, nalus...) }

// adts wraps au as gomedia hands AAC out: LC, 44.1 kHz, mono.
func adts(au []byte) []byte {
	return append(aacConfig{objectType: 2, freqIndex: 4, channelConfig: 1}.appendADTS(nil, len(au)), au...)
}

type push struct {
	cid      codec.CodecID
	pts, dts uint32
	data     []byte
}

func v264(ms uint32, nalus ...[]byte) push {
	return push{codec.CODECID_VIDEO_H264, ms, ms, annexB(nalus...)}
}

func aac(ms uint32) push {
	return push{codec.CODECID_AUDIO_AAC, ms, ms, adts([]byte{0x21, 0x10, byte(ms)})}
}

// convResult is what a converter made of a sequence of pushes.
type convResult struct {
	tracks []*media.Tracks
	frames [][]*media.Frame // per announced session
	conv   *converter
}

func runConverter(pushes []push) convResult {
	var r convResult
	r.conv = newConverter(func(t *media.Tracks) {
		r.tracks = append(r.tracks, t)
		r.frames = append(r.frames, nil)
	}, func(f *media.Frame) {
		n := len(r.frames) - 1
		if n < 0 {
			panic("frame before tracks")
		}
		f.Tracks = r.tracks[n]
		r.frames[n] = append(r.frames[n], f)
	})
	for _, p := range pushes {
		r.conv.push(p.cid, p.pts, p.dts, p.data)
	}
	return r
}

func TestConverter(t *testing.T) {
	gop := func(from, n uint32) []push { // a keyframe then P frames, 40 ms apart
		ps := []push{v264(from, sps1, pps1, idr)}
		for i := uint32(1); i < n; i++ {
			ps = append(ps, v264(from+40*i, pslice))
		}
		return ps
	}
	audioEvery := func(from, to uint32) []push {
		var ps []push
		for ms := from; ms < to; ms += 23 {
			ps = append(ps, aac(ms))
		}
		return ps
	}
	cat := func(parts ...[]push) []push {
		var all []push
		for _, p := range parts {
			all = append(all, p...)
		}
		return all
	}

	cases := []struct {
		name     string
		pushes   []push
		sessions int
		video    media.Codec // of the first session; 0 for none
		audio    media.Codec
		frames   int // in the first session
		check    func(t *testing.T, r convResult)
	}{
		{
			name:   "audio before the keyframe",
			pushes: cat([]push{aac(0), v264(0, aud, sps1, pps1, idr), aac(23), v264(40, pslice)}),
			// the first audio frame precedes the first picture and is dropped
			sessions: 1, video: media.H264, audio: media.AAC, frames: 3,
			check: func(t *testing.T, r convResult) {
				f := r.frames[0][0]
				want := annexB(aud, sps1, pps1, idr)
				if !f.Key || !bytes.Equal(f.Data, want) {
					t.Errorf("keyframe %x, want %x with the AUD first", f.Data, want)
				}
			},
		},
		{
			name:     "video only after audioWait",
			pushes:   gop(0, 30),
			sessions: 1, video: media.H264, frames: 30,
		},
		{
			name:     "not yet announced before audioWait",
			pushes:   gop(0, 20),
			sessions: 0,
		},
		{
			name:     "audio only",
			pushes:   audioEvery(0, 2100),
			sessions: 1, audio: media.AAC, frames: 92,
		},
		{
			name:     "P frames before the first keyframe are dropped",
			pushes:   cat([]push{v264(0, pslice), v264(40, pslice)}, gop(80, 30)),
			sessions: 1, video: media.H264, frames: 30,
		},
		{
			name:     "parameter sets learned from a lone message",
			pushes:   cat([]push{v264(0, sps1, pps1), v264(0, idr)}, gop(40, 30)[1:]),
			sessions: 1, video: media.H264, frames: 30,
			check: func(t *testing.T, r convResult) {
				if f := r.frames[0][0]; !f.Key || !bytes.Equal(f.Data, annexB(sps1, pps1, idr)) {
					t.Errorf("bare IDR not completed with parameter sets: %x", f.Data)
				}
			},
		},
		{
			name:     "changed SPS starts a new session at its keyframe",
			pushes:   cat(gop(0, 30), []push{v264(1200, sps2, pps1, idr), v264(1240, pslice)}, audioEvery(1250, 1300)),
			sessions: 2, video: media.H264, frames: 30,
			check: func(t *testing.T, r convResult) {
				if !bytes.Equal(r.tracks[1].Video.SPS, sps2) {
					t.Errorf("second session SPS %x", r.tracks[1].Video.SPS)
				}
				if f := r.frames[1][0]; !f.Key || f.DTS != 1200*time.Millisecond {
					t.Errorf("second session starts with %+v", f)
				}
			},
		},
		{
			name:     "audio after a video-only announcement is dropped",
			pushes:   cat(gop(0, 30), audioEvery(1200, 1300)),
			sessions: 1, video: media.H264, frames: 30,
			check: func(t *testing.T, r convResult) {
				if r.conv.lateAudio == 0 {
					t.Errorf("late audio not counted")
				}
			},
		},
		{
			name: "timestamps wrap at 2^32 ms",
			pushes: []push{
				v264(0xFFFFFFF0, sps1, pps1, idr), aac(0xFFFFFFF8), v264(0x10, pslice), aac(0x20),
			},
			sessions: 1, video: media.H264, audio: media.AAC, frames: 4,
			check: func(t *testing.T, r convResult) {
				fs := r.frames[0]
				if d := fs[2].DTS - fs[0].DTS; d != 0x20*time.Millisecond {
					t.Errorf("DTS step across the wrap %v, want 32ms", d)
				}
			},
		},
		{
			name:     "timestamps jumping back restart the session",
			pushes:   cat(gop(10000, 30), gop(0, 30)),
			sessions: 2, video: media.H264, frames: 30,
		},
		{
			name: "B-frame composition offsets",
			pushes: []push{
				{codec.CODECID_VIDEO_H264, 80, 0, annexB(sps1, pps1, idr)},
				{codec.CODECID_VIDEO_H264, 0xFFFFFFFF, 40, annexB(pslice)}, // PTS before DTS as uint32
				aac(0),
			},
			sessions: 1, video: media.H264, audio: media.AAC, frames: 3,
			check: func(t *testing.T, r convResult) {
				if f := r.frames[0][0]; f.PTS != 80*time.Millisecond {
					t.Errorf("PTS %v, want 80ms", f.PTS)
				}
				if f := r.frames[0][1]; f.PTS != -time.Millisecond { // 40 ms + int32(0xFFFFFFFF-40) ms
					t.Errorf("negative composition offset gave PTS %v", f.PTS)
				}
			},
		},
		{
			name: "two ADTS frames in one message",
			pushes: []push{
				v264(0, sps1, pps1, idr),
				{codec.CODECID_AUDIO_AAC, 0, 0, append(adts([]byte{1, 2}), adts([]byte{3, 4})...)},
			},
			sessions: 1, video: media.H264, audio: media.AAC, frames: 3,
			check: func(t *testing.T, r convResult) {
				a1, a2 := r.frames[0][1], r.frames[0][2]
				if !bytes.Equal(a1.Data, []byte{1, 2}) || !bytes.Equal(a2.Data, []byte{3, 4}) {
					t.Errorf("access units %x %x", a1.Data, a2.Data)
				}
				if d := a2.DTS - a1.DTS; d != 1024*time.Second/44100 {
					t.Errorf("second frame %v later, want 1024 samples", d)
				}
				if cfg := r.tracks[0].Audio.Config; !bytes.Equal(cfg, []byte{0x12, 0x08}) {
					t.Errorf("AudioSpecificConfig %x, want 1208", cfg)
				}
			},
		},
		{
			name: "G.711",
			pushes: []push{
				v264(0, sps1, pps1, idr),
				{codec.CODECID_AUDIO_G711U, 0, 0, bytes.Repeat([]byte{0xff}, 160)},
			},
			sessions: 1, video: media.H264, audio: media.PCMU, frames: 2,
		},
		{
			name: "H.265 keyframe needs VPS, SPS and PPS",
			pushes: []push{
				{codec.CODECID_VIDEO_H265, 0, 0, annexB(sps5, pps5, cra5)}, // no VPS yet: not a keyframe
				{codec.CODECID_VIDEO_H265, 40, 40, annexB(vps5, sps5, pps5, cra5)},
				{codec.CODECID_VIDEO_H265, 80, 80, annexB(trail5)},
				aac(80),
			},
			sessions: 1, video: media.H265, audio: media.AAC, frames: 3,
			check: func(t *testing.T, r convResult) {
				v := r.tracks[0].Video
				if !bytes.Equal(v.VPS, vps5) || !bytes.Equal(v.SPS, sps5) || !bytes.Equal(v.PPS, pps5) {
					t.Errorf("H.265 track %+v", v)
				}
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runConverter(tc.pushes)
			if r.conv.err != nil {
				t.Fatal(r.conv.err)
			}
			if len(r.tracks) != tc.sessions {
				t.Fatalf("%d sessions announced, want %d: %v", len(r.tracks), tc.sessions, r.tracks)
			}
			if tc.sessions == 0 {
				return
			}
			tr := r.tracks[0]
			if got := codecOf(tr.Video != nil, func() media.Codec { return tr.Video.Codec }); got != tc.video {
				t.Errorf("video %v, want %v", got, tc.video)
			}
			if got := codecOf(tr.Audio != nil, func() media.Codec { return tr.Audio.Codec }); got != tc.audio {
				t.Errorf("audio %v, want %v", got, tc.audio)
			}
			if len(r.frames[0]) != tc.frames {
				t.Errorf("%d frames in the first session, want %d", len(r.frames[0]), tc.frames)
			}
			for i, fs := range r.frames {
				checkSession(t, r.tracks[i], fs)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

func codecOf(ok bool, c func() media.Codec) media.Codec {
	if !ok {
		return 0
	}
	return c()
}

// checkSession holds what any converter output must: frames of the
// announced codecs, video starting at a self-contained keyframe, per-track
// monotonic DTS. It reports with Error so fuzzing shows the input.
func checkSession(t *testing.T, tr *media.Tracks, fs []*media.Frame) {
	t.Helper()
	var lastV, lastA time.Duration
	var hadV, hadA bool
	for i, f := range fs {
		if len(f.Data) == 0 {
			t.Errorf("frame %d empty", i)
		}
		if f.IsVideo() {
			if tr.Video == nil || f.Codec != tr.Video.Codec {
				t.Errorf("frame %d: %s not announced in %v", i, f.Codec, tr)
				return
			}
			if !hadV && !f.Key {
				t.Errorf("video starts with a non-keyframe")
			}
			if f.Key && !bytes.Contains(f.Data, annexB(tr.Video.SPS)) {
				t.Errorf("keyframe %d without the SPS", i)
			}
			if hadV && f.DTS < lastV {
				t.Errorf("video DTS went back at frame %d", i)
			}
			lastV, hadV = f.DTS, true
			continue
		}
		if tr.Audio == nil || f.Codec != tr.Audio.Codec || !f.Key {
			t.Errorf("frame %d: audio %s (key %v) not announced in %v", i, f.Codec, f.Key, tr)
			return
		}
		if hadA && f.DTS < lastA {
			t.Errorf("audio DTS went back at frame %d", i)
		}
		lastA, hadA = f.DTS, true
	}
}

func TestConverterNoKeyframe(t *testing.T) {
	var ps []push
	for ms := uint32(0); ms <= 10000; ms += 40 {
		ps = append(ps, v264(ms, pslice))
	}
	if r := runConverter(ps); r.conv.err != errNoKeyframe {
		t.Fatalf("err %v, want errNoKeyframe", r.conv.err)
	}
}

// FuzzConverter feeds the converter arbitrary sequences of what gomedia's
// demuxers could hand out. Each record: codec selector, 16-bit DTS step,
// signed 8-bit composition offset, 16-bit length, payload.
func FuzzConverter(f *testing.F) {
	seed := func(ps []push) []byte {
		var b []byte
		var last uint32
		for _, p := range ps {
			sel := map[codec.CodecID]byte{codec.CODECID_VIDEO_H264: 0, codec.CODECID_VIDEO_H265: 1,
				codec.CODECID_AUDIO_AAC: 2, codec.CODECID_AUDIO_G711A: 3, codec.CODECID_AUDIO_G711U: 4}[p.cid]
			b = append(b, sel)
			b = binary.BigEndian.AppendUint16(b, uint16(p.dts-last))
			b = append(b, byte(int8(p.pts-p.dts)))
			b = binary.BigEndian.AppendUint16(b, uint16(len(p.data)))
			b = append(b, p.data...)
			last = p.dts
		}
		return b
	}
	f.Add(seed([]push{aac(0), v264(0, sps1, pps1, idr), aac(23), v264(40, pslice)}))
	f.Add(seed([]push{v264(0, sps1, pps1, idr), v264(1100, pslice), v264(1200, sps2, pps1, idr), aac(1200)}))
	f.Add(seed([]push{{codec.CODECID_VIDEO_H265, 0, 0, annexB(vps5, sps5, pps5, cra5)}, aac(2000)}))
	cids := []codec.CodecID{codec.CODECID_VIDEO_H264, codec.CODECID_VIDEO_H265, codec.CODECID_AUDIO_AAC,
		codec.CODECID_AUDIO_G711A, codec.CODECID_AUDIO_G711U, codec.CODECID_AUDIO_MP3}
	f.Fuzz(func(t *testing.T, b []byte) {
		var ps []push
		var ms uint32
		for len(b) >= 6 {
			cid := cids[int(b[0])%len(cids)]
			ms += uint32(binary.BigEndian.Uint16(b[1:]))
			cts := uint32(int32(int8(b[3])))
			n := min(int(binary.BigEndian.Uint16(b[4:])), len(b)-6)
			ps = append(ps, push{cid, ms + cts, ms, bytes.Clone(b[6 : 6+n])})
			b = b[6+n:]
		}
		r := runConverter(ps)
		for i, fs := range r.frames {
			checkSession(t, r.tracks[i], fs)
		}
	})
}
