package segmenter

import (
	"bytes"
	"encoding/binary"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/media"
)

// h265Tracks are made-up H.265 parameters: enough for an init section
// (the SPS's profile_tier_level is read, with an emulation prevention
// byte in it), not for a decoder.
func h265Tracks(session int) *media.Tracks {
	return &media.Tracks{
		Video: &media.VideoTrack{Codec: media.H265,
			VPS: []byte{0x40, 0x01, 0x0c, 0x01, 0xff, 0xff},
			SPS: []byte{0x42, 0x01, 0x01, 0x01, 0x60, 0x00, 0x00, 0x03, 0x00, 0x90, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x5d, 0xa0},
			PPS: []byte{0x44, 0x01, 0xc1, 0x72}},
		Audio:   synthTracks(session).Audio,
		Session: session,
	}
}

// h265Frames is dur of 25 fps H.265 (a keyframe a second) with AAC.
func h265Frames(t *media.Tracks, start, dur time.Duration) []*media.Frame {
	frames := synthFrames(t, start, dur)
	key := media.AppendAnnexB(nil, t.Video.VPS, t.Video.SPS, t.Video.PPS, []byte{0x26, 0x01, 0xaf, 0x12})
	delta := media.AppendAnnexB(nil, []byte{0x02, 0x01, 0xd0, 0x34})
	for _, f := range frames {
		if f.IsVideo() {
			f.Codec = media.H265
			f.Data = delta
			if f.Key {
				f.Data = key
			}
		}
	}
	return frames
}

// topBoxes lists the top-level boxes of an ISO BMFF file and fails the test
// unless their sizes add up to exactly the file.
func topBoxes(t *testing.T, b []byte) []string {
	t.Helper()
	var types []string
	for len(b) > 0 {
		if len(b) < 8 {
			t.Fatalf("%d bytes left over after %v", len(b), types)
		}
		size := binary.BigEndian.Uint32(b)
		if size < 8 || int(size) > len(b) {
			t.Fatalf("box %q of size %d in %d bytes after %v", b[4:8], size, len(b), types)
		}
		types = append(types, string(b[4:8]))
		b = b[size:]
	}
	return types
}

// TestHLSFMP4Sessions: in fMP4, a reconnect with the same parameters keeps
// the init section (one EXT-X-MAP, a discontinuity); new parameters get a
// new init section named after their first segment and an EXT-X-MAP before
// it. With auto, a camera going from H.264 to H.265 starts the playlist
// over in fMP4, without the TS segments.
func TestHLSFMP4Sessions(t *testing.T) {
	t.Run("same parameters", func(t *testing.T) {
		h := NewHLS(HLSOptions{Target: time.Second, Window: 10, Variant: VariantFMP4, Logger: quiet()})
		writeAll(h, synthFrames(synthTracks(1), 0, 3*time.Second), synthFrames(synthTracks(2), 3*time.Second, 3*time.Second))
		h.Close()
		pl := string(getOK(t, serve(t, h)+"/index.m3u8"))
		if strings.Count(pl, "#EXT-X-MAP:") != 1 || !strings.Contains(pl, "#EXT-X-DISCONTINUITY\n#EXTINF:1.000,\nseg3.m4s\n") {
			t.Fatalf("want one init section and a discontinuity before seg3:\n%s", pl)
		}
	})
	t.Run("new parameters", func(t *testing.T) {
		h := NewHLS(HLSOptions{Target: time.Second, Window: 10, Variant: VariantFMP4, Logger: quiet()})
		writeAll(h, synthFrames(synthTracks(1), 0, 3*time.Second), h265Frames(h265Tracks(2), 3*time.Second, 3*time.Second))
		h.Close()
		url := serve(t, h)
		pl := string(getOK(t, url+"/index.m3u8"))
		want := "#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI=\"init3.mp4\"\n#EXTINF:1.000,\nseg3.m4s\n"
		if !strings.HasPrefix(pl[strings.Index(pl, "#EXT-X-MAP"):], "#EXT-X-MAP:URI=\"init0.mp4\"\n#EXTINF") || !strings.Contains(pl, want) {
			t.Fatalf("want init0.mp4 first and init3.mp4 from seg3 on:\n%s", pl)
		}
		for name, entry := range map[string]string{"init0.mp4": "avc1", "init3.mp4": "hvc1"} {
			resp, body := get(t, url+"/"+name)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "video/mp4" || !bytes.Contains(body, []byte(entry)) {
				t.Fatalf("GET %s: %s %q, want video/mp4 with %s", name, resp.Status, resp.Header.Get("Content-Type"), entry)
			}
			if got := topBoxes(t, body); !slices.Equal(got, []string{"ftyp", "moov"}) {
				t.Fatalf("%s boxes %v", name, got)
			}
		}
		if resp, _ := get(t, url+"/init1.mp4"); resp.StatusCode != 404 {
			t.Fatalf("GET init1.mp4: %s, want 404", resp.Status)
		}
	})
	t.Run("auto, H.264 then H.265", func(t *testing.T) {
		h := NewHLS(HLSOptions{Target: time.Second, Window: 10, Logger: quiet()})
		writeAll(h, synthFrames(synthTracks(1), 0, 3*time.Second))
		url := serve(t, h)
		if pl := string(getOK(t, url+"/index.m3u8")); !strings.Contains(pl, "seg0.ts") || strings.Contains(pl, "#EXT-X-MAP") {
			t.Fatalf("H.264 in auto is MPEG-TS:\n%s", pl)
		}
		writeAll(h, h265Frames(h265Tracks(2), 3*time.Second, 3*time.Second))
		h.Close()
		pl := string(getOK(t, url+"/index.m3u8"))
		// Starts over at seg3, discontinuity sequence 1, as if seg0-2 had
		// slid out; they stay fetchable.
		want := "#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-MEDIA-SEQUENCE:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-DISCONTINUITY-SEQUENCE:1\n#EXT-X-MAP:URI=\"init3.mp4\"\n#EXTINF:1.000,\nseg3.m4s\n"
		if !strings.Contains(pl, want) || strings.Contains(pl, ".ts") {
			t.Fatalf("want a fresh fMP4 playlist from seg3:\n%s\nwant it to contain:\n%s", pl, want)
		}
		if resp, _ := get(t, url+"/seg2.ts"); resp.StatusCode != 200 {
			t.Fatalf("GET seg2.ts after the switch: %s", resp.Status)
		}
		if resp, _ := get(t, url+"/seg3.ts"); resp.StatusCode != 404 {
			t.Fatalf("GET seg3.ts (an fMP4 segment): %s, want 404", resp.Status)
		}
	})
}

// TestHLSFMP4InDir: fMP4 segments live in seg{N}.m4s files, are served
// from them as video/mp4 (each one moof and one mdat), and go at Close.
func TestHLSFMP4InDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "seg9.m4s"), []byte("stale"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := NewHLS(HLSOptions{Target: time.Second, Window: 3, Dir: dir, Variant: VariantFMP4, Logger: quiet()})
	writeAll(h, synthFrames(synthTracks(1), 0, 5*time.Second))
	url := serve(t, h)
	want := []string{"seg0.m4s", "seg1.m4s", "seg2.m4s", "seg3.m4s", "seg4.m4s.tmp"}
	if got := segmentFiles(t, dir); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	for _, name := range listedSegments(getOK(t, url+"/index.m3u8")) {
		resp, body := get(t, url+"/"+name)
		file, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || resp.StatusCode != 200 || !bytes.Equal(body, file) {
			t.Fatalf("%s: %s, %d bytes served, file %d bytes (%v)", name, resp.Status, len(body), len(file), err)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "video/mp4" {
			t.Fatalf("%s served as %q", name, ct)
		}
		if got := topBoxes(t, body); !slices.Equal(got, []string{"moof", "mdat"}) {
			t.Fatalf("%s boxes %v, want moof and mdat", name, got)
		}
	}
	h.Close()
	if got := segmentFiles(t, dir); len(got) != 0 {
		t.Fatalf("files left after Close: %v", got)
	}
}

// TestHLSFMP4BadParameters: a session whose parameter sets cannot be
// described leaves fMP4 out, said once, and counts its frames as invalid.
func TestHLSFMP4BadParameters(t *testing.T) {
	var logs logLines
	h := NewHLS(HLSOptions{Target: time.Second, Variant: VariantFMP4, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	tr := h265Tracks(1)
	tr.Video = &media.VideoTrack{Codec: media.H265, VPS: []byte{0x40}, SPS: []byte{0x42, 0x01}, PPS: []byte{0x44}}
	frames := h265Frames(tr, 0, 3*time.Second)
	writeAll(h, frames)
	h.Close()
	if st := h.Stats(); st.Segments != 0 || st.Dropped.Invalid != uint64(len(frames)) {
		t.Fatalf("stats %+v, want no segment and %d invalid frames", st, len(frames))
	}
	if n := logs.count("cannot describe"); n != 1 {
		t.Fatalf("%d log lines, want 1:\n%s", n, logs.buf.String())
	}
}

// FuzzFMP4Init: parameter sets and audio configs from a camera build an
// init section or an error, never a panic, and what is built is whole boxes.
func FuzzFMP4Init(f *testing.F) {
	v := h265Tracks(1).Video
	f.Add(v.VPS, v.SPS, v.PPS, []byte{0x12, 0x10}, true)
	f.Add([]byte{}, synthSPS, synthPPS, []byte{0x12, 0x10}, false)
	f.Add([]byte{0x40}, []byte{0x42, 0x01, 0x01}, []byte{0x44}, []byte{0xff, 0xff, 0xff}, true)
	f.Add([]byte{}, []byte{0x67, 100, 0, 0x1e, 0xac}, []byte{0x68}, []byte{}, false)
	f.Fuzz(func(t *testing.T, vps, sps, pps, config []byte, h265 bool) {
		vt := &media.VideoTrack{Codec: media.H264, SPS: sps, PPS: pps}
		if h265 {
			vt = &media.VideoTrack{Codec: media.H265, VPS: vps, SPS: sps, PPS: pps}
		}
		at := &media.AudioTrack{Codec: media.AAC, SampleRate: 44100, Channels: 2, Config: config}
		in, err := newFMP4Init("init0.mp4", vt, at)
		if err != nil {
			return
		}
		if got := topBoxes(t, in.data); !slices.Equal(got, []string{"ftyp", "moov"}) {
			t.Fatalf("boxes %v", got)
		}
	})
}

// FuzzFMP4Writer: arbitrary pictures and audio frames make a segment of
// whole boxes or are refused, never a panic.
func FuzzFMP4Writer(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 0x67, 0x42, 0, 0, 1, 0, 0, 0, 1, 0x65, 0x88}, []byte{0x21, 0x10}, true, int64(40))
	f.Add([]byte{0, 0, 1}, []byte{}, false, int64(-5))
	f.Add([]byte{0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, 0x41, 0x9a}, []byte{0xff, 0xf1}, true, int64(0))
	f.Add([]byte{0, 0, 0, 1}, []byte{0}, true, int64(1<<40))
	f.Fuzz(func(t *testing.T, picture, audio []byte, key bool, stepMS int64) {
		tracks := synthTracks(1)
		in, err := newFMP4Init("init0.mp4", tracks.Video, tracks.Audio)
		if err != nil {
			t.Fatal(err)
		}
		var w fmp4Writer
		w.begin(in, 0, 1, nil)
		step := time.Duration(stepMS) * time.Millisecond
		for i := range 3 {
			at := time.Duration(i) * step
			_ = w.write(&media.Frame{Codec: media.H264, DTS: at, PTS: at + step, Key: key && i == 0, Data: picture, Tracks: tracks})
			_ = w.write(&media.Frame{Codec: media.AAC, DTS: at, PTS: at, Key: true, Data: audio, Tracks: tracks})
		}
		data, _ := w.finish(w.end())
		if len(data) > 0 {
			if got := topBoxes(t, data); !slices.Equal(got, []string{"moof", "mdat"}) {
				t.Fatalf("boxes %v", got)
			}
		}
	})
}
