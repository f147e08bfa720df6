package box

import (
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/lubo-edge/lubo/api/boxapi"
	"github.com/lubo-edge/lubo/cloud/gather"
	"github.com/lubo-edge/lubo/cloud/yunlubo"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/daemon"
	"github.com/lubo-edge/lubo/recorder/schedule"
	"github.com/lubo-edge/lubo/relay"
	"github.com/lubo-edge/lubo/storage"
)

// apiOrigin is the overlay of channels and courses added through the
// box's /api/v1.
const apiOrigin = "api"

// newBoxAPI builds the box's 云录播 /api/v1 when the config enables it. Its
// channels and courses live in the store and join the config as an overlay.
func newBoxAPI(cfg *configs.Config, db *storage.DB, comp *composer, gs *gather.Sync, version string, log *slog.Logger) (*boxapi.Handler, *boxView, error) {
	view := &boxView{comp: comp, gather: gs, server: cfg.Cloud.Yunlubo != nil}
	o, err := apiOverlay(db)
	if err != nil {
		return nil, nil, err
	}
	comp.setInitial(o)
	h, err := boxapi.New(boxapi.Options{
		UnionID: yunlubo.Secret(string(cfg.API.UnionID)), DB: db, Box: view,
		Records: boxapi.StoreRecords{DB: db, Root: filepath.Join(cfg.DataDir, "records")},
		OnChange: func() {
			o, err := apiOverlay(db)
			if err != nil {
				log.Error("reading the API's channels and courses", "err", err)
				return
			}
			comp.setOverlay(o)
		},
		Location: cfg.Location(), PublicURL: cfg.API.StorageAddr, Version: version, Logger: log,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("api: %w", err)
	}
	return h, view, nil
}

// apiOverlay turns the API's stored channels and courses into an overlay.
func apiOverlay(db *storage.DB) (configs.Overlay, error) {
	o := configs.Overlay{Origin: apiOrigin}
	chans, err := db.BoxChannels()
	if err != nil {
		return o, err
	}
	for _, c := range chans {
		src := c.StreamURL
		if c.StreamProp == yunlubo.StreamMP4File {
			src = "file://" + c.StreamMP4
		}
		o.Channels = append(o.Channels, configs.Channel{ID: c.ID, Name: c.Name, Source: src, OnDemand: true})
	}
	courses, err := db.BoxCourses()
	if err != nil {
		return o, err
	}
	for _, c := range courses {
		s := c.StartSec
		o.Schedule = append(o.Schedule, configs.Course{
			Channel: c.Channel, Weekday: time.Weekday(c.Weekday), Start: fmt.Sprintf("%02d:%02d:%02d", s/3600, s/60%60, s%60),
			Duration: time.Duration(c.ElapseSec) * time.Second, Subject: c.Subject, Teacher: c.Teacher, ExternalID: c.Key(),
		})
	}
	return o, nil
}

// boxView is the running box as the API sees it.
type boxView struct {
	d      atomic.Pointer[daemon.Daemon]
	comp   *composer
	gather *gather.Sync // nil without a server
	server bool
}

func (v *boxView) Gather() yunlubo.Gather {
	cfg := v.comp.latest()
	g := yunlubo.Gather{
		GatherID: 1, NamePC: "lubo", NameSet: "lubo", OSName: "Linux", Status: 1, AutoFDS: 1,
		SliceVal: yunlubo.Int(cfg.Record.Slice / time.Minute), InterVal: yunlubo.Int(cfg.Record.OverlapKeyframes),
		SnapVal: yunlubo.Int(cfg.Record.SnapshotInterval / time.Minute),
	}
	if v.gather != nil {
		if id := v.gather.Status().GatherID; id != 0 {
			g.GatherID = yunlubo.Int(id)
		}
	}
	return g
}

func (v *boxView) Channels() []boxapi.Channel {
	d := v.d.Load()
	if d == nil {
		return nil
	}
	cfg := v.comp.latest()
	snaps := d.Snapshots()
	var out []boxapi.Channel
	for _, info := range d.Channels() {
		c := boxapi.Channel{ID: info.ID, Name: info.Name, Origin: originOf(info.Origin), Up: info.Main.Stats().Up.Load()}
		if snaps != nil {
			_, c.HasSnapshot = snaps.Latest(info.ID)
		}
		if ch := cfg.ChannelByID(info.ID); ch != nil {
			switch {
			case ch.Device != nil:
				c.StreamProp, c.DeviceIP, c.DeviceUser = yunlubo.StreamCamera, ch.Device.Host, ch.Device.User
			case strings.HasPrefix(ch.Source, "file:"):
				c.StreamProp = yunlubo.StreamMP4File
				c.StreamMP4, _ = strings.CutPrefix(strings.TrimPrefix(ch.Source, "file://"), "file:")
			default:
				c.StreamProp, c.StreamURL = yunlubo.StreamForward, info.Source // redacted
			}
		}
		out = append(out, c)
	}
	return out
}

func originOf(o string) boxapi.Origin {
	switch o {
	case gather.Origin:
		return boxapi.OriginServer
	case apiOrigin:
		return boxapi.OriginAPI
	}
	return boxapi.OriginConfig
}

func (v *boxView) LiveStream(id string) (*relay.Stream, bool) {
	if d := v.d.Load(); d != nil {
		return d.WebStream(id)
	}
	return nil, false
}

func (v *boxView) HLS(id string) (http.Handler, bool) {
	if d := v.d.Load(); d != nil {
		return d.HLS(id)
	}
	return nil, false
}

func (v *boxView) Courses() []boxapi.Course {
	var out []boxapi.Course
	for _, co := range v.comp.latest().Schedule {
		if co.Origin == apiOrigin {
			continue
		}
		start := co.StartOfDay()
		c := boxapi.Course{ID: schedule.CourseID(co.Channel, co.Weekday, start), Origin: originOf(co.Origin),
			Channel: co.Channel, Weekday: co.Weekday, Start: start, Duration: co.Duration, Subject: co.Subject, Teacher: co.Teacher}
		if co.Origin == gather.Origin && co.ExternalID != "" {
			c.ID = co.ExternalID
		}
		out = append(out, c)
	}
	return out
}

// Directory is the server's subjects and teachers when a server is synced;
// the API adds the names the timetable uses either way.
func (v *boxView) Directory() boxapi.Directory {
	if v.gather == nil {
		return boxapi.Directory{}
	}
	st := v.gather.Last()
	if st == nil {
		return boxapi.Directory{}
	}
	return boxapi.Directory{Subjects: st.Subjects, Teachers: st.Teachers}
}

func (v *boxView) ServerConfigured() bool { return v.server }
