package storage

// The box API's own data (api/boxapi): channels and courses added through the
// box's 云录播 /api/v1, and the stable numbers the API shows for things lubo
// names with strings (channel ids, course ids, subject and teacher names).
//
// Buckets, created on first write (not listed in schema.go: they are optional
// and a store without them simply has no API data):
//
//	boxapi_numbers   kind 0x00 key -> number (8 bytes big-endian)
//	boxapi_keys      kind 0x00 number -> key
//	boxapi_channels  channel id -> BoxChannel as JSON
//	boxapi_courses   number (8 bytes big-endian) -> BoxCourse as JSON

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/lubo-edge/lubo/internal/redact"
)

var (
	bucketBoxNumbers  = []byte("boxapi_numbers")
	bucketBoxKeys     = []byte("boxapi_keys")
	bucketBoxChannels = []byte("boxapi_channels")
	bucketBoxCourses  = []byte("boxapi_courses")
)

// FirstBoxNumber is the first number BoxNumber hands out by counting. Lower
// numbers are left to ids a 云录播 server gave (camera_id, course_id), so a
// server's camera 12 can keep number 12 on the box.
const FirstBoxNumber = 10001

// maxBoxKeyLen bounds keys of the number tables.
const maxBoxKeyLen = 512

// Kinds of numbered things (the first argument of BoxNumber).
const (
	BoxKindCamera  = "camera"
	BoxKindCourse  = "course"
	BoxKindSubject = "subject"
	BoxKindTeacher = "teacher"
)

// BoxChannel is a channel added through the box API: an MP4 file looped
// (云录播 stream_prop 1) or an rtsp/rtmp address forwarded (stream_prop 2).
// Its ID is "a" followed by its number.
type BoxChannel struct {
	ID         string    `json:"id"`
	Number     uint64    `json:"number"`
	Name       string    `json:"name"`
	GradeID    int64     `json:"grade_id"`
	StreamProp int       `json:"stream_prop"`
	StreamURL  string    `json:"stream_url,omitempty"` // may hold a password: never logged
	StreamMP4  string    `json:"stream_mp4,omitempty"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
}

// String describes the channel without the credentials of its address.
func (c BoxChannel) String() string {
	return fmt.Sprintf("BoxChannel{id:%s name:%q stream_prop:%d stream_url:%q stream_mp4:%q}",
		c.ID, c.Name, c.StreamProp, redact.URL(c.StreamURL), c.StreamMP4)
}

// GoString is String, so %#v cannot print the credentials either.
func (c BoxChannel) GoString() string { return c.String() }

// LogValue logs the channel without the credentials of its address.
func (c BoxChannel) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", c.ID), slog.String("name", c.Name),
		slog.Int("stream_prop", c.StreamProp), slog.String("stream_url", redact.URL(c.StreamURL)),
		slog.String("stream_mp4", c.StreamMP4))
}

// BoxCourse is a weekly course added through the box API.
type BoxCourse struct {
	Number    uint64    `json:"number"` // the API's course_id
	Channel   string    `json:"channel"`
	SubjectID int64     `json:"subject_id"`
	Subject   string    `json:"subject"`
	TeacherID int64     `json:"teacher_id"`
	Teacher   string    `json:"teacher"`
	Weekday   int       `json:"weekday"`   // 0 Sunday … 6 Saturday
	StartSec  int       `json:"start_sec"` // seconds after local midnight
	ElapseSec int       `json:"elapse_sec"`
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
}

// Key is the course's id in the timetable: "a" followed by its number.
func (c BoxCourse) Key() string { return "a" + strconv.FormatUint(c.Number, 10) }

func boxKey(kind, key string) []byte { return append(append([]byte(kind), 0), key...) }

func boxNum(kind string, n uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(kind), 0), n)
}

// BoxNumber returns the stable number of key among things of kind, giving
// it one on first sight: the number in a key like "y12" or "12" (prefer, if
// not taken yet; 0 means none), else the next free number from
// FirstBoxNumber on.
func (db *DB) BoxNumber(kind, key string, prefer uint64) (uint64, error) {
	if kind == "" || strings.IndexByte(kind, 0) >= 0 || key == "" || len(key) > maxBoxKeyLen {
		return 0, fmt.Errorf("box number: bad kind %q or key of %d bytes", kind, len(key))
	}
	var n uint64
	found := false
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketBoxNumbers); b != nil {
			if v := b.Get(boxKey(kind, key)); len(v) == 8 {
				n, found = binary.BigEndian.Uint64(v), true
			}
		}
		return nil
	})
	if err != nil || found {
		return n, err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		var err error
		n, err = boxNumberTx(tx, kind, key, prefer)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("box number %s %q: %w", kind, key, err)
	}
	return n, nil
}

func boxNumberTx(tx *bolt.Tx, kind, key string, prefer uint64) (uint64, error) {
	nums, err := tx.CreateBucketIfNotExists(bucketBoxNumbers)
	if err != nil {
		return 0, err
	}
	keys, err := tx.CreateBucketIfNotExists(bucketBoxKeys)
	if err != nil {
		return 0, err
	}
	if v := nums.Get(boxKey(kind, key)); len(v) == 8 {
		return binary.BigEndian.Uint64(v), nil
	}
	n := prefer
	if n == 0 || keys.Get(boxNum(kind, n)) != nil {
		n = nextBoxNumber(keys, kind)
	}
	if err := nums.Put(boxKey(kind, key), binary.BigEndian.AppendUint64(nil, n)); err != nil {
		return 0, err
	}
	if err := keys.Put(boxNum(kind, n), []byte(key)); err != nil {
		return 0, err
	}
	return n, nil
}

// allocBoxNumberTx takes the next free number n of kind for the key
// keyOf(n).
func allocBoxNumberTx(tx *bolt.Tx, kind string, keyOf func(uint64) string) (uint64, error) {
	nums, err := tx.CreateBucketIfNotExists(bucketBoxNumbers)
	if err != nil {
		return 0, err
	}
	keys, err := tx.CreateBucketIfNotExists(bucketBoxKeys)
	if err != nil {
		return 0, err
	}
	n := nextBoxNumber(keys, kind)
	key := keyOf(n)
	if nums.Get(boxKey(kind, key)) != nil {
		return 0, fmt.Errorf("%s key %q is numbered already", kind, key)
	}
	if err := nums.Put(boxKey(kind, key), binary.BigEndian.AppendUint64(nil, n)); err != nil {
		return 0, err
	}
	if err := keys.Put(boxNum(kind, n), []byte(key)); err != nil {
		return 0, err
	}
	return n, nil
}

// nextBoxNumber is one past the highest number of kind at or above
// FirstBoxNumber, else FirstBoxNumber: numbers are never reused, so a deleted
// channel's number is not given to another one.
func nextBoxNumber(keys *bolt.Bucket, kind string) uint64 {
	prefix := append([]byte(kind), 0)
	c := keys.Cursor()
	k, _ := c.Seek(append([]byte(kind), 1)) // first key past the kind
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if len(k) != len(prefix)+8 || !bytes.HasPrefix(k, prefix) {
		return FirstBoxNumber
	}
	return max(binary.BigEndian.Uint64(k[len(prefix):])+1, FirstBoxNumber)
}

// BoxKey returns the key numbered n among things of kind ("" if none).
func (db *DB) BoxKey(kind string, n uint64) (string, error) {
	var key string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketBoxKeys); b != nil {
			key = string(b.Get(boxNum(kind, n)))
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("box key %s %d: %w", kind, n, err)
	}
	return key, nil
}

// BoxChannels returns the channels added through the API, by number.
func (db *DB) BoxChannels() ([]BoxChannel, error) {
	var out []BoxChannel
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBoxChannels)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var c BoxChannel
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode channel %q: %w", k, err)
			}
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("box channels: %w", err)
	}
	sortByNumber(out, func(c BoxChannel) uint64 { return c.Number })
	return out, nil
}

// AddBoxChannel stores a new channel, giving it its number and ID ("a{n}")
// and its Created/Updated times; c is changed only on success.
func (db *DB) AddBoxChannel(c *BoxChannel) error {
	nc := *c
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		now := db.now()
		n, err := allocBoxNumberTx(tx, BoxKindCamera, func(n uint64) string { return "a" + strconv.FormatUint(n, 10) })
		if err != nil {
			return err
		}
		id := "a" + strconv.FormatUint(n, 10)
		nc.ID, nc.Number, nc.Created, nc.Updated = id, n, now, now
		return putBoxChannelTx(tx, &nc)
	})
	if err != nil {
		return fmt.Errorf("add box channel: %w", err)
	}
	*c = nc
	return nil
}

// PutBoxChannel replaces a stored channel (same ID), setting Updated.
func (db *DB) PutBoxChannel(c *BoxChannel) error {
	nc := *c
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBoxChannels)
		if b == nil || b.Get([]byte(nc.ID)) == nil {
			return fmt.Errorf("channel %q: %w", nc.ID, ErrNotFound)
		}
		nc.Updated = db.now()
		return putBoxChannelTx(tx, &nc)
	})
	if err != nil {
		return fmt.Errorf("put box channel: %w", err)
	}
	*c = nc
	return nil
}

func putBoxChannelTx(tx *bolt.Tx, c *BoxChannel) error {
	b, err := tx.CreateBucketIfNotExists(bucketBoxChannels)
	if err != nil {
		return err
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return b.Put([]byte(c.ID), raw)
}

// DeleteBoxChannels removes the channels and every API course on them, in
// one transaction. Unknown ids are ignored. Their numbers stay taken.
func (db *DB) DeleteBoxChannels(ids []string) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		gone := map[string]bool{}
		if b := tx.Bucket(bucketBoxChannels); b != nil {
			for _, id := range ids {
				if err := b.Delete([]byte(id)); err != nil {
					return err
				}
				gone[id] = true
			}
		}
		b := tx.Bucket(bucketBoxCourses)
		if b == nil {
			return nil
		}
		var dead [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var c BoxCourse
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode course %x: %w", k, err)
			}
			if gone[c.Channel] {
				dead = append(dead, k)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range dead {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete box channels: %w", err)
	}
	return nil
}

// BoxCourses returns the courses added through the API, by number.
func (db *DB) BoxCourses() ([]BoxCourse, error) {
	var out []BoxCourse
	err := db.bolt.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBoxCourses)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var c BoxCourse
			if err := json.Unmarshal(v, &c); err != nil {
				return fmt.Errorf("decode course %x: %w", k, err)
			}
			out = append(out, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("box courses: %w", err)
	}
	sortByNumber(out, func(c BoxCourse) uint64 { return c.Number })
	return out, nil
}

// PutBoxCourse stores c: a new course (Number 0) gets its number and
// Created; every write sets Updated. c is changed only on success. A
// Number that is not stored is ErrNotFound.
func (db *DB) PutBoxCourse(c *BoxCourse) error {
	nc := *c
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketBoxCourses)
		if err != nil {
			return err
		}
		now := db.now()
		if nc.Number == 0 {
			// The timetable key "a{n}" is numbered n, so the course keeps its
			// number when it comes back from the daemon's timetable.
			n, err := allocBoxNumberTx(tx, BoxKindCourse, func(n uint64) string { return "a" + strconv.FormatUint(n, 10) })
			if err != nil {
				return err
			}
			nc.Number, nc.Created = n, now
		} else if b.Get(binary.BigEndian.AppendUint64(nil, nc.Number)) == nil {
			return fmt.Errorf("course %d: %w", nc.Number, ErrNotFound)
		}
		nc.Updated = now
		raw, err := json.Marshal(&nc)
		if err != nil {
			return err
		}
		return b.Put(binary.BigEndian.AppendUint64(nil, nc.Number), raw)
	})
	if err != nil {
		return fmt.Errorf("put box course: %w", err)
	}
	*c = nc
	return nil
}

// DeleteBoxCourses removes the courses with these numbers; unknown ones are
// ignored.
func (db *DB) DeleteBoxCourses(numbers []uint64) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBoxCourses)
		if b == nil {
			return nil
		}
		for _, n := range numbers {
			if err := b.Delete(binary.BigEndian.AppendUint64(nil, n)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete box courses: %w", err)
	}
	return nil
}

func sortByNumber[T any](s []T, num func(T) uint64) {
	slices.SortFunc(s, func(a, b T) int { return cmp.Compare(num(a), num(b)) })
}
