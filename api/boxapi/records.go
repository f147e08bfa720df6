package boxapi

import (
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"

	"github.com/lubo-edge/lubo/storage"
)

// playable are the states list_record shows: finished files with a video.
var playable = []storage.State{storage.StateComplete, storage.StateRecovered, storage.StateUploaded}

// StoreRecords is Records over lubo's store and records folder.
type StoreRecords struct {
	DB *storage.DB
	// Root is {data_dir}/records, the folder record paths are relative to.
	Root string
	// OnDelete, if set, runs after a record and its files are gone (for
	// example to drop its pending uploads).
	OnDelete func(r *storage.Record)
}

// List returns playable records, newest first.
func (s StoreRecords) List(offset, limit int) ([]*storage.Record, int, error) {
	q := storage.RecordQuery{States: playable, Order: storage.OrderDesc, Offset: offset, Limit: limit}
	total, err := s.DB.CountRecords(q)
	if err != nil {
		return nil, 0, err
	}
	rs, err := s.DB.ListRecords(q)
	return rs, total, err
}

// BySeq finds a playable record by its Seq.
func (s StoreRecords) BySeq(seq uint64) (*storage.Record, error) {
	r, err := s.DB.RecordBySeq(seq)
	if err != nil {
		return nil, err
	}
	for _, st := range playable {
		if r.State == st {
			return r, nil
		}
	}
	return nil, fmt.Errorf("record %d is %s: %w", seq, r.State, storage.ErrNotFound)
}

// OfChannel returns every record of the channel, whatever its state.
func (s StoreRecords) OfChannel(channel string) ([]*storage.Record, error) {
	return s.DB.ListRecords(storage.RecordQuery{Channel: channel})
}

// Delete removes the video, the cover and then the record (§3.26). A record
// still being written is refused: the recorder owns its file.
func (s StoreRecords) Delete(r *storage.Record) error {
	if r.State == storage.StateRecording {
		return fmt.Errorf("record %d (%s) is still being recorded", r.Seq, r.Path)
	}
	root, err := os.OpenRoot(s.Root)
	if err != nil {
		return fmt.Errorf("delete record %d: %w", r.Seq, err)
	}
	defer root.Close()
	for _, p := range []string{r.Path, r.Cover} {
		if p == "" {
			continue
		}
		if err := root.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("delete record %d: %w", r.Seq, err)
		}
	}
	if err := s.DB.DeleteRecord(r.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("delete record %d: %w", r.Seq, err)
	}
	if s.OnDelete != nil {
		s.OnDelete(r)
	}
	return nil
}

// Open opens the record's video inside Root (never outside it).
func (s StoreRecords) Open(r *storage.Record) (http.File, error) {
	f, err := os.OpenInRoot(s.Root, r.Path)
	if err != nil {
		return nil, fmt.Errorf("record %d: %w", r.Seq, err)
	}
	return f, nil
}
