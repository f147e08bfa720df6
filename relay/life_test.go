package relay

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lubo-edge/lubo/internal/testkit"
)

func TestLastErrorIsRedacted(t *testing.T) {
	src := SourceFunc(func(context.Context, Publisher) error {
		return errors.New(`Get "http://admin:hunter22@cam/live.flv?token=s3cr3t-t0ken": connection refused`)
	})
	s := NewStream("c1", src, quiet(StreamOptions{Backoff: Backoff{Min: time.Hour, Max: time.Hour}}))
	runStream(t, s)
	testkit.WaitFor(t, "the source to fail", func() bool { return s.LastError() != "" })
	if e := s.LastError(); strings.Contains(e, "hunter22") || strings.Contains(e, "s3cr3t-t0ken") || !strings.Contains(e, "connection refused") {
		t.Fatalf("last error %q: want the cause without the password or token", e)
	}
}

func TestNextRetryIsSetWhileWaiting(t *testing.T) {
	src := SourceFunc(func(context.Context, Publisher) error { return errors.New("connection refused") })
	s := NewStream("c1", src, quiet(StreamOptions{Backoff: Backoff{Min: time.Hour, Max: time.Hour}}))
	if !s.NextRetry().IsZero() {
		t.Fatal("a stream that has not failed has a retry time")
	}
	before := time.Now()
	runStream(t, s)
	testkit.WaitFor(t, "a retry to be scheduled", func() bool { return !s.NextRetry().IsZero() })
	if at := s.NextRetry(); at.Before(before.Add(40*time.Minute)) || at.After(time.Now().Add(2*time.Hour)) {
		t.Fatalf("next retry at %v: want about an hour after the failure", at)
	}
}
