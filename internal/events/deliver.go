package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

// Work queue subjects.
const (
	ingestSubject  = "nubo.events.ingest"
	deliverSubject = "nubo.events.deliver"
)

// EventBridge's default retry policy.
const (
	defaultRetryAttempts = 185
	defaultMaxEventAge   = 24 * time.Hour
)

// ingestMsg is an accepted event waiting to be matched.
type ingestMsg struct {
	Bus string `json:"bus"`
	// Rules, when set, are the ARNs of the only rules to match (a
	// replay's FilterArns).
	Rules []string `json:"rules,omitempty"`
	// Fire, when set, is the scheduled rule the event is for: it is
	// delivered to that rule's targets without matching.
	Fire     string          `json:"fire,omitempty"`
	Event    json.RawMessage `json:"event"`
	Ingested time.Time       `json:"ingested"`
}

// deliverMsg is one matched event waiting to reach one target.
type deliverMsg struct {
	Bus      string          `json:"bus"`
	Rule     string          `json:"rule"`
	Target   string          `json:"target"`
	Event    json.RawMessage `json:"event"`
	Ingested time.Time       `json:"ingested"`
}

func (s *Service) startDelivery(ctx context.Context) error {
	var err error
	s.ingest, err = s.opts.Backbone.WorkQueue(ctx, backbone.WorkQueueConfig{
		Stream: "NUBO_EVENTS_INGEST", Description: "events put on nubo's event buses, waiting to be matched",
		Subjects: []string{ingestSubject}, Consumer: "events-ingest", MaxDeliver: 20, Workers: 4,
	})
	if err != nil {
		return fmt.Errorf("events: the ingest queue: %w", err)
	}
	s.deliver, err = s.opts.Backbone.WorkQueue(ctx, backbone.WorkQueueConfig{
		Stream: "NUBO_EVENTS_DELIVER", Description: "matched events waiting to reach a rule's target",
		Subjects: []string{deliverSubject}, Consumer: "events-deliver", Workers: 8,
	})
	if err != nil {
		return fmt.Errorf("events: the delivery queue: %w", err)
	}
	if err := s.ingest.Consume(s.handleIngest); err != nil {
		return fmt.Errorf("events: consuming the ingest queue: %w", err)
	}
	if err := s.deliver.Consume(s.handleDeliver); err != nil {
		return fmt.Errorf("events: consuming the delivery queue: %w", err)
	}
	return nil
}

// enqueue stores an event for matching.
func (s *Service) enqueue(ctx context.Context, bus string, env Envelope) error {
	return s.enqueueFor(ctx, bus, env, nil)
}

// enqueueFor stores an event for matching against rules (ARNs; nil: all).
func (s *Service) enqueueFor(ctx context.Context, bus string, env Envelope, rules []string) error {
	ev, err := json.Marshal(env)
	if err != nil {
		return fmt.Errorf("events: encoding event %s: %w", env.ID, err)
	}
	data, err := json.Marshal(ingestMsg{Bus: bus, Rules: rules, Event: ev, Ingested: s.opts.Now().UTC()})
	if err != nil {
		return fmt.Errorf("events: encoding event %s: %w", env.ID, err)
	}
	id := bus + "/" + env.ID
	if env.ReplayName != "" {
		id += "/" + env.ReplayName
	}
	if err := s.ingest.Publish(ctx, backbone.Message{Subject: ingestSubject, Data: data, ID: id}); err != nil {
		return fmt.Errorf("events: queueing event %s: %w", env.ID, err)
	}
	return nil
}

// Match answers the enabled rules of a bus an event (an envelope as JSON)
// matches: the same compiled set delivery uses.
func (s *Service) Match(ctx context.Context, bus string, event []byte) ([]string, error) {
	b, rev, err := s.GetBus(ctx, bus)
	if err != nil {
		return nil, err
	}
	set, err := s.ruleSet(b, rev)
	if err != nil {
		return nil, err
	}
	return set.Match(event)
}

// handleIngest matches an event against its bus's rules and queues one
// delivery per target of each rule it matches.
func (s *Service) handleIngest(ctx context.Context, d *backbone.Delivery) backbone.Outcome {
	var m ingestMsg
	if err := json.Unmarshal(d.Data, &m); err != nil {
		return backbone.Dead(fmt.Errorf("events: undecodable event: %w", err))
	}
	b, rev, err := s.GetBus(ctx, m.Bus)
	if errors.Is(err, ErrNotFound) {
		s.log.Info("event dropped: its bus is gone", "bus", m.Bus)
		return backbone.Ack()
	}
	if err != nil {
		return backbone.Retry(time.Second)
	}
	set, err := s.ruleSet(b, rev)
	if err != nil {
		return backbone.Dead(err)
	}
	if err := s.archiveEvent(ctx, b, m.Event); err != nil {
		return backbone.Retry(time.Second)
	}
	rules, err := set.Match(m.Event)
	if err != nil {
		return backbone.Dead(err)
	}
	if m.Fire != "" {
		rules = nil
		if r := b.Rules[m.Fire]; r != nil && r.State == StateEnabled {
			rules = []string{m.Fire}
		}
	}
	if m.Rules != nil {
		rules = slices.DeleteFunc(rules, func(name string) bool { return !slices.Contains(m.Rules, s.RuleARN(m.Bus, name)) })
	}
	var id struct {
		ID     string `json:"id"`
		Replay string `json:"replay-name"`
	}
	_ = json.Unmarshal(m.Event, &id)
	for _, name := range rules {
		for _, t := range b.Rules[name].Targets {
			data, err := json.Marshal(deliverMsg{Bus: m.Bus, Rule: name, Target: t.Id, Event: m.Event, Ingested: m.Ingested})
			if err != nil {
				return backbone.Dead(err)
			}
			msgID := m.Bus + "/" + name + "/" + t.Id + "/" + id.ID + "/" + id.Replay
			if err := s.deliver.Publish(ctx, backbone.Message{Subject: deliverSubject, Data: data, ID: msgID}); err != nil {
				return backbone.Retry(time.Second)
			}
		}
	}
	return backbone.Ack()
}

// handleDeliver sends one matched event to one target, retrying by the
// target's RetryPolicy and dead-lettering by its DeadLetterConfig.
func (s *Service) handleDeliver(ctx context.Context, d *backbone.Delivery) backbone.Outcome {
	var m deliverMsg
	if err := json.Unmarshal(d.Data, &m); err != nil {
		return backbone.Dead(fmt.Errorf("events: undecodable delivery: %w", err))
	}
	r, err := s.rule(ctx, m.Bus, m.Rule)
	if errors.Is(err, ErrNotFound) {
		return backbone.Ack() // the rule is gone: nothing to deliver to
	}
	if err != nil {
		return backbone.Retry(time.Second)
	}
	var t *Target
	for i := range r.Targets {
		if r.Targets[i].Id == m.Target {
			t = &r.Targets[i]
		}
	}
	if t == nil {
		return backbone.Ack() // the target was removed
	}
	ruleARN := s.RuleARN(m.Bus, m.Rule)
	err = s.send(ctx, t, m, ruleARN)
	if err == nil {
		return backbone.Ack()
	}
	attempts, maxAge := defaultRetryAttempts, defaultMaxEventAge
	if rp := t.RetryPolicy; rp != nil {
		if rp.MaximumRetryAttempts != nil {
			attempts = *rp.MaximumRetryAttempts
		}
		if rp.MaximumEventAgeInSeconds != nil {
			maxAge = time.Duration(*rp.MaximumEventAgeInSeconds) * time.Second
		}
	}
	var permanent *permanentError
	if !errors.As(err, &permanent) && int(d.Delivered) <= attempts && s.opts.Now().Sub(m.Ingested) < maxAge {
		s.log.Info("event delivery failed; retrying", "rule", ruleARN, "target", t.Id, "attempt", d.Delivered, "err", err)
		return backbone.Retry(s.backoff(d.Delivered))
	}
	s.deadLetter(ctx, t, m, ruleARN, err)
	return backbone.Ack()
}

func (s *Service) backoff(delivered uint64) time.Duration {
	d := s.opts.RetryDelay
	for i := uint64(1); i < delivered && d < time.Minute; i++ {
		d *= 2
	}
	return min(d, time.Minute)
}

// permanentError is a delivery failure retrying cannot mend.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

func permanent(format string, a ...any) error { return &permanentError{fmt.Errorf(format, a...)} }

// send transforms the event for a target and sends it there.
func (s *Service) send(ctx context.Context, t *Target, m deliverMsg, ruleARN string) error {
	a, err := awsapi.ParseARN(t.Arn)
	if err != nil {
		return permanent("target %s: %v", t.Id, err)
	}
	if a.Service == "events" && strings.HasPrefix(a.Resource, "event-bus/") {
		var env Envelope
		if err := json.Unmarshal(m.Event, &env); err != nil {
			return permanent("target %s: %v", t.Id, err)
		}
		if a.AccountID != s.opts.Account.ID || a.Region != s.opts.Account.Region {
			return permanent("target %s: bus %s is in another account or region", t.Id, t.Arn)
		}
		err := s.Publish(ctx, strings.TrimPrefix(a.Resource, "event-bus/"), env)
		if errors.Is(err, ErrNotFound) {
			return permanent("target %s: %v", t.Id, err)
		}
		return err
	}
	payload, err := input(t, delivery{event: m.Event, ruleARN: ruleARN, ruleName: m.Rule, ingestion: m.Ingested})
	if err != nil {
		return permanent("target %s: transforming the input: %v", t.Id, err)
	}
	if a.Service == "events" && strings.HasPrefix(a.Resource, "api-destination/") {
		return s.sendHTTP(ctx, t, payload)
	}
	switch a.Service {
	case "lambda":
		if s.opts.Functions == nil {
			return permanent("target %s: no function invoker", t.Id)
		}
		return s.opts.Functions.InvokeAsync(ctx, t.Arn, ruleARN, payload)
	case "sqs":
		if s.opts.Queues == nil {
			return permanent("target %s: queue targets are not available: nubo has no queue service in this build", t.Id)
		}
		group := ""
		if t.SqsParameters != nil {
			group = t.SqsParameters.MessageGroupId
		}
		return s.opts.Queues.Send(ctx, ruleARN, t.Arn, string(payload), group)
	case "sns":
		if s.opts.Topics == nil {
			return permanent("target %s: topic targets are not available: nubo has no topic service in this build", t.Id)
		}
		group := ""
		if t.SqsParameters != nil { // EventBridge's MessageGroupId for FIFO topics rides in SqsParameters too
			group = t.SqsParameters.MessageGroupId
		}
		return s.opts.Topics.Publish(ctx, t.Arn, string(payload), group)
	}
	return permanent("target %s: nubo does not deliver to %s", t.Id, t.Arn)
}

// deadLetter sends an undeliverable event to the target's dead-letter
// queue, or logs it.
func (s *Service) deadLetter(ctx context.Context, t *Target, m deliverMsg, ruleARN string, cause error) {
	if t.DeadLetterConfig == nil || t.DeadLetterConfig.Arn == "" {
		s.log.Warn("event not delivered", "rule", ruleARN, "target", t.Id, "err", cause)
		return
	}
	if s.opts.Queues == nil {
		s.log.Warn("event not delivered, and its dead-letter queue is not available: nubo has no queue service in this build",
			"rule", ruleARN, "target", t.Id, "dlq", t.DeadLetterConfig.Arn, "err", cause)
		return
	}
	if err := s.opts.Queues.Send(ctx, ruleARN, t.DeadLetterConfig.Arn, string(m.Event), ""); err != nil {
		s.log.Warn("event not delivered nor dead-lettered", "rule", ruleARN, "target", t.Id, "dlq", t.DeadLetterConfig.Arn, "err", cause, "dlq_err", err)
		return
	}
	s.log.Info("event dead-lettered", "rule", ruleARN, "target", t.Id, "dlq", t.DeadLetterConfig.Arn, "err", cause)
}
