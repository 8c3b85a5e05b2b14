package functions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
)

// settingsBucket holds the Lambda settings nubo stores and reports but does
// not act on: recursion and runtime management configs, code signing
// configs and which function uses which. Keys are
// "<kind>.<name>[.<qualifier>]"; values are JSON.
const settingsBucket = "nubo-function-settings"

// settingsStore is the settings bucket, opened on first use.
type settingsStore struct {
	bb *backbone.Backbone
	mu sync.Mutex
	kv jetstream.KeyValue
}

func (s *settingsStore) open(ctx context.Context) (jetstream.KeyValue, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kv != nil {
		return s.kv, nil
	}
	kv, err := s.bb.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: settingsBucket, Description: "nubo Lambda settings (recursion, runtime management, code signing)", History: 1})
	if err != nil {
		return nil, fmt.Errorf("lambda settings: %w", err)
	}
	s.kv = kv
	return kv, nil
}

// get decodes key into v; false when the key holds nothing.
func (s *settingsStore) get(ctx context.Context, key string, v any) (bool, error) {
	kv, err := s.open(ctx)
	if err != nil {
		return false, err
	}
	e, err := kv.Get(ctx, key)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lambda settings: get %s: %w", key, err)
	}
	if err := json.Unmarshal(e.Value(), v); err != nil {
		return false, fmt.Errorf("lambda settings: decode %s: %w", key, err)
	}
	return true, nil
}

func (s *settingsStore) put(ctx context.Context, key string, v any) error {
	kv, err := s.open(ctx)
	if err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("lambda settings: encode %s: %w", key, err)
	}
	if _, err := kv.Put(ctx, key, b); err != nil {
		return fmt.Errorf("lambda settings: put %s: %w", key, err)
	}
	return nil
}

func (s *settingsStore) delete(ctx context.Context, key string) error {
	kv, err := s.open(ctx)
	if err != nil {
		return err
	}
	if err := kv.Delete(ctx, key); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("lambda settings: delete %s: %w", key, err)
	}
	return nil
}

// keys lists the keys starting with prefix, sorted.
func (s *settingsStore) keys(ctx context.Context, prefix string) ([]string, error) {
	kv, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	lister, err := kv.ListKeysFiltered(ctx, prefix+">")
	if err != nil {
		if errors.Is(err, jetstream.ErrNoKeysFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("lambda settings: list %s: %w", prefix, err)
	}
	var out []string
	for k := range lister.Keys() {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out, nil
}

// settingsKey is "<kind>.<name>[.<qualifier>]"; $LATEST is
// the key of the unqualified function (NATS keys take no "$").
func settingsKey(kind, name, qual string) string {
	k := kind + "." + name
	if qual != "" && qual != latestVersion {
		k += "." + qual
	}
	return k
}

// forget deletes a deleted function's settings (of every version), so a new
// function of the same name starts with Lambda's defaults.
func (s *settingsStore) forget(ctx context.Context, name string) error {
	keys := []string{settingsKey("recursion", name, ""), settingsKey("runtime", name, ""), cscFnPrefix + name}
	versions, err := s.keys(ctx, settingsKey("runtime", name, "")+".")
	if err != nil {
		return err
	}
	for _, k := range append(keys, versions...) {
		if err := s.delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}
