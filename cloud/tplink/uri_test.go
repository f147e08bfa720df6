package tplink_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/cloud/tplink"
)

var uriCases = []struct {
	in      string
	qr      string
	channel int
	stream  string
	err     string // part of the error, "" for success
}{
	{"tplink://HGD6784KOFV895J08/1?stream=video", "HGD6784KOFV895J08", 1, "video", ""},
	{"tplink://hgd6784kofv895j08/16", "HGD6784KOFV895J08", 16, "video", ""},
	{"TPLINK://16E0091709B04C926/65535?stream=sdvod", "16E0091709B04C926", 65535, "sdvod", ""},
	{"rtsp://HGD6784KOFV895J08/1", "", 0, "", "scheme"},
	{"tplink:HGD6784KOFV895J08/1", "", 0, "", "no device code"},
	{"tplink:///1", "", 0, "", "no device code"},
	{"tplink://HGD6784KOFV895J0/1", "", 0, "", "not 17 letters and digits"},
	{"tplink://HGD6784KOFV895J08:80/1", "", 0, "", "not 17 letters and digits"},
	{"tplink://HGD6784KOFV895J08", "", 0, "", "no channel"},
	{"tplink://HGD6784KOFV895J08/", "", 0, "", "no channel"},
	{"tplink://HGD6784KOFV895J08/0", "", 0, "", "1 to 65535"},
	{"tplink://HGD6784KOFV895J08/65536", "", 0, "", "1 to 65535"},
	{"tplink://HGD6784KOFV895J08/-1", "", 0, "", "not a number"},
	{"tplink://HGD6784KOFV895J08/1/2", "", 0, "", "more than a channel"},
	{"tplink://HGD6784KOFV895J08/1?stream=dtspk", "", 0, "", "not video or sdvod"},
	{"tplink://HGD6784KOFV895J08/1?stream=video&stream=sdvod", "", 0, "", "2 times"},
	{"tplink://HGD6784KOFV895J08/1?resolution=2", "", 0, "", "unknown"},
	{"tplink://user:pw@HGD6784KOFV895J08/1", "", 0, "", "user info"},
	{"tplink://HGD6784KOFV895J08/1#x", "", 0, "", "fragment"},
	{"", "", 0, "", "scheme"},
	{"tplink://user:pw@HGD6784KOFV895J08:x/1", "", 0, "", "not a URL"},
	{"tplink://u:pw@%zz/1", "", 0, "", "not a URL"},
}

func TestParseURI(t *testing.T) {
	for _, tc := range uriCases {
		qr, ch, st, err := tplink.ParseURI(tc.in)
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("%q: error shows the password: %v", tc.in, err)
		}
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "accepted: tplink://QRCODE/CHANNEL") {
				t.Errorf("%q: err %v, want one saying %q and what is accepted", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || qr != tc.qr || ch != tc.channel || st != tc.stream {
			t.Errorf("%q: got %q %d %q %v, want %q %d %q", tc.in, qr, ch, st, err, tc.qr, tc.channel, tc.stream)
		}
	}
}

func FuzzParseURI(f *testing.F) {
	for _, tc := range uriCases {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		qr, ch, st, err := tplink.ParseURI(s)
		if err != nil {
			return
		}
		if len(qr) != tplink.QRCodeLength || strings.ToUpper(qr) != qr || ch < 1 || ch > 65535 || (st != "video" && st != "sdvod") {
			t.Fatalf("%q parsed to %q %d %q", s, qr, ch, st)
		}
		again := fmt.Sprintf("tplink://%s/%d?stream=%s", qr, ch, st)
		qr2, ch2, st2, err := tplink.ParseURI(again)
		if err != nil || qr2 != qr || ch2 != ch || st2 != st {
			t.Fatalf("%q does not round-trip: %q %d %q %v", again, qr2, ch2, st2, err)
		}
	})
}
