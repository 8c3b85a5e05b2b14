package logs

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
)

// groupsBucket holds each log group's settings, keyed by the hex of its name.
const groupsBucket = "nubo_log_groups"

// Group is a log group's settings (AWS::Logs::LogGroup).
type Group struct {
	Name string `json:"name"`
	// RetentionDays is how long its lines are kept; 0 keeps them as long as
	// the store does (--log-retention).
	RetentionDays int `json:"retentionDays,omitempty"`
	// Created is when CreateLogGroup (or a stack) created it, unix
	// milliseconds; 0 for groups stored before it was kept.
	Created int64 `json:"created,omitempty"`
	// Tags are the group's tags as CreateLogGroup gave them.
	Tags map[string]string `json:"tags,omitempty"`
	// Class and KmsKeyID are kept as CreateLogGroup gave them ("" is
	// STANDARD, unencrypted); nubo does not act on them.
	Class    string `json:"class,omitempty"`
	KmsKeyID string `json:"kmsKeyId,omitempty"`
}

// ErrGroupNotFound: no settings are stored for the log group, or (Sources)
// nothing writes to it.
var ErrGroupNotFound = errors.New("log group not found")

func groupKey(name string) string { return "g." + hex.EncodeToString([]byte(name)) }

// applyGroup records a watched change of a log group's settings.
func (l *Store) applyGroup(e backbone.Entry[Group]) {
	if g := e.Value; g != nil {
		l.setRetention(*g)
		return
	}
	if name, err := hex.DecodeString(strings.TrimPrefix(e.Key, "g.")); err == nil {
		l.mu.Lock()
		delete(l.retention, string(name))
		l.mu.Unlock()
	}
}

// setRetention records g's retention in memory.
func (l *Store) setRetention(g Group) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.retention == nil {
		l.retention = map[string]time.Duration{}
	}
	if g.RetentionDays > 0 {
		l.retention[g.Name] = time.Duration(g.RetentionDays) * 24 * time.Hour
	} else {
		delete(l.retention, g.Name)
	}
}

func (l *Store) groupsKV() (jetstream.KeyValue, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.groups == nil {
		return nil, errors.New("logs: store not started")
	}
	return l.groups, nil
}

// PutGroup creates or updates a log group's settings.
func (l *Store) PutGroup(ctx context.Context, g Group) error {
	if g.Name == "" {
		return errors.New("log group: a name is required")
	}
	if g.RetentionDays < 0 {
		return fmt.Errorf("log group %q: RetentionInDays %d: must be positive", g.Name, g.RetentionDays)
	}
	kv, err := l.groupsKV()
	if err != nil {
		return err
	}
	b, err := json.Marshal(g)
	if err != nil {
		return err
	}
	if _, err := kv.Put(ctx, groupKey(g.Name), b); err != nil {
		return fmt.Errorf("log group %q: %w", g.Name, err)
	}
	l.setRetention(g)
	return nil
}

// Group returns a log group's settings; ErrGroupNotFound if it has none.
func (l *Store) Group(ctx context.Context, name string) (Group, error) {
	kv, err := l.groupsKV()
	if err != nil {
		return Group{}, err
	}
	e, err := kv.Get(ctx, groupKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return Group{}, fmt.Errorf("log group %q: %w", name, ErrGroupNotFound)
	}
	if err != nil {
		return Group{}, fmt.Errorf("log group %q: %w", name, err)
	}
	var g Group
	if err := json.Unmarshal(e.Value(), &g); err != nil {
		return Group{}, fmt.Errorf("log group %q: %w", name, err)
	}
	return g, nil
}

// DeleteGroup forgets a log group's settings (its lines stay until the
// store's own retention drops them).
func (l *Store) DeleteGroup(ctx context.Context, name string) error {
	if _, err := l.Group(ctx, name); err != nil {
		return err
	}
	kv, err := l.groupsKV()
	if err != nil {
		return err
	}
	if err := kv.Purge(ctx, groupKey(name)); err != nil {
		return fmt.Errorf("log group %q: %w", name, err)
	}
	l.mu.Lock()
	delete(l.retention, name)
	l.mu.Unlock()
	return nil
}
