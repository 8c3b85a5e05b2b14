package functions

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

// JetStream names of the log store.
const (
	logStream    = "NUBO_FN_LOGS"
	logSubject   = "nubo.fn.logs."
	evLogTimeHdr = "Nubo-Time" // unix nanoseconds the line was written
	// evLogLinesHdr indexes a message holding several lines.
	evLogLinesHdr = "Nubo-Lines"
)

// LogOptions sets how long function logs are kept.
type LogOptions struct {
	MaxAge   time.Duration // default 7 days
	MaxBytes int64         // default 1 GiB
}

// LogStore keeps every line function instances write in a JetStream stream,
// one subject per function, and reads them back by time, optionally
// following new lines. It is the pool's LogSink.
//
// A log group may keep its lines for less time than the store does
// (AWS::Logs::LogGroup RetentionInDays): the store keeps each group's
// retention in a KV bucket (logGroupsBucket), watched into memory, and gives
// each line of a function logging to /aws/lambda/NAME that group's TTL.
type LogStore struct {
	bb     *backbone.Backbone
	opts   LogOptions
	nc     *nats.Conn
	stream jetstream.Stream
	groups jetstream.KeyValue

	mu        sync.RWMutex
	retention map[string]time.Duration // by log group name
	watch     *backbone.Watcher[LogGroup]

	batches sync.Map // function -> *logBatch: lines waiting to be stored
	closed  atomic.Bool
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

// Start creates (or updates the retention of) the log stream and loads
// the log groups' retention.
func (l *LogStore) Start(ctx context.Context) error {
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
	groups, err := l.bb.KeyValue(ctx, jetstream.KeyValueConfig{Bucket: logGroupsBucket, Description: "nubo log groups: retention", History: 1})
	if err != nil {
		return fmt.Errorf("logs: %w", err)
	}
	// Every group is in before Start returns, so retention applies from
	// the first line.
	initial, w, err := backbone.Typed[LogGroup](groups).Watch(ctx)
	if err != nil {
		return fmt.Errorf("logs: load log groups: %w", err)
	}
	for _, e := range initial {
		l.applyGroup(e)
	}
	w.Follow(l.applyGroup, nil)
	l.mu.Lock()
	l.stream, l.nc, l.groups, l.watch = s, l.bb.Conn(), groups, w
	l.mu.Unlock()
	return nil
}

// logGroupsBucket holds each log group's settings, keyed by the hex of its name.
const logGroupsBucket = "nubo_log_groups"

// LogGroup is a log group's settings (AWS::Logs::LogGroup).
type LogGroup struct {
	Name string `json:"name"`
	// RetentionDays is how long its lines are kept; 0 keeps them as long as
	// the store does (--log-retention).
	RetentionDays int `json:"retentionDays,omitempty"`
}

func logGroupKey(name string) string { return "g." + hex.EncodeToString([]byte(name)) }

// applyGroup records a watched change of a log group's settings.
func (l *LogStore) applyGroup(e backbone.Entry[LogGroup]) {
	if g := e.Value; g != nil {
		l.mu.Lock()
		if l.retention == nil {
			l.retention = map[string]time.Duration{}
		}
		if g.RetentionDays > 0 {
			l.retention[g.Name] = time.Duration(g.RetentionDays) * 24 * time.Hour
		} else {
			delete(l.retention, g.Name)
		}
		l.mu.Unlock()
		return
	}
	if name, err := hex.DecodeString(strings.TrimPrefix(e.Key, "g.")); err == nil {
		l.mu.Lock()
		delete(l.retention, string(name))
		l.mu.Unlock()
	}
}

func (l *LogStore) groupsKV() (jetstream.KeyValue, error) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.groups == nil {
		return nil, errors.New("logs: store not started")
	}
	return l.groups, nil
}

// PutGroup creates or updates a log group's settings.
func (l *LogStore) PutGroup(ctx context.Context, g LogGroup) error {
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
	if _, err := kv.Put(ctx, logGroupKey(g.Name), b); err != nil {
		return fmt.Errorf("log group %q: %w", g.Name, err)
	}
	l.mu.Lock()
	if l.retention == nil {
		l.retention = map[string]time.Duration{}
	}
	if g.RetentionDays > 0 {
		l.retention[g.Name] = time.Duration(g.RetentionDays) * 24 * time.Hour
	} else {
		delete(l.retention, g.Name)
	}
	l.mu.Unlock()
	return nil
}

// Group returns a log group's settings; ErrLogGroupNotFound if it has none.
func (l *LogStore) Group(ctx context.Context, name string) (LogGroup, error) {
	kv, err := l.groupsKV()
	if err != nil {
		return LogGroup{}, err
	}
	e, err := kv.Get(ctx, logGroupKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return LogGroup{}, fmt.Errorf("log group %q: %w", name, ErrLogGroupNotFound)
	}
	if err != nil {
		return LogGroup{}, fmt.Errorf("log group %q: %w", name, err)
	}
	var g LogGroup
	if err := json.Unmarshal(e.Value(), &g); err != nil {
		return LogGroup{}, fmt.Errorf("log group %q: %w", name, err)
	}
	return g, nil
}

// DeleteGroup forgets a log group's settings (its lines stay until the
// store's own retention drops them).
func (l *LogStore) DeleteGroup(ctx context.Context, name string) error {
	if _, err := l.Group(ctx, name); err != nil {
		return err
	}
	kv, err := l.groupsKV()
	if err != nil {
		return err
	}
	if err := kv.Purge(ctx, logGroupKey(name)); err != nil {
		return fmt.Errorf("log group %q: %w", name, err)
	}
	l.mu.Lock()
	delete(l.retention, name)
	l.mu.Unlock()
	return nil
}

// ErrLogGroupNotFound: no settings are stored for the log group.
var ErrLogGroupNotFound = errors.New("log group not found")

// ttl is how long a line of function is kept, 0 for the store's default.
func (l *LogStore) ttl(function string) time.Duration {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.retention["/aws/lambda/"+function]
}

// Close flushes lines not yet sent. Idempotent.
func (l *LogStore) Close(ctx context.Context) error {
	l.mu.Lock()
	w := l.watch
	l.watch = nil
	l.mu.Unlock()
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

// Line stores one line. It does not wait for JetStream's acknowledgement: a
// function's output must never block on its logs.
func (l *LogStore) Line(function, requestID string, at time.Time, line []byte) {
	l.Lines(function, requestID, []LogLine{{At: at, Text: line}})
}

// LogLine is one line of a batch given to Lines.
type LogLine struct {
	At   time.Time
	Text []byte
}

// maxBatchLines is the most lines one message holds; LogEvent.Seq numbers
// the lines of a message within it.
const maxBatchLines = 64

const (
	// logFlushDelay is how long a line may wait for others of its function
	// before it is stored: lines written together share one message.
	logFlushDelay = 2 * time.Millisecond
	// maxBatchBytes stores a batch at once when its text reaches this size.
	maxBatchBytes = 64 << 10
	// evLogReqsHdr lists the request ids of a message whose lines belong to
	// several invocations; each line's index entry then ends ":k", its id's
	// place in the list.
	evLogReqsHdr = "Nubo-Request-Ids"
)

// logBatch is one function's lines waiting to be stored as one message.
type logBatch struct {
	mu     sync.Mutex
	at     []int64 // unix nanoseconds of each line
	lens   []int
	reqs   []string // request id of each line
	data   []byte   // the lines' text, one after the other
	lastAt int64
	armed  bool
	timer  *time.Timer
}

// Lines stores lines of one invocation. It does not wait for JetStream's
// acknowledgement, and it does not store them at once: the lines of a
// function written within logFlushDelay of each other (START, output, END
// and REPORT of every instance) are stored as one JetStream message, so a
// busy function costs a message every few milliseconds rather than two or
// more per invocation. Read gives them back as separate events, each with
// its own time and request id.
//
// Readers that follow by time (nubo logs --follow, aws logs tail) ask for
// lines after the newest they saw, so no line may be stored after a newer
// one of its function: a batch keeps its lines in the order given, each
// function's batches are stored in order, and a line given a time older
// than the previous line's takes that line's time (instances of one
// function write concurrently; their clocks differ by microseconds).
//
// A message of one line is that line with its time in evLogTimeHdr; one of
// several has the lines one after the other and, in evLogLinesHdr, each
// line's unix nanoseconds and length ("ns:len,ns:len,...").
func (l *LogStore) Lines(function, requestID string, lines []LogLine) {
	if l.nc == nil || len(lines) == 0 {
		return
	}
	v, ok := l.batches.Load(function)
	if !ok {
		b := &logBatch{}
		b.timer = time.AfterFunc(time.Hour, func() { l.flushTimer(function, b) })
		b.timer.Stop()
		v, _ = l.batches.LoadOrStore(function, b)
	}
	b := v.(*logBatch)
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
			l.publishLocked(function, b)
		}
	}
	switch {
	case len(b.at) == 0:
	case l.closed.Load():
		l.publishLocked(function, b)
	case !b.armed:
		b.armed = true
		b.timer.Reset(logFlushDelay)
	}
}

func (l *LogStore) flushTimer(function string, b *logBatch) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.armed = false
	l.publishLocked(function, b)
}

// flushBatches stores every waiting line now (Close).
func (l *LogStore) flushBatches() {
	l.batches.Range(func(k, v any) bool {
		b := v.(*logBatch)
		b.mu.Lock()
		b.timer.Stop()
		b.armed = false
		l.publishLocked(k.(string), b)
		b.mu.Unlock()
		return true
	})
}

// publishLocked stores the batch as one message and empties it.
func (l *LogStore) publishLocked(function string, b *logBatch) {
	n := len(b.at)
	if n == 0 {
		return
	}
	h := make(nats.Header, 4)
	h[evLogTimeHdr] = []string{strconv.FormatInt(b.at[0], 10)}
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
		h[evLogLinesHdr] = []string{string(idx)}
		if !same {
			h[evLogReqsHdr] = []string{strings.Join(ids, ",")}
		}
	}
	if same && b.reqs[0] != "" {
		h[evRequestIDHdr] = []string{b.reqs[0]}
	}
	if ttl := l.ttl(function); ttl > 0 {
		h[jetstream.MsgTTLHeader] = []string{strconv.FormatInt(int64(ttl/time.Second), 10)}
	}
	_ = l.nc.PublishMsg(&nats.Msg{Subject: logSubject + function, Header: h, Data: b.data})
	b.at, b.lens, b.reqs, b.data = b.at[:0], b.lens[:0], b.reqs[:0], b.data[:0]
	if cap(b.data) > 4*maxBatchBytes {
		b.data = nil // do not pin a burst's buffer
	}
	clear(b.reqs[:cap(b.reqs)])
}

// splitLogLines gives the lines of a stored message, their times and
// their request ids (rid unless the index names one from reqs, the
// message's evLogReqsHdr); a message without a valid line index is one
// line at time at.
func splitLogLines(data []byte, index, reqs, rid string, at time.Time) ([]string, []time.Time, []string) {
	if index != "" {
		var msgs, ids []string
		var times []time.Time
		var list []string
		if reqs != "" {
			list = strings.Split(reqs, ",")
		}
		rest, off := index, 0
		for rest != "" && len(msgs) < maxBatchLines {
			var item string
			item, rest, _ = strings.Cut(rest, ",")
			nsS, lenS, ok := strings.Cut(item, ":")
			lenS, kS, hasK := strings.Cut(lenS, ":")
			ns, err1 := strconv.ParseInt(nsS, 10, 64)
			n, err2 := strconv.Atoi(lenS)
			if !ok || err1 != nil || err2 != nil || n < 0 || n > len(data)-off {
				msgs = nil
				break
			}
			id := rid
			if hasK {
				k, err := strconv.Atoi(kS)
				if err != nil || k < 0 || k >= len(list) {
					msgs = nil
					break
				}
				id = list[k]
			}
			msgs = append(msgs, string(data[off:off+n]))
			times = append(times, time.Unix(0, ns))
			ids = append(ids, id)
			off += n
		}
		if msgs != nil && rest == "" && off == len(data) {
			return msgs, times, ids
		}
	}
	return []string{string(data)}, []time.Time{at}, []string{rid}
}

// LogEvent is one stored line.
type LogEvent struct {
	// Seq is a stable, increasing id: the stream sequence of the line's
	// message times maxBatchLines, plus the line's place in the message.
	Seq       uint64
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
		if (last+1)*maxBatchLines-1 <= q.AfterSeq || (!q.Since.IsZero() && m.Time.Before(q.Since)) {
			return nil
		}
	}
	cfg := jetstream.OrderedConsumerConfig{FilterSubjects: []string{subj}}
	switch {
	case q.AfterSeq > 0:
		// Resume within the message holding the line after AfterSeq.
		cfg.DeliverPolicy, cfg.OptStartSeq = jetstream.DeliverByStartSequencePolicy, max(1, (q.AfterSeq+1)/maxBatchLines)
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
		at := md.Timestamp
		if ns, err := strconv.ParseInt(msg.Headers().Get(evLogTimeHdr), 10, 64); err == nil {
			at = time.Unix(0, ns)
		}
		hd := msg.Headers()
		msgs, times, rids := splitLogLines(msg.Data(), hd.Get(evLogLinesHdr), hd.Get(evLogReqsHdr), hd.Get(evRequestIDHdr), at)
		for i, text := range msgs {
			ev := LogEvent{Seq: md.Sequence.Stream*maxBatchLines + uint64(i), Function: function, RequestID: rids[i], Time: times[i], Ingested: md.Timestamp, Message: text}
			if ev.Seq <= q.AfterSeq {
				continue
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
		}
		if !q.Follow && md.Sequence.Stream >= last {
			return nil
		}
	}
}

// LogsAPI serves the subset of the CloudWatch Logs API (JSON 1.1,
// X-Amz-Target Logs_20140328.*) that `aws logs tail` and `nubo logs` use:
// FilterLogEvents, GetLogEvents and DescribeLogGroups over function logs.
// Each function's group is its LogGroup (/aws/lambda/NAME); nubo keeps one
// stream per day, named as Lambda names them: YYYY/MM/DD/[$LATEST]nubo.
type LogsAPI struct {
	s    *Service
	logs *LogStore
	log  *slog.Logger
}

// NewLogsAPI builds the CloudWatch Logs handler.
func NewLogsAPI(s *Service, logs *LogStore, log *slog.Logger) *LogsAPI {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &LogsAPI{s: s, logs: logs, log: log}
}

const logsTargetPrefix = "Logs_20140328."

func (a *LogsAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), logsTargetPrefix)
	if r.Method != http.MethodPost || !ok {
		awsapi.WriteError(w, r, awsapi.JSON, awsapi.NewError(http.StatusBadRequest, "UnknownOperationException", "expected a POST with X-Amz-Target: Logs_20140328.<Operation>"), a.log)
		return
	}
	var out any
	var err error
	switch op {
	case "FilterLogEvents":
		out, err = a.filterLogEvents(r)
	case "GetLogEvents":
		out, err = a.getLogEvents(r)
	case "DescribeLogGroups":
		out, err = a.describeLogGroups(r)
	default:
		err = awsapi.Errorf(http.StatusBadRequest, "UnknownOperationException", "nubo does not implement Logs %s", op)
	}
	if err != nil {
		awsapi.WriteError(w, r, awsapi.JSON, err, a.log)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		awsapi.WriteError(w, r, awsapi.JSON, err, a.log)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

func decodeLogsRequest(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return awsapi.Errorf(http.StatusBadRequest, "SerializationException", "read request: %v", err)
	}
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return awsapi.Errorf(http.StatusBadRequest, "SerializationException", "request body: %v", err)
	}
	return nil
}

func logGroupNotFound() error {
	return awsapi.NewError(http.StatusBadRequest, "ResourceNotFoundException", "The specified log group does not exist.")
}

// authorize asks the service's authorizer whether the caller may perform
// action on resource.
func (a *LogsAPI) authorize(r *http.Request, action, resource string) error {
	return awsapi.Authorize(r.Context(), a.s.opts.Authorizer, awsapi.AuthzRequest{Service: "logs", Action: action, Resource: resource, HTTP: r})
}

// groupARN is the ARN of a log group named by name or ARN
// (arn:aws:logs:REGION:ACCOUNT:log-group:NAME).
func (a *LogsAPI) groupARN(group string) string {
	if strings.HasPrefix(group, "arn:") {
		return strings.TrimSuffix(group, ":*")
	}
	return a.s.account.ARN("logs", "log-group:"+group)
}

// groupFunction maps a log group name (or ARN) to the function logging to it.
func (a *LogsAPI) groupFunction(ctx context.Context, group string) (*Config, error) {
	if strings.HasPrefix(group, "arn:") {
		arn, err := awsapi.ParseARN(group)
		if err != nil {
			return nil, logGroupNotFound()
		}
		group = strings.TrimSuffix(strings.TrimPrefix(arn.Resource, "log-group:"), ":*")
	}
	if group == "" {
		return nil, awsapi.InvalidParameter("logGroupName or logGroupIdentifier is required")
	}
	if name, ok := strings.CutPrefix(group, "/aws/lambda/"); ok {
		if c, err := a.s.Get(ctx, name); err == nil && c.LogGroup == group {
			return c, nil
		}
	}
	all, err := a.s.List(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range all {
		if c.LogGroup == group {
			return c, nil
		}
	}
	return nil, logGroupNotFound()
}

func logStreamName(t time.Time) string {
	return t.UTC().Format("2006/01/02") + "/[$LATEST]nubo"
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms *int64) time.Time {
	if ms == nil || *ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(*ms)
}

// matchFilter is the plain-term subset of CloudWatch filter patterns: every
// term must appear ("quoted phrases" count as one term); a pattern with JSON
// or space-delimited selectors matches everything rather than nothing.
func matchFilter(pattern, msg string) bool {
	pattern = strings.TrimSpace(pattern)
	if pattern == "" || strings.HasPrefix(pattern, "{") || strings.HasPrefix(pattern, "[") {
		return true
	}
	for _, term := range filterTerms(pattern) {
		if strings.HasPrefix(term, "-") && len(term) > 1 {
			if strings.Contains(msg, term[1:]) {
				return false
			}
			continue
		}
		if !strings.Contains(msg, term) {
			return false
		}
	}
	return true
}

func filterTerms(p string) []string {
	var terms []string
	for len(p) > 0 {
		p = strings.TrimLeft(p, " \t")
		if p == "" {
			break
		}
		if p[0] == '"' {
			// A quoted phrase; \" inside it is a literal quote.
			var term strings.Builder
			i := 1
			for ; i < len(p) && p[i] != '"'; i++ {
				if p[i] == '\\' && i+1 < len(p) {
					i++
				}
				term.WriteByte(p[i])
			}
			terms = append(terms, term.String())
			p = p[min(i+1, len(p)):]
			continue
		}
		i := strings.IndexAny(p, " \t")
		if i < 0 {
			terms = append(terms, p)
			break
		}
		terms = append(terms, p[:i])
		p = p[i:]
	}
	return terms
}

type filterLogEventsInput struct {
	LogGroupName        string   `json:"logGroupName"`
	LogGroupIdentifier  string   `json:"logGroupIdentifier"`
	LogStreamNames      []string `json:"logStreamNames"`
	LogStreamNamePrefix string   `json:"logStreamNamePrefix"`
	StartTime           *int64   `json:"startTime"`
	EndTime             *int64   `json:"endTime"`
	FilterPattern       string   `json:"filterPattern"`
	NextToken           string   `json:"nextToken"`
	Limit               int      `json:"limit"`
}

type filteredLogEvent struct {
	LogStreamName string `json:"logStreamName"`
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
	EventID       string `json:"eventId"`
}

type searchedLogStream struct {
	LogStreamName      string `json:"logStreamName"`
	SearchedCompletely bool   `json:"searchedCompletely"`
}

type filterLogEventsOutput struct {
	Events             []filteredLogEvent  `json:"events"`
	SearchedLogStreams []searchedLogStream `json:"searchedLogStreams"`
	NextToken          string              `json:"nextToken,omitempty"`
}

// pageToken is "<prefix><stream sequence of the last event returned>".
func parseToken(tok, prefix string) (uint64, error) {
	s, ok := strings.CutPrefix(tok, prefix)
	if !ok {
		return 0, awsapi.InvalidParameter("The specified nextToken is invalid.")
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, awsapi.InvalidParameter("The specified nextToken is invalid.")
	}
	return n, nil
}

const maxLogEventsPage = 10000

func (a *LogsAPI) filterLogEvents(r *http.Request) (any, error) {
	var in filterLogEventsInput
	if err := decodeLogsRequest(r, &in); err != nil {
		return nil, err
	}
	group := in.LogGroupName
	if group == "" {
		group = in.LogGroupIdentifier
	}
	if err := a.authorize(r, "logs:FilterLogEvents", a.groupARN(group)); err != nil {
		return nil, err
	}
	ctx := r.Context()
	c, err := a.groupFunction(ctx, group)
	if err != nil {
		return nil, err
	}
	limit := in.Limit
	if limit <= 0 || limit > maxLogEventsPage {
		limit = maxLogEventsPage
	}
	q := LogQuery{Since: fromMillis(in.StartTime), Until: fromMillis(in.EndTime)}
	if in.NextToken != "" {
		if q.AfterSeq, err = parseToken(in.NextToken, "s/"); err != nil {
			return nil, err
		}
	}
	streams := map[string]bool{}
	for _, s := range in.LogStreamNames {
		streams[s] = true
	}
	out := filterLogEventsOutput{Events: []filteredLogEvent{}, SearchedLogStreams: []searchedLogStream{}}
	seen := map[string]bool{}
	var lastSeq uint64
	more := false
	err = a.logs.Read(ctx, c.Name, q, func(e LogEvent) error {
		if len(out.Events) == limit {
			more = true
			return errStopRead
		}
		lastSeq = e.Seq
		stream := logStreamName(e.Time)
		if len(streams) > 0 && !streams[stream] || !strings.HasPrefix(stream, in.LogStreamNamePrefix) {
			return nil
		}
		if !matchFilter(in.FilterPattern, e.Message) {
			return nil
		}
		if !seen[stream] {
			seen[stream] = true
			out.SearchedLogStreams = append(out.SearchedLogStreams, searchedLogStream{LogStreamName: stream, SearchedCompletely: true})
		}
		out.Events = append(out.Events, filteredLogEvent{
			LogStreamName: stream, Timestamp: millis(e.Time), Message: e.Message,
			IngestionTime: millis(e.Ingested), EventID: strconv.FormatUint(e.Seq, 10),
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if more {
		out.NextToken = "s/" + strconv.FormatUint(lastSeq, 10)
	}
	return out, nil
}

type getLogEventsInput struct {
	LogGroupName       string `json:"logGroupName"`
	LogGroupIdentifier string `json:"logGroupIdentifier"`
	LogStreamName      string `json:"logStreamName"`
	StartTime          *int64 `json:"startTime"`
	EndTime            *int64 `json:"endTime"`
	NextToken          string `json:"nextToken"`
	Limit              int    `json:"limit"`
	StartFromHead      *bool  `json:"startFromHead"`
}

type outputLogEvent struct {
	Timestamp     int64  `json:"timestamp"`
	Message       string `json:"message"`
	IngestionTime int64  `json:"ingestionTime"`
}

// getLogEvents reads one day-stream forward. Without a token it starts at
// the head of the stream (nubo does not page backwards from the tail).
func (a *LogsAPI) getLogEvents(r *http.Request) (any, error) {
	var in getLogEventsInput
	if err := decodeLogsRequest(r, &in); err != nil {
		return nil, err
	}
	group := in.LogGroupName
	if group == "" {
		group = in.LogGroupIdentifier
	}
	if err := a.authorize(r, "logs:GetLogEvents", a.groupARN(group)+":log-stream:"+in.LogStreamName); err != nil {
		return nil, err
	}
	ctx := r.Context()
	c, err := a.groupFunction(ctx, group)
	if err != nil {
		return nil, err
	}
	day, err := time.Parse("2006/01/02", strings.SplitN(in.LogStreamName, "/[", 2)[0])
	if err != nil {
		return nil, awsapi.NewError(http.StatusBadRequest, "ResourceNotFoundException", "The specified log stream does not exist.")
	}
	q := LogQuery{Since: day, Until: day.Add(24*time.Hour - time.Nanosecond)}
	if s := fromMillis(in.StartTime); s.After(q.Since) {
		q.Since = s
	}
	if u := fromMillis(in.EndTime); !u.IsZero() && u.Before(q.Until) {
		q.Until = u
	}
	var tokenSeq uint64
	if in.NextToken != "" {
		if strings.HasPrefix(in.NextToken, "b/") {
			tokenSeq, err = parseToken(in.NextToken, "b/")
			if err != nil {
				return nil, err
			}
			// Backward paging is not kept: the page before the head is empty.
			tok := "b/" + strconv.FormatUint(tokenSeq, 10)
			return map[string]any{"events": []outputLogEvent{}, "nextForwardToken": "f/" + strconv.FormatUint(tokenSeq, 10), "nextBackwardToken": tok}, nil
		}
		if tokenSeq, err = parseToken(in.NextToken, "f/"); err != nil {
			return nil, err
		}
		q.AfterSeq = tokenSeq
	}
	limit := in.Limit
	if limit <= 0 || limit > maxLogEventsPage {
		limit = maxLogEventsPage
	}
	events := []outputLogEvent{}
	first, last := tokenSeq, tokenSeq
	err = a.logs.Read(ctx, c.Name, q, func(e LogEvent) error {
		if len(events) == limit {
			return errStopRead
		}
		if len(events) == 0 {
			first = e.Seq - 1
		}
		last = e.Seq
		events = append(events, outputLogEvent{Timestamp: millis(e.Time), Message: e.Message, IngestionTime: millis(e.Ingested)})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"events":            events,
		"nextForwardToken":  "f/" + strconv.FormatUint(last, 10),
		"nextBackwardToken": "b/" + strconv.FormatUint(first, 10),
	}, nil
}

type describeLogGroupsInput struct {
	LogGroupNamePrefix  string `json:"logGroupNamePrefix"`
	LogGroupNamePattern string `json:"logGroupNamePattern"`
	NextToken           string `json:"nextToken"`
	Limit               int    `json:"limit"`
}

type logGroup struct {
	LogGroupName      string `json:"logGroupName"`
	LogGroupArn       string `json:"logGroupArn"`
	Arn               string `json:"arn"`
	CreationTime      int64  `json:"creationTime"`
	StoredBytes       int64  `json:"storedBytes"`
	MetricFilterCount int    `json:"metricFilterCount"`
	LogGroupClass     string `json:"logGroupClass"`
	RetentionInDays   int    `json:"retentionInDays,omitempty"`
}

func (a *LogsAPI) describeLogGroups(r *http.Request) (any, error) {
	var in describeLogGroupsInput
	if err := decodeLogsRequest(r, &in); err != nil {
		return nil, err
	}
	if err := a.authorize(r, "logs:DescribeLogGroups", "*"); err != nil {
		return nil, err
	}
	limit := in.Limit
	if limit <= 0 || limit > 50 {
		limit = 50
	}
	all, err := a.s.List(r.Context())
	if err != nil {
		return nil, err
	}
	groups := map[string]*Config{}
	var names []string
	for _, c := range all {
		if !strings.HasPrefix(c.LogGroup, in.LogGroupNamePrefix) || !strings.Contains(c.LogGroup, in.LogGroupNamePattern) {
			continue
		}
		if _, dup := groups[c.LogGroup]; !dup {
			groups[c.LogGroup] = c
			names = append(names, c.LogGroup)
		}
	}
	sort.Strings(names)
	out := struct {
		LogGroups []logGroup `json:"logGroups"`
		NextToken string     `json:"nextToken,omitempty"`
	}{LogGroups: []logGroup{}}
	for _, n := range names {
		if in.NextToken != "" && n <= in.NextToken {
			continue
		}
		if len(out.LogGroups) == limit {
			out.NextToken = out.LogGroups[len(out.LogGroups)-1].LogGroupName
			break
		}
		arn := a.s.account.ARN("logs", "log-group:"+n)
		lg := logGroup{
			LogGroupName: n, LogGroupArn: arn, Arn: arn + ":*",
			CreationTime: millis(groups[n].LastModified), LogGroupClass: "STANDARD",
		}
		if a.logs != nil {
			if g, err := a.logs.Group(r.Context(), n); err == nil {
				lg.RetentionInDays = g.RetentionDays
			}
		}
		out.LogGroups = append(out.LogGroups, lg)
	}
	return out, nil
}
