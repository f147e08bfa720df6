package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/lubo-edge/lubo/cloud/onenet/onenettest"
	"github.com/lubo-edge/lubo/internal/testkit"
	"github.com/lubo-edge/lubo/testdata/testmedia"
)

// lubo outbox lists, retries and drops the uploads a running lubo holds
// while the platform is away.
func TestOutboxCommand(t *testing.T) {
	clip := testmedia.Require(t, "h264_aac.mp4")
	emu := onenettest.New(t, onenettest.Config{MasterKey: "mk"})
	emu.SetDown(true)
	dir := t.TempDir()
	path := filepath.Join(dir, "lubo.yaml")
	doc := fmt.Sprintf(`data_dir: %s
http: {listen: "127.0.0.1:0"}
rtsp: {listen: ""}
record: {snapshot_interval: 1s}
channels:
  - {id: c1, source: "file://%s", on_demand: false}
cloud:
  onenet: {api: %q, master_key: mk, product_id: %q}
`, dir, clip, emu.URL(), emu.ProductID())
	var logs testkit.LogBuffer
	addr := runBox(t, path, doc, &logs)

	type listing struct {
		Items []struct {
			ID   uint64 `json:"id"`
			Kind string `json:"kind"`
		} `json:"items"`
	}
	var l listing
	testkit.WaitFor(t, "two queued snapshots", func() bool {
		code, out, _ := runCLI("outbox", "list", "-addr", addr)
		return code == 0 && json.Unmarshal([]byte(out), &l) == nil && len(l.Items) >= 2
	})
	id := strconv.FormatUint(l.Items[0].ID, 10)
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"outbox", "drop", "-id", id, "-addr", addr}, 0, `"dropped":` + id},
		{[]string{"outbox", "drop", "-id", id, "-addr", addr}, 1, "not found"},
		{[]string{"outbox", "drop", "-id", "x", "-addr", addr}, 1, "want an item id"},
		{[]string{"outbox", "retry", "-id", "all", "-addr", addr}, 0, `"retrying":`},
		{[]string{"outbox", "drop", "-addr", addr}, 2, "-id is required"},
		{[]string{"outbox", "frob"}, 2, "usage"},
	} {
		code, out, errs := runCLI(c.args...)
		if code != c.code || !strings.Contains(out+errs, c.want) {
			t.Errorf("lubo %s: exit %d %q %q, want %d with %q", strings.Join(c.args, " "), code, out, errs, c.code, c.want)
		}
	}
}
