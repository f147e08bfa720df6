package recorder

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/lubo-edge/lubo/recorder/mp4"
	"github.com/lubo-edge/lubo/storage"
)

// leftovers is what the last run left unfinished: found at start-up
// before any session opens a slice, so nothing of this run is among them.
type leftovers struct {
	parts []string          // .part files: slices not closed (a crash, a power cut) or not finalized
	stale []*storage.Record // records still in state recording
}

// findLeftovers walks the records root for .part files (a quick walk, no
// file is read) and lists the records left in state recording.
func (r *Recorder) findLeftovers() leftovers {
	var l leftovers
	err := filepath.WalkDir(r.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			r.log.Warn("recovery: cannot read", "path", p, "err", err)
			return nil
		}
		switch name := d.Name(); {
		case d.IsDir():
		case strings.HasSuffix(name, ".mp4"+partSuffix):
			l.parts = append(l.parts, p)
		case strings.HasSuffix(name, ".mp4.tmp"):
			// Finalize's half-written copy; the .part beside it is intact.
			_ = os.Remove(p)
		}
		return nil
	})
	if err != nil {
		r.log.Warn("recovery: cannot walk the records", "root", r.root, "err", err)
	}
	l.stale, err = r.opts.DB.ListRecords(storage.RecordQuery{States: []storage.State{storage.StateRecording}})
	if err != nil {
		r.log.Error("recovery: cannot read the records index", "err", err)
	}
	return l
}

// recoverAll finalizes the leftovers in the background, while sessions
// already record: a lesson must not start late because the last run left
// many large files. RecoveryWorkers files are done at once, each on a
// thread of low CPU and I/O priority. A lesson whose .part is still being
// recovered goes on in the next slice number (pickSlice skips it). When ctx
// ends, the files not begun stay for the next start. Then the records
// index is brought in line with the disk.
func (r *Recorder) recoverAll(ctx context.Context, l leftovers) {
	if len(l.parts) > 0 {
		r.log.Info("recovery: finalizing the recordings the last run left, in the background", "files", len(l.parts))
	}
	todo := make(chan string)
	var workers sync.WaitGroup
	for range max(r.opts.RecoveryWorkers, 1) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			lowPriority()
			for p := range todo {
				if r.beforeRecover != nil {
					r.beforeRecover(p)
				}
				r.recoverPart(p)
				r.stats.recovering.Add(-1)
			}
		}()
	}
feed:
	for _, p := range l.parts {
		select {
		case todo <- p:
		case <-ctx.Done():
			break feed
		}
	}
	close(todo)
	workers.Wait()
	r.settleRecording(l.stale)
	close(r.recovered)
}

// recoverPart finalizes one .part left by the last run.
func (r *Recorder) recoverPart(part string) {
	final := strings.TrimSuffix(part, partSuffix)
	rel, err := filepath.Rel(r.root, final)
	if err != nil {
		return
	}
	rel = filepath.ToSlash(rel)
	log := r.log.With("path", rel)
	if st, err := os.Stat(final); err == nil {
		// The MP4 was made and renamed into place; the crash came before
		// the .part was removed. The MP4 has it all.
		_ = os.Remove(part)
		r.indexFinished(rel, st.Size(), 0, storage.StateComplete, "finalized before a crash; indexed at start-up")
		return
	}
	info, err := r.finalizeFile(part, final, rel)
	switch {
	case err == nil:
		r.stats.recoveries.Add(1)
		reason := fmt.Sprintf("recovered after a crash: %d fragments, %v", info.Fragments, info.Duration.Round(time.Millisecond))
		if !info.Truncated {
			reason = "closed cleanly but not finalized before a crash; finalized at start-up"
		}
		log.Warn("recovery: recording recovered", "duration", info.Duration, "fragments", info.Fragments, "truncated", info.Truncated)
		r.indexFinished(rel, info.Size, info.Duration, storage.StateRecovered, reason)
	case errors.Is(err, mp4.ErrEmpty):
		r.dropEmpty(rel, "", "the last run ended before its first fragment")
	case errors.Is(err, mp4.ErrMalformed):
		// Nothing here can be read; keep it for a human instead of trying
		// at every start.
		_ = os.Rename(part, final+brokenSuffix)
		r.stats.fail(reasonFinalizeError)
		log.Error("recovery: unreadable recording kept as .broken", "err", err)
		r.markFailed(rel, fmt.Sprintf("unreadable after a crash, kept as %s: %v", rel+brokenSuffix, err))
	default:
		// Most likely no room for the copy: the .part stays for the next
		// start, and retention will have freed space by then.
		r.stats.fail(reasonFinalizeError)
		log.Error("recovery: cannot finalize yet; the .part is kept", "err", err)
	}
}

// indexFinished records the outcome for the file at rel: it updates the
// record written when the slice opened or, when the index lost it, makes
// one from the path.
func (r *Recorder) indexFinished(rel string, size int64, dur time.Duration, state storage.State, reason string) {
	db := r.opts.DB
	if rec, err := db.RecordByPath(rel); err == nil {
		r.updateRecord(rec.ID, func(x *storage.Record) {
			x.State, x.Reason, x.Size = state, reason, size
			if dur > 0 {
				x.Duration, x.End = dur, x.Start.Add(dur)
			}
			if x.Cover == "" && exists(filepath.Join(r.root, filepath.FromSlash(coverPath(rel)))) {
				x.Cover = coverPath(rel)
			}
		})
		return
	}
	info, err := parseSlicePath(rel, r.loc)
	if err != nil {
		r.log.Warn("recovery: file is not indexed and its name says nothing", "err", err)
		return
	}
	rec := &storage.Record{
		ID: storage.NewRecordID(info.Channel, info.Start, info.Slice), Channel: info.Channel,
		Start: info.Start, End: info.Start.Add(dur), Duration: dur, Size: size, Path: rel,
		Slice: info.Slice, State: state, Reason: reason + "; the index had lost it", Trigger: "unknown",
	}
	if exists(filepath.Join(r.root, filepath.FromSlash(coverPath(rel)))) {
		rec.Cover = coverPath(rel)
	}
	if err := db.PutRecord(rec); err != nil {
		r.log.Error("recovery: cannot index a recovered file", "path", rel, "err", err)
	}
}

// markFailed sets the record of rel, if there is one, to failed.
func (r *Recorder) markFailed(rel, reason string) {
	rec, err := r.opts.DB.RecordByPath(rel)
	if err != nil {
		return
	}
	r.updateRecord(rec.ID, func(x *storage.Record) { x.State, x.Reason = storage.StateFailed, reason })
}

// settleRecording handles the records the last run left in state
// recording once every .part is dealt with: their file is finished, or
// there is none and the record goes (nothing empty stays indexed). Records
// of this run's slices are not among them.
func (r *Recorder) settleRecording(recs []*storage.Record) {
	for _, rec := range recs {
		if now, err := r.opts.DB.GetRecord(rec.ID); err != nil || now.State != storage.StateRecording {
			continue // recovered meanwhile, or gone
		}
		abs := filepath.Join(r.root, filepath.FromSlash(rec.Path))
		if exists(abs + partSuffix) {
			continue // could not be finalized yet; tried at the next start
		}
		if st, err := os.Stat(abs); err == nil {
			r.indexFinished(rec.Path, st.Size(), 0, storage.StateComplete, "finalized before a crash; indexed at start-up")
			continue
		}
		r.dropEmpty(rec.Path, rec.ID, "the last run ended before the slice had a file")
	}
}
