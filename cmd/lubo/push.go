package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

const pushUsage = `usage:
  lubo push start -channel ID -url rtmp://host[:port]/app/stream [-addr http://127.0.0.1:8080] [-config FILE]
  lubo push stop  -channel ID -url rtmp://host[:port]/app/stream [-addr http://127.0.0.1:8080] [-config FILE]
  lubo push list  [-addr http://127.0.0.1:8080] [-config FILE]
` + daemonFlagsUsage

// cmdPush starts, stops and lists the RTMP pushes of a running lubo through
// its HTTP API. Answers are the API's JSON, with stream keys redacted; the
// URL travels in the request body, out of access logs.
func cmdPush(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "start" && args[0] != "stop" && args[0] != "list") {
		fmt.Fprint(stderr, pushUsage)
		return 2
	}
	verb := args[0]
	fs := flag.NewFlagSet("push "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	df := addDaemonFlags(fs)
	var channel, ingest string
	if verb != "list" {
		fs.StringVar(&channel, "channel", "", "channel id (required)")
		fs.StringVar(&ingest, "url", "", "RTMP ingest, rtmp://host[:port]/app/stream[?query] (required)")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "lubo push %s: unexpected argument %q\n%s", verb, fs.Arg(0), pushUsage)
		return 2
	}
	if verb != "list" && (channel == "" || ingest == "") {
		fmt.Fprintf(stderr, "lubo push %s: -channel and -url are required\n%s", verb, pushUsage)
		return 2
	}
	conn, err := df.connect(30 * time.Second) // a stop waits for the connection to close
	if err != nil {
		fmt.Fprintf(stderr, "lubo push %s: %v\n", verb, err)
		return 1
	}
	var resp *http.Response
	if verb == "list" {
		resp, err = conn.do(http.MethodGet, "/api/push", "", nil)
	} else {
		form := url.Values{"channel": {channel}, "url": {ingest}}
		resp, err = conn.do(http.MethodPost, "/api/push/"+verb, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	}
	// An error quotes the daemon's address only: the ingest URL went in
	// the body.
	code := daemonAnswer("push "+verb, resp, err, 16<<20, *df.addr+" has no push API; is it lubo, and recent enough?", stdout, stderr)
	conn.explain401(resp, stderr)
	return code
}
