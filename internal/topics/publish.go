package topics

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/nubo-run/nubo/internal/backbone"
)

const (
	fanoutSubject  = "snsfanout.job"
	fifoSubject    = "snsfifo.job"
	maxMessageSize = 262144
	// maxAttempts bounds the deliveries to one subscription (SNS's
	// delivery policy, simplified): then the message goes to the
	// subscription's dead-letter queue, if it has one.
	maxAttempts = 4
)

// Message is one published message as the work queue carries it.
type Message struct {
	ID      string `json:"id"`
	Topic   string `json:"topic"`
	Subject string `json:"subject,omitempty"`
	Body    string `json:"body"`
	// Structured holds MessageStructure=json's per-protocol bodies.
	Structured map[string]string    `json:"structured,omitempty"`
	Attributes map[string]Attribute `json:"attributes,omitempty"`
	Timestamp  time.Time            `json:"timestamp"`
	GroupID    string               `json:"group_id,omitempty"`
	DedupID    string               `json:"dedup_id,omitempty"`
	Sequence   string               `json:"sequence,omitempty"`
	// BaseURL is nubo's endpoint as the publisher reached it: the
	// UnsubscribeURL's and SubscribeURL's base.
	BaseURL string `json:"base_url,omitempty"`
}

// bodyFor is the message body a protocol receives.
func (m *Message) bodyFor(protocol string) string {
	if m.Structured != nil {
		if b, ok := m.Structured[protocol]; ok {
			return b
		}
		return m.Structured["default"]
	}
	return m.Body
}

// job is one unit of work: a message to fan out (Sub empty), a delivery
// to one subscription, or an HTTP subscription's confirmation request.
type job struct {
	Kind    string  `json:"kind"` // "fanout", "deliver", "confirm"
	Message Message `json:"message"`
	Sub     string  `json:"sub,omitempty"`
}

// startWork opens the two work queues: deliveries of standard topics
// (any node, eight workers each), and FIFO topics' messages, handed out
// one at a time across the cluster (MaxAckPending 1) so that they reach
// their subscriptions in publish order.
func (s *Service) startWork(ctx context.Context) (work, fifo *backbone.WorkQueue, err error) {
	work, err = s.opts.Backbone.WorkQueue(ctx, backbone.WorkQueueConfig{Stream: "SNS_DELIVERY", Description: "nubo SNS deliveries",
		Subjects: []string{fanoutSubject}, Consumer: "delivery", AckWait: 30 * time.Second,
		MaxDeliver: maxAttempts, Duplicates: 5 * time.Minute, Workers: 8, DeadLetter: s.deadLetter})
	if err != nil {
		return nil, nil, fmt.Errorf("topics: work queue: %w", err)
	}
	fifo, err = s.opts.Backbone.WorkQueue(ctx, backbone.WorkQueueConfig{Stream: "SNS_FIFO", Description: "nubo SNS FIFO topics' messages",
		Subjects: []string{fifoSubject}, Consumer: "fifo", AckWait: 30 * time.Second,
		MaxDeliver: maxAttempts, Duplicates: 5 * time.Minute, Workers: 1, MaxAckPending: 1, DeadLetter: s.deadLetter})
	if err != nil {
		_ = work.Close(ctx)
		return nil, nil, fmt.Errorf("topics: fifo work queue: %w", err)
	}
	return work, fifo, nil
}

// consume starts this node's workers on both queues.
func (s *Service) consume() error {
	if err := s.work.Consume(s.handle); err != nil {
		return fmt.Errorf("topics: consume: %w", err)
	}
	if err := s.fifo.Consume(s.handle); err != nil {
		return fmt.Errorf("topics: consume fifo: %w", err)
	}
	return nil
}

func (s *Service) publishJob(ctx context.Context, subject string, data []byte, id string) error {
	s.mu.Lock()
	q := s.work
	if subject == fifoSubject {
		q = s.fifo
	}
	s.mu.Unlock()
	if q == nil {
		return errors.New("topics: queue work: service closed")
	}
	if err := q.Publish(ctx, backbone.Message{Subject: subject, Data: data, ID: id}); err != nil {
		return fmt.Errorf("topics: queue work: %w", err)
	}
	return nil
}

var sequence atomic.Uint64

// Publish validates m against its topic and queues it for delivery; the
// message is durable when Publish returns.
func (s *Service) Publish(ctx context.Context, m Message) (Message, error) {
	t, err := s.Get(ctx, m.Topic)
	if err != nil {
		return m, err
	}
	if m.Body == "" {
		return m, invalid("Empty message")
	}
	if len(m.Body)+len(m.Subject) > maxMessageSize {
		return m, invalid("Message too long")
	}
	m.ID = newUUID()
	m.Timestamp = time.Now().UTC()
	id := m.ID
	if t.FIFO() {
		if m.GroupID == "" {
			return m, invalid("The MessageGroupId parameter is required for FIFO topics")
		}
		if m.DedupID == "" {
			if t.Attributes[AttrContentBasedDeduplication] != "true" {
				return m, invalid("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
			}
			sum := sha256.Sum256([]byte(m.Body))
			m.DedupID = hex.EncodeToString(sum[:])
		}
		m.Sequence = fmt.Sprintf("%020d", uint64(m.Timestamp.UnixNano())+sequence.Add(1)%1000)
		id = "fifo:" + m.Topic + ":" + m.DedupID
	} else if m.GroupID != "" {
		return m, invalid("MessageGroupId: The request includes MessageGroupId parameter that is not valid for this topic type")
	} else if m.DedupID != "" {
		return m, invalid("MessageDeduplicationId: The request includes MessageDeduplicationId parameter that is not valid for this topic type")
	}
	subject := fanoutSubject
	if t.FIFO() {
		subject = fifoSubject
	}
	data, err := json.Marshal(job{Kind: "fanout", Message: m})
	if err != nil {
		return m, err
	}
	return m, s.publishJob(ctx, subject, data, id)
}

func (s *Service) handle(ctx context.Context, d *backbone.Delivery) backbone.Outcome {
	var j job
	if err := json.Unmarshal(d.Data, &j); err != nil {
		return backbone.Dead(fmt.Errorf("undecodable job: %w", err))
	}
	switch j.Kind {
	case "fanout":
		return s.fanout(ctx, d, &j)
	case "deliver", "confirm":
		sub, _, err := s.subs.Get(ctx, subKey(j.Message.Topic, j.Sub))
		if err != nil {
			return backbone.Ack() // unsubscribed meanwhile
		}
		if j.Kind == "confirm" {
			err = s.confirmRequest(ctx, sub, &j.Message)
		} else {
			err = s.deliver(ctx, sub, &j.Message)
		}
		if err != nil {
			s.log.Warn("delivery failed", "subscription", s.SubscriptionARN(sub), "attempt", d.Delivered, "err", err)
			return backbone.Retry(backoff(d.Delivered))
		}
		return backbone.Ack()
	}
	return backbone.Dead(fmt.Errorf("unknown job kind %q", j.Kind))
}

func backoff(attempt uint64) time.Duration {
	return time.Duration(attempt*attempt) * 100 * time.Millisecond
}

// fanout queues one delivery per confirmed subscription whose filter
// policy the message passes. A FIFO topic's message is delivered here, in
// order, to each subscription in turn (its work is the queue's FIFO
// subject, consumed one at a time per node).
func (s *Service) fanout(ctx context.Context, d *backbone.Delivery, j *job) backbone.Outcome {
	// The bucket, not this node's cache: a subscription made on another
	// node a moment ago must get the message.
	entries, err := s.subs.List(ctx, subsOf(j.Message.Topic))
	if err != nil {
		return backbone.Retry(time.Second)
	}
	for _, e := range entries {
		sub := e.Value
		if sub.Pending || !s.passes(sub, j.Message.bodyFor(sub.Protocol), j.Message.Attributes) {
			continue
		}
		if j.Message.Sequence != "" { // a FIFO topic's message
			if err := s.deliver(ctx, sub, &j.Message); err != nil {
				s.log.Warn("fifo delivery failed", "subscription", s.SubscriptionARN(sub), "err", err)
				return backbone.Retry(backoff(d.Delivered))
			}
			continue
		}
		data, err := json.Marshal(job{Kind: "deliver", Message: j.Message, Sub: sub.ID})
		if err != nil {
			return backbone.Dead(err)
		}
		if err := s.publishJob(ctx, fanoutSubject, data, j.Message.ID+":"+sub.ID); err != nil {
			return backbone.Retry(time.Second)
		}
	}
	return backbone.Ack()
}

// deadLetter sends a delivery that exhausted its attempts to the
// subscription's RedrivePolicy queue (SNS's subscription DLQ); without
// one, the message is dropped (as SNS does).
func (s *Service) deadLetter(ctx context.Context, d *backbone.Delivery, reason error) error {
	var j job
	if err := json.Unmarshal(d.Data, &j); err != nil || j.Kind != "deliver" {
		s.log.Warn("message dropped", "reason", reason)
		return nil
	}
	sub, _, err := s.subs.Get(ctx, subKey(j.Message.Topic, j.Sub))
	if err != nil {
		return nil
	}
	rp := sub.Attributes[AttrRedrivePolicy]
	if rp == "" || s.opts.Queues == nil {
		s.log.Warn("message dropped", "subscription", s.SubscriptionARN(sub), "reason", reason)
		return nil
	}
	var p struct{ DeadLetterTargetArn string }
	if err := json.Unmarshal([]byte(rp), &p); err != nil {
		return nil
	}
	body := s.envelope(sub, &j.Message)
	if sub.Attributes[AttrRawMessageDelivery] == "true" {
		body = j.Message.bodyFor(sub.Protocol)
	}
	_, err = s.opts.Queues.SendFrom(ctx, s.source(sub.Topic), p.DeadLetterTargetArn, s.outgoing(sub, &j.Message, body))
	if err != nil {
		s.log.Warn("dead-letter queue refused the message", "subscription", s.SubscriptionARN(sub), "err", err)
	}
	return nil
}
