package configs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"rtsp://admin:pw@192.168.1.64/Streaming/Channels/101", "rtsp://admin:******@192.168.1.64/Streaming/Channels/101"},
		{"rtsp://admin:p%40ss@cam:554/x", "rtsp://admin:******@cam:554/x"},
		{"rtsp://admin@cam/x", "rtsp://admin@cam/x"},
		{"rtsp://cam/x", "rtsp://cam/x"},
		{"file:relative/a.mp4", "file:relative/a.mp4"},
		{"", ""},
		// Unescaped special characters: the URL does not parse, the
		// password must still not show.
		{"rtsp://admin:pa/ss@cam/x", "rtsp://admin:******@cam/x"},
		{"rtsp://admin:p@ss@cam/x", "rtsp://admin:******@cam/x"},
		{"rtsp://admin:pa#ss@cam/x", "rtsp://admin:******@cam/x"},
		{"rtsp://admin:12?34@cam/x", "rtsp://admin:******@cam/x"},
		{"rtsp://admin:pw@[fe80::1]:554/x", "rtsp://admin:******@[fe80::1]:554/x"},
		// Credentials in the query string.
		{"rtmp://cdn/live/x?token=abc&expire=60&sign=def", "rtmp://cdn/live/x?token=******&expire=60&sign=******"},
		{"http://h/a.flv?accessToken=t1&Password=p#frag", "http://h/a.flv?accessToken=******&Password=******#frag"},
		{"rtsp://u:p@cam/cam/realmonitor?channel=1&subtype=0", "rtsp://u:******@cam/cam/realmonitor?channel=1&subtype=0"},
	}
	for _, tc := range cases {
		if got := RedactURL(tc.in); got != tc.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestSecretNeverPrints(t *testing.T) {
	const pw = "hunter2-very-secret"
	dev := Device{Vendor: "hikvision", Host: "10.0.0.1", User: "admin", Password: pw}
	cloud := Cloud{TPLink: &TPLink{API: "https://x", AK: "ak-" + pw, SK: "sk-" + pw}}

	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	logger.Info("device", "password", dev.Password, "device", dev, "dev_ptr", &dev, "cloud", cloud)
	text := slog.New(slog.NewTextHandler(&buf, nil))
	text.Info("device", "password", dev.Password, "device", dev, "cloud", cloud.TPLink)
	for _, s := range []string{
		fmt.Sprint(dev.Password), fmt.Sprintf("%s %q %v %+v %#v", dev.Password, dev.Password, dev, dev, dev),
		fmt.Sprintf("%+v %#v", *cloud.TPLink, *cloud.TPLink),
	} {
		buf.WriteString(s)
	}
	j, err := json.Marshal(cloud)
	if err != nil {
		t.Fatal(err)
	}
	buf.Write(j)

	out := buf.String()
	if strings.Contains(out, pw) {
		t.Fatalf("secret leaked:\n%s", out)
	}
	if !strings.Contains(out, `"password":"******"`) {
		t.Errorf("slog JSON output lacks the redacted password:\n%s", out)
	}
	if string(dev.Password) != pw {
		t.Error("string(Secret) must return the real value")
	}
}
