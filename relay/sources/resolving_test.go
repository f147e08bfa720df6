package sources

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// fakeCam is a direct scheme whose sessions record the address they were
// opened with and run until told to fail.
type fakeCam struct {
	mu     sync.Mutex
	opened []string
	fail   chan struct{}
}

func (f *fakeCam) scheme() *Scheme {
	return &Scheme{
		Names: []string{"fake"}, Want: "fake",
		Check: func(*url.URL, string) string { return "" },
		Open: func(raw string, _ *url.URL, _ Options) (relay.Source, error) {
			return relay.SourceFunc(func(ctx context.Context, out relay.Publisher) error {
				f.mu.Lock()
				f.opened = append(f.opened, raw)
				f.mu.Unlock()
				out.Begin(&media.Tracks{Video: &media.VideoTrack{Codec: media.H264}})
				out.WriteFrame(&media.Frame{Codec: media.H264, Key: true, Data: []byte{0, 0, 0, 1, 0x65, 1}})
				select {
				case <-ctx.Done():
					return nil
				case <-f.fail:
					return errors.New("the cloud cut the stream")
				}
			}), nil
		},
	}
}

func (f *fakeCam) sessions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.opened...)
}

func TestCloudCameraIsReResolvedBeforeExpiryWithoutDroppingTheStream(t *testing.T) {
	cam := &fakeCam{fail: make(chan struct{})}
	reg := Builtin()
	reg.Add(cam.scheme())
	reg.Add(&Scheme{Names: []string{"cloudcam"}, Want: "cloudcam", Cloud: "cloudcam", Check: func(*url.URL, string) string { return "" }})
	var resolves atomic.Int64
	reg.SetResolver("cloudcam", ResolverFunc(func(ctx context.Context, raw string) (Address, error) {
		n := resolves.Add(1)
		return Address{URL: fmt.Sprintf("fake://relay/%d?token=secret%d", n, n), Expires: time.Now().Add(400 * time.Millisecond)}, nil
	}))
	src, err := reg.Open("cloudcam://SERIAL/1", Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	s := relay.NewStream("c1", src, relay.StreamOptions{Logger: slog.New(slog.DiscardHandler), Backoff: relay.Backoff{Min: time.Millisecond, Max: time.Millisecond}})
	r, _ := s.AddReader("viewer")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = s.Run(ctx) }()
	defer func() { cancel(); <-done }()

	testkit.WaitFor(t, "three early re-resolves", func() bool { return resolves.Load() >= 4 })
	if got := cam.sessions(); len(got) != 1 {
		t.Fatalf("sessions %v: a re-resolve interrupted the running pull", got)
	}
	// The cloud cuts the stream: the next session uses a fresh address
	// (the newest resolved, or one resolved right then).
	before := resolves.Load()
	cam.fail <- struct{}{}
	testkit.WaitFor(t, "the second session", func() bool { return len(cam.sessions()) == 2 })
	second := cam.sessions()[1]
	if !strings.HasPrefix(second, "fake://relay/") || second == cam.sessions()[0] {
		t.Fatalf("second session opened %q", second)
	}
	var n int64
	fmt.Sscanf(strings.TrimPrefix(second, "fake://relay/"), "%d", &n)
	if n < before {
		t.Fatalf("second session used address %d, older than the newest (%d)", n, before)
	}
	if _, err := r.Read(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestCloudSchemesAreCheckedAndNeedTheirResolver(t *testing.T) {
	reg := Builtin()
	cases := []struct{ raw, want string }{
		{"ezviz://D12345678/1?quality=1", ""},
		{"ezviz://D12345678/1?quality=7", "quality"},
		{"tplink://ABCDEFGHIJ1234567/2?stream=video", ""},
		{"tplink://ABCDEFGHIJ1234567/x", "CHANNEL"},
		{"rtsp://cam:70000/x", "want a port from 1 to 65535"},
		{"gopher://x", `unsupported scheme "gopher"`},
	}
	for _, c := range cases {
		got := reg.Check(c.raw)
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("Check(%q) = %q, want %q", c.raw, got, c.want)
		}
	}
	if reg.Cloud("ezviz://D12345678/1") != "ezviz" || reg.Cloud("rtsp://cam/x") != "" {
		t.Error("Cloud does not name the section a URL needs")
	}
	if _, err := reg.Open("ezviz://D12345678/1", Options{}); err == nil || !strings.Contains(err.Error(), "cloud.ezviz is not configured") {
		t.Errorf("open without a resolver: %v", err)
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"rtsp://a:b@c/d", "ezviz://S/1?quality=2", "tplink://Q/1", "file:x.mp4", "http://h/x.m3u8", "rtsp://h:0/x", "%"} {
		f.Add(s)
	}
	reg := Builtin()
	f.Fuzz(func(t *testing.T, raw string) {
		msg := reg.Check(raw)
		u, err := url.Parse(raw)
		if err != nil || u.User == nil {
			return
		}
		if pass, ok := u.User.Password(); ok && len(pass) >= 6 && !strings.Contains(strings.ReplaceAll(raw, u.User.String()+"@", ""), pass) && strings.Contains(msg, pass) {
			t.Fatalf("Check(%q) = %q shows the password", raw, msg)
		}
	})
}
