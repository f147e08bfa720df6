package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

const outboxUsage = `usage:
  lubo outbox list               [-addr http://127.0.0.1:8080] [-config FILE]   queued uploads (JSON)
  lubo outbox retry -id N|all    [-addr http://127.0.0.1:8080] [-config FILE]   retry now
  lubo outbox drop -id N         [-addr http://127.0.0.1:8080] [-config FILE]   give up one upload
` + daemonFlagsUsage

// cmdOutbox shows and steers the upload outbox of a running lubo (the
// database has one owner, so this goes through its HTTP API).
func cmdOutbox(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "list" && args[0] != "retry" && args[0] != "drop") {
		fmt.Fprint(stderr, outboxUsage)
		return 2
	}
	verb := args[0]
	fs := flag.NewFlagSet("outbox "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	df := addDaemonFlags(fs)
	id := ""
	if verb != "list" {
		fs.StringVar(&id, "id", "", "item id from lubo outbox list (retry also takes all)")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if verb != "list" && id == "" {
		fmt.Fprintf(stderr, "lubo outbox %s: -id is required\n%s", verb, outboxUsage)
		return 2
	}
	conn, err := df.connect(10 * time.Second)
	if err != nil {
		fmt.Fprintf(stderr, "lubo outbox %s: %v\n", verb, err)
		return 1
	}
	var resp *http.Response
	if verb == "list" {
		resp, err = conn.do(http.MethodGet, "/api/outbox", "", nil)
	} else {
		resp, err = conn.do(http.MethodPost, "/api/outbox/"+verb+"?"+url.Values{"id": {id}}.Encode(), "", nil)
	}
	code := daemonAnswer("outbox "+verb, resp, err, 64<<20, *df.addr+" has no outbox: no cloud takes uploads in its config", stdout, stderr)
	conn.explain401(resp, stderr)
	return code
}
