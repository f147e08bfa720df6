package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const recordUsage = `usage:
  lubo record start -channel ID [-duration 45m] [-addr http://127.0.0.1:8080] [-config FILE]
  lubo record stop  -channel ID [-addr http://127.0.0.1:8080] [-config FILE]
` + daemonFlagsUsage

// cmdRecord starts or stops a manual recording through a running lubo's
// HTTP API.
func cmdRecord(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "start" && args[0] != "stop") {
		fmt.Fprint(stderr, recordUsage)
		return 2
	}
	what := args[0]
	fs := flag.NewFlagSet("record "+what, flag.ContinueOnError)
	fs.SetOutput(stderr)
	channel := fs.String("channel", "", "channel id (required)")
	df := addDaemonFlags(fs)
	dur := ""
	if what == "start" {
		fs.StringVar(&dur, "duration", "", "how long to record, like 45m or 1h30m (default 45m)")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *channel == "" {
		fmt.Fprintf(stderr, "lubo record %s: -channel is required\n%s", what, recordUsage)
		return 2
	}
	q := url.Values{"channel": {*channel}}
	if dur != "" {
		q.Set("duration", dur)
	}
	conn, err := df.connect(10 * time.Second)
	if err != nil {
		fmt.Fprintf(stderr, "lubo record %s: %v\n", what, err)
		return 1
	}
	resp, err := conn.do(http.MethodPost, "/api/record/"+what+"?"+q.Encode(), "", nil)
	if err != nil {
		fmt.Fprintf(stderr, "lubo record %s: %v\n", what, err)
		return 1
	}
	defer resp.Body.Close()
	defer conn.explain401(resp, stderr)
	var body struct {
		Error   string `json:"error"`
		Session struct {
			ID      string    `json:"id"`
			Channel string    `json:"channel"`
			End     time.Time `json:"end"`
		} `json:"session"`
	}
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err := json.Unmarshal(raw, &body); err != nil {
		fmt.Fprintf(stderr, "lubo record %s: %s: %s\n", what, resp.Status, strings.TrimSpace(string(raw)))
		return 1
	}
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintf(stderr, "lubo record %s: %s\n", what, body.Error)
		return 1
	}
	if what == "start" {
		fmt.Fprintf(stdout, "recording %s until %s (session %s)\n", *channel, body.Session.End.Format(time.DateTime), body.Session.ID)
	} else {
		fmt.Fprintf(stdout, "stopping the recording of %s at the next keyframe\n", *channel)
	}
	return 0
}
