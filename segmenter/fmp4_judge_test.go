package segmenter

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/media"
)

// checkFMP4 lets ffprobe read each media segment behind the init section
// and fails the test unless the init declares the codec (H.265 as hvc1, with
// its parameter sets in the hvcC) and AAC, each segment's video begins with
// a keyframe, and each stream's timestamps run on from segment to segment.
func checkFMP4(t *testing.T, initData []byte, segs [][]byte, codec media.Codec) {
	t.Helper()
	entry := map[media.Codec]string{media.H264: "avc1", media.H265: "hvc1"}[codec]
	for _, box := range []string{"ftyp", "moov", entry, "mp4a", "esds", "trex"} {
		if !bytes.Contains(initData, []byte(box)) {
			t.Fatalf("init section has no %s box", box)
		}
	}
	if bytes.Contains(initData, []byte("hev1")) {
		t.Fatal("H.265 declared as hev1; Safari wants hvc1")
	}
	dir := t.TempDir()
	next := map[string]float64{} // stream type: where the segment before ended
	for i, seg := range segs {
		path := filepath.Join(dir, "seg"+strconv.Itoa(i)+".mp4")
		if err := os.WriteFile(path, append(bytes.Clone(initData), seg...), 0o644); err != nil {
			t.Fatal(err)
		}
		packets := ffprobePackets(t, path)
		first := map[string]bool{}
		last := map[string]float64{}
		for _, p := range packets {
			if !first[p.CodecType] {
				first[p.CodecType] = true
				if p.CodecType == "video" && !strings.Contains(p.Flags, "K") {
					t.Fatalf("segment %d begins with a video packet flagged %q, want a keyframe", i, p.Flags)
				}
				// Video runs on exactly; audio's last frame is estimated.
				slack := map[string]float64{"video": 0.0015, "audio": 0.025}[p.CodecType]
				if want, ok := next[p.CodecType]; ok && abs(p.dts()-want) > slack {
					t.Errorf("segment %d: %s starts at %.4f s, the segment before ended at %.4f s", i, p.CodecType, p.dts(), want)
				}
			}
			last[p.CodecType] = p.dts() + p.duration()
		}
		if !first["video"] || !first["audio"] {
			t.Fatalf("segment %d: ffprobe found streams %v, want video and audio", i, first)
		}
		for k, v := range last {
			next[k] = v
		}
	}
}

type ffprobePacket struct {
	CodecType string `json:"codec_type"`
	DTSTime   string `json:"dts_time"`
	Duration  string `json:"duration_time"`
	Flags     string `json:"flags"`
}

func (p ffprobePacket) dts() float64      { v, _ := strconv.ParseFloat(p.DTSTime, 64); return v }
func (p ffprobePacket) duration() float64 { v, _ := strconv.ParseFloat(p.Duration, 64); return v }

// ffprobePackets lists the packets of a file, in file order.
func ffprobePackets(t *testing.T, path string) []ffprobePacket {
	t.Helper()
	out, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "packet=codec_type,dts_time,duration_time,flags", "-of", "json", path).Output()
	if err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	var res struct {
		Packets []ffprobePacket `json:"packets"`
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("ffprobe %s: %v", path, err)
	}
	return res.Packets
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
