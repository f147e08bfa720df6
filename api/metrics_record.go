package api

import (
	"github.com/prometheus/client_golang/prometheus"
)

// recordCollector reads the recorder's and the snapshotter's counters at
// scrape time.
type recordCollector struct {
	box                                        Box
	active, files, bytes, recoveries, failures *prometheus.Desc
	deleted, diskFree, diskRatio               *prometheus.Desc
	snapsEnabled, snaps, covers                *prometheus.Desc
	openRetries, inPlace, recovering           *prometheus.Desc
}

func newRecordCollector(box Box) *recordCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("lubo_"+name, help, labels, nil)
	}
	return &recordCollector{
		box:          box,
		active:       d("recording_active", "1 while a recording slice of the channel is being written.", "channel"),
		files:        d("record_files_total", "Recording slices finalized into MP4 files."),
		bytes:        d("record_bytes_total", "Bytes written to recordings."),
		recoveries:   d("record_recoveries_total", "Recordings recovered from a .part at start-up (after a crash)."),
		openRetries:  d("record_open_retries_total", "Slice opens refused or failed (the disk below the reserve) and retried."),
		inPlace:      d("record_finalized_in_place_total", "Slices finalized without a copy (too little room for the faststart rewrite)."),
		recovering:   d("record_recovering", "Files of the last run still waiting to be recovered (in the background)."),
		failures:     d("record_failures_total", "Recording failures by reason (disk_full, write_error, unrecordable, finalize_error, empty, no_source).", "reason"),
		deleted:      d("record_deleted_total", "Recordings deleted by retention (min_free, max_age)."),
		diskFree:     d("record_disk_free_bytes", "Free bytes on the disk holding the recordings, at the last retention pass."),
		diskRatio:    d("record_disk_free_ratio", "Free share (0-1) of the disk holding the recordings, at the last retention pass."),
		snapsEnabled: d("snapshots_enabled", "1 when periodic snapshots are on (ffmpeg found, interval > 0)."),
		snaps:        d("snapshots_total", "Periodic snapshots by outcome (taken, failed, skipped, unchanged).", "outcome"),
		covers:       d("record_covers_total", "Recording covers by outcome (taken, failed).", "outcome"),
	}
}

func (c *recordCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.active, c.files, c.bytes, c.recoveries, c.failures, c.deleted,
		c.diskFree, c.diskRatio, c.snapsEnabled, c.snaps, c.covers, c.openRetries, c.inPlace, c.recovering} {
		ch <- d
	}
}

func (c *recordCollector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v uint64, l ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), l...)
	}
	gauge := func(d *prometheus.Desc, v float64, l ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, l...)
	}
	if rec := c.box.Recorder(); rec != nil {
		st := rec.Stats()
		for _, info := range c.box.Channels() {
			gauge(c.active, b2f(st.Recording[info.ID]), info.ID)
		}
		counter(c.files, st.FilesWritten)
		counter(c.bytes, st.BytesWritten)
		counter(c.recoveries, st.Recoveries)
		counter(c.deleted, st.Deleted)
		counter(c.openRetries, st.OpenRetries)
		counter(c.inPlace, st.FinalizedInPlace)
		gauge(c.recovering, float64(st.Recovering))
		for reason, n := range st.Failures {
			counter(c.failures, n, reason)
		}
		if st.DiskTotal > 0 {
			gauge(c.diskFree, float64(st.DiskFree))
			gauge(c.diskRatio, float64(st.DiskFree)/float64(st.DiskTotal))
		}
	}
	if snaps := c.box.Snapshots(); snaps != nil {
		st := snaps.Stats()
		gauge(c.snapsEnabled, b2f(st.Enabled))
		counter(c.snaps, st.Taken, "taken")
		counter(c.snaps, st.Failed, "failed")
		counter(c.snaps, st.Skipped, "skipped")
		counter(c.snaps, st.Unchanged, "unchanged")
		counter(c.covers, st.CoversTaken, "taken")
		counter(c.covers, st.CoversFailed, "failed")
	} else {
		gauge(c.snapsEnabled, 0)
	}
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
