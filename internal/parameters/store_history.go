package parameters

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
)

// MaxVersions is how many versions of a parameter SSM keeps: the current one
// and the 99 before it.
const MaxVersions = 100

// historyPrefix is the key prefix of a parameter's past versions; each is a
// key of its own, historyKey(name, version), holding that version as it was
// (without tags, which belong to the parameter, not to a version). The
// current version lives only under key(name).
func historyPrefix(name string) string { return "h." + hex.EncodeToString([]byte(name)) + "." }

func historyKey(name string, version int64) string {
	return historyPrefix(name) + fmt.Sprintf("%019d", version)
}

// keepVersion records prev, the version an overwrite replaced, and drops
// the version that falls out of the MaxVersions kept.
func (s *Store) keepVersion(ctx context.Context, kv jetstream.KeyValue, prev *Parameter, current int64) error {
	old := *prev
	old.Tags, old.Labels = nil, nil
	if _, err := backbone.Typed[Parameter](kv).Put(ctx, historyKey(old.Name, old.Version), &old); err != nil {
		return fmt.Errorf("parameter %q: keep version %d: %w", old.Name, old.Version, err)
	}
	if drop := current - MaxVersions; drop >= 1 {
		if err := kv.Purge(ctx, historyKey(old.Name, drop)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("parameter %q: drop version %d: %w", old.Name, drop, err)
		}
	}
	return nil
}

// GetVersion returns one version of a parameter: the current one or one
// of those kept before it. A version it does not keep is errVersionNotFound.
func (s *Store) GetVersion(ctx context.Context, name string, version int64) (*Parameter, error) {
	cur, err := s.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	if version == cur.Version {
		return cur, nil
	}
	if version < 1 || version > cur.Version {
		return nil, fmt.Errorf("parameter %q version %d: %w", name, version, errVersionNotFound)
	}
	kv, err := s.bucket()
	if err != nil {
		return nil, err
	}
	p, _, err := backbone.Typed[Parameter](kv).Get(ctx, historyKey(name, version))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, fmt.Errorf("parameter %q version %d: %w", name, version, errVersionNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("parameter %q version %d: %w", name, version, err)
	}
	return p, nil
}

// History returns every version of a parameter nubo keeps, oldest first,
// the current one last.
func (s *Store) History(ctx context.Context, name string) ([]*Parameter, error) {
	cur, err := s.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	kv, err := s.bucket()
	if err != nil {
		return nil, err
	}
	entries, err := backbone.Typed[Parameter](kv).List(ctx, historyPrefix(name))
	if err != nil {
		return nil, fmt.Errorf("parameter %q: history: %w", name, err)
	}
	out := make([]*Parameter, 0, len(entries)+1)
	for _, e := range entries {
		// Versions above the current one are left from a parameter of this
		// name deleted before (Delete removes them; this guards a delete
		// that stopped half-way).
		if e.Value != nil && e.Value.Version < cur.Version {
			out = append(out, e.Value)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return append(out, cur), nil
}

// dropHistory removes every kept version of a parameter.
func (s *Store) dropHistory(ctx context.Context, kv jetstream.KeyValue, name string) error {
	keys, err := backbone.Typed[Parameter](kv).Keys(ctx, historyPrefix(name))
	if err != nil {
		return fmt.Errorf("parameter %q: history: %w", name, err)
	}
	for _, k := range keys {
		if err := kv.Purge(ctx, k); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
			return fmt.Errorf("parameter %q: drop history: %w", name, err)
		}
	}
	return nil
}
