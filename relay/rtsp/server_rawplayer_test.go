package rtsp

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/bluenviron/gortsplib/v4/pkg/base"
	"github.com/bluenviron/gortsplib/v4/pkg/description"
	"github.com/bluenviron/gortsplib/v4/pkg/format"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph264"
	"github.com/bluenviron/gortsplib/v4/pkg/sdp"
	"github.com/pion/rtp"

	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay"
)

// rawPlayer is a minimal RTSP player over TCP: it speaks DESCRIBE, SETUP
// (interleaved) and PLAY itself and reads media only when asked, so a test
// can make it stop reading, and it sees every RTP sequence number.
type rawPlayer struct {
	t    testing.TB
	nc   net.Conn
	br   *bufio.Reader
	url  *base.URL
	cseq int
	sess string

	videoCh int // interleaved channel of the video RTP
	dec     *rtph264.Decoder
	lastSeq map[uint8]uint16
	gaps    int // RTP sequence numbers that never arrived
}

// dialRawPlayer connects to u with a small receive buffer (rcvbuf > 0), so
// that a player that stops reading makes the server's queue fill soon.
func dialRawPlayer(t testing.TB, u string, rcvbuf int) *rawPlayer {
	t.Helper()
	pu, err := base.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	d := net.Dialer{Timeout: 5 * time.Second}
	if rcvbuf > 0 {
		d.Control = func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, rcvbuf)
			})
			if err != nil {
				return err
			}
			return serr
		}
	}
	nc, err := d.Dial("tcp", pu.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	return &rawPlayer{t: t, nc: nc, br: bufio.NewReaderSize(nc, 64<<10), url: pu, lastSeq: map[uint8]uint16{}, videoCh: -1}
}

// request sends one request and returns its response, which must be 200.
func (p *rawPlayer) request(method base.Method, u *base.URL, h base.Header) *base.Response {
	p.t.Helper()
	p.cseq++
	if h == nil {
		h = base.Header{}
	}
	h["CSeq"] = base.HeaderValue{strconv.Itoa(p.cseq)}
	if p.sess != "" {
		h["Session"] = base.HeaderValue{p.sess}
	}
	p.nc.SetDeadline(time.Now().Add(30 * time.Second))
	defer p.nc.SetDeadline(time.Time{})
	req, err := (&base.Request{Method: method, URL: u, Header: h}).Marshal()
	if err == nil {
		_, err = p.nc.Write(req)
	}
	if err != nil {
		p.t.Fatalf("%s: %v", method, err)
	}
	for {
		msg, err := p.read()
		if err != nil {
			p.t.Fatalf("%s: %v", method, err)
		}
		if res, ok := msg.(*base.Response); ok {
			if res.StatusCode != base.StatusOK {
				p.t.Fatalf("%s: %d %s", method, res.StatusCode, res.StatusMessage)
			}
			return res
		}
		// Media of an earlier PLAY: its sequence numbers count, its
		// pictures are not what the caller waits for.
		if _, err := p.media(msg.(*base.InterleavedFrame)); err != nil {
			p.t.Fatalf("%s: %v", method, err)
		}
	}
}

// read returns the next response or interleaved frame.
func (p *rawPlayer) read() (any, error) {
	b, err := p.br.Peek(1)
	if err != nil {
		return nil, err
	}
	if b[0] == base.InterleavedFrameMagicByte {
		var fr base.InterleavedFrame
		return &fr, fr.Unmarshal(p.br)
	}
	var res base.Response
	return &res, res.Unmarshal(p.br)
}

// play describes the channel, sets up its video track and plays it.
func (p *rawPlayer) play() {
	p.t.Helper()
	res := p.request(base.Describe, p.url, base.Header{"Accept": base.HeaderValue{"application/sdp"}})
	var sd sdp.SessionDescription
	if err := sd.Unmarshal(res.Body); err != nil {
		p.t.Fatalf("SDP: %v", err)
	}
	var desc description.Session
	if err := desc.Unmarshal(&sd); err != nil {
		p.t.Fatalf("SDP: %v", err)
	}
	for _, m := range desc.Medias {
		if m.Type != description.MediaTypeVideo {
			continue
		}
		h264, ok := m.Formats[0].(*format.H264)
		if !ok {
			p.t.Fatalf("video is %T, want H.264", m.Formats[0])
		}
		dec, err := h264.CreateDecoder()
		if err != nil {
			p.t.Fatal(err)
		}
		mu, err := m.URL(p.url)
		if err != nil {
			p.t.Fatal(err)
		}
		res := p.request(base.Setup, mu, base.Header{"Transport": base.HeaderValue{"RTP/AVP/TCP;unicast;interleaved=0-1"}})
		p.sess = sessionID(res.Header["Session"])
		p.videoCh, p.dec = 0, dec
	}
	if p.videoCh < 0 {
		p.t.Fatal("no video in the SDP")
	}
	p.request(base.Play, p.url, nil)
}

func sessionID(v base.HeaderValue) string {
	if len(v) == 0 {
		return ""
	}
	s := v[0]
	for i := range len(s) {
		if s[i] == ';' {
			return s[:i]
		}
	}
	return s
}

// picture is one access unit a rawPlayer received.
type picture struct {
	index int    // the synthetic source's frame number
	key   bool   // an IDR picture
	ts    uint32 // RTP timestamp
}

// next reads until the next whole picture, checking RTP sequence numbers
// on the way.
func (p *rawPlayer) next() (picture, error) {
	for {
		p.nc.SetReadDeadline(time.Now().Add(30 * time.Second))
		msg, err := p.read()
		if err != nil {
			return picture{}, err
		}
		fr, ok := msg.(*base.InterleavedFrame)
		if !ok {
			continue // a stray response
		}
		pic, err := p.media(fr)
		if err != nil || pic != nil {
			return *pic, err
		}
	}
}

// media takes one interleaved frame: it checks the RTP sequence number of
// video packets and returns the picture they complete, if any.
func (p *rawPlayer) media(fr *base.InterleavedFrame) (*picture, error) {
	if fr.Channel != p.videoCh {
		return nil, nil // RTCP
	}
	var pkt rtp.Packet
	if err := pkt.Unmarshal(fr.Payload); err != nil {
		return &picture{}, fmt.Errorf("RTP: %w", err)
	}
	ch := uint8(fr.Channel)
	if last, ok := p.lastSeq[ch]; ok && pkt.SequenceNumber != last+1 {
		p.gaps += int(pkt.SequenceNumber - last - 1)
	}
	p.lastSeq[ch] = pkt.SequenceNumber
	au, err := p.dec.Decode(&pkt)
	if err != nil {
		return nil, nil // more packets needed (or a broken one: gaps says so)
	}
	pic, err := synthPicture(au)
	pic.ts = pkt.Timestamp
	return &pic, err
}

// A synthetic H.264 source: pictures that carry their own frame number, so
// a player can tell exactly which frames it got. They do not decode to an
// image; tests that judge images use the ffmpeg clips.
const (
	synthFPS  = 25
	synthStep = time.Second / synthFPS
)

// synthSource plays pictures of size bytes at 25 fps with a keyframe every
// gop frames, at real speed. written, when not nil, gets the number of
// each picture once the stream has it.
func synthSource(tracks media.Tracks, size, gop int, written func(int)) relay.Source {
	return relay.SourceFunc(func(ctx context.Context, out relay.Publisher) error {
		synthRun(ctx, out, tracks, size, gop, 0, -1, written)
		return nil
	})
}

// synthRun plays pictures from number from on (keyframes where the number
// is a multiple of gop) until count were played (count < 0: until ctx
// ends). It reports whether it played them all.
func synthRun(ctx context.Context, out relay.Publisher, tracks media.Tracks, size, gop, from, count int, written func(int)) bool {
	{
		out.Begin(&tracks)
		start := time.Now()
		timer := time.NewTimer(0)
		defer timer.Stop()
		for i := from; count < 0 || i < from+count; i++ {
			at := time.Duration(i-from) * synthStep
			if wait := time.Until(start.Add(at)); wait > 0 {
				timer.Reset(wait)
				select {
				case <-ctx.Done():
					return false
				case <-timer.C:
				}
			} else if ctx.Err() != nil {
				return false
			}
			key := i%gop == 0
			out.WriteFrame(&media.Frame{Codec: media.H264, DTS: at, PTS: at, Key: key, Data: synthData(i, key, size)})
			if written != nil {
				written(i)
			}
		}
		return true
	}
}

// synthData is an Annex-B picture: an IDR or non-IDR slice NAL unit whose
// first bytes after the header are the frame number in base 255 (digits
// 1..255, so no start code can appear), then filler.
func synthData(i int, key bool, size int) []byte {
	b := make([]byte, 4+1+4+size)
	copy(b, []byte{0, 0, 0, 1})
	b[4] = 0x41 // nal_ref_idc 2, type 1
	if key {
		b[4] = 0x65 // nal_ref_idc 3, type 5
	}
	n := i
	for k := 3; k >= 0; k-- {
		b[5+k] = byte(n%255) + 1
		n /= 255
	}
	for k := 9; k < len(b); k++ {
		b[k] = 0xab
	}
	return b
}

// synthPicture finds the frame number in an access unit.
func synthPicture(au [][]byte) (picture, error) {
	for _, n := range au {
		t := media.H264Type(n)
		if (t != 1 && t != 5) || len(n) < 5 {
			continue
		}
		i := 0
		for k := 1; k <= 4; k++ {
			i = i*255 + int(n[k]) - 1
		}
		return picture{index: i, key: t == 5}, nil
	}
	return picture{}, fmt.Errorf("access unit without a slice (%d NAL units)", len(au))
}

// synthTracks are H.264 tracks with the clip's parameter sets.
func synthTracks(t testing.TB) media.Tracks {
	c := loadClip(t, clipH264AAC)
	v := *c.tracks.Video
	return media.Tracks{Video: &v}
}
