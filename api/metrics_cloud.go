package api

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	timeNow   = time.Now
	timeSince = time.Since
)

// cloudCollector reports each cloud connection's state, the config file's
// and the RTSP listener's at scrape time.
type cloudCollector struct {
	configStale                           *prometheus.Desc
	rtspOpen, rtspRefused, rtspIdleClosed *prometheus.Desc
	box                                   Box
	up, lastSync, failures                *prometheus.Desc
	staleSeconds                          *prometheus.Desc
}

func newCloudCollector(box Box) *cloudCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("lubo_cloud_"+name, help, []string{"cloud"}, nil)
	}
	return &cloudCollector{
		rtspOpen:       prometheus.NewDesc("lubo_rtsp_connections", "RTSP connections held now.", nil, nil),
		rtspRefused:    prometheus.NewDesc("lubo_rtsp_connections_refused_total", "RTSP connections closed on arrival: over the limit.", nil, nil),
		rtspIdleClosed: prometheus.NewDesc("lubo_rtsp_connections_idle_closed_total", "RTSP connections closed for saying nothing before playing.", nil, nil),
		configStale:    prometheus.NewDesc("lubo_config_stale", "1 while the config file on disk has problems and the last good version runs.", nil, nil),
		box:            box,
		up:             d("up", "1 when the last attempt to reach the cloud succeeded."),
		lastSync:       d("last_sync_timestamp_seconds", "Unix time of the last successful sync; 0 if never."),
		failures:       d("failures_total", "Failed attempts to reach the cloud since start."),
		staleSeconds:   d("not_synced_seconds", "Seconds since the last successful sync (since start if never)."),
	}
}

func (c *cloudCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.lastSync, c.failures, c.staleSeconds, c.configStale, c.rtspOpen, c.rtspRefused, c.rtspIdleClosed} {
		ch <- d
	}
}

func (c *cloudCollector) Collect(ch chan<- prometheus.Metric) {
	stale := 0.0
	if c.box.ConfigFile().Stale {
		stale = 1
	}
	ch <- prometheus.MustNewConstMetric(c.configStale, prometheus.GaugeValue, stale)
	rc := c.box.RTSPConns()
	ch <- prometheus.MustNewConstMetric(c.rtspOpen, prometheus.GaugeValue, float64(rc.Open))
	ch <- prometheus.MustNewConstMetric(c.rtspRefused, prometheus.CounterValue, float64(rc.Refused))
	ch <- prometheus.MustNewConstMetric(c.rtspIdleClosed, prometheus.CounterValue, float64(rc.IdleClosed))
	for _, st := range c.box.Clouds() {
		up, last, stale := 0.0, 0.0, 0.0
		if st.OK {
			up = 1
		}
		if !st.LastSync.IsZero() {
			last = float64(st.LastSync.UnixNano()) / 1e9
			stale = timeSince(st.LastSync).Seconds()
		} else {
			stale = timeSince(started).Seconds()
		}
		ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up, st.Name)
		ch <- prometheus.MustNewConstMetric(c.lastSync, prometheus.GaugeValue, last, st.Name)
		ch <- prometheus.MustNewConstMetric(c.failures, prometheus.CounterValue, float64(st.Failures), st.Name)
		ch <- prometheus.MustNewConstMetric(c.staleSeconds, prometheus.GaugeValue, stale, st.Name)
	}
}

// started is when the process began, for "never synced" durations.
var started = timeNow()
