package rtsp

import (
	"time"

	"github.com/bluenviron/gortsplib/v4"

	"github.com/lubo-edge/lubo/media"
)

// Each session's send queue in gortsplib holds writeQueueSize packets and
// drops single packets when full, which breaks pictures. A player's pump
// therefore keeps at most sendBudget packets in it and waits for the queue
// to drain beyond that, so the backlog of a slow player builds up in its
// relay.Reader, which drops whole frames up to the next keyframe. The slack
// is for gortsplib's own RTCP sender reports.
const (
	writeQueueSize = 512
	sendBudget     = writeQueueSize - 64
)

// playerWriter turns one player's frames into RTP on its ServerStream.
type playerWriter struct {
	p   *player
	ss  *gortsplib.ServerSession
	out *outStream
	sdp *media.Tracks // the tracks the SDP was made for

	tracks  *media.Tracks // of the last frame
	ntpBase time.Time     // wall clock of PTS 0, for RTCP sender reports
	needKey bool          // drop pictures up to the next keyframe
	pushed  uint64        // RTP packets handed to gortsplib since the last resume
	sent    uint64        // of which gortsplib wrote at least this many
	based   bool
}

// write plays one frame; false when the player must end (the codecs
// changed under it, or it was released).
func (w *playerWriter) write(f *media.Frame) bool {
	p := w.p
	if f.Tracks == nil {
		return true
	}
	if f.Tracks != w.tracks {
		if !sameShape(w.sdp, f.Tracks) {
			p.log.Info("rtsp: channel codecs changed; closing the session so the player reconnects",
				"was", w.sdp.String(), "now", f.Tracks.String())
			return false
		}
		// A reconnect or a clock jump: the timeline goes on, but the
		// decoder needs a keyframe (with its parameter sets) before the
		// new session's pictures.
		w.tracks = f.Tracks
		w.needKey = w.needKey || f.Tracks.Video != nil
	}
	m := w.out.media(f.Codec)
	if m == nil {
		return true // a codec the SDP does not carry
	}
	if f.IsVideo() {
		if w.needKey && !f.Key {
			return true
		}
		w.needKey = false
	}
	pkts, err := m.packets(f)
	if err != nil {
		if p.srv.limit.allow("packetize") {
			p.log.Warn("rtsp: frame not packetized", "codec", f.Codec, "err", err)
		}
		return true
	}
	if !w.based {
		w.ntpBase, w.based = time.Now().Add(-f.PTS), true
	}
	ntp := w.ntpBase.Add(f.PTS)
	for _, pkt := range pkts {
		if !w.room() {
			// Paused or released in the middle of a frame: the rest of
			// it is useless, start again at a keyframe.
			w.needKey = true
			return p.ctx.Err() == nil
		}
		if err := p.st.WritePacketRTPWithNTP(m.desc, pkt, ntp); err != nil {
			return p.ctx.Err() == nil // the stream is closed
		}
		w.pushed++
	}
	if p.lost.Swap(false) {
		// gortsplib dropped a packet despite the budget: the pictures up
		// to the next keyframe would be broken.
		w.needKey = true
		if p.srv.limit.allow("lost") {
			p.log.Warn("rtsp: player's send queue overflowed; skipping to the next keyframe")
		}
	}
	return true
}

// room waits until the player's send queue has room for a packet. False
// when the player was paused, resumed or released meanwhile.
func (w *playerWriter) room() bool {
	if w.pushed-w.sent < sendBudget {
		return true
	}
	p := w.p
	resumes := p.resumes.Load()
	var timer *time.Timer
	for tries := 0; ; tries++ {
		w.refresh()
		if w.pushed-w.sent < sendBudget {
			if timer != nil {
				timer.Stop()
			}
			return true
		}
		if p.paused.Load() || p.resumes.Load() != resumes {
			return false
		}
		if timer == nil {
			timer = time.NewTimer(queueWait(tries))
		} else {
			timer.Reset(queueWait(tries))
		}
		select {
		case <-p.ctx.Done():
			timer.Stop()
			return false
		case <-timer.C:
		}
	}
}

// refresh learns how many packets gortsplib has written to the player.
// It allocates, so it runs only when the budget looks spent.
func (w *playerWriter) refresh() {
	w.sent = w.ss.Stats().RTPPacketsSent
	if w.sent > w.pushed {
		w.pushed = w.sent
	}
}

// resume starts the accounting afresh after a PAUSE, which discarded
// whatever gortsplib still had queued, and makes the player start at a
// keyframe.
func (w *playerWriter) resume() {
	w.refresh()
	w.pushed = w.sent
	w.needKey = w.sdp.Video != nil
}
