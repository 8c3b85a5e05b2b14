package functions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/eventpattern"
	"github.com/nubo-run/nubo/internal/queues"
)

// The pollers of the event source mappings. Every node follows the
// mappings' bucket and polls each enabled mapping itself: the queue's
// JetStream consumer is shared, so pollers on any number of nodes divide
// its messages between them, and a node that dies loses nothing (its
// in-flight messages come back after their visibility timeout). A mapping
// disabled or deleted stops its pollers on every node within a poll
// (pollWait) of the watch delivering the change.

// pollWait bounds one long poll: a paused mapping stops within it.
const pollWait = time.Second

// defaultMaxPollers bounds a mapping's concurrent batches on one node when
// its ScalingConfig does not.
const defaultMaxPollers = 5

// mappingPollers are the running pollers of one mapping on this node: one
// at first, one more whenever a batch comes back full (a backlog), one
// fewer when a poll finds the queue empty, up to the mapping's bound.
type mappingPollers struct {
	e      *EventSources
	m      *Mapping
	rev    uint64
	filter *eventpattern.Set
	max    int
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu     sync.Mutex
	active int
}

// apply follows one change of the mappings' bucket.
func (e *EventSources) apply(en backbone.Entry[Mapping]) {
	uuid := en.Key[len("m."):]
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return
	}
	cur := e.running[uuid]
	if cur != nil && !en.Deleted && en.Value != nil && cur.rev >= en.Revision {
		return
	}
	if cur != nil {
		cur.stop()
		delete(e.running, uuid)
		e.draining = append(e.draining, cur)
	}
	// Forget the stopped pollers whose last poll has ended.
	kept := e.draining[:0]
	for _, d := range e.draining {
		if d.count() > 0 {
			kept = append(kept, d)
		}
	}
	e.draining = kept
	if en.Deleted || en.Value == nil || !en.Value.Enabled {
		return
	}
	p, err := e.newPollers(en.Value, en.Revision)
	if err != nil {
		e.log.Warn("event source mapping: not polled", "uuid", uuid, "err", err)
		return
	}
	e.running[uuid] = p
	p.spawn()
}

func (e *EventSources) newPollers(m *Mapping, rev uint64) (*mappingPollers, error) {
	p := &mappingPollers{e: e, m: m, rev: rev, max: defaultMaxPollers}
	if s := m.ScalingConfig; s != nil && s.MaximumConcurrency != nil {
		p.max = *s.MaximumConcurrency
	}
	if f := m.FilterCriteria; f != nil && len(f.Filters) > 0 {
		set, err := compileFilters(f.Filters)
		if err != nil {
			return nil, err
		}
		p.filter = set
	}
	p.ctx, p.cancel = context.WithCancel(context.Background())
	return p, nil
}

func (p *mappingPollers) stop() { p.cancel() }

func (p *mappingPollers) wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("event source mapping %s: pollers still running: %w", p.m.UUID, ctx.Err())
	}
}

// spawn starts one more poller unless the bound is reached.
func (p *mappingPollers) spawn() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.active >= p.bound() || p.ctx.Err() != nil {
		return
	}
	p.active++
	p.wg.Add(1)
	go p.run()
}

// bound is the mapping's concurrency on this node: its ScalingConfig (or
// the default), and no more than the function's reserved concurrency.
func (p *mappingPollers) bound() int {
	n := p.max
	if fc, err := p.e.o.Functions.target(p.ctx, functionPart(p.m.Function), qualifierPart(p.m.Function)); err == nil && fc.ReservedConcurrency != nil && *fc.ReservedConcurrency < n {
		n = max(*fc.ReservedConcurrency, 1)
	}
	return n
}

// retire ends a poller when others remain; false keeps it.
func (p *mappingPollers) retire() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.active <= 1 {
		return false
	}
	p.active--
	return true
}

func (p *mappingPollers) run() {
	defer p.wg.Done()
	for p.ctx.Err() == nil {
		batch, err := p.collect()
		if err != nil {
			if p.ctx.Err() == nil {
				p.e.log.Warn("event source mapping: receive", "uuid", p.m.UUID, "queue", p.m.EventSourceArn, "err", err)
				select {
				case <-p.ctx.Done():
				case <-time.After(pollWait):
				}
			}
			continue
		}
		if len(batch) == 0 {
			if p.retire() {
				return
			}
			continue
		}
		if len(batch) >= p.m.BatchSize {
			p.spawn() // a backlog: one more batch at a time
		}
		p.process(batch)
	}
	p.mu.Lock()
	p.active--
	p.mu.Unlock()
}

// collect receives one batch: up to BatchSize messages, waiting up to
// MaximumBatchingWindowInSeconds for the batch to fill once a first
// message is in.
func (p *mappingPollers) collect() ([]queues.Received, error) {
	q := p.e.o.Queues
	batch, err := q.Poll(p.ctx, p.m.EventSourceArn, p.m.BatchSize, pollWait)
	if err != nil || len(batch) == 0 || p.m.MaxBatchingWindow == 0 {
		return batch, err
	}
	deadline := time.Now().Add(time.Duration(p.m.MaxBatchingWindow) * time.Second)
	for len(batch) < p.m.BatchSize && p.ctx.Err() == nil {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		more, err := q.Poll(p.ctx, p.m.EventSourceArn, p.m.BatchSize-len(batch), min(left, pollWait))
		if err != nil {
			return batch, nil // what is in goes to the function
		}
		batch = append(batch, more...)
	}
	return batch, nil
}

// sqsRecord is one record of the SQS event (aws-lambda-go events.SQSMessage).
type sqsRecord struct {
	MessageID              string                  `json:"messageId"`
	ReceiptHandle          string                  `json:"receiptHandle"`
	Body                   string                  `json:"body"`
	Md5OfBody              string                  `json:"md5OfBody"`
	Md5OfMessageAttributes *string                 `json:"md5OfMessageAttributes"`
	Attributes             map[string]string       `json:"attributes"`
	MessageAttributes      map[string]sqsAttribute `json:"messageAttributes"`
	EventSourceARN         string                  `json:"eventSourceARN"`
	EventSource            string                  `json:"eventSource"`
	AWSRegion              string                  `json:"awsRegion"`
}

// sqsAttribute is events.SQSMessageAttribute.
type sqsAttribute struct {
	StringValue      *string  `json:"stringValue,omitempty"`
	BinaryValue      []byte   `json:"binaryValue,omitempty"`
	StringListValues []string `json:"stringListValues"`
	BinaryListValues [][]byte `json:"binaryListValues"`
	DataType         string   `json:"dataType"`
}

func (p *mappingPollers) record(r queues.Received) sqsRecord {
	rec := sqsRecord{MessageID: r.MessageID, ReceiptHandle: r.ReceiptHandle, Body: r.Body, Md5OfBody: r.BodyMD5,
		Attributes: r.System, MessageAttributes: map[string]sqsAttribute{},
		EventSourceARN: p.m.EventSourceArn, EventSource: "aws:sqs", AWSRegion: p.e.o.Queues.Region()}
	if len(r.Attributes) > 0 {
		md5 := r.AttributesMD5
		rec.Md5OfMessageAttributes = &md5
	}
	for k, a := range r.Attributes {
		v := sqsAttribute{DataType: a.DataType, StringListValues: []string{}, BinaryListValues: [][]byte{}}
		if a.BinaryValue != nil {
			v.BinaryValue = a.BinaryValue
		} else {
			s := a.StringValue
			v.StringValue = &s
		}
		rec.MessageAttributes[k] = v
	}
	return rec
}

// process hands a batch to the function and deletes what it handled.
func (p *mappingPollers) process(batch []queues.Received) {
	records := make([]sqsRecord, 0, len(batch))
	var drop []string // filtered out: deleted, as Lambda does
	for _, r := range batch {
		rec := p.record(r)
		if p.filter != nil && !p.matches(rec) {
			drop = append(drop, r.ReceiptHandle)
			continue
		}
		records = append(records, rec)
	}
	if len(drop) > 0 {
		p.delete(drop)
	}
	if len(records) == 0 {
		return
	}
	payload, err := json.Marshal(map[string]any{"Records": records})
	if err != nil {
		p.e.log.Error("event source mapping: encode the event", "uuid", p.m.UUID, "err", err)
		return
	}
	// The batch is invoked even when the mapping is paused meanwhile: its
	// messages are received already.
	res, err := p.e.o.Functions.Invoke(context.WithoutCancel(p.ctx), p.m.Function, &Request{Payload: payload})
	if err != nil {
		// Throttled or gone: the messages come back after their visibility
		// timeout.
		p.e.log.Warn("event source mapping: invoke", "uuid", p.m.UUID, "function", p.m.Function, "err", err)
		return
	}
	if res.FunctionError != "" {
		return // every message comes back after its visibility timeout
	}
	handles := make([]string, 0, len(records))
	if p.m.reportsItemFailures() {
		failed, ok := batchItemFailures(res.Payload, records)
		if !ok {
			return // an unreadable answer fails the whole batch
		}
		for _, r := range records {
			if !failed[r.MessageID] {
				handles = append(handles, r.ReceiptHandle)
			}
		}
	} else {
		for _, r := range records {
			handles = append(handles, r.ReceiptHandle)
		}
	}
	p.delete(handles)
}

func (p *mappingPollers) delete(handles []string) {
	if len(handles) == 0 {
		return
	}
	if err := p.e.o.Queues.DeleteMessages(context.WithoutCancel(p.ctx), p.m.EventSourceArn, handles); err != nil && !errors.Is(err, context.Canceled) {
		p.e.log.Warn("event source mapping: delete", "uuid", p.m.UUID, "queue", p.m.EventSourceArn, "err", err)
	}
}

// batchItemFailures reads a ReportBatchItemFailures answer: the message ids
// that failed. ok is false when the answer names an id not in the batch,
// or an empty one: then the whole batch failed, as on Lambda. An empty or
// null answer, or one without batchItemFailures, is a full success.
func batchItemFailures(payload []byte, records []sqsRecord) (failed map[string]bool, ok bool) {
	failed = map[string]bool{}
	var resp struct {
		BatchItemFailures []struct {
			ItemIdentifier *string `json:"itemIdentifier"`
		} `json:"batchItemFailures"`
	}
	if len(payload) == 0 || string(payload) == "null" {
		return failed, true
	}
	if err := json.Unmarshal(payload, &resp); err != nil {
		return failed, true // not an object: Lambda treats it as success
	}
	ids := make(map[string]bool, len(records))
	for _, r := range records {
		ids[r.MessageID] = true
	}
	for _, f := range resp.BatchItemFailures {
		if f.ItemIdentifier == nil || *f.ItemIdentifier == "" || !ids[*f.ItemIdentifier] {
			return nil, false
		}
		failed[*f.ItemIdentifier] = true
	}
	return failed, true
}

// matches tells whether a record passes the mapping's filters: a body that
// is JSON is matched as an object, any other as its string.
func (p *mappingPollers) matches(rec sqsRecord) bool {
	b, err := json.Marshal(rec)
	if err != nil {
		return false
	}
	var obj map[string]any
	if err := json.Unmarshal(b, &obj); err != nil {
		return false
	}
	var body any
	if json.Unmarshal([]byte(rec.Body), &body) == nil {
		if _, isObj := body.(map[string]any); isObj {
			obj["body"] = body
		}
	}
	return len(p.filter.MatchEvent(eventpattern.EventOf(obj))) > 0
}

func compileFilters(fs []EventFilter) (*eventpattern.Set, error) {
	ps := make([]eventpattern.Pattern, len(fs))
	for i, f := range fs {
		ps[i] = eventpattern.Pattern{ID: fmt.Sprint(i), JSON: f.Pattern}
	}
	return eventpattern.Compile(ps)
}

// compileFilter checks one filter pattern.
func compileFilter(pattern string) (*eventpattern.Set, error) {
	return compileFilters([]EventFilter{{Pattern: pattern}})
}

func functionPart(fn string) string {
	for i := 0; i < len(fn); i++ {
		if fn[i] == ':' {
			return fn[:i]
		}
	}
	return fn
}

func qualifierPart(fn string) string {
	for i := 0; i < len(fn); i++ {
		if fn[i] == ':' {
			return fn[i+1:]
		}
	}
	return ""
}

// Pollers is how many pollers of the mapping run on this node now (0 for
// a disabled or deleted mapping once its last long poll has ended).
func (e *EventSources) Pollers(uuid string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	if p := e.running[uuid]; p != nil {
		n += p.count()
	}
	for _, d := range e.draining {
		if d.m.UUID == uuid {
			n += d.count()
		}
	}
	return n
}

func (p *mappingPollers) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.active
}
