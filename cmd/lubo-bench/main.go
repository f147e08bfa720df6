// Command lubo-bench measures lubo as a whole: it starts the fake camera with
// N copies of one clip, lubo with N channels pulling them, an HTTP-FLV viewer
// and an HLS player per channel, and reports CPU cores, RSS per channel and
// dropped frames over the run. With -record it then gives every channel a
// manual recording (through the HTTP API) and measures again, so the cost of
// recording shows beside the relay-only figures. `make bench` runs it.
package main

import (
	"bufio"
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	luboBin := flag.String("lubo", "bin/lubo", "lubo binary")
	camBin := flag.String("fakecam", "bin/lubo-fakecam", "fake camera binary")
	clip := flag.String("clip", "testdata/h264_1080p.mp4", "clip each camera loops")
	counts := flag.String("channels", "16", "channels; a comma-separated list (16,48) runs each in turn")
	dur := flag.Duration("duration", 60*time.Second, "measured time")
	warm := flag.Duration("warmup", 5*time.Second, "time before measuring")
	record := flag.Bool("record", false, "then record every channel and measure again")
	gogc := flag.String("gogc", "", "GOGC for lubo (default: lubo's own)")
	phases := flag.Int("phases", 8, "fake camera processes, started -gop/phases apart, so the channels' keyframes are not all at the same instant (1: one process, all in step)")
	gop := flag.Duration("gop", 2*time.Second, "the clip's keyframe interval, over which -phases spreads the cameras")
	flag.Parse()
	cfg := benchConfig{luboBin: *luboBin, camBin: *camBin, clip: *clip, dur: *dur, warm: *warm, record: *record,
		gogc: *gogc, phases: max(*phases, 1), gop: *gop}
	var ns []int
	for _, s := range strings.Split(*counts, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "lubo-bench: -channels %q: want numbers like 16 or 16,48\n", *counts)
			os.Exit(2)
		}
		ns = append(ns, n)
	}
	for i, n := range ns {
		if i > 0 {
			fmt.Println()
		}
		if err := run(cfg, n); err != nil {
			fmt.Fprintln(os.Stderr, "lubo-bench:", err)
			os.Exit(1)
		}
	}
}

// benchConfig is what the flags ask for.
type benchConfig struct {
	luboBin, camBin, clip string
	dur, warm, gop        time.Duration
	record                bool
	gogc                  string
	phases                int
}

func run(c benchConfig, n int) error {
	luboBin, clip, dur, warm, record, gogc := c.luboBin, c.clip, c.dur, c.warm, c.record, c.gogc
	if _, err := os.Stat(clip); err != nil {
		return fmt.Errorf("clip: %w (make it with: bash testdata/make.sh bench)", err)
	}
	dir, err := os.MkdirTemp("", "lubo-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// Classroom cameras are not in step: each fake camera process starts
	// its streams when it starts, so channels are dealt to c.phases
	// processes started a fraction of a GOP apart. In step, every channel's
	// GOP cache would be full at the same instant, a peak no school sees.
	phases := min(c.phases, n)
	camPorts := make([]int, phases)
	var camPids []int
	for p := range phases {
		camPorts[p] = freePort()
		camArgs := []string{"-rtsp", fmt.Sprintf("127.0.0.1:%d", camPorts[p])}
		for i := p; i < n; i += phases {
			camArgs = append(camArgs, fmt.Sprintf("cam%d=%s", i, clip))
		}
		if p > 0 {
			time.Sleep(c.gop / time.Duration(phases))
		}
		cam := exec.CommandContext(ctx, c.camBin, camArgs...)
		cam.Stderr = io.Discard
		if err := cam.Start(); err != nil {
			return fmt.Errorf("fake camera: %w", err)
		}
		defer func() { cancel(); cam.Wait() }() // cancel kills it
		camPids = append(camPids, cam.Process.Pid)
	}
	httpPort := freePort()
	time.Sleep(time.Second)

	var cfg strings.Builder
	// Periodic snapshots are off so both phases do the same besides
	// recording (a round every 2 min would land in one phase only).
	fmt.Fprintf(&cfg, "data_dir: %s\nhttp: {listen: \"127.0.0.1:%d\"}\nrtsp: {listen: \"127.0.0.1:%d\"}\nlog: {level: warn}\nrecord: {snapshot_interval: 0s}\nchannels:\n", dir, httpPort, freePort())
	for i := range n {
		fmt.Fprintf(&cfg, "  - {id: c%d, source: \"rtsp://127.0.0.1:%d/cam%d\", on_demand: false}\n", i, camPorts[i%phases], i)
	}
	cfgPath := filepath.Join(dir, "lubo.yaml")
	if err := os.WriteFile(cfgPath, []byte(cfg.String()), 0o644); err != nil {
		return err
	}
	lubo := exec.CommandContext(ctx, luboBin, "run", "-config", cfgPath)
	lubo.Env = append(os.Environ(), "GODEBUG="+withGCTrace(os.Getenv("GODEBUG")))
	if gogc != "" {
		lubo.Env = append(lubo.Env, "GOGC="+gogc)
	}
	stderr, err := lubo.StderrPipe()
	if err != nil {
		return err
	}
	trace := &gcTrace{}
	if err := lubo.Start(); err != nil {
		return fmt.Errorf("lubo: %w", err)
	}
	traceDone := make(chan struct{})
	go func() { defer close(traceDone); trace.follow(stderr, os.Stderr) }()
	// Wait reads nothing more once the pipe is drained.
	defer func() { cancel(); <-traceDone; lubo.Wait() }()
	base := fmt.Sprintf("http://127.0.0.1:%d", httpPort)
	if err := waitHTTP(base + "/healthz"); err != nil {
		return err
	}

	var flvBytes, hlsBytes atomic.Int64
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(2)
		go func() { defer wg.Done(); viewFLV(ctx, fmt.Sprintf("%s/live/c%d.flv", base, i), &flvBytes) }()
		go func() { defer wg.Done(); playHLS(ctx, fmt.Sprintf("%s/hls/c%d", base, i), &hlsBytes) }()
	}
	time.Sleep(warm)

	pid := lubo.Process.Pid
	relayOnly := measure(base, pid, camPids, dur, &flvBytes, &hlsBytes, trace)
	var rec phase
	if record {
		if err := startRecordings(base, n, warm+dur+time.Minute); err != nil {
			return err
		}
		time.Sleep(warm)
		rec = measure(base, pid, camPids, dur, &flvBytes, &hlsBytes, trace)
	}

	// First byte for a channel that is already running (cached GOP).
	var firsts []time.Duration
	for i := range min(n, 8) {
		firsts = append(firsts, firstByte(fmt.Sprintf("%s/live/c%d.flv", base, i)))
	}
	cancel()
	wg.Wait()

	fmt.Printf("channels:            %d x %s (GOGC=%s; cameras in %d phases over %v)\n", n, filepath.Base(clip), cmp.Or(gogc, "lubo's default"), phases, c.gop)
	relayOnly.print("relay only", n)
	if record {
		rec.print("relay + recording", n)
		fmt.Printf("recording adds:      %+.0f%% cpu, %+.2f MB rss per channel\n",
			(rec.cores/relayOnly.cores-1)*100, (rec.peakRSS-relayOnly.peakRSS)/1e6/float64(n))
	}
	fmt.Printf("first flv byte:      %v\n", firsts)
	return nil
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func waitHTTP(url string) error {
	for range 100 {
		if r, err := http.Get(url); err == nil {
			r.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer", url)
}

func viewFLV(ctx context.Context, url string, n *atomic.Int64) {
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	buf := make([]byte, 64<<10)
	for {
		k, err := resp.Body.Read(buf)
		n.Add(int64(k))
		if err != nil {
			return
		}
	}
}

// playHLS polls the playlist like a player and fetches each new segment.
func playHLS(ctx context.Context, base string, n *atomic.Int64) {
	seen := map[string]bool{}
	for ctx.Err() == nil {
		body, err := get(ctx, base+"/index.m3u8")
		if err == nil {
			for _, line := range strings.Split(string(body), "\n") {
				if strings.HasSuffix(line, ".ts") && !seen[line] {
					seen[line] = true
					seg, err := get(ctx, base+"/"+line)
					if err == nil {
						n.Add(int64(len(seg)))
					}
				}
			}
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func get(ctx context.Context, url string) ([]byte, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func firstByte(url string) time.Duration {
	start := time.Now()
	resp, err := http.Get(url)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var b [1]byte
	if _, err := resp.Body.Read(b[:]); err != nil {
		return -1
	}
	return time.Since(start).Round(100 * time.Microsecond)
}

// cpuTimes adds up the CPU time of several processes.
func cpuTimes(pids []int) time.Duration {
	var t time.Duration
	for _, p := range pids {
		t += cpuTime(p)
	}
	return t
}

// cpuTime is the process's user+system CPU time from /proc.
func cpuTime(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(fields[11], 10, 64)
	st, _ := strconv.ParseInt(fields[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

func rssBytes(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// metricSum adds up every sample of a metric family on /metrics.
func metricSum(base, name string) float64 {
	body, err := get(context.Background(), base+"/metrics")
	if err != nil {
		return -1
	}
	sum := 0.0
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, name+"{") || strings.HasPrefix(line, name+" ") {
			f := strings.Fields(line)
			v, _ := strconv.ParseFloat(f[len(f)-1], 64)
			sum += v
		}
	}
	return sum
}

// phase is what one measured period showed.
type phase struct {
	wall, cores, camCores, peakRSS float64
	inRate, flvRate, hlsRate       float64 // Mbit/s
	drops, hlsDrops                float64
	recBytes                       float64
	peakMem                        smaps // at the RSS peak
	gc                             gcFigures
	rt                             goRuntime // at the end of the period
}

// measure watches lubo for dur while the viewers run.
func measure(base string, pid int, camPids []int, dur time.Duration, flvBytes, hlsBytes *atomic.Int64, trace *gcTrace) phase {
	trace.reset()
	cpu0, camCPU0, t0 := cpuTime(pid), cpuTimes(camPids), time.Now()
	in0 := metricSum(base, "lubo_received_bytes_total")
	flv0, hls0 := flvBytes.Load(), hlsBytes.Load()
	drop0 := metricSum(base, "lubo_dropped_frames_total")
	rec0 := metricSum(base, "lubo_record_bytes_total")
	var p phase
	for end := time.Now().Add(dur); time.Now().Before(end); time.Sleep(time.Second) {
		if m := readSmaps(pid); m.rss > p.peakMem.rss {
			p.peakMem = m
		}
		p.peakRSS = max(p.peakRSS, float64(rssBytes(pid)))
	}
	p.gc = trace.snapshot()
	p.rt = scrapeRuntime(base)
	cpu1, camCPU1, t1 := cpuTime(pid), cpuTimes(camPids), time.Now()
	p.wall = t1.Sub(t0).Seconds()
	p.cores = (cpu1 - cpu0).Seconds() / p.wall
	p.camCores = (camCPU1 - camCPU0).Seconds() / p.wall
	p.inRate = (metricSum(base, "lubo_received_bytes_total") - in0) * 8 / p.wall / 1e6
	p.flvRate = float64(flvBytes.Load()-flv0) * 8 / p.wall / 1e6
	p.hlsRate = float64(hlsBytes.Load()-hls0) * 8 / p.wall / 1e6
	p.drops = metricSum(base, "lubo_dropped_frames_total") - drop0
	p.hlsDrops = metricSum(base, "lubo_hls_dropped_frames_total")
	p.recBytes = metricSum(base, "lubo_record_bytes_total") - rec0
	return p
}

func (p phase) print(name string, n int) {
	fmt.Printf("--- %s: %.0f s\n", name, p.wall)
	fmt.Printf("cpu:                 %.3f cores (%.4f per channel)\n", p.cores, p.cores/float64(n))
	fmt.Printf("rss peak:            %.1f MB (%.2f MB per channel)\n", p.peakRSS/1e6, p.peakRSS/1e6/float64(n))
	fmt.Printf("ingest:              %.1f Mbit/s (fake camera used %.3f cores)\n", p.inRate, p.camCores)
	fmt.Printf("flv out:             %.1f Mbit/s\n", p.flvRate)
	fmt.Printf("hls out:             %.1f Mbit/s\n", p.hlsRate)
	if p.recBytes > 0 {
		fmt.Printf("recorded:            %.1f Mbit/s to disk\n", p.recBytes*8/p.wall/1e6)
	}
	fmt.Printf("dropped frames:      %.0f (readers), %.0f (hls cannot carry)\n", p.drops, p.hlsDrops)
	per := func(b float64) float64 { return b / 1e6 / float64(n) }
	m := p.peakMem
	fmt.Printf("at the rss peak:     %.1f MB anonymous (%.2f per channel), %.1f MB files (the binary)\n", m.anon/1e6, per(m.anon), m.file/1e6)
	fmt.Printf("go heap (gctrace):   %d GCs, live after GC peak %.1f MB (%.2f per channel), last %.1f MB, goal peak %.1f MB\n",
		p.gc.gcs, p.gc.peakLive, p.gc.peakLive/float64(n), p.gc.lastLive, p.gc.peakGoal)
	fmt.Printf("gc cpu (gctrace):    %.3f cores (%.0f%% of lubo's)\n", p.gc.cpuMS/1e3/p.wall, 100*p.gc.cpuMS/1e3/p.wall/p.cores)
	fmt.Printf("go runtime (end):    heap in use %.1f MB, stacks %.1f MB (%.0f goroutines, %.1f per channel), sys %.1f MB\n",
		p.rt.heapInuse/1e6, p.rt.stackInuse/1e6, p.rt.goroutines, p.rt.goroutines/float64(n), p.rt.sys/1e6)
}

// startRecordings gives every channel a manual recording through the API.
func startRecordings(base string, n int, d time.Duration) error {
	for i := range n {
		url := fmt.Sprintf("%s/api/record/start?channel=c%d&duration=%s", base, i, d.Round(time.Second))
		resp, err := http.Post(url, "", nil)
		if err != nil {
			return fmt.Errorf("start recording c%d: %w", i, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("start recording c%d: %s: %s", i, resp.Status, body)
		}
	}
	return nil
}
