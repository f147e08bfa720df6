package rtmp

import (
	"fmt"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/yapingcat/gomedia/go-codec"
	gortmp "github.com/yapingcat/gomedia/go-rtmp"

	"github.com/lubo-edge/lubo/media"
)

// conversation runs gomedia's client against its server handle in memory
// and returns what each side sent after the handshake: the client
// publishes frames (publish) or plays the frames the server sends.
func conversation(t testing.TB, publish bool, frames []*media.Frame, tracks *media.Tracks) (toServer, toClient []byte) {
	t.Helper()
	var toS, toC [][]byte // queued, so neither side is re-entered
	var sentS, sentC []byte
	var opts []func(*gortmp.RtmpClient)
	if publish {
		opts = append(opts, gortmp.WithEnablePublish())
	}
	cli := gortmp.NewRtmpClient(opts...)
	cli.SetOutput(func(b []byte) error { toS = append(toS, b); sentS = append(sentS, b...); return nil })
	srv := gortmp.NewRtmpServerHandle()
	srv.SetOutput(func(b []byte) error { toC = append(toC, b); sentC = append(sentC, b...); return nil })
	srv.OnPublish(func(_, _ string) gortmp.StatusCode { return gortmp.NETSTREAM_PUBLISH_START })
	srv.OnPlay(func(_, _ string, _, _ float64, _ bool) gortmp.StatusCode { return gortmp.NETSTREAM_PLAY_START })
	srv.OnFrame(func(codec.CodecID, uint32, uint32, []byte) {})
	cli.OnFrame(func(codec.CodecID, uint32, uint32, []byte) {})
	started := false
	cli.OnStateChange(func(s gortmp.RtmpState) {
		started = started || s == gortmp.STATE_RTMP_PUBLISH_START
	})
	srv.OnStateChange(func(s gortmp.RtmpState) {
		started = started || !publish && s == gortmp.STATE_RTMP_PLAY_START
	})
	cli.Start("rtmp://127.0.0.1/live/seed")
	pump := func() {
		for len(toS) > 0 || len(toC) > 0 {
			if len(toS) > 0 {
				b := toS[0]
				toS = toS[1:]
				if err := srv.Input(b); err != nil {
					t.Fatalf("server input: %v", err)
				}
			}
			if len(toC) > 0 {
				b := toC[0]
				toC = toC[1:]
				if err := cli.Input(b); err != nil {
					t.Fatalf("client input: %v", err)
				}
			}
		}
	}
	pump()
	if !started {
		t.Fatal("the in-memory publish or play did not start")
	}
	snd := newSender(tracks)
	for _, f := range frames {
		f := *f
		f.Tracks = tracks
		var err error
		if publish {
			err = snd.send(cli, &f)
		} else {
			err = snd.send(srv, &f)
		}
		if err != nil {
			t.Fatal(err)
		}
		pump()
	}
	// The client sent C0+C1 and C2; the server S0+S1+S2.
	return sentS[1+1536+1536:], sentC[handshakeSize:]
}

// fuzzSeeds are the reader cases plus real conversations.
func fuzzSeeds(f *testing.F, toServer bool) {
	for _, tc := range readerCases() {
		if len(tc.in) < 1<<20 {
			f.Add(tc.in)
		}
	}
	tracks, frames := framesFromFLV(f, clipPath(f, "aac"))
	frames = frames[:min(len(frames), 40)]
	for _, publish := range []bool{true, false} {
		s, c := conversation(f, publish, frames, tracks)
		if toServer {
			f.Add(s)
		} else {
			f.Add(c)
		}
	}
}

// checkSplitInvariant reads data all at once and in small steps with a
// bare reader: both must hand out the same messages and agree on failing.
func checkSplitInvariant(t *testing.T, data []byte) {
	var outs [2]string
	for i, step := range []int{len(data) + 1, 3} {
		var got []string
		r := newInbound(func(b []byte) error {
			if len(b) > headroom+maxVideoMessage {
				t.Fatalf("delivered %d bytes at once", len(b))
			}
			got = append(got, fmt.Sprintf("%x", b))
			return nil
		})
		_ = r.feed(make([]byte, handshakeSize), time.Unix(0, 0))
		var err error
		for j := 0; j < len(data) && err == nil; j += step {
			err = r.feed(data[j:min(j+step, len(data))], time.Unix(0, 0))
			if r.buffered > maxBuffered {
				t.Fatalf("%d bytes buffered", r.buffered)
			}
		}
		outs[i] = fmt.Sprint(got, err != nil)
	}
	if outs[0] != outs[1] {
		t.Fatalf("reading in steps changed the outcome:\n%.300s\n%.300s", outs[0], outs[1])
	}
}

// allocated returns the bytes the process has allocated so far.
func allocated() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// maxFuzzAlloc bounds what one input may make lubo and gomedia allocate:
// the reader's budget, gomedia's two copies of a largest message, and a
// few copies of the input itself.
func maxFuzzAlloc(data []byte) uint64 {
	return maxBuffered + 2*maxVideoMessage + 16<<20 + 16*uint64(len(data))
}

// feedInChunks runs data through r after a handshake, in reads of up to
// 1000 bytes, until the first error, and fails the test if that allocated
// more than maxFuzzAlloc.
func feedInChunks(t *testing.T, r *inbound, data []byte) {
	before := allocated()
	defer func() {
		if n := allocated() - before; n > maxFuzzAlloc(data) {
			t.Fatalf("%d input bytes made the readers allocate %d bytes", len(data), n)
		}
	}()
	if err := r.feed(make([]byte, handshakeSize), time.Unix(0, 0)); err != nil {
		return
	}
	for j := 0; j < len(data); j += 1000 {
		if err := r.feed(data[j:min(j+1000, len(data))], time.Unix(0, 0)); err != nil {
			return
		}
		if r.buffered > maxBuffered {
			t.Fatalf("%d bytes buffered", r.buffered)
		}
	}
}

// FuzzServerRead feeds what a publisher or player sends to lubo's server:
// lubo's reader, then gomedia's server handle and lubo's converter, as a
// serverConn wires them. Every input must finish (a spin hangs the fuzzer)
// and stay within the buffer budget.
func FuzzServerRead(f *testing.F) {
	fuzzSeeds(f, true)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSplitInvariant(t, data)
		h := gortmp.NewRtmpServerHandle()
		h.SetOutput(func([]byte) error { return nil })
		h.OnPublish(func(_, _ string) gortmp.StatusCode { return gortmp.NETSTREAM_PUBLISH_START })
		h.OnPlay(func(_, _ string, _, _ float64, _ bool) gortmp.StatusCode { return gortmp.NETSTREAM_PLAY_START })
		conv := newConverter(func(*media.Tracks) {}, func(*media.Frame) {})
		h.OnFrame(conv.push)
		feedInChunks(t, newInbound(func(b []byte) error { return guard(func() error { return h.Input(b) }) }), data)
	})
}

// FuzzClientRead feeds what a server sends to lubo as a client, playing
// (the play source) or pushing (the pusher): lubo's reader, then gomedia's
// client and lubo's converter.
func FuzzClientRead(f *testing.F) {
	fuzzSeeds(f, false)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSplitInvariant(t, data)
		for _, publish := range []bool{false, true} {
			var opts []func(*gortmp.RtmpClient)
			if publish {
				opts = append(opts, gortmp.WithEnablePublish())
			}
			cli := gortmp.NewRtmpClient(opts...)
			cli.SetOutput(func([]byte) error { return nil })
			conv := newConverter(func(*media.Tracks) {}, func(*media.Frame) {})
			cli.OnFrame(conv.push)
			cli.OnStatus(func(_, _, _ string) {})
			cli.OnError(func(_, _ string) {})
			cli.OnStateChange(func(gortmp.RtmpState) {})
			cli.Start("rtmp://127.0.0.1/live/fuzz")
			feedInChunks(t, newInbound(func(b []byte) error { return guard(func() error { return cli.Input(b) }) }), data)
		}
	})
}
