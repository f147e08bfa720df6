package tplink

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"
)

// bodyTransport answers every request with the same body, without a network.
type bodyTransport struct {
	body   []byte
	status int
}

func (b bodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		_, _ = io.Copy(io.Discard, r.Body)
		_ = r.Body.Close()
	}
	h := http.Header{}
	h.Set("Date", "Fri, 27 Nov 2026 10:00:00 GMT")
	h.Set("Set-Cookie", "AWSELB=x; Path=/sdk/y; Max-Age=600")
	return &http.Response{StatusCode: b.status, Header: h, Body: io.NopCloser(bytes.NewReader(b.body)), Request: r}, nil
}

// answerSeeds are the document's example answers and the tests' garbage.
var answerSeeds = []string{
	`{"result":{"tempAk":"ZWQzMDdhMjU4MzY1OGNiNA==","tempSk":"8d7e6e7dc41448e881a847240cb5515b","createTime":1709108242,"expireTime":1709111842},"error_code":0}`,
	`{"result":{"total":1,"list":[{"qrCode":"16E0091709B04C926","deviceName":"TL-IPC633-D4G 3.0","deviceType":"SURVEILLANCECAMERA","deviceStatus":1,"openType":1,"openStatus":2,"deviceModel":"TL-IPC633-D4G","ip":"192.168.1.100","mac":"00-FF-00-17-00-18","channelId":1,"parentMac":"00-FF-00-17-00-18","parentQrCode":"16E0091709B04C926"}]},"error_code":0}`,
	`{"result":{"channelNum":128,"connectedChannelNum":1,"channelList":[{"qrCode":"16E0091709B04C926","deviceName":"TL-IPC633-D4G 3.0","deviceType":"SURVEILLANCECAMERA","deviceStatus":1,"deviceModel":"TL-IPC633-D4G","openStatus":1,"ip":"192.168.1.100","mac":"00-FF-00-17-00-18","channel":1}]},"error_code":0}`,
	`{"error_code":0,"result":{"sdkStreamUrl":"https://api-smbcloud.tplinkcloud.com.cn/vms/open/webServer/v1/requestRelayUrl?token=04727-e3NhbHQgPSAzODMwNjk0ODQ7Y2xpZW50-92bb966935b14ef6a0b8cf43fa04a1a1&devInfoId=576620008414331760&clientUUID=75601972c7214ee3be4915f18479fde1&clientType=chrome 99.0&streamType=dtspk"}}`,
	`{"error_code":0,"result":{"cookie":"AWSELB=04679f926ddd48953e515f1fa49b499a","relayVersion":"1.3","token":"{13569}-e3NhbHQgPSAtMTc5MjU3MTc0O2NsaWVu-a2b9189198c7478d96ac3bc49257274b;tokenType=SDKToken;applicationId=1860","url":"https://w-txc-relay-tumscloud.tp-link.com.cn:443/sdk/f4e631146f134b81a901461fdc893810/relayservice?sessionid=c4de5b38cc0f4e35b4a2813b5172a3a2&type=nvr&resolution=HD&channel=2","clientUUID":"8888189198c7478d96ac3bc492576666"}}`,
	`{"result":{"sessionId":"2df486f073c64693ad34e9734b4d86de","token":"{13569}-e3NhbHQgPSAtMTc5MjU3MTc0O2NsaWVu-a2b9189198c7478d96ac3bc49257274b;tokenType=SDKToken;applicationId=1860"},"error_code":-80703,"msg":"URL not ready"}`,
	`{"result":{"deviceVideoInfoList":[{"qrCode":"HGD6784KOFV895J08","channelId":2,"dates":["0729001"]},{"qrCode":"HGD6784KOFV895J08","channelId":"1","dates":["0730002"]}],"failList":[{"mac":"00-FF","channelId":3,"error_code":-88316}]},"error_code":0}`,
	`{"error_code":0,"result":{"userId":10,"videos":[{"endTime":1647994738,"sourceType":1,"startTime":1647964794,"videoType":[1,0]},{"endTime":1648004717,"sourceType":1,"startTime":1647994738,"videoType":[2,0]}]}}`,
	`{"error_code":-10302,"msg":"请求已过期"}`,
	`{"error_code":"-10305"}`,
	`{"error_code":1e3,"result":null}`,
	`<html>oops</html>`,
	``,
	`{"error_code":0,"result":[1,2]}`,
}

func FuzzAnswers(f *testing.F) {
	for _, s := range answerSeeds {
		f.Add([]byte(s), 200)
	}
	f.Add([]byte(`{"error_code":0,"result":{}}`), 500)
	f.Fuzz(func(t *testing.T, body []byte, status int) {
		if status < 100 || status > 999 {
			status = 200
		}
		now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		for _, temp := range []bool{false, true} {
			c, err := New(Config{
				API: "https://cloud.test", AccessKey: "ak", SecretKey: "sk", TerminalID: "t",
				UseTempCredentials: temp, MaxPages: 3, Now: clock,
				Sleep:      func(context.Context, time.Duration) error { now = now.Add(time.Second); return nil },
				HTTPClient: &http.Client{Transport: bodyTransport{body: body, status: status}},
			})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			ref := ChannelRef{QRCode: "HGD6784KOFV895J08", Channel: 1}
			_, _ = c.CreateTempCredential(ctx, time.Minute)
			_, _ = c.ListDevices(ctx, ListOptions{IncludeChildren: true})
			_, _ = c.ListChannels(ctx, "HGD6784KOFV895J08")
			s, err := c.ResolveStream(ctx, StreamRequest{QRCode: "HGD6784KOFV895J08", Channel: 1})
			if err == nil {
				_ = c.RenewRelayCookie(ctx, &s, 0)
				_ = s.String()
			}
			_, _, _ = c.SearchYear(ctx, 2026, []ChannelRef{ref})
			_, _ = c.SearchVideo(ctx, ref, now)
			_, _ = c.SearchHumanDetectionVideo(ctx, ref, now)
		}
	})
}
