package push

import "github.com/prometheus/client_golang/prometheus"

// collector turns List into Prometheus samples at scrape time.
type collector struct {
	m                                    *Manager
	bytes, frames, drops, reconnects, up *prometheus.Desc
}

// Collector gives the pushes' metrics, labelled by channel and the
// redacted url of Status (never a stream key):
//
//	lubo_push_bytes_total, lubo_push_frames_total,
//	lubo_push_dropped_frames_total, lubo_push_reconnects_total (counters)
//	lubo_push_up (1 while pushing, else 0)
func (m *Manager) Collector() prometheus.Collector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("lubo_push_"+name, help, []string{"channel", "url"}, nil)
	}
	return &collector{
		m:          m,
		bytes:      desc("bytes_total", "Media payload bytes handed to the ingest connection."),
		frames:     desc("frames_total", "Frames handed to the ingest connection."),
		drops:      desc("dropped_frames_total", "Frames dropped because the ingest was slower than the channel (whole GOPs)."),
		reconnects: desc("reconnects_total", "Ingest connections made again after a failure or a codec change."),
		up:         desc("up", "1 while the ingest accepts the push, else 0."),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.bytes, c.frames, c.drops, c.reconnects, c.up} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	for _, st := range c.m.List() {
		send := func(d *prometheus.Desc, t prometheus.ValueType, v float64) {
			// Labels are valid UTF-8 (Redact makes them so); an error
			// here would be a bug, not worth a panic in a scrape.
			if m, err := prometheus.NewConstMetric(d, t, v, st.Channel, st.URL); err == nil {
				ch <- m
			}
		}
		counter := func(d *prometheus.Desc, v uint64) { send(d, prometheus.CounterValue, float64(v)) }
		counter(c.bytes, st.Bytes)
		counter(c.frames, st.Frames)
		counter(c.drops, st.Drops)
		counter(c.reconnects, st.Reconnects)
		up := 0.0
		if st.State == Pushing {
			up = 1
		}
		send(c.up, prometheus.GaugeValue, up)
	}
}
