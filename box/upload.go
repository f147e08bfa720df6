package box

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/lubo-edge/lubo/api"
	"github.com/lubo-edge/lubo/cloud/onenet"
	"github.com/lubo-edge/lubo/cloud/onenetreg"
	"github.com/lubo-edge/lubo/cloud/outbox"
	"github.com/lubo-edge/lubo/configs"
	"github.com/lubo-edge/lubo/recorder"
	"github.com/lubo-edge/lubo/recorder/snapshot"
	"github.com/lubo-edge/lubo/storage"
)

// onenetPictures delivers snapshots to OneNET as channel pictures (5.1).
type onenetPictures struct {
	client *onenet.Client
	reg    *onenetreg.Registrar
}

func (onenetPictures) Name() string { return "onenet" }

// errNotRegistered: the channel has no platform number yet (the first
// registration is still running); the upload waits.
var errNotRegistered = errors.New("the channel is not registered on OneNET yet")

func (t onenetPictures) Upload(ctx context.Context, it outbox.Item, body io.Reader, size int64) error {
	device, n := t.reg.Channel(it.Channel)
	if n == 0 || device == "" {
		return errNotRegistered
	}
	return t.client.UploadPicture(ctx, onenet.Picture{DeviceID: device, ChannelID: n, Name: it.Name, Desc: it.Meta["desc"], Format: "jpg"}, body, size)
}

func (onenetPictures) Retryable(err error) bool {
	return errors.Is(err, errNotRegistered) || onenet.Retryable(err)
}

func (onenetPictures) AlreadyThere(err error) bool { return errors.Is(err, onenet.ErrDuplicateName) }

// uploads runs the outbox when a cloud takes pictures, and returns the
// hook that queues each snapshot (nil when nothing uploads).
type uploads struct {
	q       *outbox.Queue
	log     *slog.Logger
	records string         // the records folder, whose covers are queued
	loc     *time.Location // the zone of the records' folder and file names

	// pictures are the snapshots and covers to queue: the outbox writes
	// and syncs each to disk, which must not hold up the snapshotter
	// (every channel's pictures are taken in turn on one goroutine).
	pictures chan func()
	dropped  atomic.Uint64 // pictures not queued: more than pictureBacklog waited
	// finished closes once the daemon has stopped: no picture comes after.
	finished chan struct{}
}

// pictureBacklog is how many pictures may wait to be queued; beyond it a
// disk too slow to keep up loses pictures, counted and logged, rather
// than delaying the next ones.
const pictureBacklog = 256

func newUploads(cfg *configs.Config, db *storage.DB, client *onenet.Client, reg *onenetreg.Registrar, log *slog.Logger) (*uploads, error) {
	o := cfg.Cloud.OneNET
	if o == nil || client == nil || reg == nil || o.Upload == nil || !*o.Upload {
		return nil, nil
	}
	spool := filepath.Join(cfg.DataDir, "outbox")
	if err := os.MkdirAll(spool, 0o750); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	q, err := outbox.New(db, outbox.Options{
		Targets: []outbox.Target{onenetPictures{client: client, reg: reg}}, SpoolDir: spool,
		DiskFree: outbox.DiskFreeAt(cfg.DataDir), MinFree: outbox.MinFree{Fraction: cfg.Record.MinFreePercent() / 100},
		Logger: log,
	})
	if err != nil {
		return nil, err
	}
	return &uploads{q: q, log: log, records: filepath.Join(cfg.DataDir, "records"), loc: cfg.Location(),
		pictures: make(chan func(), pictureBacklog), finished: make(chan struct{})}, nil
}

// snapshot is the snapshotter's hook: t is queued by the uploads goroutine.
func (u *uploads) snapshot(t snapshot.Taken) { u.post("snapshot", func() { u.queueSnapshot(t) }) }

// cover is the recorder's cover hook: the cover at path is queued by the
// uploads goroutine.
func (u *uploads) cover(path string) { u.post("cover", func() { u.queueCover(path) }) }

// post hands a picture to the uploads goroutine without waiting.
func (u *uploads) post(kind string, job func()) {
	select {
	case u.pictures <- job:
	default:
		if u.dropped.Add(1)%100 == 1 {
			u.log.Warn(kind+" not queued for upload: the outbox's disk is not keeping up", "waiting", pictureBacklog, "dropped_total", u.dropped.Load())
		}
	}
}

// queueSnapshot queues a picture just taken: the bytes are copied into
// the outbox's spool, so the archive may be deleted before the upload.
func (u *uploads) queueSnapshot(t snapshot.Taken) {
	data, err := os.ReadFile(t.Archive)
	if err != nil {
		u.log.Warn("snapshot not queued for upload", "channel", t.Channel, "err", err)
		return
	}
	it := &outbox.Item{
		Target: "onenet", Kind: outbox.KindSnapshot, Channel: t.Channel,
		Name: outbox.ObjectName(t.Channel, outbox.KindSnapshot, t.Time, ".jpg"),
		Meta: map[string]string{"desc": t.Time.Format("2006-01-02 15:04:05")},
	}
	if err := u.q.EnqueueBytes(it, data); err != nil {
		u.log.Warn("snapshot not queued for upload", "channel", t.Channel, "err", err)
	}
}

// queueCover queues a recording's cover, {records}/{ch}/{YYYY-MM-DD}/{HHMMSS}_{slice}.jpg,
// as a picture named after its slice, so covering a slice again (a
// recovery) names the same picture. The bytes are copied: retention may
// delete the recording before the upload.
func (u *uploads) queueCover(path string) {
	channel, start, slice, err := parseCoverPath(u.records, path, u.loc)
	if err != nil {
		u.log.Warn("cover not queued for upload", "path", path, "err", err)
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		u.log.Warn("cover not queued for upload", "channel", channel, "err", err)
		return
	}
	it := &outbox.Item{
		Target: "onenet", Kind: outbox.KindCover, Channel: channel,
		Name: outbox.ObjectName(channel, outbox.KindCover, start, "_"+strconv.Itoa(slice)+".jpg"),
		Meta: map[string]string{"desc": fmt.Sprintf("%s lesson %s slice %d", channel, start.Format("2006-01-02 15:04:05"), slice)},
	}
	if err := u.q.EnqueueBytes(it, data); err != nil {
		u.log.Warn("cover not queued for upload", "channel", channel, "err", err)
	}
}

// parseCoverPath reads the channel, the slice's start and its number from
// a cover's path under root.
func parseCoverPath(root, path string, loc *time.Location) (channel string, start time.Time, slice int, err error) {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return "", time.Time{}, 0, err
	}
	return recorder.CoverSlice(filepath.ToSlash(rel), loc)
}

// status is the outbox as the dashboard and /metrics show it.
func (u *uploads) status() api.CloudStatus {
	st := api.CloudStatus{Name: "outbox", OK: true}
	stats, err := u.q.Stats()
	if err != nil {
		return api.CloudStatus{Name: "outbox", Error: err.Error()}
	}
	for _, t := range stats {
		st.Detail += fmt.Sprintf("%s: %d waiting (%s), oldest %s, %d sent, %d failed attempts, %d refused, %d dropped; ",
			t.Target, t.Waiting, strconv.FormatInt(t.WaitingBytes, 10)+" B", t.OldestAge.Round(1e9), t.Successes, t.Failures, t.Refusals, sumDrops(t.Drops))
		if t.Waiting > 0 && t.Failures > 0 {
			st.OK = false
		}
	}
	return st
}

func sumDrops(m map[string]uint64) uint64 {
	var n uint64
	for _, v := range m {
		n += v
	}
	return n
}

func (u *uploads) run(ctx context.Context, wg *sync.WaitGroup) {
	wg.Add(2)
	go func() { defer wg.Done(); _ = u.q.Run(ctx) }()
	go func() { defer wg.Done(); u.queuePictures() }()
}

// finish says the daemon has stopped (its snapshotter and recorder with
// it): the pictures still waiting are queued and the goroutine ends.
func (u *uploads) finish() { close(u.finished) }

// queuePictures stores the pictures posted to the outbox until finish,
// then those still waiting, so a stop loses none that was taken.
func (u *uploads) queuePictures() {
	for {
		select {
		case job := <-u.pictures:
			job()
		case <-u.finished:
			for {
				select {
				case job := <-u.pictures:
					job()
				default:
					return
				}
			}
		}
	}
}
