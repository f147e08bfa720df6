package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/testdata/testmedia"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "lubo.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const badConfig = `
http: {listen: "127.0.0.1:0"}
channels:
  - {id: c1, source: "rtsp://admin:hunter2@10.0.0.1/Streaming/Channels/101"}
  - {id: c2, source: "htp://10.0.0.2/live"}
  - {id: c1, source: "rtmp://10.0.0.3/live/x"}
`

func TestCheckReportsEveryProblemAndExits1(t *testing.T) {
	path := writeConfig(t, badConfig)
	var out, errb bytes.Buffer
	code := run([]string{"check", "-config", path}, &out, &errb)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	msg := errb.String()
	for _, want := range []string{
		`channels[1].source: unsupported scheme "htp"; want rtsp, rtmp, http(s) (FLV), file, ezviz (cloud.ezviz), tplink (cloud.tplink), or publisher (pushed to lubo over RTMP)`,
		`channels[2].id: duplicate of channels[0]`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("output lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg+out.String(), "hunter2") {
		t.Error("check printed a password")
	}
}

// A course `lubo run` would skip is a problem for `lubo check`, so the
// systemd pre-check does not pass a timetable that silently loses lessons.
func TestCheckJudgesTheTimetable(t *testing.T) {
	path := writeConfig(t, `timezone: Asia/Shanghai
channels:
  - {id: c1, source: "rtsp://10.0.0.1/x"}
schedule:
  - {channel: c1, weekday: 3, start: "10:30:00", duration: 45m}
  - {channel: c1, weekday: 3, start: "10:50:00", duration: 45m}
  - {channel: c1, weekday: 4, start: "23:30:00", duration: 45m}
`)
	var out, errb bytes.Buffer
	if code := run([]string{"check", "-config", path}, &out, &errb); code != 1 {
		t.Fatalf("exit %d, want 1; stdout %q", code, out.String())
	}
	for _, want := range []string{"(error 1012)", "(error 1013)", "schedule[1]", "schedule[2]"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, errb.String())
		}
	}
}

func TestRunRefusesBadConfig(t *testing.T) {
	path := writeConfig(t, badConfig)
	var out, errb bytes.Buffer
	if code := run([]string{"run", "-config", path}, &out, &errb); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(errb.String(), `unsupported scheme "htp"`) {
		t.Errorf("run did not say why:\n%s", errb.String())
	}
}

func TestCheckGoodConfig(t *testing.T) {
	path := writeConfig(t, "channels:\n  - {id: c1, source: \"rtsp://10.0.0.1/x\"}\n")
	var out, errb bytes.Buffer
	if code := run([]string{"check", "-config", path}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "ok (1 channels") {
		t.Errorf("output %q", out.String())
	}
}

func TestUsageErrors(t *testing.T) {
	cases := [][]string{{}, {"frobnicate"}, {"check"}, {"probe"}}
	for _, args := range cases {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if errb.Len() == 0 {
			t.Errorf("%v: no message", args)
		}
	}
}

func TestProbeBadURL(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"probe", "htp://x"}, &out, &errb); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(errb.String(), "unsupported scheme") {
		t.Errorf("message %q", errb.String())
	}
}

func TestProbePrintsTracks(t *testing.T) {
	clip := testmedia.Require(t, "h265_aac.mp4")
	var out, errb bytes.Buffer
	if code := run([]string{"probe", "file://" + clip}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"video:   H265 320x240", "vps:", "sps:", "pps:", "audio:   AAC 44100 Hz, 2 channel(s)", "keyframes"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("probe output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestProbeUnreachableSource(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"probe", "rtsp://admin:secret@127.0.0.1:1/x"}, &out, &errb); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if strings.Contains(errb.String(), "secret") {
		t.Errorf("probe printed the password: %s", errb.String())
	}
	if !strings.Contains(errb.String(), "127.0.0.1:1") {
		t.Errorf("probe error does not say where: %s", errb.String())
	}
}
