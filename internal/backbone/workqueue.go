package backbone

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// WorkQueueConfig describes a durable work queue: a JetStream stream with
// work-queue retention and one durable pull consumer that every node of a
// cluster pulls from, so each message is worked on by one worker at a time
// wherever it runs. Nothing about pending work is kept in a node's memory.
type WorkQueueConfig struct {
	// Stream names the stream; Subjects are the subjects it stores (both
	// required). Description documents the stream on the server.
	Stream      string
	Description string
	Subjects    []string
	// Consumer names the durable consumer (required).
	Consumer string
	// AckWait is how long a delivery may go unacknowledged before JetStream
	// hands it out again. While a handler runs the queue extends it
	// (InProgress every AckWait/3), so it only bounds how soon the work of
	// a crashed node runs again. Default 30s.
	AckWait time.Duration
	// MaxDeliver bounds the deliveries of one message: a Retry on the last
	// one, or a delivery after it (the last was lost to a crash), goes to
	// DeadLetter with ErrMaxDeliveries instead. 0 is unlimited.
	MaxDeliver int
	// MaxAckPending bounds the messages delivered and not yet acknowledged
	// across every node, those waiting out a Retry delay included. 0 or
	// less is unlimited: a backlog waiting out delays does not stop the rest.
	MaxAckPending int
	// Duplicates is the window in which a Publish with an ID already seen
	// is dropped (0: the server's default, 2 minutes).
	Duplicates time.Duration
	// Workers is how many handlers run at once on this node (default 1).
	// It is also how many messages this node pulls ahead.
	Workers int
	// DeadLetter, if set, is called with a message whose deliveries are
	// exhausted or whose handler returned Dead, before the message is
	// removed. An error leaves the message queued: it is dead-lettered again
	// after AckWait. Nil removes such messages.
	DeadLetter func(ctx context.Context, d *Delivery, reason error) error
	// Filter, if set, is the only subject the consumer takes: the stream's
	// other subjects hold messages that stay (scheduled messages, below).
	Filter string
	// Schedules lets the stream hold JetStream scheduled messages
	// (Nats-Schedule, ADR-51): each is published to its target subject at
	// its time by the stream's leader.
	Schedules bool
}

// ErrMaxDeliveries is the reason DeadLetter gets for a message delivered
// WorkQueueConfig.MaxDeliver times without success.
var ErrMaxDeliveries = errors.New("work queue: deliveries exhausted")

// Message is what Publish stores.
type Message struct {
	// Subject must be one of the queue's subjects.
	Subject string
	Data    []byte
	// Header travels with the message; a handler reads it in Delivery.Header.
	Header nats.Header
	// ID, when set, makes a second Publish with the same ID within the
	// Duplicates window a no-op (a retried publish stores one message).
	ID string
}

// Delivery is one delivery of a queued message to a handler. Payloads are
// bytes: a queue of JSON documents encodes and decodes them itself.
type Delivery struct {
	Subject string
	Data    []byte
	Header  nats.Header
	// Delivered counts the deliveries of this message, this one included:
	// 1 the first time, more after a Retry, a crash or an expired AckWait.
	Delivered uint64

	msg jetstream.Msg
}

// Outcome is what a Handler decides for a delivery: Ack, Retry or Dead.
type Outcome struct {
	kind   outcomeKind
	delay  time.Duration
	reason error
}

type outcomeKind int

const (
	outcomeAck outcomeKind = iota
	outcomeRetry
	outcomeDead
)

// Ack marks the message done: it leaves the queue.
func Ack() Outcome { return Outcome{kind: outcomeAck} }

// Retry hands the message out again after delay (0: at once), to any
// worker of any node. It uses up a delivery.
func Retry(delay time.Duration) Outcome { return Outcome{kind: outcomeRetry, delay: delay} }

// Dead gives the message up: it goes to DeadLetter with reason and leaves
// the queue.
func Dead(reason error) Outcome { return Outcome{kind: outcomeDead, reason: reason} }

// Handler works on one delivery. ctx is cancelled when Close gives up
// waiting; a handler cut short should return Retry so the work runs again.
type Handler func(ctx context.Context, d *Delivery) Outcome

// WorkQueue is a durable work queue on JetStream (see WorkQueueConfig).
// Publish adds work; Consume runs this node's workers; Close stops them.
type WorkQueue struct {
	bb   *Backbone
	cfg  WorkQueueConfig
	cons jetstream.Consumer

	cc      jetstream.ConsumeContext
	slots   chan struct{}
	mu      sync.Mutex // guards consuming, closing against wg.Add
	closing bool
	wg      sync.WaitGroup
	runCtx  context.Context
	cancel  context.CancelFunc
	handler Handler

	// Test hooks (export_test.go): called on each InProgress sent and when
	// Close starts.
	onInProgress func()
	onClosing    func()
}

// WorkQueue creates the queue's stream and durable consumer with the
// backbone's replica count, or updates them to cfg. Every node opens the
// same queue with the same config.
func (b *Backbone) WorkQueue(ctx context.Context, cfg WorkQueueConfig) (*WorkQueue, error) {
	if cfg.Stream == "" || cfg.Consumer == "" || len(cfg.Subjects) == 0 {
		return nil, errors.New("backbone: work queue: a stream, subjects and a consumer are required")
	}
	if cfg.AckWait <= 0 {
		cfg.AckWait = 30 * time.Second
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.MaxAckPending <= 0 {
		cfg.MaxAckPending = -1
	}
	stream, err := b.Stream(ctx, jetstream.StreamConfig{
		Name:        cfg.Stream,
		Description: cfg.Description,
		Subjects:    cfg.Subjects,
		Retention:   jetstream.WorkQueuePolicy,
		Storage:     jetstream.FileStorage,
		Duplicates:  cfg.Duplicates,

		AllowMsgSchedules: cfg.Schedules,
	})
	if err != nil {
		return nil, fmt.Errorf("backbone: work queue: %w", err)
	}
	cons, err := stream.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:   cfg.Consumer,
		AckPolicy: jetstream.AckExplicitPolicy,
		AckWait:   cfg.AckWait,
		// The queue counts deliveries itself (WorkQueueConfig.MaxDeliver):
		// a server-side limit would strand a message whose last delivery
		// was lost to a crash, never reaching the dead-letter hook.
		MaxDeliver:    -1,
		MaxAckPending: cfg.MaxAckPending,
		FilterSubject: filter(b, cfg.Filter),
	})
	if err != nil {
		return nil, fmt.Errorf("backbone: work queue %q: consumer %q: %w", cfg.Stream, cfg.Consumer, err)
	}
	return &WorkQueue{bb: b, cfg: cfg, cons: cons}, nil
}

func filter(b *Backbone, s string) string {
	if s == "" {
		return ""
	}
	return b.Subject(s)
}

// Publish stores m; it returns once JetStream has it.
func (q *WorkQueue) Publish(ctx context.Context, m Message) error {
	msg := nats.NewMsg(q.bb.Subject(m.Subject))
	msg.Data = m.Data
	for k, v := range m.Header {
		msg.Header[k] = v
	}
	if m.ID != "" {
		msg.Header.Set(nats.MsgIdHdr, m.ID)
	}
	if _, err := q.bb.JetStream().PublishMsg(ctx, msg); err != nil {
		return fmt.Errorf("work queue %q: publish: %w", q.cfg.Stream, err)
	}
	return nil
}

// ConsumerInfo reports the shared consumer's state as the server sees it
// (pending, acknowledgement-pending and redelivered counts of all nodes).
func (q *WorkQueue) ConsumerInfo(ctx context.Context) (*jetstream.ConsumerInfo, error) {
	info, err := q.cons.Info(ctx)
	if err != nil {
		return nil, fmt.Errorf("work queue %q: consumer info: %w", q.cfg.Stream, err)
	}
	return info, nil
}
