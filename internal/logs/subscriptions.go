package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

// Subscription filters deliver a group's events to a function as Logs
// delivers them to Lambda: an Event invocation whose payload is
// {"awslogs":{"data": base64(gzip(JSON))}}, the JSON a DATA_MESSAGE with
// the group, the stream, the filters and the matching events.
//
// The write path (Lines for functions' lines, Append for PutLogEvents)
// puts the events of a group with subscription filters on a durable work
// queue (subscriptionStream); any node's Subscriber takes them, matches
// each filter's pattern and invokes the destination asynchronously.

const (
	subscriptionStream   = "NUBO_LOG_SUBSCRIPTIONS"
	subscriptionSubject  = "nubo.logs.subscription"
	subscriptionConsumer = "subscriber"
	subscriptionAttempts = 5
)

// Functions is what subscription filters need of the functions context:
// the platform passes it.
type Functions interface {
	// FunctionExists reports ErrFunctionNotFound (wrapped) unless the
	// function a destination ARN names exists.
	FunctionExists(ctx context.Context, arn string) error
	// InvokeAsync queues an Event invocation of the function the ARN names.
	InvokeAsync(ctx context.Context, arn string, payload []byte) error
}

// ErrFunctionNotFound is a subscription's destination that is no function.
var ErrFunctionNotFound = errors.New("destination function not found")

// subscribedEvent is one event queued for delivery.
type subscribedEvent struct {
	ID        string `json:"id"`
	Stream    string `json:"stream"`
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// subscribedBatch is one message of the queue: events of one group.
type subscribedBatch struct {
	Group  string            `json:"group"`
	Events []subscribedEvent `json:"events"`
}

// queueSubscribed puts events of group on the delivery queue: waiting for
// JetStream to store them, or (Lines, which must not wait on storage)
// through the core connection, JetStream storing them as it stores lines.
func (l *Store) queueSubscribed(ctx context.Context, group string, events []subscribedEvent, wait bool) error {
	if len(events) == 0 || !l.subscribed(group) {
		return nil
	}
	data, err := json.Marshal(subscribedBatch{Group: group, Events: events})
	if err != nil {
		return err
	}
	if !wait {
		return l.nc.Publish(l.bb.Subject(subscriptionSubject), data)
	}
	if _, err := l.bb.JetStream().Publish(ctx, l.bb.Subject(subscriptionSubject), data); err != nil {
		return fmt.Errorf("log group %q: queue for subscription filters: %w", group, err)
	}
	return nil
}

// eventID is an event's id in deliveries: its time and its place among
// the lines written with it.
func eventID(at int64, i int) string {
	return strconv.FormatInt(at, 10) + strconv.Itoa(1000+i%1000)
}

// Subscriber delivers the queued events of subscribed groups (a lifecycle
// part: Start consumes the queue, Close stops).
type Subscriber struct {
	store   *Store
	fns     Functions
	account awsapi.Account
	log     *slog.Logger
	queue   *backbone.WorkQueue
}

// NewSubscriber builds the subscriber; it starts nothing.
func NewSubscriber(store *Store, fns Functions, account awsapi.Account, log *slog.Logger) *Subscriber {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Subscriber{store: store, fns: fns, account: account, log: log}
}

// subscriptionQueue is the delivery queue's configuration; the store
// opens it at Start (so that writes can queue events), the subscriber
// consumes it.
func subscriptionQueue() backbone.WorkQueueConfig {
	return backbone.WorkQueueConfig{
		Stream:      subscriptionStream,
		Description: "nubo log events waiting for delivery to subscription filters' functions",
		Subjects:    []string{subscriptionSubject},
		Consumer:    subscriptionConsumer,
		MaxDeliver:  subscriptionAttempts,
		Workers:     2,
	}
}

// Start consumes the queue the store opened.
func (s *Subscriber) Start(ctx context.Context) error {
	q := s.store.subscriptionQueue()
	if q == nil {
		return errors.New("logs: subscriptions: the store is not started")
	}
	if err := q.Consume(s.handle); err != nil {
		return fmt.Errorf("logs: subscriptions: %w", err)
	}
	s.queue = q
	return nil
}

// Close stops consuming; queued events stay for the next start.
func (s *Subscriber) Close(ctx context.Context) error {
	if s.queue == nil {
		return nil
	}
	return s.queue.Close(ctx)
}

func (s *Subscriber) handle(ctx context.Context, d *backbone.Delivery) backbone.Outcome {
	var b subscribedBatch
	if err := json.Unmarshal(d.Data, &b); err != nil {
		return backbone.Dead(fmt.Errorf("decode: %w", err))
	}
	filters, err := s.store.SubscriptionFilters(ctx, b.Group)
	if err != nil {
		return backbone.Retry(time.Second)
	}
	for _, f := range filters {
		for _, payload := range deliveries(s.account.ID, f, b.Events) {
			if err := s.fns.InvokeAsync(ctx, f.Destination, payload); err != nil {
				if errors.Is(err, ErrFunctionNotFound) {
					s.log.Warn("logs: subscription filter's function is gone", "group", f.Group, "filter", f.Name, "destination", f.Destination)
					continue
				}
				s.log.Warn("logs: subscription delivery", "group", f.Group, "filter", f.Name, "attempt", d.Delivered, "err", err)
				if d.Delivered >= subscriptionAttempts {
					s.log.Error("logs: subscription delivery given up", "group", f.Group, "filter", f.Name, "events", len(b.Events))
				}
				return backbone.Retry(time.Second)
			}
		}
	}
	return backbone.Ack()
}

// logsMessage is the JSON Logs gzips into awslogs.data.
type logsMessage struct {
	MessageType         string         `json:"messageType"`
	Owner               string         `json:"owner"`
	LogGroup            string         `json:"logGroup"`
	LogStream           string         `json:"logStream"`
	SubscriptionFilters []string       `json:"subscriptionFilters"`
	LogEvents           []logsMsgEvent `json:"logEvents"`
}

type logsMsgEvent struct {
	ID        string `json:"id"`
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
}

// deliveries are the invocation payloads of one filter for events: one
// per log stream with matching events, in the events' order.
func deliveries(owner string, f *SubscriptionFilter, events []subscribedEvent) [][]byte {
	var streams []string
	byStream := map[string][]logsMsgEvent{}
	for _, e := range events {
		if !matchFilter(f.Pattern, e.Message) {
			continue
		}
		if _, ok := byStream[e.Stream]; !ok {
			streams = append(streams, e.Stream)
		}
		byStream[e.Stream] = append(byStream[e.Stream], logsMsgEvent{ID: e.ID, Timestamp: e.Timestamp, Message: e.Message})
	}
	out := make([][]byte, 0, len(streams))
	for _, st := range streams {
		msg, _ := json.Marshal(logsMessage{MessageType: "DATA_MESSAGE", Owner: owner, LogGroup: f.Group, LogStream: st,
			SubscriptionFilters: []string{f.Name}, LogEvents: byStream[st]})
		var gz bytes.Buffer
		w := gzip.NewWriter(&gz)
		_, _ = w.Write(msg)
		_ = w.Close()
		payload, _ := json.Marshal(map[string]map[string]string{"awslogs": {"data": base64.StdEncoding.EncodeToString(gz.Bytes())}})
		out = append(out, payload)
	}
	return out
}

// LambdaName is the function (NAME or NAME:QUALIFIER) a Lambda ARN names,
// for the platform's adapter.
func LambdaName(arn string) (string, bool) {
	a, err := awsapi.ParseARN(arn)
	if err != nil || a.Service != "lambda" {
		return "", false
	}
	rest, ok := strings.CutPrefix(a.Resource, "function:")
	return rest, ok && rest != ""
}

func (l *Store) subscriptionQueue() *backbone.WorkQueue {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.subQueue
}
