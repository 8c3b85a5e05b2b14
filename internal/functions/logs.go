package functions

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/backbone"
)

// JetStream names of the log store.
const (
	logStream  = "NUBO_FN_LOGS"
	logSubject = "nubo.fn.logs."
	hdrLogTime = "Nubo-Time" // unix nanoseconds the line was written
)

// LogOptions sets how long function logs are kept.
type LogOptions struct {
	MaxAge   time.Duration // default 7 days
	MaxBytes int64         // default 1 GiB
}

// LogStore keeps every line function instances write in a JetStream stream,
// one subject per function, and reads them back by time, optionally
// following new lines. It is the pool's LogSink.
type LogStore struct {
	bb     *backbone.Backbone
	opts   LogOptions
	nc     *nats.Conn
	stream jetstream.Stream
}

var _ LogSink = (*LogStore)(nil)

// NewLogStore builds a log store. It starts nothing.
func NewLogStore(bb *backbone.Backbone, o LogOptions) *LogStore {
	if o.MaxAge <= 0 {
		o.MaxAge = 7 * 24 * time.Hour
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 1 << 30
	}
	return &LogStore{bb: bb, opts: o}
}

// Start creates (or updates the retention of) the log stream.
func (l *LogStore) Start(ctx context.Context) error {
	s, err := l.bb.Stream(ctx, jetstream.StreamConfig{
		Name:        logStream,
		Description: "nubo function logs",
		Subjects:    []string{logSubject + "*"},
		Storage:     jetstream.FileStorage,
		MaxAge:      l.opts.MaxAge,
		MaxBytes:    l.opts.MaxBytes,
		Discard:     jetstream.DiscardOld,
	})
	if err != nil {
		return fmt.Errorf("logs: %w", err)
	}
	l.stream, l.nc = s, l.bb.Conn()
	return nil
}

// Close flushes lines not yet sent. Idempotent.
func (l *LogStore) Close(ctx context.Context) error {
	if l.nc == nil || l.nc.IsClosed() {
		return nil
	}
	if err := l.nc.FlushWithContext(ctx); err != nil && !errors.Is(err, nats.ErrConnectionClosed) {
		return fmt.Errorf("logs: flush: %w", err)
	}
	return nil
}

// Line stores one line. It does not wait for JetStream's acknowledgement: a
// function's output must never block on its logs.
func (l *LogStore) Line(function, requestID string, at time.Time, line []byte) {
	if l.nc == nil {
		return
	}
	m := nats.NewMsg(logSubject + function)
	m.Header.Set(hdrLogTime, strconv.FormatInt(at.UnixNano(), 10))
	if requestID != "" {
		m.Header.Set(hdrRequestID, requestID)
	}
	m.Data = append([]byte(nil), line...)
	_ = l.nc.PublishMsg(m)
}

// LogEvent is one stored line.
type LogEvent struct {
	Seq       uint64 // stream sequence: a stable, increasing id
	Function  string
	RequestID string
	Time      time.Time
	Ingested  time.Time
	Message   string
}

// LogQuery selects lines of one function.
type LogQuery struct {
	Since    time.Time // lines stored at or after (zero: from the start)
	Until    time.Time // lines stored at or before (zero: no end)
	AfterSeq uint64    // resume after this event (a page token)
	// Follow keeps reading new lines until ctx ends; otherwise Read stops at
	// the last line stored when it was called.
	Follow bool
}

// errStopRead ends a Read early without an error.
var errStopRead = errors.New("stop reading")

// Read calls fn with each matching line, oldest first. fn may return
// errStopRead to stop.
func (l *LogStore) Read(ctx context.Context, function string, q LogQuery, fn func(LogEvent) error) error {
	subj := logSubject + function
	var last uint64
	if !q.Follow {
		m, err := l.stream.GetLastMsgForSubject(ctx, subj)
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("logs %q: %w", function, err)
		}
		last = m.Sequence
		if last <= q.AfterSeq || (!q.Since.IsZero() && m.Time.Before(q.Since)) {
			return nil
		}
	}
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{subj}}
	switch {
	case q.AfterSeq > 0:
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, q.AfterSeq+1
	case !q.Since.IsZero():
		since := q.Since
		cfg.DeliverPolicy, cfg.OptStartTime = jetstream.DeliverByStartTimePolicy, &since
	default:
		cfg.DeliverPolicy = jetstream.DeliverAllPolicy
	}
	cons, err := l.bb.JetStream().OrderedConsumer(ctx, logStream, cfg)
	if err != nil {
		return fmt.Errorf("logs %q: %w", function, err)
	}
	it, err := cons.Messages()
	if err != nil {
		return fmt.Errorf("logs %q: %w", function, err)
	}
	defer it.Stop()
	for {
		msg, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			if ctx.Err() != nil && q.Follow {
				return nil
			}
			return fmt.Errorf("logs %q: %w", function, err)
		}
		md, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("logs %q: %w", function, err)
		}
		if !q.Follow && md.Sequence.Stream > last {
			return nil
		}
		ev := LogEvent{Seq: md.Sequence.Stream, Function: function, RequestID: msg.Headers().Get(hdrRequestID), Ingested: md.Timestamp, Message: string(msg.Data())}
		ev.Time = md.Timestamp
		if ns, err := strconv.ParseInt(msg.Headers().Get(hdrLogTime), 10, 64); err == nil {
			ev.Time = time.Unix(0, ns)
		}
		if !q.Until.IsZero() && ev.Time.After(q.Until) {
			if !q.Follow {
				return nil
			}
			continue
		}
		if !q.Since.IsZero() && ev.Time.Before(q.Since) {
			continue
		}
		if err := fn(ev); err != nil {
			if errors.Is(err, errStopRead) {
				return nil
			}
			return err
		}
		if !q.Follow && md.Sequence.Stream >= last {
			return nil
		}
	}
}
