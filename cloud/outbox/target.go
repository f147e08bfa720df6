package outbox

import (
	"context"
	"io"

	"github.com/lubo-edge/lubo/storage"
)

// Item is one queued upload, as the store keeps it.
type Item = storage.OutboxItem

// Kind says what an item is; see the storage.Outbox* kind constants.
type Kind = storage.OutboxKind

// The kinds, repeated here so producers need not import storage.
const (
	KindSnapshot = storage.OutboxSnapshot
	KindCover    = storage.OutboxCover
	KindRecord   = storage.OutboxRecord
	KindFile     = storage.OutboxFile
)

// Target is one cloud the queue delivers to. A vendor client is adapted to
// it in a few lines where lubo is wired together.
type Target interface {
	// Name is the target's key in the store ("onenet"); it must not change
	// between runs, or queued items are orphaned.
	Name() string
	// Upload sends body (size bytes, the file of it) under it.Name. It must
	// honour ctx.
	Upload(ctx context.Context, it Item, body io.Reader, size int64) error
	// Retryable reports whether err may go away by trying again later
	// (network, timeouts, 5xx).
	Retryable(err error) bool
	// AlreadyThere reports whether err says the platform already holds an
	// object of this name: an earlier attempt landed and its answer was
	// lost. The queue counts that as delivered.
	AlreadyThere(err error) bool
}
