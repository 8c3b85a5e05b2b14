package logs

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nats-io/nats.go/jetstream"
)

// streamsBucket holds the log streams of the groups written through the
// Logs API, keyed "<group>.<stream>", each name base64url-encoded.
const streamsBucket = "nubo_log_streams"

// LogStream is a log stream of a group written through the Logs API.
type LogStream struct {
	Name string `json:"name"`
	// Created, FirstEvent, LastEvent and LastIngestion are unix
	// milliseconds; the last three are 0 until events are put.
	Created       int64 `json:"created"`
	FirstEvent    int64 `json:"firstEvent,omitempty"`
	LastEvent     int64 `json:"lastEvent,omitempty"`
	LastIngestion int64 `json:"lastIngestion,omitempty"`
	StoredBytes   int64 `json:"storedBytes,omitempty"`
}

// ErrStreamNotFound and ErrStreamExists are the log stream's sentinels.
var (
	ErrStreamNotFound = errors.New("log stream not found")
	ErrStreamExists   = errors.New("log stream already exists")
)

func streamGroupPrefix(group string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(group)) + "."
}

func streamKey(group, stream string) string {
	return streamGroupPrefix(group) + base64.RawURLEncoding.EncodeToString([]byte(stream))
}

func (l *Store) streamsKV() (jetstream.KeyValue, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.streams == nil {
		return nil, errors.New("logs: store not started")
	}
	return l.streams, nil
}

// CreateStream stores a new log stream of group; ErrStreamExists if it
// has one of that name.
func (l *Store) CreateStream(ctx context.Context, group string, s LogStream) error {
	kv, err := l.streamsKV()
	if err != nil {
		return err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if _, err := kv.Create(ctx, streamKey(group, s.Name), b); err != nil {
		if errors.Is(err, jetstream.ErrKeyExists) {
			return fmt.Errorf("log stream %q: %w", s.Name, ErrStreamExists)
		}
		return fmt.Errorf("log stream %q: %w", s.Name, err)
	}
	return nil
}

// Stream returns a log stream of group; ErrStreamNotFound if none.
func (l *Store) Stream(ctx context.Context, group, name string) (LogStream, uint64, error) {
	kv, err := l.streamsKV()
	if err != nil {
		return LogStream{}, 0, err
	}
	e, err := kv.Get(ctx, streamKey(group, name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return LogStream{}, 0, fmt.Errorf("log stream %q: %w", name, ErrStreamNotFound)
	}
	if err != nil {
		return LogStream{}, 0, fmt.Errorf("log stream %q: %w", name, err)
	}
	var s LogStream
	if err := json.Unmarshal(e.Value(), &s); err != nil {
		return LogStream{}, 0, fmt.Errorf("log stream %q: %w", name, err)
	}
	return s, e.Revision(), nil
}

// updateStream applies fn to a stored stream, retrying when another
// writer changed it in between (compare-and-set on its revision).
func (l *Store) updateStream(ctx context.Context, group, name string, fn func(*LogStream)) error {
	kv, err := l.streamsKV()
	if err != nil {
		return err
	}
	for {
		s, rev, err := l.Stream(ctx, group, name)
		if err != nil {
			return err
		}
		fn(&s)
		b, err := json.Marshal(s)
		if err != nil {
			return err
		}
		_, err = kv.Update(ctx, streamKey(group, name), b, rev)
		if err == nil {
			return nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return fmt.Errorf("log stream %q: %w", name, err)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// Streams lists the log streams of group.
func (l *Store) Streams(ctx context.Context, group string) ([]LogStream, error) {
	kv, err := l.streamsKV()
	if err != nil {
		return nil, err
	}
	keys, err := kv.ListKeysFiltered(ctx, streamGroupPrefix(group)+"*")
	if err != nil {
		return nil, fmt.Errorf("log streams of %q: %w", group, err)
	}
	defer func() { _ = keys.Stop() }()
	var out []LogStream
	for k := range keys.Keys() {
		e, err := kv.Get(ctx, k)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("log streams of %q: %w", group, err)
		}
		var s LogStream
		if err := json.Unmarshal(e.Value(), &s); err != nil {
			return nil, fmt.Errorf("log streams of %q: %s: %w", group, k, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// deleteStreams forgets every log stream of group.
func (l *Store) deleteStreams(ctx context.Context, group string) error {
	kv, err := l.streamsKV()
	if err != nil {
		return err
	}
	keys, err := kv.ListKeysFiltered(ctx, streamGroupPrefix(group)+"*")
	if err != nil {
		return fmt.Errorf("log streams of %q: %w", group, err)
	}
	var all []string
	for k := range keys.Keys() {
		all = append(all, k)
	}
	_ = keys.Stop()
	for _, k := range all {
		if err := kv.Purge(ctx, k); err != nil {
			return fmt.Errorf("log streams of %q: %w", group, err)
		}
	}
	return nil
}
