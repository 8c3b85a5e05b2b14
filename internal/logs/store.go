package logs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
)

// JetStream names of the log store. They are kept from when the store
// belonged to functions: lines stored before stay readable.
const (
	logStream  = "NUBO_FN_LOGS"
	logSubject = "nubo.fn.logs."
	timeHdr    = "Nubo-Time" // unix nanoseconds the line was written
	// linesHdr indexes a message holding several lines.
	linesHdr = "Nubo-Lines"
	// requestIDHdr is the request id of a message whose lines all belong
	// to one request.
	requestIDHdr = "Nubo-Request-Id"
	// requestIDsHdr lists the request ids of a message whose lines belong
	// to several requests; each line's index entry then ends ":k", its
	// id's place in the list.
	requestIDsHdr = "Nubo-Request-Ids"
)

// Options sets how long lines are kept.
type Options struct {
	MaxAge   time.Duration // default 7 days
	MaxBytes int64         // default 1 GiB
	// RetentionGroup names the log group whose RetentionInDays applies to
	// the lines of a source (functions: /aws/lambda/NAME); nil takes the
	// source itself as the group's name.
	RetentionGroup func(source string) string
}

// Store keeps every line its writers write in a JetStream stream, one
// subject per source (a function's name), and reads them back by time,
// optionally following new lines. It is a Writer.
//
// A log group may keep its lines for less time than the store does
// (AWS::Logs::LogGroup RetentionInDays): the store keeps each group's
// retention in a KV bucket (groupsBucket), watched into memory, and gives
// each line of a source that group's TTL.
type Store struct {
	bb     *backbone.Backbone
	opts   Options
	nc     *nats.Conn
	stream jetstream.Stream
	groups jetstream.KeyValue
	// streams holds the log streams made through the Logs API.
	streams jetstream.KeyValue
	// metricFilters and subscriptions hold the groups' filters; subCache
	// follows the subscriptions (filters.go).
	metricFilters, subscriptions jetstream.KeyValue
	subCache                     *backbone.Cache[SubscriptionFilter]
	subQueue                     *backbone.WorkQueue
	// queries holds Logs Insights queries' results (api_insights.go).
	queries jetstream.KeyValue

	mu        sync.RWMutex
	retention map[string]time.Duration // by log group name
	watch     *backbone.Watcher[Group]

	batches sync.Map // source -> *batch: lines waiting to be stored
	closed  atomic.Bool
}

// NewStore builds a log store. It starts nothing.
func NewStore(bb *backbone.Backbone, o Options) *Store {
	if o.MaxAge <= 0 {
		o.MaxAge = 7 * 24 * time.Hour
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 1 << 30
	}
	if o.RetentionGroup == nil {
		o.RetentionGroup = func(source string) string { return source }
	}
	return &Store{bb: bb, opts: o}
}

// Start creates (or updates the retention of) the log stream and loads
// the log groups' retention.
func (l *Store) Start(ctx context.Context) error {
	s, err := l.bb.Stream(ctx, jetstream.StreamConfig{
		Name:        logStream,
		Description: "nubo function logs",
		Subjects:    []string{logSubject + "*"},
		Storage:     jetstream.FileStorage,
		MaxAge:      l.opts.MaxAge,
		MaxBytes:    l.opts.MaxBytes,
		Discard:     jetstream.DiscardOld,
		AllowMsgTTL: true, // per log group retention
	})
	if err != nil {
		return fmt.Errorf("logs: %w", err)
	}
	groups, err := l.bb.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: groupsBucket, Description: "nubo log groups: retention", History: 1})
	if err != nil {
		return fmt.Errorf("logs: %w", err)
	}
	streams, err := l.bb.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: streamsBucket, Description: "nubo log streams", History: 1})
	if err != nil {
		return fmt.Errorf("logs: %w", err)
	}
	metricFilters, err := l.bb.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: metricFiltersBucket, Description: "nubo log groups' metric filters", History: 1})
	if err != nil {
		return fmt.Errorf("logs: %w", err)
	}
	subscriptions, err := l.bb.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: subscriptionsBucket, Description: "nubo log groups' subscription filters", History: 1})
	if err != nil {
		return fmt.Errorf("logs: %w", err)
	}
	subCache, err := backbone.NewCache(ctx, backbone.Typed[SubscriptionFilter](subscriptions))
	if err != nil {
		return fmt.Errorf("logs: load subscription filters: %w", err)
	}
	queries, err := l.bb.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: queriesBucket, Description: "nubo Logs Insights query results", History: 1, TTL: queriesKept})
	if err != nil {
		return fmt.Errorf("logs: %w", err)
	}
	subQueue, err := l.bb.WorkQueue(ctx, subscriptionQueue())
	if err != nil {
		subCache.Close()
		return fmt.Errorf("logs: subscriptions: %w", err)
	}
	// Every group is in before Start returns, so retention applies from
	// the first line.
	initial, w, err := backbone.Typed[Group](groups).Watch(ctx)
	if err != nil {
		return fmt.Errorf("logs: load log groups: %w", err)
	}
	for _, e := range initial {
		l.applyGroup(e)
	}
	w.Follow(l.applyGroup, nil)
	l.mu.Lock()
	l.stream, l.nc, l.groups, l.streams, l.watch = s, l.bb.Conn(), groups, streams, w
	l.metricFilters, l.subscriptions, l.subCache, l.subQueue, l.queries = metricFilters, subscriptions, subCache, subQueue, queries
	l.mu.Unlock()
	return nil
}

// ttl is how long a line of source is kept, 0 for the store's default.
func (l *Store) ttl(source string) time.Duration {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if g, ok := userSourceGroup(source); ok {
		return l.retention[g]
	}
	return l.retention[l.opts.RetentionGroup(source)]
}

// Close flushes lines not yet sent. Idempotent.
func (l *Store) Close(ctx context.Context) error {
	l.mu.Lock()
	w, subCache := l.watch, l.subCache
	l.watch, l.subCache = nil, nil
	l.mu.Unlock()
	if subCache != nil {
		subCache.Close()
	}
	if w != nil {
		w.Stop()
	}
	if l.nc == nil || l.nc.IsClosed() {
		return nil
	}
	l.closed.Store(true) // lines from now on are stored at once
	l.flushBatches()
	if err := l.nc.FlushWithContext(ctx); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		return fmt.Errorf("logs: flush: %w", err)
	}
	return nil
}
