package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/internal/redact"
	"github.com/lubo-edge/lubo/storage"
)

// channelForm is a channel as the editor shows and sends it. Passwords go
// out as redact.Mask; a Mask sent back means "keep the stored one".
type channelForm struct {
	ID       string      `json:"id"`
	Name     string      `json:"name"`
	Source   string      `json:"source,omitempty"`
	Device   *deviceForm `json:"device,omitempty"`
	OnDemand *bool       `json:"on_demand,omitempty"` // default true
	// Origin and Editable are answers only (ignored when sent).
	Origin   string `json:"origin,omitempty"`
	Editable bool   `json:"editable,omitempty"`
}

type deviceForm struct {
	Vendor   string `json:"vendor"`
	Host     string `json:"host"`
	Port     int    `json:"port,omitempty"`
	User     string `json:"user,omitempty"`
	Password string `json:"password,omitempty"`
	Channel  int    `json:"channel,omitempty"`
	Stream   string `json:"stream,omitempty"`
}

// formOf is the editor's view of a configured channel: credentials masked.
func formOf(ch *configs.Channel) channelForm {
	on := ch.OnDemand
	f := channelForm{ID: ch.ID, Name: ch.Name, Source: redact.URL(ch.Source), OnDemand: &on, Origin: originName(ch.Origin), Editable: ch.Origin == Origin}
	if d := ch.Device; d != nil {
		f.Device = &deviceForm{Vendor: d.Vendor, Host: d.Host, Port: d.Port, User: d.User, Channel: d.Channel, Stream: d.Stream}
		if d.Password != "" {
			f.Device.Password = redact.Mask
		}
	}
	return f
}

func (h *Handler) serveChannelEditor(w http.ResponseWriter, r *http.Request) {
	ch := h.opts.Config().ChannelByID(r.PathValue("id"))
	if ch == nil {
		// A stored channel the config left out (e.g. a bad source) is
		// still the dashboard's to edit.
		sc, err := h.opts.DB.DashChannel(r.PathValue("id"))
		if err != nil {
			writeError(w, http.StatusNotFound, fmt.Sprintf("no channel %q", r.PathValue("id")))
			return
		}
		c := channelConfig(sc)
		c.Origin = Origin
		ch = &c
	}
	writeJSON(w, http.StatusOK, formOf(ch))
}

// stored turns the form into what is stored, taking masked passwords from
// old (the stored channel; nil when adding). A masked password is kept
// only where it would go to the same place: the same URL (as shown) or the
// same device host, port and user; anywhere else it must be typed again,
// so a changed address cannot carry the old password to a new host.
func (f channelForm) stored(old *storage.DashChannel) (storage.DashChannel, []Problem) {
	c := storage.DashChannel{ID: strings.TrimSpace(f.ID), Name: strings.TrimSpace(f.Name), Source: strings.TrimSpace(f.Source), OnDemand: true}
	if f.OnDemand != nil {
		c.OnDemand = *f.OnDemand
	}
	var ps []Problem
	if c.Source != "" && strings.Contains(c.Source, redact.Mask) {
		if old != nil && old.Source != "" && c.Source == redact.URL(old.Source) {
			c.Source = old.Source
		} else {
			ps = append(ps, Problem{Field: "source", Msg: "the address changed: type its password again instead of " + redact.Mask})
		}
	}
	if d := f.Device; d != nil {
		c.Device = &storage.DashDevice{Vendor: strings.TrimSpace(d.Vendor), Host: strings.TrimSpace(d.Host), Port: d.Port,
			User: strings.TrimSpace(d.User), Password: storage.DashPassword(d.Password), Channel: d.Channel, Stream: d.Stream}
		if d.Password == redact.Mask {
			od := (*storage.DashDevice)(nil)
			if old != nil {
				od = old.Device
			}
			if od != nil && od.Host == c.Device.Host && rtspPort(od.Port) == rtspPort(c.Device.Port) && od.User == c.Device.User {
				c.Device.Password = od.Password
			} else {
				ps = append(ps, Problem{Field: "device.password", Msg: "the device changed: type its password again"})
			}
		}
	}
	if c.Name == "" {
		c.Name = c.ID
	}
	return c, ps
}

// saveChannel checks and stores a channel added (old nil) or edited.
func (h *Handler) saveChannel(w http.ResponseWriter, r *http.Request, old *storage.DashChannel) {
	var f channelForm
	if err := readJSON(w, r, &f); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	c, ps := f.stored(old)
	if old != nil && c.ID != old.ID {
		ps = append(ps, Problem{Field: "id", Msg: fmt.Sprintf("the id of a channel cannot change (recordings are filed under it); add a new channel instead of renaming %q", old.ID)})
	}
	ps = append(ps, checkChannel(c)...)
	if len(ps) > 0 {
		writeProblems(w, http.StatusUnprocessableEntity, "the channel is not valid", ps)
		return
	}
	if old == nil {
		if taken := h.opts.Config().ChannelByID(c.ID); taken != nil {
			writeProblems(w, http.StatusConflict, "duplicate id", []Problem{{Field: "id",
				Msg: fmt.Sprintf("%q is already a channel (from %s)", c.ID, originName(taken.Origin))}})
			return
		}
		if _, err := h.opts.DB.DashChannel(c.ID); err == nil {
			writeProblems(w, http.StatusConflict, "duplicate id", []Problem{{Field: "id", Msg: fmt.Sprintf("%q is already a dashboard channel", c.ID)}})
			return
		}
	}
	if err := h.opts.DB.PutDashChannel(&c); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	verb := "added"
	if old != nil {
		verb = "changed"
	}
	h.log.Info("dashboard: channel "+verb, "channel", c, "by", h.who(r))
	h.opts.Changed()
	code := http.StatusCreated
	if old != nil {
		code = http.StatusOK
	}
	cc := channelConfig(c)
	cc.Origin = Origin
	writeJSON(w, code, formOf(&cc))
}

func (h *Handler) serveChannelAdd(w http.ResponseWriter, r *http.Request) {
	h.edit.Lock()
	defer h.edit.Unlock()
	h.saveChannel(w, r, nil)
}

// dashChannel is the stored channel of the path's id, or a refusal that
// names where a channel of another origin is edited.
func (h *Handler) dashChannel(w http.ResponseWriter, r *http.Request) *storage.DashChannel {
	id := r.PathValue("id")
	c, err := h.opts.DB.DashChannel(id)
	if err == nil {
		return &c
	}
	if !errors.Is(err, storage.ErrNotFound) {
		writeError(w, http.StatusInternalServerError, err.Error())
		return nil
	}
	if ch := h.opts.Config().ChannelByID(id); ch != nil {
		writeError(w, http.StatusConflict, fmt.Sprintf("channel %q comes from %s and is changed there, not in the dashboard", id, originName(ch.Origin)))
		return nil
	}
	writeError(w, http.StatusNotFound, fmt.Sprintf("no channel %q", id))
	return nil
}

func (h *Handler) serveChannelEdit(w http.ResponseWriter, r *http.Request) {
	h.edit.Lock()
	defer h.edit.Unlock()
	if old := h.dashChannel(w, r); old != nil {
		h.saveChannel(w, r, old)
	}
}

func (h *Handler) serveChannelDelete(w http.ResponseWriter, r *http.Request) {
	h.edit.Lock()
	defer h.edit.Unlock()
	old := h.dashChannel(w, r)
	if old == nil {
		return
	}
	courses, err := h.opts.DB.DashCourses()
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	var on []string
	for _, c := range courses {
		if c.Channel == old.ID {
			on = append(on, c.ID)
		}
	}
	if len(on) > 0 {
		writeError(w, http.StatusConflict, fmt.Sprintf("channel %q still has %d course(s) in the timetable (%s): delete them first", old.ID, len(on), strings.Join(on, ", ")))
		return
	}
	if err := h.opts.DB.DeleteDashChannel(old.ID); err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	h.log.Info("dashboard: channel removed", "channel", old.ID, "by", h.who(r))
	h.opts.Changed()
	writeJSON(w, http.StatusOK, map[string]any{"deleted": old.ID})
}

// rtspPort is a device's port with the default (554) filled in.
func rtspPort(p int) int {
	if p == 0 {
		return 554
	}
	return p
}
