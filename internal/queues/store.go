package queues

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

const bucket = "nubo_queues"

// MaxMessageSize is SQS's limit on a message (body and attributes).
const MaxMessageSize = 262144

// maxInFlight is SQS's limit of in-flight messages of a standard queue.
const maxInFlight = 120000

// Queue is one queue's record.
type Queue struct {
	Name string `json:"name"`
	// ID names the queue's stream; drawn at create.
	ID         string            `json:"id"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	// PolicyID is the AWS::SQS::QueuePolicy that set the Policy attribute.
	PolicyID string `json:"policy_id,omitempty"`
	Created  int64  `json:"created"`
	Modified int64  `json:"modified"`
}

// Attr is the queue's value of a settable attribute (its default if unset).
func (q *Queue) Attr(name string) string {
	if v, ok := q.Attributes[name]; ok {
		return v
	}
	return defaults[name]
}

func (q *Queue) intAttr(name string) int64 {
	n, _ := strconv.ParseInt(q.Attr(name), 10, 64)
	return n
}

func (q *Queue) stream() string { return "SQS_" + q.ID }

// FIFO reports whether q is a FIFO queue.
func (q *Queue) FIFO() bool      { return q.Attr(AttrFifoQueue) == "true" }
func (q *Queue) subject() string { return "sqs." + q.ID + ".m" }

// Options configures a Service.
type Options struct {
	Backbone *backbone.Backbone
	Account  awsapi.Account
	// Authorizer authorizes every SQS request and Sender's sends (nil: --iam off).
	Authorizer awsapi.Authorizer
	Logger     *slog.Logger
}

// Service is SQS.
type Service struct {
	opts Options
	log  *slog.Logger

	mu    sync.Mutex
	kv    *backbone.KV[Queue]
	cache *backbone.Cache[Queue]
	// consumers are this node's handles on the queues' consumers (a
	// handle is a name; the consumer itself is in JetStream).
	consumers sync.Map // queue id -> jetstream.Consumer
	// moves holds the message move tasks; moveQueue runs them.
	moves     *backbone.KV[moveTask]
	moveQueue *backbone.WorkQueue
}

// New validates o; it starts nothing.
func New(o Options) (*Service, error) {
	if o.Backbone == nil {
		return nil, errors.New("queues: a backbone is required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Account.Region == "" {
		o.Account = awsapi.Account{Region: awsapi.DefaultRegion, ID: awsapi.DefaultAccountID}
	}
	return &Service{opts: o, log: o.Logger}, nil
}

// Start opens the bucket and its cache.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kv != nil {
		return nil
	}
	kv, err := backbone.OpenKV[Queue](ctx, s.opts.Backbone, jetstream.KeyValueConfig{Bucket: bucket, Description: "nubo SQS queues", History: 1})
	if err != nil {
		return fmt.Errorf("queues: %w", err)
	}
	cache, err := backbone.NewCache(ctx, kv)
	if err != nil {
		return fmt.Errorf("queues: cache: %w", err)
	}
	s.kv, s.cache = kv, cache
	return s.startMoves(ctx)
}

// Close stops the cache. Idempotent.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cache != nil {
		s.cache.Close()
	}
	if s.moveQueue != nil {
		return s.moveQueue.Close(ctx)
	}
	return nil
}

func (s *Service) store() (*backbone.KV[Queue], *backbone.Cache[Queue], error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.kv == nil {
		return nil, nil, errors.New("queues: service not started")
	}
	return s.kv, s.cache, nil
}

func key(name string) string { return "q." + name }

var nameRE = regexp.MustCompile(`^([A-Za-z0-9_-]{1,75}\.fifo|[A-Za-z0-9_-]{1,80})$`)

// ValidateName checks a queue name.
func ValidateName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%w: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length: QueueName %q", ErrInvalid, name)
	}
	return nil
}

// ARN is a queue's ARN.
func (s *Service) ARN(name string) string {
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", s.opts.Account.Region, s.opts.Account.ID, name)
}

// Get returns a queue's record.
func (s *Service) Get(ctx context.Context, name string) (*Queue, error) {
	kv, cache, err := s.store()
	if err != nil {
		return nil, err
	}
	if q, _, ok := cache.Get(key(name)); ok {
		return q, nil
	}
	if cache.Ready() {
		return nil, fmt.Errorf("queue %q: %w", name, ErrNotFound)
	}
	q, _, err := kv.Get(ctx, key(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, fmt.Errorf("queue %q: %w", name, ErrNotFound)
	}
	return q, err
}

// List returns the queues whose names start with prefix, sorted by name.
func (s *Service) List(prefix string) ([]*Queue, error) {
	_, cache, err := s.store()
	if err != nil {
		return nil, err
	}
	var out []*Queue
	for _, e := range cache.List(key(prefix)) {
		out = append(out, e.Value)
	}
	return out, nil
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Create makes a queue, or returns the one of that name when its
// attributes are the ones asked for (CreateQueue is idempotent); when they
// differ, ErrExists.
func (s *Service) Create(ctx context.Context, name string, attrs, tags map[string]string) (*Queue, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	attrs, err := ValidateAttributes(attrs)
	if err != nil {
		return nil, err
	}
	fifo := strings.HasSuffix(name, ".fifo")
	if fifo != (attrs[AttrFifoQueue] == "true") {
		return nil, fmt.Errorf("%w: The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix; a queue with that suffix needs FifoQueue true: %q", ErrInvalid, name)
	}
	if !fifo {
		for _, a := range []string{AttrContentBasedDeduplication, AttrDeduplicationScope, AttrFifoThroughputLimit} {
			if _, ok := attrs[a]; ok {
				return nil, fmt.Errorf("%w: Unknown Attribute %s (a FIFO queue's).", ErrAttributeName, a)
			}
		}
		delete(attrs, AttrFifoQueue) // FifoQueue false is the default
	}
	if err := s.checkRedrive(ctx, name, attrs, fifo); err != nil {
		return nil, err
	}
	kv, cache, err := s.store()
	if err != nil {
		return nil, err
	}
	if q, err := s.Get(ctx, name); err == nil {
		return q, sameAttributes(q, attrs)
	}
	now := time.Now().Unix()
	q := &Queue{Name: name, ID: newID(), Attributes: attrs, Tags: tags, Created: now, Modified: now}
	if err := s.ensureStream(ctx, q); err != nil {
		return nil, err
	}
	rev, err := kv.Create(ctx, key(name), q)
	if errors.Is(err, jetstream.ErrKeyExists) {
		_ = s.opts.Backbone.JetStream().DeleteStream(ctx, q.stream())
		existing, _, gerr := kv.Get(ctx, key(name))
		if gerr != nil {
			return nil, gerr
		}
		return existing, sameAttributes(existing, attrs)
	}
	if err != nil {
		_ = s.opts.Backbone.JetStream().DeleteStream(ctx, q.stream())
		return nil, fmt.Errorf("queues: create %q: %w", name, err)
	}
	cache.Remember(key(name), q, rev)
	return q, nil
}

// sameAttributes is nil when the queue has the attributes asked for (the
// ones not asked for at their defaults, as SQS compares).
func sameAttributes(q *Queue, attrs map[string]string) error {
	for name, v := range attrs {
		if q.Attr(name) != v {
			return fmt.Errorf("%w: %s: %s is %q, not %q", ErrExists, q.Name, name, q.Attr(name), v)
		}
	}
	for name, v := range q.Attributes {
		if _, asked := attrs[name]; !asked && v != defaults[name] {
			return fmt.Errorf("%w: %s: %s is %q", ErrExists, q.Name, name, v)
		}
	}
	return nil
}

// checkRedrive: a RedrivePolicy's dead-letter queue must exist, be FIFO
// when its source is, and allow the source by its RedriveAllowPolicy.
func (s *Service) checkRedrive(ctx context.Context, source string, attrs map[string]string, fifo bool) error {
	v := attrs[AttrRedrivePolicy]
	if v == "" {
		return nil
	}
	rp, err := ParseRedrivePolicy(v)
	if err != nil {
		return err
	}
	_, name, _ := parseQueueARN(rp.DeadLetterTargetArn)
	dlq, err := s.Get(ctx, name)
	if err != nil {
		return fmt.Errorf("%w: Value %s for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.", ErrAttributeValue, v)
	}
	if dlq.FIFO() != fifo {
		return fmt.Errorf("%w: Value %s for parameter RedrivePolicy is invalid. Reason: Dead-letter queue must be same type of queue as the source.", ErrAttributeValue, v)
	}
	if !redriveAllowed(dlq.Attr(AttrRedriveAllowPolicy), s.ARN(source)) {
		return fmt.Errorf("%w: Value %s for parameter RedrivePolicy is invalid. Reason: the dead-letter queue's RedriveAllowPolicy does not allow %s as a source.", ErrAttributeValue, v, source)
	}
	return nil
}

// redriveAllowPolicy is a RedriveAllowPolicy attribute.
type redriveAllowPolicy struct {
	RedrivePermission string   `json:"redrivePermission"`
	SourceQueueArns   []string `json:"sourceQueueArns"`
}

// redriveAllowed reports whether a dead-letter queue's RedriveAllowPolicy
// lets the queue of sourceARN use it (no policy: allowAll).
func redriveAllowed(policy, sourceARN string) bool {
	if policy == "" {
		return true
	}
	var p redriveAllowPolicy
	if json.Unmarshal([]byte(policy), &p) != nil {
		return true
	}
	switch p.RedrivePermission {
	case "denyAll":
		return false
	case "byQueue":
		return slices.Contains(p.SourceQueueArns, sourceARN)
	}
	return true
}

// streamConfig is the queue's stream as its attributes say.
func streamConfig(q *Queue) jetstream.StreamConfig {
	cfg := jetstream.StreamConfig{
		Name:              q.stream(),
		Description:       "nubo SQS queue " + q.Name,
		Subjects:          []string{q.subject(), "sqs." + q.ID + ".d.*"},
		Storage:           jetstream.FileStorage,
		Retention:         jetstream.LimitsPolicy,
		MaxAge:            time.Duration(q.intAttr(AttrMessageRetentionPeriod)) * time.Second,
		MaxMsgSize:        MaxMessageSize + 64<<10,
		AllowMsgSchedules: true,
		Discard:           jetstream.DiscardOld,
	}
	if q.FIFO() {
		// Deduplication ids (Nats-Msg-Id) are remembered for SQS's five
		// minutes.
		cfg.Duplicates = fifoDedupWindow
	}
	return cfg
}

// fifoDedupWindow is SQS's deduplication interval.
const fifoDedupWindow = 5 * time.Minute

func consumerConfig(q *Queue) jetstream.ConsumerConfig {
	cfg := jetstream.ConsumerConfig{
		Durable:       "receive",
		FilterSubject: q.subject(),
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       visibility(q.intAttr(AttrVisibilityTimeout)),
		MaxDeliver:    -1,
		MaxAckPending: maxInFlight,
		MaxWaiting:    4096,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	}
	if q.FIFO() {
		// One message in flight for the whole queue: order holds for every
		// group (stricter than SQS, which orders within a group).
		cfg.MaxAckPending = 1
	}
	return cfg
}

// visibility is a visibility timeout as JetStream's AckWait: SQS's 0
// (visible again at once) is the smallest wait JetStream takes.
func visibility(seconds int64) time.Duration {
	if seconds <= 0 {
		return time.Second
	}
	return time.Duration(seconds) * time.Second
}

// ensureStream creates or updates the queue's stream and consumer.
func (s *Service) ensureStream(ctx context.Context, q *Queue) error {
	js := s.opts.Backbone.JetStream()
	cfg := streamConfig(q)
	if r := s.opts.Backbone.Replicas(); r > 1 {
		cfg.Replicas = r
	}
	// The stream's name is the queue's random id, apart in every region
	// by itself; it is recorded as the view's state so a reset drops it.
	if err := s.opts.Backbone.Own(ctx, cfg.Name); err != nil {
		return fmt.Errorf("queues: stream of %q: %w", q.Name, err)
	}
	st, err := js.CreateOrUpdateStream(ctx, cfg)
	if err != nil {
		return fmt.Errorf("queues: stream of %q: %w", q.Name, err)
	}
	c, err := st.CreateOrUpdateConsumer(ctx, consumerConfig(q))
	if err != nil {
		return fmt.Errorf("queues: consumer of %q: %w", q.Name, err)
	}
	s.consumers.Store(q.ID, c)
	return nil
}

// consumer is the queue's consumer handle.
func (s *Service) consumer(ctx context.Context, q *Queue) (jetstream.Consumer, error) {
	if c, ok := s.consumers.Load(q.ID); ok {
		return c.(jetstream.Consumer), nil
	}
	c, err := s.opts.Backbone.JetStream().Consumer(ctx, q.stream(), "receive")
	if errors.Is(err, jetstream.ErrStreamNotFound) || errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, fmt.Errorf("queue %q: %w", q.Name, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("queues: consumer of %q: %w", q.Name, err)
	}
	s.consumers.Store(q.ID, c)
	return c, nil
}

// SetAttributes changes a queue's attributes (and its stream and consumer
// when retention or visibility change).
func (s *Service) SetAttributes(ctx context.Context, name string, attrs map[string]string) (*Queue, error) {
	attrs, err := ValidateAttributes(attrs)
	if err != nil {
		return nil, err
	}
	if v, ok := attrs[AttrFifoQueue]; ok {
		if cur, err := s.Get(ctx, name); err == nil && v != strconv.FormatBool(cur.FIFO()) {
			return nil, fmt.Errorf("%w: FifoQueue cannot be changed", ErrAttributeValue)
		}
		delete(attrs, AttrFifoQueue) // set at create, never changed
	}
	if err := s.checkRedrive(ctx, name, attrs, strings.HasSuffix(name, ".fifo")); err != nil {
		return nil, err
	}
	return s.modify(ctx, name, func(q *Queue) error {
		if q.Attributes == nil {
			q.Attributes = map[string]string{}
		}
		for k, v := range attrs {
			if k == AttrPolicy {
				q.PolicyID = "" // the caller's own policy now, not a stack's
			}
			if v == "" && (k == AttrPolicy || k == AttrRedrivePolicy || k == AttrRedriveAllowPolicy) {
				delete(q.Attributes, k)
				continue
			}
			q.Attributes[k] = v
		}
		q.Modified = time.Now().Unix()
		return nil
	}, true)
}

// modify changes a queue's record; reconfigure also brings its stream and
// consumer in line.
func (s *Service) modify(ctx context.Context, name string, fn func(q *Queue) error, reconfigure bool) (*Queue, error) {
	kv, cache, err := s.store()
	if err != nil {
		return nil, err
	}
	var out *Queue
	e, err := kv.Modify(ctx, key(name), func(cur *Queue, _ bool) (*Queue, error) {
		if cur == nil {
			return nil, fmt.Errorf("queue %q: %w", name, ErrNotFound)
		}
		q := *cur
		q.Attributes = maps.Clone(cur.Attributes)
		q.Tags = maps.Clone(cur.Tags)
		if err := fn(&q); err != nil {
			return nil, err
		}
		out = &q
		return &q, nil
	})
	if err != nil {
		return nil, err
	}
	cache.Remember(key(name), out, e.Revision)
	if reconfigure {
		if err := s.ensureStream(ctx, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Delete removes a queue and its messages.
func (s *Service) Delete(ctx context.Context, name string) error {
	kv, cache, err := s.store()
	if err != nil {
		return err
	}
	q, rev, err := kv.Get(ctx, key(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("queue %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if err := s.opts.Backbone.JetStream().DeleteStream(ctx, q.stream()); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("queues: delete %q: %w", name, err)
	}
	s.consumers.Delete(q.ID)
	if err := kv.Delete(ctx, key(name), rev); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("queues: delete %q: %w", name, err)
	}
	cache.Remember(key(name), nil, rev+1)
	return nil
}

// Purge deletes every message of a queue.
func (s *Service) Purge(ctx context.Context, name string) error {
	q, err := s.Get(ctx, name)
	if err != nil {
		return err
	}
	st, err := s.opts.Backbone.JetStream().Stream(ctx, q.stream())
	if err != nil {
		return fmt.Errorf("queues: purge %q: %w", name, err)
	}
	return st.Purge(ctx)
}

// Counts are a queue's approximate message counts.
type Counts struct{ Visible, NotVisible, Delayed uint64 }

// Count reads the counts from the consumer and the stream.
func (s *Service) Count(ctx context.Context, q *Queue) (Counts, error) {
	c, err := s.consumer(ctx, q)
	if err != nil {
		return Counts{}, err
	}
	ci, err := c.Info(ctx)
	if err != nil {
		return Counts{}, fmt.Errorf("queues: count %q: %w", q.Name, err)
	}
	out := Counts{Visible: ci.NumPending, NotVisible: uint64(ci.NumAckPending)}
	st, err := s.opts.Backbone.JetStream().Stream(ctx, q.stream())
	if err != nil {
		return Counts{}, fmt.Errorf("queues: count %q: %w", q.Name, err)
	}
	si, err := st.Info(ctx, jetstream.WithSubjectFilter("sqs."+q.ID+".d.*"))
	if err != nil {
		return Counts{}, fmt.Errorf("queues: count %q: %w", q.Name, err)
	}
	for _, n := range si.State.Subjects {
		out.Delayed += n
	}
	return out, nil
}

// attributes reports the queue's attributes named (or "All").
func (s *Service) attributes(ctx context.Context, q *Queue, names []string) (map[string]string, error) {
	all := false
	want := map[string]bool{}
	for _, n := range names {
		if n == "All" {
			all = true
			continue
		}
		if !isSettable(n) && !isReadOnly(n) {
			return nil, fmt.Errorf("%w: Unknown Attribute %s.", ErrAttributeName, n)
		}
		want[n] = true
	}
	pick := func(n string) bool { return all || want[n] }
	out := map[string]string{}
	for _, n := range settable {
		if !pick(n) {
			continue
		}
		if v := q.Attr(n); v != "" {
			out[n] = v
		}
	}
	if pick(AttrQueueArn) {
		out[AttrQueueArn] = s.ARN(q.Name)
	}
	if pick(AttrCreatedTimestamp) {
		out[AttrCreatedTimestamp] = strconv.FormatInt(q.Created, 10)
	}
	if pick(AttrLastModifiedTimestamp) {
		out[AttrLastModifiedTimestamp] = strconv.FormatInt(q.Modified, 10)
	}
	if pick(AttrApproximateNumberOfMessages) || pick(AttrApproximateNumberOfMessagesNotVisible) || pick(AttrApproximateNumberOfMessagesDelayed) {
		c, err := s.Count(ctx, q)
		if err != nil {
			return nil, err
		}
		if pick(AttrApproximateNumberOfMessages) {
			out[AttrApproximateNumberOfMessages] = strconv.FormatUint(c.Visible, 10)
		}
		if pick(AttrApproximateNumberOfMessagesNotVisible) {
			out[AttrApproximateNumberOfMessagesNotVisible] = strconv.FormatUint(c.NotVisible, 10)
		}
		if pick(AttrApproximateNumberOfMessagesDelayed) {
			out[AttrApproximateNumberOfMessagesDelayed] = strconv.FormatUint(c.Delayed, 10)
		}
	}
	return out, nil
}

func isReadOnly(n string) bool {
	for _, r := range readOnly {
		if r == n {
			return true
		}
	}
	return false
}

// deadLetterSources lists the queues whose RedrivePolicy targets arn.
func (s *Service) deadLetterSources(arn string) ([]string, error) {
	qs, err := s.List("")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, q := range qs {
		if v := q.Attr(AttrRedrivePolicy); v != "" {
			if rp, err := ParseRedrivePolicy(v); err == nil && rp.DeadLetterTargetArn == arn {
				out = append(out, q.Name)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}
