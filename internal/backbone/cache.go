package backbone

import (
	"context"
	"sort"
	"strings"
	"sync"
)

// Cache is a bucket's values in memory, kept current by a watch: every
// node's writes arrive through it, and Remember lands this node's own
// writes at once (read-your-writes). A value only ever replaces an older
// revision, so a late delivery never undoes a newer write. Built from the
// bucket by NewCache, it holds after a restart what the bucket holds.
//
// Values are shared: readers must not change them.
type Cache[T any] struct {
	mu    sync.RWMutex
	m     map[string]Entry[T] // deleted and undecodable keys too, for their revision
	ready bool
	w     *Watcher[T]
}

// NewCache loads every value of kv and follows later changes until Close.
// It returns once the current values are in, or when ctx ends.
func NewCache[T any](ctx context.Context, kv *KV[T]) (*Cache[T], error) {
	initial, w, err := kv.Watch(ctx)
	if err != nil {
		return nil, err
	}
	c := &Cache[T]{m: make(map[string]Entry[T], len(initial)), ready: true, w: w}
	for _, e := range initial {
		c.apply(e)
	}
	w.Follow(c.apply, func() {
		c.mu.Lock()
		c.ready, c.m = false, map[string]Entry[T]{}
		c.mu.Unlock()
	})
	return c, nil
}

func (c *Cache[T]) apply(e Entry[T]) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur, ok := c.m[e.Key]; !ok || cur.Revision < e.Revision {
		c.m[e.Key] = e
	}
}

// Remember records v as key's value at rev (nil: deleted at rev), unless
// a newer revision is known.
func (c *Cache[T]) Remember(key string, v *T, rev uint64) {
	c.apply(Entry[T]{Key: key, Value: v, Revision: rev, Deleted: v == nil})
}

// Get returns key's value and revision. ok is false when the key has no
// (decodable) value, or when the cache no longer follows the bucket (after
// Close, or when the watch ended): then the bucket is the one to ask.
func (c *Cache[T]) Get(key string) (v *T, rev uint64, ok bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, found := c.m[key]
	if !c.ready || !found || e.Value == nil {
		return nil, 0, false
	}
	return e.Value, e.Revision, true
}

// Ready reports whether the cache follows the bucket.
func (c *Cache[T]) Ready() bool {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.ready
}

// List returns the values of the keys starting with prefix, sorted by key.
func (c *Cache[T]) List(prefix string) []Entry[T] {
	c.mu.RLock()
	var out []Entry[T]
	for k, e := range c.m {
		if e.Value != nil && strings.HasPrefix(k, prefix) {
			out = append(out, e)
		}
	}
	c.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// Close stops following the bucket and waits for the watch to end; the
// cache is then empty and not Ready. Idempotent.
func (c *Cache[T]) Close() {
	c.w.Stop()
	c.w.Wait()
}
