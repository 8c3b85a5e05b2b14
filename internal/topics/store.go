package topics

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/queues"
)

const (
	topicBucket = "nubo_topics"
	subsBucket  = "nubo_topic_subscriptions"
)

// Topic is one topic's record.
type Topic struct {
	Name       string            `json:"name"`
	Attributes map[string]string `json:"attributes,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	// PolicyID is the AWS::SNS::TopicPolicy that set the Policy attribute.
	PolicyID string `json:"policy_id,omitempty"`
	Created  int64  `json:"created"`
}

// FIFO reports whether t is a FIFO topic.
func (t *Topic) FIFO() bool { return t.Attributes[AttrFifoTopic] == "true" }

// Subscription is one subscription's record, keyed under its topic.
type Subscription struct {
	ID         string            `json:"id"`
	Topic      string            `json:"topic"`
	Protocol   string            `json:"protocol"`
	Endpoint   string            `json:"endpoint"`
	Attributes map[string]string `json:"attributes,omitempty"`
	// Pending is an HTTP subscription awaiting ConfirmSubscription with
	// Token.
	Pending bool   `json:"pending,omitempty"`
	Token   string `json:"token,omitempty"`
	Created int64  `json:"created"`
}

// Functions invokes a function (by ARN) asynchronously.
type Functions interface {
	InvokeAsync(ctx context.Context, arn string, payload []byte) error
}

// Options configures a Service.
type Options struct {
	Backbone   *backbone.Backbone
	Account    awsapi.Account
	Authorizer awsapi.Authorizer
	// Queues receives deliveries to sqs subscriptions and dead letters.
	Queues queues.Sender
	// Functions receives deliveries to lambda subscriptions.
	Functions Functions
	// HTTP posts to http/https endpoints (default a client with a 15 s
	// timeout).
	HTTP *http.Client
	// EndpointURL is nubo's edge URL, the base of the SubscribeURL sent
	// for an HTTP subscription a stack creates (an API request uses the
	// address its client reached).
	EndpointURL func() string
	Logger      *slog.Logger
}

// Service is SNS.
type Service struct {
	opts Options
	log  *slog.Logger

	mu     sync.Mutex
	topics *backbone.KV[Topic]
	subs   *backbone.KV[Subscription]
	tcache *backbone.Cache[Topic]
	scache *backbone.Cache[Subscription]
	work   *backbone.WorkQueue
	fifo   *backbone.WorkQueue
	filter filterCache
}

// New validates o; it starts nothing.
func New(o Options) (*Service, error) {
	if o.Backbone == nil {
		return nil, errors.New("topics: a backbone is required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Account.Region == "" {
		o.Account = awsapi.Account{Region: awsapi.DefaultRegion, ID: awsapi.DefaultAccountID}
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	return &Service{opts: o, log: o.Logger}, nil
}

// Start opens the buckets, their caches and the delivery work queue.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.topics != nil {
		return nil
	}
	tkv, err := backbone.OpenKV[Topic](ctx, s.opts.Backbone, jetstream.KeyValueConfig{Bucket: topicBucket, Description: "nubo SNS topics", History: 1})
	if err != nil {
		return fmt.Errorf("topics: %w", err)
	}
	skv, err := backbone.OpenKV[Subscription](ctx, s.opts.Backbone, jetstream.KeyValueConfig{Bucket: subsBucket, Description: "nubo SNS subscriptions", History: 1})
	if err != nil {
		return fmt.Errorf("topics: %w", err)
	}
	tc, err := backbone.NewCache(ctx, tkv)
	if err != nil {
		return fmt.Errorf("topics: cache: %w", err)
	}
	sc, err := backbone.NewCache(ctx, skv)
	if err != nil {
		tc.Close()
		return fmt.Errorf("topics: cache: %w", err)
	}
	work, fifo, err := s.startWork(ctx)
	if err != nil {
		tc.Close()
		sc.Close()
		return err
	}
	s.topics, s.subs, s.tcache, s.scache, s.work, s.fifo = tkv, skv, tc, sc, work, fifo
	return s.consume()
}

// Close stops the caches and this node's delivery workers. Idempotent.
func (s *Service) Close(ctx context.Context) error {
	s.mu.Lock()
	qs := []*backbone.WorkQueue{s.work, s.fifo}
	s.mu.Unlock()
	// The queues stay set while they close: a handler still running may
	// queue its deliveries (publishJob) until it returns.
	var errs []error
	for _, q := range qs {
		if q != nil {
			errs = append(errs, q.Close(ctx))
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.work, s.fifo = nil, nil
	if s.tcache != nil {
		s.tcache.Close()
		s.scache.Close()
	}
	return errors.Join(errs...)
}

func (s *Service) started() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.topics == nil {
		return errors.New("topics: service not started")
	}
	return nil
}

func topicKey(name string) string    { return "t." + name }
func subKey(topic, id string) string { return "s." + topic + "." + id }
func subPrefix(topic string) string  { return "s." + topic + "." }
func subsOf(topic string) string     { return subPrefix(topic) }
func (s *Service) arnPrefix() string {
	return fmt.Sprintf("arn:aws:sns:%s:%s:", s.opts.Account.Region, s.opts.Account.ID)
}
func (s *Service) ARN(name string) string { return s.arnPrefix() + name }

// SubscriptionARN is a subscription's ARN: its topic's and its id.
func (s *Service) SubscriptionARN(sub *Subscription) string {
	return s.ARN(sub.Topic) + ":" + sub.ID
}

var nameRE = regexp.MustCompile(`^([A-Za-z0-9_-]{1,251}\.fifo|[A-Za-z0-9_-]{1,256})$`)

// TopicName reads a topic's name from its ARN in this account and region.
func (s *Service) TopicName(arn string) (string, error) {
	name, ok := strings.CutPrefix(arn, s.arnPrefix())
	if !ok || strings.Contains(name, ":") || name == "" {
		if strings.HasPrefix(arn, "arn:aws:sns:") && strings.Count(arn, ":") == 5 {
			return "", notFound("Topic does not exist")
		}
		return "", invalid("TopicArn")
	}
	return name, nil
}

// subName reads the topic and id of a subscription ARN.
func (s *Service) subName(arn string) (topic, id string, err error) {
	rest, ok := strings.CutPrefix(arn, s.arnPrefix())
	topic, id, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || topic == "" || id == "" {
		return "", "", invalid("SubscriptionArn Reason: An ARN must have 6 elements, not %d", strings.Count(arn, ":")+1)
	}
	return topic, id, nil
}

// Get returns a topic's record.
func (s *Service) Get(ctx context.Context, name string) (*Topic, error) {
	if err := s.started(); err != nil {
		return nil, err
	}
	if t, _, ok := s.tcache.Get(topicKey(name)); ok {
		return t, nil
	}
	if !s.tcache.Ready() {
		t, _, err := s.topics.Get(ctx, topicKey(name))
		if err == nil {
			return t, nil
		}
		if !errors.Is(err, jetstream.ErrKeyNotFound) {
			return nil, err
		}
	}
	return nil, notFound("Topic does not exist")
}

// List returns every topic, sorted by name.
func (s *Service) List() ([]*Topic, error) {
	if err := s.started(); err != nil {
		return nil, err
	}
	var out []*Topic
	for _, e := range s.tcache.List("t.") {
		out = append(out, e.Value)
	}
	return out, nil
}

// Create creates a topic, or returns the existing one when its
// attributes agree (CreateTopic is idempotent).
func (s *Service) Create(ctx context.Context, name string, attrs, tags map[string]string) (*Topic, error) {
	if err := s.started(); err != nil {
		return nil, err
	}
	if !nameRE.MatchString(name) {
		return nil, invalid("Topic Name")
	}
	fifo := strings.HasSuffix(name, ".fifo")
	if v, ok := attrs[AttrFifoTopic]; ok && (v == "true") != fifo {
		if v == "true" {
			return nil, invalid("Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.")
		}
		return nil, invalid("Topic Name")
	}
	if fifo && attrs[AttrFifoTopic] != "true" {
		return nil, invalid("Topic Name")
	}
	if err := checkTopicAttributes(attrs, true, fifo); err != nil {
		return nil, err
	}
	e, err := s.topics.Modify(ctx, topicKey(name), func(cur *Topic, exists bool) (*Topic, error) {
		if exists {
			for k, v := range attrs {
				if cur.Attributes[k] != v {
					return nil, invalid("Attributes Reason: Topic already exists with different attributes")
				}
			}
			for k, v := range tags {
				if cur.Tags[k] != v {
					return nil, invalid("Tags Reason: Topic already exists with different tags")
				}
			}
			return cur, nil
		}
		return &Topic{Name: name, Attributes: maps.Clone(attrs), Tags: maps.Clone(tags), Created: time.Now().UnixMilli()}, nil
	})
	if err != nil {
		return nil, err
	}
	s.tcache.Remember(e.Key, e.Value, e.Revision)
	return e.Value, nil
}

// Delete deletes a topic and its subscriptions; a missing topic is no
// error (as on SNS).
func (s *Service) Delete(ctx context.Context, name string) error {
	if err := s.started(); err != nil {
		return err
	}
	for _, e := range s.scache.List(subsOf(name)) {
		if _, err := s.subs.Modify(ctx, e.Key, func(*Subscription, bool) (*Subscription, error) { return nil, nil }); err != nil {
			return fmt.Errorf("delete subscription %s: %w", e.Key, err)
		}
	}
	_, err := s.topics.Modify(ctx, topicKey(name), func(*Topic, bool) (*Topic, error) { return nil, nil })
	return err
}

// modifyTopic changes an existing topic.
func (s *Service) modifyTopic(ctx context.Context, name string, fn func(t *Topic) error) (*Topic, error) {
	if err := s.started(); err != nil {
		return nil, err
	}
	e, err := s.topics.Modify(ctx, topicKey(name), func(cur *Topic, exists bool) (*Topic, error) {
		if !exists {
			return nil, notFound("Topic does not exist")
		}
		next := *cur
		next.Attributes = maps.Clone(cur.Attributes)
		next.Tags = maps.Clone(cur.Tags)
		if next.Attributes == nil {
			next.Attributes = map[string]string{}
		}
		if next.Tags == nil {
			next.Tags = map[string]string{}
		}
		return &next, fn(&next)
	})
	if err != nil {
		return nil, err
	}
	s.tcache.Remember(e.Key, e.Value, e.Revision)
	return e.Value, nil
}

// Subscriptions lists a topic's subscriptions ("" for every topic's).
func (s *Service) Subscriptions(topic string) ([]*Subscription, error) {
	if err := s.started(); err != nil {
		return nil, err
	}
	prefix := "s."
	if topic != "" {
		prefix = subsOf(topic)
	}
	var out []*Subscription
	for _, e := range s.scache.List(prefix) {
		out = append(out, e.Value)
	}
	return out, nil
}

// Subscription returns a subscription by ARN.
func (s *Service) Subscription(ctx context.Context, arn string) (*Subscription, error) {
	topic, id, err := s.subName(arn)
	if err != nil {
		return nil, err
	}
	if err := s.started(); err != nil {
		return nil, err
	}
	if sub, _, ok := s.scache.Get(subKey(topic, id)); ok {
		return sub, nil
	}
	sub, _, err := s.subs.Get(ctx, subKey(topic, id))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, notFound("Subscription does not exist")
	}
	return sub, err
}

// Subscribe subscribes endpoint to a topic; an existing subscription of
// the same protocol and endpoint is returned (with its attributes
// replaced only if they agree).
func (s *Service) Subscribe(ctx context.Context, topic, protocol, endpoint string, attrs map[string]string) (*Subscription, error) {
	if _, err := s.Get(ctx, topic); err != nil {
		return nil, err
	}
	if err := checkEndpoint(protocol, endpoint); err != nil {
		return nil, err
	}
	if err := s.checkSubscriptionAttributes(attrs); err != nil {
		return nil, err
	}
	for _, sub := range s.scache.List(subsOf(topic)) {
		if sub.Value.Protocol == protocol && sub.Value.Endpoint == endpoint {
			for k, v := range attrs {
				if sub.Value.Attributes[k] != v {
					return nil, invalid("Attributes Reason: Subscription already exists with different attributes")
				}
			}
			return sub.Value, nil
		}
	}
	sub := &Subscription{ID: newUUID(), Topic: topic, Protocol: protocol, Endpoint: endpoint, Attributes: maps.Clone(attrs),
		Created: time.Now().UnixMilli()}
	if protocol == "http" || protocol == "https" {
		sub.Pending, sub.Token = true, newToken()
	}
	e, err := s.subs.Modify(ctx, subKey(topic, sub.ID), func(*Subscription, bool) (*Subscription, error) { return sub, nil })
	if err != nil {
		return nil, err
	}
	s.scache.Remember(e.Key, e.Value, e.Revision)
	return sub, nil
}

// modifySubscription changes an existing subscription.
func (s *Service) modifySubscription(ctx context.Context, topic, id string, fn func(sub *Subscription) error) (*Subscription, error) {
	if err := s.started(); err != nil {
		return nil, err
	}
	e, err := s.subs.Modify(ctx, subKey(topic, id), func(cur *Subscription, exists bool) (*Subscription, error) {
		if !exists {
			return nil, notFound("Subscription does not exist")
		}
		next := *cur
		next.Attributes = maps.Clone(cur.Attributes)
		if next.Attributes == nil {
			next.Attributes = map[string]string{}
		}
		return &next, fn(&next)
	})
	if err != nil {
		return nil, err
	}
	s.scache.Remember(e.Key, e.Value, e.Revision)
	return e.Value, nil
}

// Unsubscribe deletes a subscription; a missing one is no error.
func (s *Service) Unsubscribe(ctx context.Context, arn string) error {
	topic, id, err := s.subName(arn)
	if err != nil {
		return err
	}
	if err := s.started(); err != nil {
		return err
	}
	_, err = s.subs.Modify(ctx, subKey(topic, id), func(*Subscription, bool) (*Subscription, error) { return nil, nil })
	return err
}

// Confirm confirms the pending subscription of topic whose token is token.
func (s *Service) Confirm(ctx context.Context, topic, token string) (*Subscription, error) {
	if _, err := s.Get(ctx, topic); err != nil {
		return nil, err
	}
	for _, e := range s.scache.List(subsOf(topic)) {
		if e.Value.Token == token && token != "" {
			return s.modifySubscription(ctx, topic, e.Value.ID, func(sub *Subscription) error {
				sub.Pending = false
				return nil
			})
		}
	}
	return nil, invalid("Token")
}

// stackBase is the SubscribeURL base for subscriptions made by stacks.
func (s *Service) stackBase() string {
	if s.opts.EndpointURL != nil {
		return s.opts.EndpointURL()
	}
	return "http://localhost"
}

// confirmIfPending asks a new HTTP subscription's endpoint to confirm.
func (s *Service) confirmIfPending(ctx context.Context, sub *Subscription) error {
	if !sub.Pending {
		return nil
	}
	return s.requestConfirmation(ctx, sub, s.stackBase())
}

func newToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
