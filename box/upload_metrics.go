package box

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/lubo-edge/lubo/cloud/outbox"
)

// outboxCollector reports the upload outbox per target at scrape time.
type outboxCollector struct {
	q                                      *outbox.Queue
	notQueued                              func() uint64 // pictures lost before the queue: it fell behind
	waiting, waitingBytes, refused, oldest *prometheus.Desc
	delivered, failed, refusals, dropped   *prometheus.Desc
	picturesNotQueued                      *prometheus.Desc
	scrapeErrors                           prometheus.Counter
}

func newOutboxCollector(q *outbox.Queue, notQueued func() uint64) *outboxCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("lubo_outbox_"+name, help, append([]string{"target"}, labels...), nil)
	}
	return &outboxCollector{
		q:         q,
		notQueued: notQueued,
		picturesNotQueued: prometheus.NewDesc("lubo_outbox_pictures_not_queued_total",
			"Snapshots and covers never queued since start: more were waiting than the outbox's disk could take.", nil, nil),
		waiting:      d("waiting_items", "Items waiting to be uploaded (queue depth)."),
		waitingBytes: d("waiting_bytes", "Bytes of the items waiting to be uploaded."),
		refused:      d("refused_items", "Items set aside after the target refused them for good."),
		oldest:       d("oldest_age_seconds", "Age of the oldest waiting item; 0 when none waits."),
		delivered:    d("delivered_total", "Items delivered since start (duplicates the target already had included)."),
		failed:       d("failed_attempts_total", "Upload attempts that failed and will be retried, since start."),
		refusals:     d("refusals_total", "Upload attempts refused for good, since start."),
		dropped:      d("dropped_total", "Items dropped since start, by reason (space, vanished, operator).", "reason"),
		scrapeErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "lubo_outbox_stats_errors_total", Help: "Scrapes that could not read the outbox."}),
	}
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.waiting, c.waitingBytes, c.refused, c.oldest, c.delivered, c.failed, c.refusals, c.dropped, c.picturesNotQueued} {
		ch <- d
	}
	c.scrapeErrors.Describe(ch)
}

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	defer c.scrapeErrors.Collect(ch)
	ch <- prometheus.MustNewConstMetric(c.picturesNotQueued, prometheus.CounterValue, float64(c.notQueued()))
	stats, err := c.q.Stats()
	if err != nil {
		c.scrapeErrors.Inc()
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	for _, t := range stats {
		gauge(c.waiting, float64(t.Waiting), t.Target)
		gauge(c.waitingBytes, float64(t.WaitingBytes), t.Target)
		gauge(c.refused, float64(t.Refused), t.Target)
		gauge(c.oldest, t.OldestAge.Seconds(), t.Target)
		counter(c.delivered, t.Successes, t.Target)
		counter(c.failed, t.Failures, t.Target)
		counter(c.refusals, t.Refusals, t.Target)
		for _, reason := range []string{outbox.DropSpace, outbox.DropVanished, outbox.DropOperator} {
			counter(c.dropped, t.Drops[reason], t.Target, reason)
		}
	}
}
