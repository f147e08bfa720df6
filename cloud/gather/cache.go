package gather

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/lubo-edge/lubo/configs"
)

// cacheKey is where the last good overlay lives in the store.
const cacheKey = "yunlubo/overlay"

// cached is the stored form of an overlay. configs.Secret refuses to
// marshal its value (so it never reaches a log or an API answer); the
// store is the one place that must keep a camera password, so it is
// copied into a plain field here. The store file is 0600.
type cached struct {
	Synced   time.Time          `json:"synced"`
	GatherID int64              `json:"gather_id"`
	Channels []cachedChannel    `json:"channels"`
	Schedule []configs.Course   `json:"schedule"`
	Record   *cachedRecordFlags `json:"record"`
}

type cachedChannel struct {
	ID, Name, Source string
	OnDemand         bool
	Device           *cachedDevice `json:",omitempty"`
}

type cachedDevice struct {
	Vendor, Host, User, Password, Stream string
	Port, Channel                        int
}

type cachedRecordFlags struct {
	Slice, SnapshotInterval time.Duration
	OverlapKeyframes        int
}

func encodeCache(o configs.Overlay, gatherID int64, synced time.Time) ([]byte, error) {
	c := cached{Synced: synced, GatherID: gatherID, Schedule: o.Schedule}
	for _, ch := range o.Channels {
		cc := cachedChannel{ID: ch.ID, Name: ch.Name, Source: ch.Source, OnDemand: ch.OnDemand}
		if d := ch.Device; d != nil {
			cc.Device = &cachedDevice{Vendor: d.Vendor, Host: d.Host, User: d.User, Password: string(d.Password), Stream: d.Stream, Port: d.Port, Channel: d.Channel}
		}
		c.Channels = append(c.Channels, cc)
	}
	if r := o.Record; r != nil {
		c.Record = &cachedRecordFlags{Slice: r.Slice, SnapshotInterval: r.SnapshotInterval, OverlapKeyframes: r.OverlapKeyframes}
	}
	return json.Marshal(c)
}

func decodeCache(b []byte) (configs.Overlay, int64, time.Time, error) {
	var c cached
	if err := json.Unmarshal(b, &c); err != nil {
		return configs.Overlay{}, 0, time.Time{}, fmt.Errorf("the stored copy of the server's settings does not decode: %w", err)
	}
	o := configs.Overlay{Origin: Origin, Schedule: c.Schedule}
	for _, cc := range c.Channels {
		ch := configs.Channel{ID: cc.ID, Name: cc.Name, Source: cc.Source, OnDemand: cc.OnDemand}
		if d := cc.Device; d != nil {
			ch.Device = &configs.Device{Vendor: d.Vendor, Host: d.Host, User: d.User, Password: configs.Secret(d.Password), Stream: d.Stream, Port: d.Port, Channel: d.Channel}
		}
		o.Channels = append(o.Channels, ch)
	}
	if r := c.Record; r != nil {
		o.Record = &configs.RecordSettings{Slice: r.Slice, SnapshotInterval: r.SnapshotInterval, OverlapKeyframes: r.OverlapKeyframes}
	}
	return o, c.GatherID, c.Synced, nil
}
