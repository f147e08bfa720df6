package transcode

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testclip"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// testOptions interleave strictly: the clip sources publish a whole clip
// at once, far faster than real time, so the stream-time bound on holding
// pictures must not let them overtake the audio.
func testOptions() Options {
	return Options{MaxHold: time.Hour, DrainTimeout: time.Minute, RestartMin: time.Millisecond, RestartMax: 10 * time.Millisecond}
}

// second is a short clip whose only job is to start a second session, so
// the first one is drained and complete.
func twoSessions(c, next *clip) *clipSource {
	return &clipSource{sessions: []*clip{c, next}}
}

// checkSession checks one derived session of clip c: AAC at 48 kHz in the
// tracks, every picture of the clip passed through with its own payload
// (no copy), audio timestamps monotonic and one access unit apart, the
// output interleaved in time order, and the audio covering the video.
//
// strict adds what holds when the encoder keeps up with the source (so
// always with testOptions): the output is interleaved in time order and
// the audio starts with the video.
func checkSession(t *testing.T, c *clip, frames []*media.Frame, channels int, strict bool) {
	t.Helper()
	if len(frames) == 0 {
		t.Fatal("empty session")
	}
	tr := frames[0].Tracks
	if tr.Video == nil || tr.Video != c.tracks.Video && !media.SameVideo(tr.Video, c.tracks.Video) {
		t.Fatalf("derived video track %+v, want the parent's", tr.Video)
	}
	a := tr.Audio
	if a == nil || a.Codec != media.AAC || a.SampleRate != 48000 || a.Channels != channels || len(a.Config) != 2 {
		t.Fatalf("derived audio track %+v, want AAC 48000 Hz/%d with its config", a, channels)
	}
	payloads := map[*byte]bool{}
	for _, f := range c.frames {
		if f.IsVideo() {
			payloads[&f.Data[0]] = true
		}
	}
	wantVideo, _ := counts(c.frames)
	var video, audio int
	var lastAudio, lastAny time.Duration
	var firstAudio, firstVideo, lastVideo time.Duration
	auDur := time.Second * 1024 / 48000
	for i, f := range frames {
		if f.Tracks != tr {
			t.Fatalf("frame %d has other tracks", i)
		}
		if strict && i > 0 && f.DTS+time.Millisecond < lastAny {
			t.Errorf("frame %d (%v) at %v comes after %v: not interleaved", i, f.Codec, f.DTS, lastAny)
		}
		lastAny = max(lastAny, f.DTS)
		switch {
		case f.IsVideo():
			if !payloads[&f.Data[0]] {
				t.Fatalf("picture %d is a copy, not the parent's payload", video)
			}
			if video == 0 {
				firstVideo = f.DTS
			}
			lastVideo = f.DTS
			video++
		case f.Codec == media.AAC:
			if len(f.Data) == 0 || len(f.Data) > 768*channels {
				t.Fatalf("access unit %d has %d bytes", audio, len(f.Data))
			}
			if audio == 0 {
				firstAudio = f.DTS
			} else if d := f.DTS - lastAudio; d < auDur-time.Millisecond || d > auDur+time.Millisecond {
				t.Fatalf("access unit %d at %v, %v after the previous, want %v", audio, f.DTS, d, auDur)
			}
			lastAudio = f.DTS
			audio++
		default:
			t.Fatalf("frame %d has codec %v", i, f.Codec)
		}
	}
	if video != wantVideo {
		t.Errorf("%d pictures, the clip has %d", video, wantVideo)
	}
	// The clip's sound starts with its first picture and lasts as long.
	videoEnd := lastVideo + 40*time.Millisecond
	audioEnd := lastAudio + auDur
	if d := (firstAudio - firstVideo).Abs(); strict && d > 40*time.Millisecond {
		t.Errorf("audio starts at %v, video at %v", firstAudio, firstVideo)
	}
	if d := (audioEnd - videoEnd).Abs(); d > 100*time.Millisecond {
		t.Errorf("audio lasts %v, video %v", audioEnd-firstAudio, videoEnd-firstVideo)
	}
}

// TestTranscode runs a G.711 camera through the derived stream: A-law and
// µ-law, mono and stereo, each followed by a reconnect, which must give a
// new derived session with its own encoder.
func TestTranscode(t *testing.T) {
	cases := []struct {
		codec    string
		channels int
	}{{"pcm_alaw", 1}, {"pcm_mulaw", 1}, {"pcm_alaw", 2}}
	for _, tc := range cases {
		t.Run(tc.codec+"_"+string(rune('0'+tc.channels)), func(t *testing.T) {
			c := loadClip(t, 4, tc.codec, tc.channels)
			var pids []int
			opts := testOptions()
			opts.started = func(pid int) { pids = append(pids, pid) }
			r := startRig(t, twoSessions(c, c), opts)
			sessions := r.readSessions(t, 2)
			checkSession(t, c, sessions[0], tc.channels, true)
			if sessions[1][0].Tracks == sessions[0][0].Tracks {
				t.Fatal("the parent's second session did not make a new derived session")
			}
			r.stop()
			st := r.src.Stats()
			if st.Restarts.Load() != 0 || st.Dropped.Load() != 0 || st.EncoderMissing.Load() != 0 || st.Running.Load() != 0 {
				t.Errorf("stats: restarts %d dropped %d missing %d running %d", st.Restarts.Load(),
					st.Dropped.Load(), st.EncoderMissing.Load(), st.Running.Load())
			}
			if len(pids) != 2 || pids[0] == pids[1] {
				t.Errorf("encoder pids %v, want one per session", pids)
			}
			for _, pid := range pids {
				checkGone(t, pid)
			}
		})
	}
}

// TestRealtime plays a clip at its own pace with the default options, as
// a camera does: the whole session comes through, audio and video.
func TestRealtime(t *testing.T) {
	c := loadClip(t, 2, "pcm_alaw", 1)
	r := startRig(t, &clipSource{sessions: []*clip{c, c}, realtime: true}, Options{})
	sessions := r.readSessions(t, 2)
	r.stop()
	checkSession(t, c, sessions[0], 1, false)
	var newest, worst time.Duration
	for _, f := range sessions[0] {
		worst = max(worst, newest-f.DTS)
		newest = max(newest, f.DTS)
	}
	t.Logf("worst frame out of time order by %v (0 when the encoder kept up)", worst)
	if st := r.src.Stats(); st.Dropped.Load() != 0 || st.Died.Load() != 0 {
		t.Errorf("dropped %d, died %d", st.Dropped.Load(), st.Died.Load())
	}
}

// checkGone fails the test if process pid still exists.
func checkGone(t *testing.T, pid int) {
	t.Helper()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("encoder process %d is still there (kill 0: %v)", pid, err)
	}
}

// TestEncoderKilled kills ffmpeg in the middle of a session: it is
// restarted, the video never stops, and the audio after the restart comes
// with the right timestamps.
func TestEncoderKilled(t *testing.T) {
	c := loadClip(t, 4, "pcm_alaw", 1)
	pids := make(chan int, 4)
	opts := testOptions()
	opts.started = func(pid int) { pids <- pid }
	cam := twoSessions(c, c)
	half := len(c.frames) / 2
	cam.pauseAt = map[int]int{0: half}
	cam.gate, cam.paused = make(chan struct{}), make(chan struct{})
	r := startRig(t, cam, opts)

	first := <-pids
	<-cam.paused
	if err := syscall.Kill(first, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	second := <-pids
	if second == first {
		t.Fatal("restarted with the same pid")
	}
	close(cam.gate)
	sessions := r.readSessions(t, 2)
	r.stop()
	checkGone(t, first)
	checkGone(t, second)

	st := r.src.Stats()
	if st.Restarts.Load() != 1 {
		t.Errorf("restarts %d, want 1", st.Restarts.Load())
	}
	wantVideo, _ := counts(c.frames)
	video, audio := counts(sessions[0])
	if video != wantVideo {
		t.Errorf("%d pictures, want all %d", video, wantVideo)
	}
	// The audio fed after the restart (the clip's second half) comes out,
	// in order and no earlier than the place where the clip resumed.
	resume := c.frames[half].DTS - c.frames[0].DTS
	var lastAudio time.Duration
	late := 0
	start := sessions[0][0].DTS
	for _, f := range sessions[0] {
		if f.Codec != media.AAC {
			continue
		}
		if f.DTS < lastAudio {
			t.Fatalf("audio goes back from %v to %v", lastAudio, f.DTS)
		}
		lastAudio = f.DTS
		if f.DTS-start >= resume-200*time.Millisecond {
			late++
		}
	}
	// About 2 s of sound at 46.9 access units a second.
	if audio == 0 || late < 80 {
		t.Errorf("%d access units, %d after the restart point %v; want about 90 after it", audio, late, resume)
	}
}

// TestCancelStopsEncoder cancels the streams mid-session: Run returns and
// the encoder process is gone.
func TestCancelStopsEncoder(t *testing.T) {
	c := loadClip(t, 4, "pcm_alaw", 1)
	pids := make(chan int, 1)
	opts := testOptions()
	opts.started = func(pid int) { pids <- pid }
	cam := &clipSource{sessions: []*clip{c}, pauseAt: map[int]int{0: len(c.frames) / 2},
		gate: make(chan struct{}), paused: make(chan struct{})}
	r := startRig(t, cam, opts)
	pid := <-pids
	<-cam.paused
	r.stop()
	checkGone(t, pid)
	if n := r.src.Stats().Running.Load(); n != 0 {
		t.Errorf("%d encoders running after Run returned", n)
	}
}

// TestNoEncoder runs without ffmpeg: video only, the audio counted as
// dropped, and one log line however many sessions.
func TestNoEncoder(t *testing.T) {
	c := loadClip(t, 2, "pcm_alaw", 1)
	logs := newLogBuffer(t)
	opts := testOptions()
	opts.FFmpeg = filepath.Join(t.TempDir(), "no-ffmpeg")
	opts.Logger = logs.Logger()
	r := startRig(t, &clipSource{sessions: []*clip{c, c, c}}, opts)
	sessions := r.readSessions(t, 3)
	r.stop()
	wantVideo, wantAudio := counts(c.frames)
	for i, s := range sessions[:2] {
		if s[0].Tracks.Audio != nil || s[0].Tracks.Video == nil {
			t.Fatalf("session %d tracks %s, want video only", i, s[0].Tracks)
		}
		if v, a := counts(s); v != wantVideo || a != 0 {
			t.Errorf("session %d: %d pictures and %d audio frames, want %d and 0", i, v, a, wantVideo)
		}
	}
	st := r.src.Stats()
	if st.EncoderMissing.Load() < 2 || st.Dropped.Load() < uint64(2*wantAudio) || st.AudioOut.Load() != 0 {
		t.Errorf("missing %d dropped %d out %d, want ≥2, ≥%d, 0", st.EncoderMissing.Load(), st.Dropped.Load(),
			st.AudioOut.Load(), 2*wantAudio)
	}
	if n := strings.Count(logs.String(), "no AAC encoder"); n != 1 {
		t.Errorf("%d log lines about the missing encoder, want 1:\n%s", n, logs)
	}
}

// TestBadEncoder stands a program that answers garbage, and one that
// never reads its input, in for ffmpeg: the video passes all the same, the
// audio is dropped and counted, and the first is restarted.
func TestBadEncoder(t *testing.T) {
	// 10 s of A-law is more than a pipe holds (64 KiB).
	c := loadClip(t, 10, "pcm_alaw", 1)
	cases := []struct {
		name, script string
		drain        time.Duration
		check        func(t *testing.T, st *Stats)
	}{
		{"garbage", "#!/bin/sh\nhead -c 200000 /dev/urandom\nexec cat >/dev/null\n", time.Minute, func(t *testing.T, st *Stats) {
			if st.Died.Load() == 0 {
				t.Error("an encoder answering garbage was not stopped")
			}
		}},
		{"stuck", "#!/bin/sh\nsleep 600 &\nwait\n", 50 * time.Millisecond, func(t *testing.T, st *Stats) {
			if st.Dropped.Load() == 0 {
				t.Error("nothing dropped by an encoder that never reads")
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "ffmpeg")
			if err := os.WriteFile(path, []byte(tc.script), 0o755); err != nil {
				t.Fatal(err)
			}
			opts := Options{FFmpeg: path, Queue: 4, MaxHold: 200 * time.Millisecond, DrainTimeout: tc.drain,
				RestartMin: time.Millisecond, RestartMax: 5 * time.Millisecond}
			r := startRig(t, &clipSource{sessions: []*clip{c, c}}, opts)
			sessions := r.readSessions(t, 2)
			r.stop()
			wantVideo, _ := counts(c.frames)
			if v, a := counts(sessions[0]); v != wantVideo || a != 0 {
				t.Errorf("%d pictures and %d access units, want %d and 0", v, a, wantVideo)
			}
			tc.check(t, r.src.Stats())
		})
	}
}

// TestBadOptions: a rate AAC has no index for fails every Run, saying what
// is accepted, before anything is attached.
func TestBadOptions(t *testing.T) {
	parent := relay.NewStream("c1", relay.SourceFunc(func(ctx context.Context, _ relay.Publisher) error {
		<-ctx.Done()
		return nil
	}), relay.StreamOptions{})
	src := NewSource(parent, Options{SampleRate: 22051})
	err := src.Run(context.Background(), nil)
	if err == nil || !strings.Contains(err.Error(), "22051") || !strings.Contains(err.Error(), "48000") {
		t.Fatalf("Run with a 22051 Hz AAC rate: %v", err)
	}
	if n := parent.ReaderCount(); n != 0 {
		t.Errorf("%d readers attached to the parent", n)
	}
}

// TestAACPassesThrough: a camera that already sends AAC gets no encoder;
// audio and video come through with their own payloads.
func TestAACPassesThrough(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aac.ts")
	if err := testclip.FFmpeg("-f", "lavfi", "-i", "testsrc2=s=160x120:r=25:d=2", "-f", "lavfi", "-i", burstExpr+":d=2",
		"-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-bf", "0", "-threads", "1",
		"-c:a", "aac", "-ar", "44100", "-ac", "1", "-f", "mpegts", path); err != nil {
		t.Fatal(err)
	}
	tracks, frames, err := testclip.DemuxTS(path)
	if err != nil {
		t.Fatal(err)
	}
	c := &clip{tracks: tracks, frames: frames}
	opts := testOptions()
	opts.started = func(int) { t.Error("an encoder started for AAC") }
	r := startRig(t, twoSessions(c, c), opts)
	got := r.readSessions(t, 2)[0]
	r.stop()
	if a := got[0].Tracks.Audio; a == nil || !media.SameAudio(a, tracks.Audio) {
		t.Fatalf("derived audio %+v, want the camera's %+v", a, tracks.Audio)
	}
	payloads := map[*byte]bool{}
	for _, f := range frames {
		payloads[&f.Data[0]] = true
	}
	wantVideo, wantAudio := counts(frames)
	if v, a := counts(got); v != wantVideo || a != wantAudio {
		t.Errorf("%d pictures and %d audio frames, want %d and %d", v, a, wantVideo, wantAudio)
	}
	for i, f := range got {
		if !payloads[&f.Data[0]] {
			t.Fatalf("frame %d (%v) is a copy", i, f.Codec)
		}
	}
}

// TestAudioOnly: a camera with G.711 and no video gives an AAC-only stream.
func TestAudioOnly(t *testing.T) {
	full := loadClip(t, 2, "pcm_mulaw", 1)
	tracks := *full.tracks
	tracks.Video = nil
	c := &clip{tracks: &tracks}
	for _, f := range full.frames {
		if !f.IsVideo() {
			c.frames = append(c.frames, f)
		}
	}
	r := startRig(t, twoSessions(c, c), testOptions())
	got := r.readSessions(t, 2)[0]
	r.stop()
	tr := got[0].Tracks
	if tr.Video != nil || tr.Audio == nil || tr.Audio.Codec != media.AAC {
		t.Fatalf("tracks %s, want AAC only", tr)
	}
	// 2 s at 48 kHz: 93.75 units of 1024 samples, the last one padded.
	if _, a := counts(got); a < 93 || a > 95 {
		t.Errorf("%d access units for 2 s", a)
	}
}
