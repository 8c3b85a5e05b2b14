package backbone

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// MaxModifyAttempts bounds how many times Modify reads, applies and writes
// a key that other writers keep changing under it.
const MaxModifyAttempts = 30

// Modify's backoff between attempts: a random wait below
// min(modifyBackoffCap, modifyBackoffBase<<attempt), so writers that
// collided spread out instead of colliding again.
const (
	modifyBackoffBase = time.Millisecond
	modifyBackoffCap  = 20 * time.Millisecond
)

// ErrTooManyConflicts is Modify's error when every attempt lost to a
// concurrent writer.
var ErrTooManyConflicts = errors.New("too many concurrent writers")

// Modify is the one read-modify-write of a key: it reads the key (cur is
// nil and exists false when it has no value), calls fn, and writes fn's
// result at the revision it read: Create when the key had no value, Update
// when it had, Delete when fn returns nil for a key that had one (nothing
// when it had none). When another writer changed the key in between, it
// waits a jittered moment and starts again, at most MaxModifyAttempts times,
// then fails with ErrTooManyConflicts.
//
// fn may run several times and must only compute (and check) the new value;
// its errors are returned as they are, with nothing written. It owns cur.
//
// The result is the value written at its new revision, or, for a delete,
// Deleted with the revision the deleted value had.
func (k *KV[T]) Modify(ctx context.Context, key string, fn func(cur *T, exists bool) (*T, error)) (Entry[T], error) {
	for attempt := 0; ; attempt++ {
		cur, rev, err := k.Get(ctx, key)
		exists := err == nil
		if err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return Entry[T]{}, err
		}
		next, err := fn(cur, exists)
		if err != nil {
			return Entry[T]{}, err
		}
		out := Entry[T]{Key: key, Value: next}
		switch {
		case next == nil && !exists:
			return out, nil
		case next == nil:
			err = k.Delete(ctx, key, rev)
			out.Deleted, out.Revision = true, rev
		case !exists:
			out.Revision, err = k.Create(ctx, key, next)
		default:
			out.Revision, err = k.Update(ctx, key, next, rev)
		}
		if err == nil {
			return out, nil
		}
		if !IsConflict(err) {
			return Entry[T]{}, err
		}
		if attempt+1 >= MaxModifyAttempts {
			return Entry[T]{}, fmt.Errorf("%s: modify %s: %d attempts: %w", k.kv.Bucket(), key, MaxModifyAttempts, ErrTooManyConflicts)
		}
		if err := backoff(ctx, attempt); err != nil {
			return Entry[T]{}, fmt.Errorf("%s: modify %s: %w", k.kv.Bucket(), key, err)
		}
	}
}

// IsConflict reports whether err is a write refused because the key was
// not at the expected revision (a concurrent writer got there first).
func IsConflict(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, jetstream.ErrKeyExists) || errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return true
	}
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence || apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant) {
		return true
	}
	return strings.Contains(err.Error(), "wrong last sequence")
}

// backoff waits before attempt+1, or until ctx ends.
func backoff(ctx context.Context, attempt int) error {
	limit := modifyBackoffCap
	if attempt < 16 {
		limit = min(limit, modifyBackoffBase<<attempt)
	}
	t := time.NewTimer(rand.N(limit) + 1)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
