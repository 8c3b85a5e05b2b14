package logs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go/jetstream"
)

// ErrGroupExists: CreateGroup found the log group's settings already stored.
var ErrGroupExists = errors.New("log group already exists")

// userSourcePrefix starts the source key of a log group written through
// the Logs API (PutLogEvents). Function names never hold '~', so these
// keys never meet a function's.
const userSourcePrefix = "~"

// UserSource is the source key the lines of log group name are written
// and read under when they come through the Logs API: one valid NATS
// subject token whatever the name holds ('.', '/', '#').
func UserSource(name string) string {
	return userSourcePrefix + base64.RawURLEncoding.EncodeToString([]byte(name))
}

// userSourceGroup is the log group name of a UserSource key.
func userSourceGroup(source string) (string, bool) {
	enc, ok := strings.CutPrefix(source, userSourcePrefix)
	if !ok {
		return "", false
	}
	b, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return "", false
	}
	return string(b), true
}

// CreateGroup stores a new log group's settings; ErrGroupExists if the
// group has some. The create is one atomic KV operation, so of two nodes
// creating the same group one wins.
func (l *Store) CreateGroup(ctx context.Context, g Group) error {
	if g.Name == "" {
		return errors.New("log group: a name is required")
	}
	kv, err := l.groupsKV()
	if err != nil {
		return err
	}
	b, err := json.Marshal(g)
	if err != nil {
		return err
	}
	if _, err := kv.Create(ctx, groupKey(g.Name), b); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return fmt.Errorf("log group %q: %w", g.Name, ErrGroupExists)
		}
		return fmt.Errorf("log group %q: %w", g.Name, err)
	}
	l.setRetention(g)
	return nil
}

// Groups lists every log group whose settings are stored.
func (l *Store) Groups(ctx context.Context) ([]Group, error) {
	kv, err := l.groupsKV()
	if err != nil {
		return nil, err
	}
	keys, err := kv.ListKeysFiltered(ctx, "g.>")
	if err != nil {
		return nil, fmt.Errorf("log groups: %w", err)
	}
	defer func() { _ = keys.Stop() }()
	var out []Group
	for k := range keys.Keys() {
		e, err := kv.Get(ctx, k)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue // deleted since listed
		}
		if err != nil {
			return nil, fmt.Errorf("log groups: %w", err)
		}
		var g Group
		if err := json.Unmarshal(e.Value(), &g); err != nil {
			return nil, fmt.Errorf("log groups: %s: %w", k, err)
		}
		out = append(out, g)
	}
	return out, nil
}

// PurgeLines drops every stored line of source.
func (l *Store) PurgeLines(ctx context.Context, source string) error {
	l.mu.RLock()
	s := l.stream
	l.mu.RUnlock()
	if s == nil {
		return errors.New("logs: store not started")
	}
	if err := s.Purge(ctx, jetstream.WithPurgeSubject(l.bb.Subject(logSubject+source))); err != nil {
		return fmt.Errorf("logs %q: purge: %w", source, err)
	}
	return nil
}
