package backbone

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/nats-io/nats.go/jetstream"
)

// A view (In) is how one part of one region uses the backbone: the same
// connection, with that region's buckets, object stores and streams named
// apart, so two regions' contexts built from the same code hold separate
// state. The home region (SetHome) keeps the plain names (the state every
// nubo before regions wrote); another region's names start with the region
// ("us-west-2_nubo_functions", subjects "us-west-2.nubo.fn.async.f").
//
// Every name a view opens is listed in the index bucket under its region and
// part, so Drop can delete a part's state on any node, whichever node opened
// it (nothing is only in one node's memory).

// indexBucket lists, per region and part, the streams their views opened.
const indexBucket = "nubo_state_index"

// GlobalRegion is the region of views over state that no region owns (IAM).
const GlobalRegion = "global"

type space struct{ region, part string }

// spaces is the connection's home region and the index it records in.
type spaces struct {
	mu       sync.Mutex
	home     string
	index    jetstream.KeyValue
	recorded map[string]bool
}

// In returns a view of b for part's state in region (GlobalRegion for
// state no region owns). It shares b's connection; closing or starting it
// closes or starts that connection.
func (b *Backbone) In(region, part string) *Backbone {
	return &Backbone{conn: b.conn, space: space{region: region, part: part}}
}

// Region is the view's region ("" on the root).
func (b *Backbone) Region() string { return b.space.region }

// SetHome names the region whose state keeps the plain names. Set it once,
// before any view opens a bucket.
func (b *Backbone) SetHome(region string) {
	b.spaces.mu.Lock()
	b.spaces.home = region
	b.spaces.mu.Unlock()
}

// Home is the region SetHome named.
func (b *Backbone) Home() string {
	b.spaces.mu.Lock()
	defer b.spaces.mu.Unlock()
	return b.spaces.home
}

// prefix is what the view's names start with: none for the root, global
// state and the home region.
func (b *Backbone) prefix() string {
	if b == nil {
		return ""
	}
	r := b.space.region
	if r == "" || r == GlobalRegion || r == b.Home() {
		return ""
	}
	return r
}

// Name is a bucket, object store or stream name as this view stores it
// (nil-safe: a nil Backbone names as the root does).
func (b *Backbone) Name(s string) string {
	if p := b.prefix(); p != "" {
		return p + "_" + s
	}
	return s
}

// Subject is a subject as this view publishes and reads it.
func (b *Backbone) Subject(s string) string {
	if p := b.prefix(); p != "" {
		return p + "." + s
	}
	return s
}

// unsubject is Subject undone.
func (b *Backbone) unsubject(s string) string {
	if p := b.prefix(); p != "" {
		return strings.TrimPrefix(s, p+".")
	}
	return s
}

func indexKey(region, part string) string { return region + "." + part + "." }

// record lists stream in the index under the view's region and part, once
// per process.
// Own records stream, which the caller creates under a name of its own
// (unique by itself, not the view's Name), as this view's state: Drop
// deletes it with the rest.
func (b *Backbone) Own(ctx context.Context, stream string) error { return b.record(ctx, stream) }

func (b *Backbone) record(ctx context.Context, stream string) error {
	if b.space.part == "" {
		return nil
	}
	key := indexKey(b.space.region, b.space.part) + stream
	b.spaces.mu.Lock()
	done := b.spaces.recorded[key]
	b.spaces.mu.Unlock()
	if done {
		return nil
	}
	idx, err := b.index(ctx)
	if err != nil {
		return err
	}
	if _, err := idx.Put(ctx, key, []byte(stream)); err != nil {
		return fmt.Errorf("backbone: index %s: %w", key, err)
	}
	b.spaces.mu.Lock()
	if b.spaces.recorded == nil {
		b.spaces.recorded = map[string]bool{}
	}
	b.spaces.recorded[key] = true
	b.spaces.mu.Unlock()
	return nil
}

func (b *Backbone) index(ctx context.Context) (jetstream.KeyValue, error) {
	b.spaces.mu.Lock()
	idx := b.spaces.index
	b.spaces.mu.Unlock()
	if idx != nil {
		return idx, nil
	}
	idx, err := b.js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: indexBucket, Replicas: b.opts.Replicas,
		Description: "nubo: the buckets and streams of each region's parts", History: 1})
	if err != nil {
		return nil, fmt.Errorf("backbone: index: %w", err)
	}
	b.spaces.mu.Lock()
	b.spaces.index = idx
	b.spaces.mu.Unlock()
	return idx, nil
}

// Drop deletes every bucket, object store and stream the views of part in
// region opened, on any node; it returns their names. Parts using them must
// be closed first: their buckets come back empty when they start again.
func (b *Backbone) Drop(ctx context.Context, region, part string) ([]string, error) {
	idx, err := b.index(ctx)
	if err != nil {
		return nil, err
	}
	prefix := indexKey(region, part)
	lister, err := idx.ListKeysFiltered(ctx, prefix+">")
	if err != nil {
		return nil, fmt.Errorf("backbone: drop %s: %w", prefix, err)
	}
	var names []string
	for k := range lister.Keys() {
		names = append(names, strings.TrimPrefix(k, prefix))
	}
	var errs []error
	for _, n := range names {
		if err := b.js.DeleteStream(ctx, n); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
			errs = append(errs, fmt.Errorf("backbone: drop %s: %w", n, err))
		}
	}
	return names, errors.Join(errs...)
}
