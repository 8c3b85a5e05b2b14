package tables

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/tables/attr"
)

// Key limits.
const (
	maxHashKey  = 2048
	maxRangeKey = 1024
	// maxToken is the longest key token kept as plain hex; a longer key
	// becomes a hex prefix and a hash (a NATS subject must stay short).
	maxToken = 512
)

func validation(format string, args ...any) error { return awsapi.ValidationError(format, args...) }

// token is a key attribute as a KV key token: its order-preserving bytes
// in hex, or for a long key a prefix of them and a digest.
func token(v attr.Value) string {
	b := attr.KeyBytes(v)
	if len(b)*2 <= maxToken {
		return hex.EncodeToString(b)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(b[:maxToken/2-40]) + "-" + hex.EncodeToString(sum[:])
}

// keyOf checks an item's (or a key's) key attributes and returns its KV
// key. exact refuses attributes other than the key (GetItem's Key).
func keyOf(t *Table, it attr.Item, exact bool) (string, error) {
	names := []string{t.Hash()}
	if r := t.Range(); r != "" {
		names = append(names, r)
	}
	if exact && len(it) != len(names) {
		return "", validation("The provided key element does not match the schema")
	}
	var toks []string
	for i, n := range names {
		v, ok := it[n]
		if !ok {
			if exact {
				return "", validation("The provided key element does not match the schema")
			}
			return "", validation("One or more parameter values were invalid: Missing the key %s in the item", n)
		}
		want := t.KindOf(n)
		if v.Kind != want {
			if exact {
				return "", validation("The provided key element does not match the schema")
			}
			return "", validation("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s", n, want, v.Kind)
		}
		if (v.Kind == attr.S || v.Kind == attr.B) && v.Str == "" {
			return "", validation("One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty %s value. Key: %s", map[attr.Kind]string{attr.S: "string", attr.B: "binary"}[v.Kind], n)
		}
		size := len(v.Str)
		if i == 0 && size > maxHashKey {
			return "", validation("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of 2048 bytes")
		}
		if i == 1 && size > maxRangeKey {
			return "", validation("One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes")
		}
		toks = append(toks, token(v))
	}
	if len(toks) == 1 {
		return toks[0], nil
	}
	return toks[0] + "." + toks[1], nil
}

// keyItem is an item's key attributes only.
func keyItem(t *Table, it attr.Item) attr.Item {
	out := attr.Item{t.Hash(): it[t.Hash()]}
	if r := t.Range(); r != "" {
		out[r] = it[r]
	}
	return out
}

func (s *Store) getItemRaw(ctx context.Context, kv jetstream.KeyValue, key string) (attr.Item, uint64, error) {
	e, err := kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, s.storeErr(err)
	}
	var it attr.Item
	if err := json.Unmarshal(e.Value(), &it); err != nil {
		return nil, 0, fmt.Errorf("tables: decode %s: %w", key, err)
	}
	return it, e.Revision(), nil
}

// storeErr turns a vanished bucket (a table deleted on another node) into
// ResourceNotFoundException.
func (s *Store) storeErr(err error) error {
	if errors.Is(err, jetstream.ErrStreamNotFound) || errors.Is(err, jetstream.ErrBucketNotFound) {
		return awsapi.Errorf(400, "ResourceNotFoundException", "Requested resource not found")
	}
	return err
}

// maxAttempts bounds a conditional write's retries against concurrent
// writers of the same item.
const maxAttempts = backbone.MaxModifyAttempts

// modify is the one conditional write of an item: read it at a revision,
// let fn compute the new item (nil deletes; fn checks conditions), write
// it only if the item is still at that revision, else start again. It
// returns the old and new items.
func (s *Store) modify(ctx context.Context, kv jetstream.KeyValue, key string, fn func(old attr.Item) (attr.Item, error)) (old, next attr.Item, err error) {
	for attempt := 0; ; attempt++ {
		old, rev, err := s.getItemRaw(ctx, kv, key)
		if err != nil {
			return nil, nil, err
		}
		next, err := fn(old)
		if err != nil {
			return old, nil, err
		}
		switch {
		case next == nil && old == nil:
			return nil, nil, nil
		case next == nil:
			err = kv.Purge(ctx, key, jetstream.LastRevision(rev))
		default:
			var b []byte
			if b, err = json.Marshal(next); err != nil {
				return nil, nil, fmt.Errorf("tables: encode %s: %w", key, err)
			}
			if old == nil {
				_, err = kv.Create(ctx, key, b)
			} else {
				_, err = kv.Update(ctx, key, b, rev)
			}
		}
		if err == nil {
			return old, next, nil
		}
		if !backbone.IsConflict(err) && !errors.Is(err, jetstream.ErrKeyExists) {
			return nil, nil, s.storeErr(err)
		}
		if attempt+1 >= maxAttempts {
			return nil, nil, awsapi.Errorf(400, "TransactionConflictException", "Transaction is ongoing for the item")
		}
		wait := time.Duration(rand.Int64N(int64(min(20*time.Millisecond, time.Millisecond<<attempt)) + 1))
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// stored is an item with its KV key.
type stored struct {
	key  string
	item attr.Item
}

// read returns the items under a key filter ("" every item) as of now,
// each at its latest revision, in KV key order.
func (s *Store) read(ctx context.Context, kv jetstream.KeyValue, filter string) ([]stored, error) {
	if filter != "" {
		out, ok, err := s.readDirect(ctx, kv, filter)
		if err != nil || ok {
			return out, err
		}
	}
	return s.watchRead(ctx, kv, filter)
}

// watchRead is read through a watch: any number of keys.
func (s *Store) watchRead(ctx context.Context, kv jetstream.KeyValue, filter string) ([]stored, error) {
	var w jetstream.KeyWatcher
	var err error
	if filter == "" {
		w, err = kv.WatchAll(ctx, jetstream.IgnoreDeletes())
	} else {
		w, err = kv.Watch(ctx, filter, jetstream.IgnoreDeletes())
	}
	if err != nil {
		return nil, s.storeErr(err)
	}
	defer func() { _ = w.Stop() }()
	var out []stored
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return nil, fmt.Errorf("tables: read %s: watch closed", filter)
			}
			if e == nil {
				sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
				return out, nil
			}
			if e.Operation() != jetstream.KeyValuePut {
				continue
			}
			var it attr.Item
			if err := json.Unmarshal(e.Value(), &it); err != nil {
				return nil, fmt.Errorf("tables: decode %s: %w", e.Key(), err)
			}
			out = append(out, stored{key: e.Key(), item: it})
		}
	}
}

// count is how many items a table holds.
func (s *Store) count(ctx context.Context, kv jetstream.KeyValue) (int64, error) {
	w, err := kv.WatchAll(ctx, jetstream.IgnoreDeletes(), jetstream.MetaOnly())
	if err != nil {
		return 0, s.storeErr(err)
	}
	defer func() { _ = w.Stop() }()
	var n int64
	for e := range w.Updates() {
		if e == nil {
			return n, nil
		}
		if e.Operation() == jetstream.KeyValuePut {
			n++
		}
	}
	return n, nil
}

// put writes an item whatever the key holds.
func (s *Store) put(ctx context.Context, kv jetstream.KeyValue, key string, it attr.Item) error {
	b, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("tables: encode %s: %w", key, err)
	}
	if _, err := kv.Put(ctx, key, b); err != nil {
		return s.storeErr(err)
	}
	return nil
}
