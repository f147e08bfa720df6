package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// daemonAnswer reports a running lubo's JSON answer to `lubo {cmd}`: the
// body on stdout when it is 200 and JSON, else on stderr the API's own
// error, notFound when the daemon has no such route (404 or 405 without a
// JSON error: an older or another program), or the HTTP status. It returns
// the exit code. At most limit bytes are read.
func daemonAnswer(cmd string, resp *http.Response, err error, limit int64, notFound string, stdout, stderr io.Writer) int {
	if err != nil {
		fmt.Fprintf(stderr, "lubo %s: %v\n", cmd, err)
		return 1
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		fmt.Fprintf(stderr, "lubo %s: %v\n", cmd, err)
		return 1
	}
	if resp.StatusCode != http.StatusOK {
		var e struct{ Error string }
		switch {
		case json.Unmarshal(body, &e) == nil && e.Error != "":
			fmt.Fprintf(stderr, "lubo %s: %s\n", cmd, e.Error)
		case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusMethodNotAllowed:
			fmt.Fprintf(stderr, "lubo %s: %s (%s)\n", cmd, notFound, resp.Status)
		default:
			fmt.Fprintf(stderr, "lubo %s: %s\n", cmd, resp.Status)
		}
		return 1
	}
	if !json.Valid(body) {
		fmt.Fprintf(stderr, "lubo %s: the answer is not JSON\n", cmd)
		return 1
	}
	_, _ = stdout.Write(body)
	return 0
}
