package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/nubo-run/nubo/internal/backbone"
)

// The configuration lives in one KV bucket, a key per object:
// api.{id}, key.{id}, plan.{id}, domain.{host}, url.{id}. Every node watches
// the bucket and rebuilds its snapshot from it, so memory only ever holds
// what JetStream can give back.

const (
	kindAPI    = "api"
	kindKey    = "key"
	kindPlan   = "plan"
	kindDomain = "domain"
	kindURL    = "url"
)

type store struct {
	kv jetstream.KeyValue
	w  jetstream.KeyWatcher
}

// entry is one KV change.
type entry struct {
	key     string
	value   []byte
	rev     uint64
	deleted bool
}

func openStore(ctx context.Context, bb *backbone.Backbone, bucket string) (*store, error) {
	kv, err := bb.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: bucket, Description: "nubo API gateway configuration", History: 1})
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	return &store{kv: kv}, nil
}

// watch returns the current entries; later changes come from updates.
func (s *store) watch(ctx, wctx context.Context) ([]entry, error) {
	w, err := s.kv.WatchAll(wctx)
	if err != nil {
		return nil, fmt.Errorf("gateway: watch %s: %w", s.kv.Bucket(), err)
	}
	s.w = w
	var initial []entry
	for {
		select {
		case <-ctx.Done():
			_ = w.Stop()
			return nil, fmt.Errorf("gateway: load configuration: %w", context.Cause(ctx))
		case e, ok := <-w.Updates():
			if !ok {
				return nil, errors.New("gateway: load configuration: watcher closed")
			}
			if e == nil { // the marker: every current value has been delivered
				return initial, nil
			}
			initial = append(initial, toEntry(e))
		}
	}
}

// updates yields the changes after the initial load until wctx ends or
// the watcher stops.
func (s *store) updates(wctx context.Context) func(yield func(entry) bool) {
	return func(yield func(entry) bool) {
		for {
			select {
			case <-wctx.Done():
				return
			case e, ok := <-s.w.Updates():
				if !ok {
					return
				}
				if e != nil && !yield(toEntry(e)) {
					return
				}
			}
		}
	}
}

func toEntry(e jetstream.KeyValueEntry) entry {
	op := e.Operation()
	return entry{key: e.Key(), value: e.Value(), rev: e.Revision(), deleted: op == jetstream.KeyValueDelete || op == jetstream.KeyValuePurge}
}

func (s *store) stop() {
	if s.w != nil {
		_ = s.w.Stop()
	}
}

func (s *store) put(ctx context.Context, key string, v any) (uint64, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, fmt.Errorf("gateway: %s: encode: %w", key, err)
	}
	rev, err := s.kv.Put(ctx, key, b)
	if err != nil {
		return 0, fmt.Errorf("gateway: %s: put: %w", key, err)
	}
	return rev, nil
}

// get returns the stored value of key and its revision.
func (s *store) get(ctx context.Context, key string) ([]byte, uint64, error) {
	e, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, fmt.Errorf("gateway: %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("gateway: %s: get: %w", key, err)
	}
	return e.Value(), e.Revision(), nil
}

// update writes key only if it is still at revision rev; errConflict
// otherwise.
func (s *store) update(ctx context.Context, key string, v any, rev uint64) (uint64, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return 0, fmt.Errorf("gateway: %s: encode: %w", key, err)
	}
	n, err := s.kv.Update(ctx, key, b, rev)
	if errors.Is(err, jetstream.ErrKeyRevisionMismatch) || errors.Is(err, jetstream.ErrKeyExists) {
		return 0, errConflict
	}
	if err != nil {
		return 0, fmt.Errorf("gateway: %s: update: %w", key, err)
	}
	return n, nil
}

var errConflict = errors.New("concurrent change")

// delete removes key; it returns the revision of the value it deleted, so
// the local apply ignores that put when the watcher delivers it late.
func (s *store) delete(ctx context.Context, key string) (uint64, error) {
	cur, err := s.kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return 0, fmt.Errorf("gateway: %s: %w", key, ErrNotFound)
	} else if err != nil {
		return 0, fmt.Errorf("gateway: %s: get: %w", key, err)
	}
	if err := s.kv.Delete(ctx, key, jetstream.LastRevision(cur.Revision())); err != nil {
		return 0, fmt.Errorf("gateway: %s: delete: %w", key, err)
	}
	return cur.Revision(), nil
}

// config is the decoded configuration, by id, with the KV revision each
// object was last applied at (changes arrive both from our own writes and
// from the watcher; an older revision never overwrites a newer one).
type config struct {
	apis    map[string]*API
	keys    map[string]*APIKey
	plans   map[string]*UsagePlan
	domains map[string]*Domain
	urls    map[string]*FunctionURL
	revs    map[string]uint64
}

func newConfig() *config {
	return &config{
		apis: map[string]*API{}, keys: map[string]*APIKey{}, plans: map[string]*UsagePlan{},
		domains: map[string]*Domain{}, urls: map[string]*FunctionURL{}, revs: map[string]uint64{},
	}
}

// apply records e; it reports whether anything changed.
func (c *config) apply(e entry, log *slog.Logger) bool {
	if last := c.revs[e.key]; e.rev < last || (e.rev == last && !e.deleted) {
		return false
	}
	c.revs[e.key] = e.rev
	kind, id, ok := strings.Cut(e.key, ".")
	if !ok {
		log.Warn("unknown configuration key", "key", e.key)
		return false
	}
	if e.deleted {
		switch kind {
		case kindAPI:
			delete(c.apis, id)
		case kindKey:
			delete(c.keys, id)
		case kindPlan:
			delete(c.plans, id)
		case kindDomain:
			delete(c.domains, id)
		case kindURL:
			delete(c.urls, id)
		default:
			return false
		}
		return true
	}
	var err error
	switch kind {
	case kindAPI:
		v := new(API)
		if err = json.Unmarshal(e.value, v); err == nil {
			c.apis[id] = v
		}
	case kindKey:
		v := new(APIKey)
		if err = json.Unmarshal(e.value, v); err == nil {
			c.keys[id] = v
		}
	case kindPlan:
		v := new(UsagePlan)
		if err = json.Unmarshal(e.value, v); err == nil {
			c.plans[id] = v
		}
	case kindDomain:
		v := new(Domain)
		if err = json.Unmarshal(e.value, v); err == nil {
			c.domains[id] = v
		}
	case kindURL:
		v := new(FunctionURL)
		if err = json.Unmarshal(e.value, v); err == nil {
			c.urls[id] = v
		}
	default:
		log.Warn("unknown configuration key", "key", e.key)
		return false
	}
	if err != nil {
		log.Error("undecodable configuration", "key", e.key, "err", err)
		return false
	}
	return true
}
