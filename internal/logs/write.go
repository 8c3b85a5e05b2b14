package logs

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Writer is how a context writes lines into the log store: functions'
// instances today, the gateway and other services next. A source is the
// writer's key for whose lines they are (a function's name); Sources tells
// the API which log group a source's lines belong to. Writes never block
// on storage.
type Writer interface {
	// Line writes one line of source, attributed to requestID ("" for
	// none).
	Line(source, requestID string, at time.Time, text []byte)
	// Lines writes several lines of one request at once. Their text may be
	// reused once Lines returns.
	Lines(source, requestID string, lines []Line)
}

var _ Writer = (*Store)(nil)

// Line is one line of a batch given to Lines.
type Line struct {
	At   time.Time
	Text []byte
}

// maxBatchLines is the most lines one message holds; Event.Seq numbers
// the lines of a message within it.
const maxBatchLines = 64

const (
	// flushDelay is how long a line may wait for others of its source
	// before it is stored: lines written together share one message.
	flushDelay = 2 * time.Millisecond
	// maxBatchBytes stores a batch at once when its text reaches this size.
	maxBatchBytes = 64 << 10
)

// batch is one source's lines waiting to be stored as one message.
type batch struct {
	mu     sync.Mutex
	at     []int64 // unix nanoseconds of each line
	lens   []int
	reqs   []string // request id of each line
	data   []byte   // the lines' text, one after the other
	lastAt int64
	armed  bool
	timer  *time.Timer
}

// Line stores one line. It does not wait for JetStream's acknowledgement: a
// function's output must never block on its logs.
func (l *Store) Line(source, requestID string, at time.Time, text []byte) {
	l.Lines(source, requestID, []Line{{At: at, Text: text}})
}

// Lines stores lines of one request. It does not wait for JetStream's
// acknowledgement, and it does not store them at once: the lines of a
// source written within flushDelay of each other (START, output, END
// and REPORT of every instance of a function) are stored as one JetStream
// message, so a busy function costs a message every few milliseconds
// rather than two or more per invocation. Read gives them back as separate
// events, each with its own time and request id.
//
// Readers that follow by time (nubo logs --follow, aws logs tail) ask for
// lines after the newest they saw, so no line may be stored after a newer
// one of its source: a batch keeps its lines in the order given, each
// source's batches are stored in order, and a line given a time older
// than the previous line's takes that line's time (instances of one
// function write concurrently; their clocks differ by microseconds).
//
// A message of one line is that line with its time in timeHdr; one of
// several has the lines one after the other and, in linesHdr, each line's
// unix nanoseconds and length ("ns:len,ns:len,...").
func (l *Store) Lines(source, requestID string, lines []Line) {
	if l.nc == nil || len(lines) == 0 {
		return
	}
	v, ok := l.batches.Load(source)
	if !ok {
		b := &batch{}
		b.timer = time.AfterFunc(time.Hour, func() { l.flushTimer(source, b) })
		b.timer.Stop()
		v, _ = l.batches.LoadOrStore(source, b)
	}
	b := v.(*batch)
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ln := range lines {
		at := ln.At.UnixNano()
		if at < b.lastAt {
			at = b.lastAt
		}
		b.lastAt = at
		b.at = append(b.at, at)
		b.lens = append(b.lens, len(ln.Text))
		b.reqs = append(b.reqs, requestID)
		b.data = append(b.data, ln.Text...)
		if len(b.at) >= maxBatchLines || len(b.data) >= maxBatchBytes {
			l.publishLocked(source, b)
		}
	}
	switch {
	case len(b.at) == 0:
	case l.closed.Load():
		l.publishLocked(source, b)
	case !b.armed:
		b.armed = true
		b.timer.Reset(flushDelay)
	}
}

func (l *Store) flushTimer(source string, b *batch) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.armed = false
	l.publishLocked(source, b)
}

// flushBatches stores every waiting line now (Close).
func (l *Store) flushBatches() {
	l.batches.Range(func(k, v any) bool {
		b := v.(*batch)
		b.mu.Lock()
		b.timer.Stop()
		b.armed = false
		l.publishLocked(k.(string), b)
		b.mu.Unlock()
		return true
	})
}

// publishLocked stores the batch as one message and empties it.
func (l *Store) publishLocked(source string, b *batch) {
	n := len(b.at)
	if n == 0 {
		return
	}
	h := make(nats.Header, 4)
	h[timeHdr] = []string{strconv.FormatInt(b.at[0], 10)}
	same := true
	for _, r := range b.reqs[1:] {
		if r != b.reqs[0] {
			same = false
			break
		}
	}
	if n > 1 {
		var ids []string
		where := map[string]int{}
		idx := make([]byte, 0, n*24)
		for i := range n {
			if i > 0 {
				idx = append(idx, ',')
			}
			idx = strconv.AppendInt(idx, b.at[i], 10)
			idx = append(idx, ':')
			idx = strconv.AppendInt(idx, int64(b.lens[i]), 10)
			if !same {
				k, ok := where[b.reqs[i]]
				if !ok {
					k = len(ids)
					where[b.reqs[i]] = k
					ids = append(ids, b.reqs[i])
				}
				idx = append(idx, ':')
				idx = strconv.AppendInt(idx, int64(k), 10)
			}
		}
		h[linesHdr] = []string{string(idx)}
		if !same {
			h[requestIDsHdr] = []string{strings.Join(ids, ",")}
		}
	}
	if same && b.reqs[0] != "" {
		h[requestIDHdr] = []string{b.reqs[0]}
	}
	if ttl := l.ttl(source); ttl > 0 {
		h[jetstream.MsgTTLHeader] = []string{strconv.FormatInt(int64(ttl/time.Second), 10)}
	}
	_ = l.nc.PublishMsg(&nats.Msg{Subject: l.bb.Subject(logSubject + source), Header: h, Data: b.data})
	if group := l.opts.RetentionGroup(source); l.subscribed(group) {
		events := make([]subscribedEvent, 0, n)
		off := 0
		for i := range n {
			text := string(b.data[off : off+b.lens[i]])
			off += b.lens[i]
			at := time.Unix(0, b.at[i])
			events = append(events, subscribedEvent{ID: eventID(b.at[i], i), Stream: logStreamName(at), Timestamp: at.UnixMilli(), Message: text})
		}
		_ = l.queueSubscribed(context.Background(), group, events, false) // as the lines: not waited for
	}
	b.at, b.lens, b.reqs, b.data = b.at[:0], b.lens[:0], b.reqs[:0], b.data[:0]
	if cap(b.data) > 4*maxBatchBytes {
		b.data = nil // do not pin a burst's buffer
	}
	clear(b.reqs[:cap(b.reqs)])
}
