package onenet_test

import (
	"context"
	"errors"
	"log/slog"

	"github.com/lubo-edge/lubo/cloud/onenet"
)

// An at-least-once uploader sorts every outcome into done, later, or never.
func Example_uploader() {
	ctx := context.Background()
	c, err := onenet.New(onenet.Config{Key: "master-key", ProductID: "7355"})
	if err != nil {
		panic(err)
	}
	err = c.UploadFilePath(ctx, "/var/lib/lubo/records/c101/2026-11-27/103000_1.mp4", "c101_20261127_103000_1.mp4", "")
	switch {
	case err == nil, errors.Is(err, onenet.ErrDuplicateName):
		// done: stored now, or by an attempt whose answer was lost
	case onenet.Retryable(err):
		// keep it queued and try again after a pause
	default:
		slog.Error("upload refused for good", "err", err)
	}
}
