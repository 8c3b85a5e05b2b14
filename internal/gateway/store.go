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
	w  *backbone.Watcher[json.RawMessage]
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

// watch returns the current entries; follow applies the later changes.
func (s *store) watch(ctx context.Context) ([]entry, error) {
	initial, w, err := backbone.Typed[json.RawMessage](s.kv).Watch(ctx)
	if err != nil {
		return nil, fmt.Errorf("gateway: load configuration: %w", err)
	}
	s.w = w
	out := make([]entry, 0, len(initial))
	for _, e := range initial {
		out = append(out, toEntry(e))
	}
	return out, nil
}

// follow calls apply with each change after the initial load until stop
// (or until the watch ends).
func (s *store) follow(apply func(entry)) {
	s.w.Follow(func(e backbone.Entry[json.RawMessage]) { apply(toEntry(e)) }, nil)
}

func toEntry(e backbone.Entry[json.RawMessage]) entry {
	out := entry{key: e.Key, rev: e.Revision, deleted: e.Deleted}
	if e.Value != nil {
		out.value = *e.Value
	}
	return out
}

// stop ends the watch; wait waits for follow's last apply.
func (s *store) stop() {
	if s.w != nil {
		s.w.Stop()
	}
}

func (s *store) wait() {
	if s.w != nil {
		s.w.Wait()
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
