package rtsp

import (
	"errors"

	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph264"
	"github.com/bluenviron/gortsplib/v4/pkg/format/rtph265"
	"github.com/pion/rtp"
)

// renewingDecoder wraps gortsplib's H.264/H.265 depacketizer and replaces it
// with a new one whenever it holds nothing. The depacketizer keeps its list
// of FU-A fragments for reuse, truncated but not cleared, so after a
// keyframe of 150 packets the entries past those of later, smaller
// pictures keep the keyframe's packets (about 200 KB at 1080p) alive until
// the next keyframe overwrites them, on every camera.
//
// It holds nothing after it returned an access unit ended by a packet with
// the marker bit, unless packets of another timestamp came since the last
// renewal (then the access unit may have been ended by the timestamp change
// and the marked packet's units still be buffered): a camera that does not
// set the marker bit keeps its depacketizer, as before; one lost marker
// skips a single renewal.
type renewingDecoder struct {
	create func() (auDecoder, error)
	dec    auDecoder

	started bool   // an access unit came since the session began
	fed     bool   // packets went in since the last renewal
	ts      uint32 // their timestamp
	mixed   bool   // and not all of them had the same one
}

func newRenewingDecoder(create func() (auDecoder, error)) (*renewingDecoder, error) {
	dec, err := create()
	if err != nil {
		return nil, err
	}
	return &renewingDecoder{create: create, dec: dec}, nil
}

func (r *renewingDecoder) Decode(pkt *rtp.Packet) ([][]byte, error) {
	if r.fed && pkt.Timestamp != r.ts {
		r.mixed = true
	}
	r.fed, r.ts = true, pkt.Timestamp
	au, err := r.dec.Decode(pkt)
	if err != nil {
		// A fragment without its start after the first access unit is a
		// lost packet, not the stream starting mid-picture: the
		// depacketizer's own report once it is renewed.
		if r.started && (errors.Is(err, rtph264.ErrNonStartingPacketAndNoPrevious) ||
			errors.Is(err, rtph265.ErrNonStartingPacketAndNoPrevious)) {
			err = errLostStart
		}
		return nil, err
	}
	r.started = true
	if pkt.Marker {
		if !r.mixed {
			if dec, cerr := r.create(); cerr == nil {
				r.dec = dec
			}
		}
		// Either way the next access unit is judged afresh: after a lost
		// marker, the next timestamp change flushes what was held, so a
		// later clean access unit may renew again.
		r.fed, r.mixed = false, false
	}
	return au, nil
}

var errLostStart = errors.New("fragment without its start (a packet was lost)")
