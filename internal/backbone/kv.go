package backbone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/nats-io/nats.go/jetstream"
)

// KV is a JetStream key-value bucket holding JSON-encoded values of type T.
// Several KVs of different types may view one bucket (Typed), each reading
// and writing its own keys.
//
// Missing keys are errors.Is jetstream.ErrKeyNotFound, taken keys (Create)
// and stale revisions (Update) jetstream.ErrKeyExists, as with the raw bucket.
type KV[T any] struct {
	kv jetstream.KeyValue
}

// Entry is one value of a bucket at a revision. Value is nil when the key
// was deleted (Deleted) or its value could not be decoded (Err).
type Entry[T any] struct {
	Key      string
	Value    *T
	Revision uint64
	Deleted  bool
	Err      error
}

// OpenKV creates the bucket if it does not exist, or opens it, with the
// Backbone's replica count unless cfg sets one.
func OpenKV[T any](ctx context.Context, bb *Backbone, cfg jetstream.KeyValueConfig) (*KV[T], error) {
	kv, err := bb.KeyValue(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return Typed[T](kv), nil
}

// Typed views an open bucket as holding values of type T.
func Typed[T any](kv jetstream.KeyValue) *KV[T] { return &KV[T]{kv: kv} }

// Raw returns the underlying bucket.
func (k *KV[T]) Raw() jetstream.KeyValue { return k.kv }

// Get returns key's value and its revision.
func (k *KV[T]) Get(ctx context.Context, key string) (*T, uint64, error) {
	e, err := k.kv.Get(ctx, key)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: get %s: %w", k.kv.Bucket(), key, err)
	}
	v := new(T)
	if err := json.Unmarshal(e.Value(), v); err != nil {
		return nil, 0, fmt.Errorf("%s: decode %s: %w", k.kv.Bucket(), key, err)
	}
	return v, e.Revision(), nil
}

// Create stores v under key unless the key holds a value; it returns the
// new revision.
func (k *KV[T]) Create(ctx context.Context, key string, v *T) (uint64, error) {
	b, err := k.encode(key, v)
	if err != nil {
		return 0, err
	}
	rev, err := k.kv.Create(ctx, key, b)
	if err != nil {
		return 0, fmt.Errorf("%s: create %s: %w", k.kv.Bucket(), key, err)
	}
	return rev, nil
}

// Update stores v under key if the key is still at revision rev.
func (k *KV[T]) Update(ctx context.Context, key string, v *T, rev uint64) (uint64, error) {
	b, err := k.encode(key, v)
	if err != nil {
		return 0, err
	}
	n, err := k.kv.Update(ctx, key, b, rev)
	if err != nil {
		return 0, fmt.Errorf("%s: update %s: %w", k.kv.Bucket(), key, err)
	}
	return n, nil
}

// Put stores v under key whatever it holds.
func (k *KV[T]) Put(ctx context.Context, key string, v *T) (uint64, error) {
	b, err := k.encode(key, v)
	if err != nil {
		return 0, err
	}
	n, err := k.kv.Put(ctx, key, b)
	if err != nil {
		return 0, fmt.Errorf("%s: put %s: %w", k.kv.Bucket(), key, err)
	}
	return n, nil
}

// Delete deletes key; with rev > 0 only if the key is still at rev.
func (k *KV[T]) Delete(ctx context.Context, key string, rev uint64) error {
	var opts []jetstream.KVDeleteOpt
	if rev > 0 {
		opts = append(opts, jetstream.LastRevision(rev))
	}
	if err := k.kv.Delete(ctx, key, opts...); err != nil {
		return fmt.Errorf("%s: delete %s: %w", k.kv.Bucket(), key, err)
	}
	return nil
}

// Keys returns the keys starting with prefix, sorted ("" lists them all).
func (k *KV[T]) Keys(ctx context.Context, prefix string) ([]string, error) {
	l, err := k.kv.ListKeysFiltered(ctx, prefix+">")
	if prefix == "" {
		l, err = k.kv.ListKeys(ctx)
	}
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: list %s: %w", k.kv.Bucket(), prefix, err)
	}
	var keys []string
	for key := range l.Keys() {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys, nil
}

// List returns the values of the keys starting with prefix, sorted by key.
// A key deleted while listing is left out; an undecodable value fails.
func (k *KV[T]) List(ctx context.Context, prefix string) ([]Entry[T], error) {
	keys, err := k.Keys(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := make([]Entry[T], 0, len(keys))
	for _, key := range keys {
		v, rev, err := k.Get(ctx, key)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Entry[T]{Key: key, Value: v, Revision: rev})
	}
	return out, nil
}

func (k *KV[T]) encode(key string, v *T) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%s: encode %s: %w", k.kv.Bucket(), key, err)
	}
	return b, nil
}

// entry decodes a watched or listed KV entry.
func (k *KV[T]) entry(e jetstream.KeyValueEntry) Entry[T] {
	out := Entry[T]{Key: e.Key(), Revision: e.Revision()}
	if op := e.Operation(); op == jetstream.KeyValueDelete || op == jetstream.KeyValuePurge {
		out.Deleted = true
		return out
	}
	v := new(T)
	if err := json.Unmarshal(e.Value(), v); err != nil {
		out.Err = fmt.Errorf("%s: decode %s: %w", k.kv.Bucket(), e.Key(), err)
		return out
	}
	out.Value = v
	return out
}
