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

const outboxUsage = `usage:
  lubo outbox list               [-addr http://127.0.0.1:8080]   queued uploads (JSON)
  lubo outbox retry -id N|all    [-addr http://127.0.0.1:8080]   retry now
  lubo outbox drop -id N         [-addr http://127.0.0.1:8080]   give up one upload
`

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
	addr := fs.String("addr", "http://127.0.0.1:8080", "lubo's HTTP address")
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
	base := strings.TrimSuffix(*addr, "/") + "/api/outbox"
	client := &http.Client{Timeout: 10 * time.Second}
	var resp *http.Response
	var err error
	if verb == "list" {
		resp, err = client.Get(base)
	} else {
		resp, err = client.Post(base+"/"+verb+"?"+url.Values{"id": {id}}.Encode(), "", nil)
	}
	return daemonAnswer("outbox "+verb, resp, err, 64<<20, *addr+" has no outbox: no cloud takes uploads in its config", stdout, stderr)
}
