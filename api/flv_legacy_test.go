package api

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bluenviron/mediacommon/v2/pkg/codecs/mpeg4audio"
	"github.com/yapingcat/gomedia/go-mpeg2"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay/flv"
)

// roundTripLegacy re-muxes enhanced FLV to codec-12 FLV with lubo's
// demuxer and writer, checks that nothing was lost on the way, and has
// ffmpeg 5.1 decode the result. ffmpeg 5.1 reads neither enhanced nor
// codec-12 FLV, so the codec-12 stream is read back with lubo's demuxer and
// handed to ffmpeg in MPEG-TS, a container it reads.
func roundTripLegacy(t *testing.T, enhanced []byte, pictures []picture) {
	t.Helper()
	tracks, frames := readFLVBytes(t, enhanced)
	var legacy bytes.Buffer
	w := flv.NewWriter(&legacy, tracks)
	for _, f := range frames {
		if err := w.WriteFrame(f); err != nil {
			t.Fatal(err)
		}
	}
	if first := firstVideoTag(t, legacy.Bytes()); len(first) < 2 || first[0] != 0x1c || first[1] != 0 {
		t.Fatalf("legacy FLV starts its video with %x, want a codec-12 sequence header (1c 00)", first[:min(2, len(first))])
	}
	tracks2, frames2 := readFLVBytes(t, legacy.Bytes())
	if tracks2.Video == nil || tracks2.Video.Codec != media.H265 || tracks2.Audio == nil || tracks2.Audio.Codec != media.AAC {
		t.Fatalf("codec-12 FLV read back as %v, want H265 and AAC", tracks2)
	}
	var video []*media.Frame
	for _, f := range frames2 {
		if f.IsVideo() {
			video = append(video, f)
		}
	}
	if len(video) != len(pictures) {
		t.Fatalf("round trip has %d pictures, the enhanced stream %d", len(video), len(pictures))
	}
	for i, f := range video {
		var got [][]byte
		media.SplitAnnexB(f.Data, func(n []byte) bool {
			if typ := hevcNALType(n); typ < 32 || typ > 35 {
				got = append(got, n)
			}
			return true
		})
		p := pictures[i]
		if !equalNALUs(got, p.nalus) || f.Key != p.key || f.DTS != time.Duration(p.ts-pictures[0].ts)*time.Millisecond ||
			f.PTS-f.DTS != time.Duration(p.cts)*time.Millisecond {
			t.Fatalf("round trip picture %d (key=%v dts=%v pts=%v) differs from the enhanced stream's (key=%v ts=%d cts=%d)",
				i, f.Key, f.DTS, f.PTS, p.key, p.ts, p.cts)
		}
	}

	ts := muxTS(t, tracks2, frames2)
	cmd := exec.Command(needTool(t, "ffmpeg"), "-v", "error", "-i", "-", "-f", "null", "-")
	cmd.Stdin = bytes.NewReader(ts)
	if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("ffmpeg decode of the round trip: %v\n%s", err, out)
	}
	cmd = exec.Command(needTool(t, "ffprobe"), "-v", "error", "-count_frames",
		"-show_entries", "stream=codec_name,nb_read_frames", "-of", "csv=p=0", "-")
	cmd.Stdin = bytes.NewReader(ts)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("ffprobe: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "hevc,"+strconv.Itoa(len(video))+"\n") || !strings.Contains(string(out), "aac,") {
		t.Fatalf("ffprobe streams %q, want hevc with %d decoded frames, and aac", out, len(video))
	}
}

// readFLVBytes demuxes FLV with lubo's reader (flv.ReadStream).
func readFLVBytes(t *testing.T, b []byte) (*media.Tracks, []*media.Frame) {
	t.Helper()
	c := testkit.NewCollector(testkit.Frames(-1), nil)
	if err := flv.ReadStream(context.Background(), bytes.NewReader(b), c, nil); err != io.EOF {
		t.Fatalf("ReadStream: %v, want io.EOF", err)
	}
	begins, frames := c.Result()
	if len(begins) != 1 {
		t.Fatalf("ReadStream: %d sessions, want 1", len(begins))
	}
	return begins[0], frames
}

func firstVideoTag(t *testing.T, b []byte) []byte {
	t.Helper()
	tr := flv.NewTagReader(bytes.NewReader(b))
	for {
		tag, err := tr.ReadTag()
		if err != nil {
			t.Fatalf("no video tag: %v", err)
		}
		if tag.Type == flv.TagVideo {
			return bytes.Clone(tag.Data)
		}
	}
}

// muxTS puts H.265 and AAC frames into MPEG-TS (gomedia), the video with
// its parameter sets in front of each keyframe (as the frames come).
func muxTS(t *testing.T, tracks *media.Tracks, frames []*media.Frame) []byte {
	t.Helper()
	var out []byte
	cc := map[uint16]byte{}
	m := mpeg2.NewTSMuxer()
	m.OnPacket = func(pkt []byte) {
		off := len(out)
		out = append(out, pkt...)
		// gomedia's continuity counters are not per PID; count them here.
		if len(pkt) >= 4 && pkt[3]&0x10 != 0 {
			pid := uint16(pkt[1]&0x1f)<<8 | uint16(pkt[2])
			out[off+3] = out[off+3]&0xf0 | cc[pid]&0x0f
			cc[pid]++
		}
	}
	video := m.AddStream(mpeg2.TS_STREAM_H265)
	audio := m.AddStream(mpeg2.TS_STREAM_AAC)
	const offset = time.Second // keeps PTS positive
	ms := func(d time.Duration) uint64 { return uint64((d + offset) / time.Millisecond) }
	for _, f := range frames {
		if f.IsVideo() {
			if err := m.Write(video, f.Data, ms(f.PTS), ms(f.DTS)); err != nil {
				t.Fatal(err)
			}
			continue
		}
		adts, err := mpeg4audio.ADTSPackets{{Type: mpeg4audio.ObjectTypeAACLC,
			SampleRate: tracks.Audio.SampleRate, ChannelCount: tracks.Audio.Channels, AU: f.Data}}.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Write(audio, adts, ms(f.PTS), ms(f.DTS)); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
