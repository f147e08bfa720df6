package storage

import (
	"encoding/json"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

// State is where a recording is in its life.
type State string

const (
	// StateRecording: the file is being written (a .part file on disk).
	// After a crash, records left in this state are the ones to recover.
	StateRecording State = "recording"
	// StateComplete: the file was closed normally.
	StateComplete State = "complete"
	// StateRecovered: the file was rebuilt from a .part after a crash, up to
	// its last flushed fragment.
	StateRecovered State = "recovered"
	// StateFailed: nothing playable was kept; Reason says why.
	StateFailed State = "failed"
	// StateUploaded: the file has been delivered to the cloud.
	StateUploaded State = "uploaded"
)

// states lists every known State; finished ones are all but recording.
var states = []State{StateRecording, StateComplete, StateRecovered, StateFailed, StateUploaded}

// Valid reports whether s is one of the State constants.
func (s State) Valid() bool {
	for _, k := range states {
		if s == k {
			return true
		}
	}
	return false
}

// Finished reports whether the recording is no longer being written.
func (s State) Finished() bool { return s.Valid() && s != StateRecording }

// ParseState reads a state name as used in JSON and query strings.
func ParseState(s string) (State, error) {
	st := State(s)
	if !st.Valid() {
		return "", fmt.Errorf("state %q is not one of %s", s, stateList())
	}
	return st, nil
}

func stateList() string {
	names := make([]string, len(states))
	for i, s := range states {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// Record is one recording file (one slice of a lesson) and what is known
// about it. The JSON form is what the dashboard and the API serve.
type Record struct {
	ID       string `json:"id"`        // NewRecordID(channel, start, slice); required
	Seq      uint64 `json:"seq"`       // small number given by the store on first insert; the 云录播 record_id
	Channel  string `json:"channel"`   // channel id; required
	CourseID string `json:"course_id"` // the course that caused it, "" for manual recordings
	Subject  string `json:"subject"`
	Teacher  string `json:"teacher"`

	Start    time.Time     `json:"start"` // first frame's wall time; required
	End      time.Time     `json:"end"`   // zero while recording
	Duration time.Duration `json:"duration_ns"`
	Size     int64         `json:"size"` // bytes

	// Path is the file relative to {data_dir}/records, slash-separated, e.g.
	// "c101/2026-11-23/103000_1.mp4"; unique among records.
	Path  string `json:"path"`
	Cover string `json:"cover"` // the cover JPEG, relative like Path; "" if none yet
	Slice int    `json:"slice"` // 1-based slice number within the lesson

	State   State  `json:"state"`
	Reason  string `json:"reason,omitempty"` // why it failed, or what recovery did
	Trigger string `json:"trigger"`          // "schedule", "manual", …

	Created time.Time `json:"created"` // set by the store on first insert
	Updated time.Time `json:"updated"` // set by the store on every write
}

// NewRecordID returns the id of a channel's recording slice starting at
// start: "{UTC start as 20060102T150405Z}_{channel}_{slice}". It is the same
// for the same arguments (so a recovered file finds its record again), and
// ids sort by start time to the second, then by channel.
func NewRecordID(channel string, start time.Time, slice int) string {
	return start.UTC().Format("20060102T150405Z") + "_" + channel + "_" + strconv.Itoa(slice)
}

// maxIDLen keeps keys far below bbolt's limit and ids readable in URLs.
const maxIDLen = 200

// validate rejects records the indexes cannot hold or the file server must
// not serve.
func (r *Record) validate() error {
	switch {
	case r.ID == "":
		return fmt.Errorf("record id is required")
	case len(r.ID) > maxIDLen:
		return fmt.Errorf("record id is %d bytes, at most %d", len(r.ID), maxIDLen)
	case r.Channel == "":
		return fmt.Errorf("record %s: channel is required", r.ID)
	case strings.IndexByte(r.Channel, 0) >= 0:
		return fmt.Errorf("record %s: channel contains a NUL byte", r.ID)
	case r.Start.IsZero():
		return fmt.Errorf("record %s: start is required", r.ID)
	case !r.State.Valid():
		return fmt.Errorf("record %s: state %q is not one of %s", r.ID, r.State, stateList())
	}
	if err := checkRelPath(r.Path); err != nil {
		return fmt.Errorf("record %s: path: %w", r.ID, err)
	}
	if err := checkRelPath(r.Cover); err != nil {
		return fmt.Errorf("record %s: cover: %w", r.ID, err)
	}
	return nil
}

// checkRelPath accepts "" or a clean slash-separated path inside the
// records root, since the HTTP server serves these paths.
func checkRelPath(p string) error {
	if p == "" {
		return nil
	}
	if strings.IndexByte(p, 0) >= 0 || strings.Contains(p, `\`) {
		return fmt.Errorf("%q contains a NUL or backslash", p)
	}
	if path.IsAbs(p) || path.Clean(p) != p || p == "." || p == ".." || strings.HasPrefix(p, "../") {
		return fmt.Errorf("%q is not a clean relative path like c101/2026-11-23/103000_1.mp4", p)
	}
	return nil
}

func encodeRecord(r *Record) ([]byte, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode record %s: %w", r.ID, err)
	}
	return b, nil
}

func decodeRecord(id, raw []byte) (*Record, error) {
	r := new(Record)
	if err := json.Unmarshal(raw, r); err != nil {
		return nil, fmt.Errorf("decode record %s: %w", id, err)
	}
	return r, nil
}
