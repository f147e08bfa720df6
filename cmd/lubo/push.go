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
  lubo push start -channel ID -url rtmp://host[:port]/app/stream [-addr http://127.0.0.1:8080]
  lubo push stop  -channel ID -url rtmp://host[:port]/app/stream [-addr http://127.0.0.1:8080]
  lubo push list  [-addr http://127.0.0.1:8080]
`

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
	addr := fs.String("addr", "http://127.0.0.1:8080", "lubo's HTTP address")
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
	base := strings.TrimSuffix(*addr, "/") + "/api/push"
	client := &http.Client{Timeout: 30 * time.Second} // a stop waits for the connection to close
	var resp *http.Response
	var err error
	if verb == "list" {
		resp, err = client.Get(base)
	} else {
		form := url.Values{"channel": {channel}, "url": {ingest}}
		resp, err = client.PostForm(base+"/"+verb, form)
	}
	// An error quotes the daemon's address only: the ingest URL went in
	// the body.
	return daemonAnswer("push "+verb, resp, err, 16<<20, *addr+" has no push API; is it lubo, and recent enough?", stdout, stderr)
}
