package api

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/lubo-edge/lubo/relay"
)

// channelCollector reads the channels' own counters at scrape time, so the
// frame path never touches Prometheus.
type channelCollector struct {
	box                                             Box
	up, bytes, frames, reconnects, readers, dropped *prometheus.Desc
	sessions, hlsActive, hlsSegments, hlsDropped    *prometheus.Desc
}

func newChannelCollector(box Box) *channelCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("lubo_"+name, help, append([]string{"channel", "stream"}, labels...), nil)
	}
	return &channelCollector{
		box:         box,
		up:          d("source_up", "1 while the channel's source is connected and delivering."),
		bytes:       d("received_bytes_total", "Payload bytes received from the source."),
		frames:      d("received_frames_total", "Frames received from the source."),
		sessions:    d("source_sessions_total", "Source sessions that delivered tracks."),
		reconnects:  d("source_reconnects_total", "Source failures followed by a reconnect."),
		readers:     d("readers", "Readers attached: viewers, HLS, RTSP, recorder."),
		dropped:     d("dropped_frames_total", "Frames slow readers lost (they resume at the next keyframe)."),
		hlsActive:   d("hls_active", "1 while the channel's HLS output is running."),
		hlsSegments: d("hls_segments_total", "HLS segments produced."),
		hlsDropped:  d("hls_dropped_frames_total", "Frames HLS (MPEG-TS) could not carry.", "reason"),
	}
}

func (c *channelCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.up, c.bytes, c.frames, c.sessions, c.reconnects, c.readers, c.dropped, c.hlsActive, c.hlsSegments, c.hlsDropped} {
		ch <- d
	}
}

func (c *channelCollector) Collect(ch chan<- prometheus.Metric) {
	for _, info := range c.box.Channels() {
		for _, s := range streamsOf(info) {
			st := s.stream.Stats()
			up := 0.0
			if st.Up.Load() {
				up = 1
			}
			l := []string{info.ID, s.kind}
			ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up, l...)
			ch <- prometheus.MustNewConstMetric(c.bytes, prometheus.CounterValue, float64(st.BytesIn.Load()), l...)
			ch <- prometheus.MustNewConstMetric(c.frames, prometheus.CounterValue, float64(st.FramesIn.Load()), l...)
			ch <- prometheus.MustNewConstMetric(c.sessions, prometheus.CounterValue, float64(st.Sessions.Load()), l...)
			ch <- prometheus.MustNewConstMetric(c.reconnects, prometheus.CounterValue, float64(st.Reconnects.Load()), l...)
			ch <- prometheus.MustNewConstMetric(c.readers, prometheus.GaugeValue, float64(s.stream.ReaderCount()), l...)
			ch <- prometheus.MustNewConstMetric(c.dropped, prometheus.CounterValue, float64(st.Dropped.Load()), l...)
		}
		l := []string{info.ID, "live"}
		active := 0.0
		if info.HLS.Active {
			active = 1
		}
		ch <- prometheus.MustNewConstMetric(c.hlsActive, prometheus.GaugeValue, active, l...)
		ch <- prometheus.MustNewConstMetric(c.hlsSegments, prometheus.CounterValue, float64(info.HLS.Segments), l...)
		for reason, n := range info.HLS.Dropped {
			ch <- prometheus.MustNewConstMetric(c.hlsDropped, prometheus.CounterValue, float64(n), append(l, reason)...)
		}
	}
}

type namedStream struct {
	kind   string
	stream *relay.Stream
}

// streamsOf lists a channel's streams: "main", plus "sub" on a dual-stream
// channel.
func streamsOf(info ChannelInfo) []namedStream {
	out := []namedStream{{"main", info.Main}}
	if info.Live != nil && info.Live != info.Main {
		out = append(out, namedStream{"sub", info.Live})
	}
	return out
}
