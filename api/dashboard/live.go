package dashboard

import (
	"errors"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lubo-edge/lubo/api"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/recorder"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/relay/push"
)

// tileJSON is one channel's live tile.
type tileJSON struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Origin   string `json:"origin"` // "config", "yunlubo", "api", "dashboard", …
	Kind     string `json:"kind"`   // "url", "device", "cloud", "file", "publisher"
	Source   string `json:"source"` // redacted
	Editable bool   `json:"editable"`
	OnDemand bool   `json:"on_demand"`
	Up       bool   `json:"up"`
	Tracks   string `json:"tracks,omitempty"` // "H264 1920x1080 + AAC 48000Hz/2"
	// VideoCodec is H264 or H265 once the source has said (the page asks
	// the browser whether it can play it).
	VideoCodec string     `json:"video_codec,omitempty"`
	Width      int        `json:"width,omitempty"`
	Height     int        `json:"height,omitempty"`
	LastError  string     `json:"last_error,omitempty"`
	NextRetry  *time.Time `json:"next_retry,omitempty"`
	Readers    int        `json:"readers"`
	FLV        string     `json:"flv"`
	HLS        string     `json:"hls"`
	Snapshot   string     `json:"snapshot,omitempty"`
	// Recording is the channel's session (recording, or waiting for a
	// lesson), nil when none.
	Recording *recorder.SessionStatus `json:"recording,omitempty"`
	// Pushes are the channel's RTMP pushes (stream keys redacted).
	Pushes []push.Status `json:"pushes,omitempty"`
}

// originName is an overlay's name as the page shows it.
func originName(o string) string {
	if o == "" {
		return "config"
	}
	return o
}

// kindOf says what kind of source a channel has.
func kindOf(ch *configs.Channel) string {
	switch {
	case ch == nil:
		return "url"
	case ch.Device != nil:
		return "device"
	case strings.HasPrefix(ch.Source, "file:"):
		return "file"
	case ch.Source == "publisher":
		return "publisher"
	case strings.Contains(ch.Source, "://") && !strings.HasPrefix(ch.Source, "rtsp") && !strings.HasPrefix(ch.Source, "rtmp") && !strings.HasPrefix(ch.Source, "http"):
		return "cloud"
	}
	return "url"
}

func (h *Handler) serveChannels(w http.ResponseWriter, _ *http.Request) {
	b := h.running(w)
	if b == nil {
		return
	}
	cfg := h.opts.Config()
	sessions := map[string]*recorder.SessionStatus{}
	if rec := b.Recorder(); rec != nil {
		for _, st := range rec.Sessions() {
			if cur := sessions[st.Channel]; cur == nil || cur.Phase == recorder.PhaseWaiting {
				sessions[st.Channel] = &st
			}
		}
	}
	snaps := b.Snapshots()
	out := []tileJSON{}
	pushes := map[string][]push.Status{}
	if h.opts.Pushes != nil {
		for _, p := range h.opts.Pushes() {
			pushes[p.Channel] = append(pushes[p.Channel], p)
		}
	}
	for _, c := range b.Channels() {
		t := tileJSON{Pushes: pushes[c.ID], ID: c.ID, Name: c.Name, Origin: originName(c.Origin), Kind: kindOf(cfg.ChannelByID(c.ID)), Source: c.Source,
			Editable: c.Origin == Origin, OnDemand: c.OnDemand, FLV: "/live/" + c.ID + ".flv", HLS: "/hls/" + c.ID + "/index.m3u8",
			Recording: sessions[c.ID]}
		if s := c.Live; s != nil {
			fillStream(&t, s)
		}
		if snaps != nil {
			if _, ok := snaps.Latest(c.ID); ok {
				t.Snapshot = "/snapshots/" + c.ID + ".jpg"
			}
		}
		out = append(out, t)
	}
	writeJSON(w, http.StatusOK, map[string]any{"channels": out})
}

// fillStream copies what the stream says about its source into t.
func fillStream(t *tileJSON, s *relay.Stream) {
	t.Up = s.Stats().Up.Load()
	t.Readers = s.ReaderCount()
	t.LastError = s.LastError()
	if next := s.NextRetry(); !next.IsZero() {
		t.NextRetry = &next
	}
	if tr := s.Tracks(); tr != nil {
		t.Tracks = tr.String()
		if v := tr.Video; v != nil {
			t.VideoCodec, t.Width, t.Height = v.Codec.String(), v.Width, v.Height
		}
	}
}

// recordStart is the body of POST /api/dash/record/start.
type recordStart struct {
	Channel  string `json:"channel"`
	Duration string `json:"duration"` // a Go duration like 45m; "" for the default
}

func (h *Handler) serveRecordStart(w http.ResponseWriter, r *http.Request) {
	var req recordStart
	if err := readJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	rec := h.recorder(w)
	if rec == nil {
		return
	}
	dur, err := api.ParseManualDuration(req.Duration)
	if err != nil {
		writeProblems(w, http.StatusBadRequest, "bad duration", []Problem{{Field: "duration", Msg: err.Error()}})
		return
	}
	id, err := rec.Start(req.Channel, dur)
	if err != nil {
		writeError(w, api.RecordErrorStatus(err), err.Error())
		return
	}
	h.log.Info("dashboard: manual recording started", "channel", req.Channel, "duration", dur, "session", id, "by", h.who(r))
	writeJSON(w, http.StatusOK, map[string]any{"session": id})
}

// recordStop is the body of POST /api/dash/record/stop.
type recordStop struct {
	Channel string `json:"channel"`
	Reason  string `json:"reason"` // why it stops early; logged
}

// maxReason bounds the logged reason.
const maxReason = 200

func (h *Handler) serveRecordStop(w http.ResponseWriter, r *http.Request) {
	var req recordStop
	if err := readJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if req.Reason == "" || utf8.RuneCountInString(req.Reason) > maxReason || !utf8.ValidString(req.Reason) {
		writeProblems(w, http.StatusBadRequest, "a reason is required", []Problem{{Field: "reason", Msg: "say why the recording stops early (1-200 characters)"}})
		return
	}
	rec := h.recorder(w)
	if rec == nil {
		return
	}
	// A manual recording first; else the timetable's lesson on the channel.
	what := "manual recording"
	err := rec.Stop(req.Channel)
	if errors.Is(err, recorder.ErrNotRecording) {
		var st recorder.SessionStatus
		if st, err = rec.StopLesson(req.Channel); err == nil {
			what = "lesson " + st.Subject
			if st.Teacher != "" {
				what += " (" + st.Teacher + ")"
			}
		}
	}
	if err != nil {
		writeError(w, api.RecordErrorStatus(err), err.Error())
		return
	}
	by := h.who(r)
	if by == "" {
		by = "(sign-in off)"
	}
	h.log.Info("dashboard: "+what+" stopped early by "+by+" because "+req.Reason, "channel", req.Channel, "by", by, "reason", req.Reason)
	writeJSON(w, http.StatusOK, map[string]any{"channel": req.Channel, "stopping": true})
}

// recorder returns the running box's recorder, or answers 503 and nil.
func (h *Handler) recorder(w http.ResponseWriter) *recorder.Recorder {
	b := h.running(w)
	if b == nil {
		return nil
	}
	rec := b.Recorder()
	if rec == nil {
		writeError(w, http.StatusServiceUnavailable, "recording is off on this box")
	}
	return rec
}
