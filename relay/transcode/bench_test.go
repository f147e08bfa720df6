package transcode

import (
	"context"
	"os/exec"
	"slices"
	"testing"
	"time"
)

// BenchmarkEncoderRealtime measures one encoder process fed like a live
// camera: 20 ms G.711 packets in real time for 10 s. It reports the CPU the
// process used per second of sound, and how long after the input that
// completes an access unit was fed the unit came out (median and 95th
// percentile, after the first second, so the latency pictures are held
// back for), and the time from start to the first unit. Run it with
// -benchtime=1x; each iteration takes 10 s.
func BenchmarkEncoderRealtime(b *testing.B) {
	ffmpeg, err := exec.LookPath("ffmpeg")
	if err != nil {
		b.Fatal(err)
	}
	const (
		seconds = 10
		packet  = 160 // 20 ms at 8 kHz
	)
	spec := encoderSpec{ffmpeg: ffmpeg, codecIn: "alaw", inRate: 8000, channels: 1, outRate: 48000,
		bitrate: 32000, queue: 256, out: mono48k}
	var lat, startup []time.Duration
	var cpu time.Duration
	for b.Loop() {
		begun := time.Now()
		enc, err := startEncoder(context.Background(), spec)
		if err != nil {
			b.Fatal(err)
		}
		fedAt := make([]time.Time, 0, seconds*50) // when input packet i was queued
		arrivals := make(chan time.Time, 1024)
		go func() {
			defer close(arrivals)
			for {
				select {
				case <-enc.out:
					arrivals <- time.Now()
				case <-enc.done:
					for range len(enc.out) {
						<-enc.out
						arrivals <- time.Now()
					}
					return
				}
			}
		}()
		tick := time.NewTicker(20 * time.Millisecond)
		data := make([]byte, packet)
		for i := range data {
			data[i] = byte(i * 7)
		}
		for range seconds * 50 {
			<-tick.C
			enc.feed(data)
			fedAt = append(fedAt, time.Now())
		}
		tick.Stop()
		enc.closeInput()
		<-enc.done
		k := 0
		for at := range arrivals {
			// Unit k (k ≥ 1) ends with output sample k*1024, input sample
			// k*1024/6, which came in packet (k*1024/6 - 1)/160.
			if k == 0 {
				startup = append(startup, at.Sub(begun))
			}
			// The first second absorbs the process's start.
			if p := (k*1024/6 - 1) / packet; k >= 1 && p >= 50 && p < len(fedAt) {
				lat = append(lat, at.Sub(fedAt[p]))
			}
			k++
		}
		if st := enc.cmd.ProcessState; st != nil {
			cpu += st.UserTime() + st.SystemTime()
		}
	}
	slices.Sort(lat)
	if len(lat) == 0 {
		b.Fatal("no access units")
	}
	slices.Sort(startup)
	b.ReportMetric(float64(startup[len(startup)/2])/1e6, "ms-to-first-unit")
	b.ReportMetric(float64(lat[len(lat)/2])/1e6, "ms-median-latency")
	b.ReportMetric(float64(lat[len(lat)*95/100])/1e6, "ms-p95-latency")
	b.ReportMetric(100*cpu.Seconds()/float64(b.N*seconds), "%cpu-per-channel")
}
