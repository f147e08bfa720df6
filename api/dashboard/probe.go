package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/lubo-edge/lubo/internal/redact"
	"github.com/lubo-edge/lubo/media"
	"github.com/lubo-edge/lubo/relay/sources"
	"github.com/lubo-edge/lubo/storage"
)

// probeTimeout bounds one probe, as `lubo probe` does.
const probeTimeout = sources.ProbeTimeout

// probeReq is the body of POST /api/dash/probe: either the editor's form
// (a channel being added or edited) or the id of a configured channel.
type probeReq struct {
	Channel *channelForm `json:"channel,omitempty"`
	ID      string       `json:"id,omitempty"`
}

// probeJSON is what the test button shows.
type probeJSON struct {
	OK     bool        `json:"ok"`
	Tracks string      `json:"tracks,omitempty"` // "H264 640x360 + AAC 44100Hz/2"
	Video  *probeVideo `json:"video,omitempty"`
	Audio  *probeAudio `json:"audio,omitempty"`
	Error  string      `json:"error,omitempty"` // the exact error, credentials redacted
}

type probeVideo struct {
	Codec  string `json:"codec"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
}

type probeAudio struct {
	Codec      string `json:"codec"`
	SampleRate int    `json:"sample_rate,omitempty"`
	Channels   int    `json:"channels,omitempty"`
}

func (h *Handler) serveProbe(w http.ResponseWriter, r *http.Request) {
	var req probeReq
	if err := readJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if h.opts.Probe == nil {
		writeError(w, http.StatusServiceUnavailable, "probing is not available on this box")
		return
	}
	url, ps := h.probeURL(req)
	if len(ps) > 0 {
		writeProblems(w, http.StatusUnprocessableEntity, "the channel is not valid", ps)
		return
	}
	select {
	case h.probes <- struct{}{}:
		defer func() { <-h.probes }()
	default:
		writeError(w, http.StatusTooManyRequests, "other tests are running; try again when they end")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), probeTimeout)
	defer cancel()
	tracks, err := h.opts.Probe(ctx, url)
	if err == nil && tracks == nil {
		err = errors.New("the source sent no tracks")
	}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %v: %w", probeTimeout, err)
		}
		writeJSON(w, http.StatusOK, probeJSON{Error: redact.Text(err.Error())})
		return
	}
	writeJSON(w, http.StatusOK, probeResult(tracks))
}

// probeURL is the main URL to probe, with stored passwords filled in.
func (h *Handler) probeURL(req probeReq) (string, []Problem) {
	if req.Channel == nil {
		ch := h.opts.Config().ChannelByID(req.ID)
		if ch == nil {
			return "", []Problem{{Field: "id", Msg: fmt.Sprintf("no channel %q", req.ID)}}
		}
		return ch.MainURL(), nil
	}
	var old *storage.DashChannel
	if sc, err := h.opts.DB.DashChannel(req.Channel.ID); err == nil {
		old = &sc
	}
	c, ps := req.Channel.stored(old)
	if c.ID == "" {
		c.ID = "probe" // the id is not what is tested
	}
	ps = append(ps, checkChannel(c)...)
	if len(ps) > 0 {
		return "", ps
	}
	cc := channelConfig(c)
	return cc.MainURL(), nil
}

func probeResult(t *media.Tracks) probeJSON {
	out := probeJSON{OK: true, Tracks: t.String()}
	if v := t.Video; v != nil {
		out.Video = &probeVideo{v.Codec.String(), v.Width, v.Height}
	}
	if a := t.Audio; a != nil {
		out.Audio = &probeAudio{a.Codec.String(), a.SampleRate, a.Channels}
	}
	return out
}
