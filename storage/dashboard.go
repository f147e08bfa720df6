package storage

// The dashboard's own data (api/dashboard): channels and courses an admin
// added in the page. They live here rather than in the YAML file so the
// file stays the installer's, human-edited and hot-reloaded; the box turns
// them into the "dashboard" overlay of the running config.
//
// Buckets (declared in schema.go):
//
//	dash_channels  channel id -> DashChannel as JSON
//	dash_courses   course id ("d" + 8-digit sequence) -> DashCourse as JSON

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lubo-edge/lubo/internal/redact"
)

var (
	bucketDashChannels = []byte("dash_channels")
	bucketDashCourses  = []byte("dash_courses")
)

// DashPassword is a camera password kept in the store. It is stored as
// given (the box needs it to log in to the camera) but never printed.
type DashPassword string

func (DashPassword) String() string               { return redact.Mask }
func (DashPassword) GoString() string             { return `"` + redact.Mask + `"` }
func (DashPassword) LogValue() slog.Value         { return slog.StringValue(redact.Mask) }
func (p DashPassword) Reveal() string             { return string(p) }
func (p DashPassword) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(redact.Mask)) }

// DashDevice is a Hikvision or Dahua device whose RTSP URL the box builds.
type DashDevice struct {
	Vendor   string       `json:"vendor"`
	Host     string       `json:"host"`
	Port     int          `json:"port,omitempty"`
	User     string       `json:"user,omitempty"`
	Password DashPassword `json:"password,omitempty"`
	Channel  int          `json:"channel,omitempty"`
	Stream   string       `json:"stream,omitempty"`
}

// DashChannel is a channel added in the dashboard: a source URL (which
// may hold a password) or a device.
type DashChannel struct {
	ID       string      `json:"id"`
	Name     string      `json:"name"`
	Source   string      `json:"source,omitempty"`
	Device   *DashDevice `json:"device,omitempty"`
	OnDemand bool        `json:"on_demand"`
	Created  time.Time   `json:"created"`
	Updated  time.Time   `json:"updated"`
}

// String describes the channel without its credentials.
func (c DashChannel) String() string {
	dev := "none"
	if d := c.Device; d != nil {
		dev = fmt.Sprintf("%s://%s@%s:%d/%d/%s", d.Vendor, d.User, d.Host, d.Port, d.Channel, d.Stream)
	}
	return fmt.Sprintf("DashChannel{id:%s name:%q source:%q device:%s on_demand:%v}",
		c.ID, c.Name, redact.URL(c.Source), dev, c.OnDemand)
}

// GoString is String, so %#v cannot print the credentials either.
func (c DashChannel) GoString() string { return c.String() }

// LogValue logs the channel without its credentials.
func (c DashChannel) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", c.ID), slog.String("name", c.Name),
		slog.String("source", redact.URL(c.Source)), slog.Bool("device", c.Device != nil))
}

// DashCourse is a weekly course added in the dashboard.
type DashCourse struct {
	ID       string        `json:"id"` // "d" + a sequence number; given by AddDashCourse
	Channel  string        `json:"channel"`
	Weekday  time.Weekday  `json:"weekday"`
	Start    string        `json:"start"` // HH:MM:SS, local to the box's zone
	Duration time.Duration `json:"duration_ns"`
	Subject  string        `json:"subject,omitempty"`
	Teacher  string        `json:"teacher,omitempty"`
	Created  time.Time     `json:"created"`
	Updated  time.Time     `json:"updated"`
}

// maxDashKey bounds the ids used as keys.
const maxDashKey = 128

// DashChannels returns the dashboard's channels by id.
func (db *DB) DashChannels() ([]DashChannel, error) {
	var out []DashChannel
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDashChannels).ForEach(func(k, v []byte) error {
			var c DashChannel
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode channel %q: %w", k, err)
			}
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("dashboard channels: %w", err)
	}
	return out, nil
}

// DashChannel returns one of the dashboard's channels, or ErrNotFound.
func (db *DB) DashChannel(id string) (DashChannel, error) {
	var c DashChannel
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketDashChannels).Get([]byte(id))
		if v == nil {
			return ErrNotFound
		}
		return json.Unmarshal(v, &c)
	})
	if err != nil {
		return c, fmt.Errorf("dashboard channel %q: %w", id, err)
	}
	return c, nil
}

// PutDashChannel adds or replaces the channel with c.ID, setting Created
// (first write) and Updated; c is changed only on success.
func (db *DB) PutDashChannel(c *DashChannel) error {
	if c.ID == "" || len(c.ID) > maxDashKey {
		return fmt.Errorf("dashboard channel: id of %d bytes; want 1-%d", len(c.ID), maxDashKey)
	}
	nc := *c
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDashChannels)
		now := db.now()
		nc.Created, nc.Updated = now, now
		if old := b.Get([]byte(nc.ID)); old != nil {
			var prev DashChannel
			if json.Unmarshal(old, &prev) == nil && !prev.Created.IsZero() {
				nc.Created = prev.Created
			}
		}
		raw, err := json.Marshal(&nc)
		if err != nil {
			return err
		}
		return b.Put([]byte(nc.ID), raw)
	})
	if err != nil {
		return fmt.Errorf("put dashboard channel %q: %w", c.ID, err)
	}
	*c = nc
	return nil
}

// DeleteDashChannel removes a channel; ErrNotFound when there is none.
func (db *DB) DeleteDashChannel(id string) error {
	return db.deleteDash(bucketDashChannels, "channel", id)
}

// DashCourses returns the dashboard's courses in the order they were added.
func (db *DB) DashCourses() ([]DashCourse, error) {
	var out []DashCourse
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDashCourses).ForEach(func(k, v []byte) error {
			var c DashCourse
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode course %q: %w", k, err)
			}
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("dashboard courses: %w", err)
	}
	return out, nil
}

// AddDashCourse stores a new course, giving it its ID ("d" + sequence)
// and times; c is changed only on success.
func (db *DB) AddDashCourse(c *DashCourse) error {
	nc := *c
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDashCourses)
		n, err := b.NextSequence()
		if err != nil {
			return err
		}
		now := db.now()
		nc.ID, nc.Created, nc.Updated = fmt.Sprintf("d%08d", n), now, now
		raw, err := json.Marshal(&nc)
		if err != nil {
			return err
		}
		return b.Put([]byte(nc.ID), raw)
	})
	if err != nil {
		return fmt.Errorf("add dashboard course: %w", err)
	}
	*c = nc
	return nil
}

// PutDashCourse replaces the stored course with c.ID (ErrNotFound when
// there is none), keeping Created and setting Updated.
func (db *DB) PutDashCourse(c *DashCourse) error {
	nc := *c
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDashCourses)
		old := b.Get([]byte(nc.ID))
		if old == nil {
			return ErrNotFound
		}
		var prev DashCourse
		if err := json.Unmarshal(old, &prev); err != nil {
			return err
		}
		nc.Created, nc.Updated = prev.Created, db.now()
		raw, err := json.Marshal(&nc)
		if err != nil {
			return err
		}
		return b.Put([]byte(nc.ID), raw)
	})
	if err != nil {
		return fmt.Errorf("put dashboard course %q: %w", c.ID, err)
	}
	*c = nc
	return nil
}

// DeleteDashCourse removes a course; ErrNotFound when there is none.
func (db *DB) DeleteDashCourse(id string) error {
	return db.deleteDash(bucketDashCourses, "course", id)
}

func (db *DB) deleteDash(bucket []byte, what, id string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if len(id) == 0 || len(id) > maxDashKey || b.Get([]byte(id)) == nil {
			return ErrNotFound
		}
		return b.Delete([]byte(id))
	})
	if err != nil {
		return fmt.Errorf("delete dashboard %s %q: %w", what, id, err)
	}
	return nil
}
