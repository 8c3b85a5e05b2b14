package functions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

// AsyncOptions tunes the asynchronous invoker. Zero values take Lambda's
// behaviour.
type AsyncOptions struct {
	// RetryBaseDelay is the wait before the first retry of a failed event;
	// the second waits twice as long (Lambda: about 1 and 2 minutes).
	RetryBaseDelay time.Duration
	// ThrottleBaseDelay is the first wait after a throttle; it doubles up to
	// ThrottleMaxDelay. Throttles do not use up retry attempts.
	ThrottleBaseDelay time.Duration
	ThrottleMaxDelay  time.Duration
	// AckWait is how long an event being worked on may go unacknowledged
	// before JetStream redelivers it (the worker extends it while the
	// invocation runs): it bounds recovery after a crash.
	AckWait time.Duration
	// Workers is how many events run at once on this node.
	Workers int
}

// Destination delivers an async invocation record to a non-Lambda target
// (a queue, a topic, an event bus). The services that own those targets
// implement it; the platform passes them in Options.Destinations.
type Destination interface {
	Deliver(ctx context.Context, arn string, record []byte) error
}

// JetStream names of the async invoker.
const (
	asyncStream   = "NUBO_FN_ASYNC"
	asyncSubject  = "nubo.fn.async."
	asyncConsumer = "nubo-async"
)

// Event headers: the state an event carries from attempt to attempt.
const (
	evRequestIDHdr = "Nubo-Request-Id"
	evEnqueuedHdr  = "Nubo-Enqueued"   // unix nanoseconds of the first accept
	evAttemptsHdr  = "Nubo-Attempts"   // attempts already made
	evNotBeforeHdr = "Nubo-Not-Before" // unix nanoseconds: do not run before
	evFunctionHdr  = "Nubo-Function"
)

type asyncInvoker struct {
	s    *Service
	opts AsyncOptions
	log  *slog.Logger

	q *backbone.WorkQueue // set by start
}

func newAsyncInvoker(s *Service, o AsyncOptions, log *slog.Logger) *asyncInvoker {
	if o.RetryBaseDelay <= 0 {
		o.RetryBaseDelay = time.Minute
	}
	if o.ThrottleBaseDelay <= 0 {
		o.ThrottleBaseDelay = time.Second
	}
	if o.ThrottleMaxDelay <= 0 {
		o.ThrottleMaxDelay = 5 * time.Minute
	}
	if o.AckWait <= 0 {
		o.AckWait = 30 * time.Second
	}
	if o.Workers <= 0 {
		o.Workers = 32
	}
	return &asyncInvoker{s: s, opts: o, log: log}
}

func (a *asyncInvoker) start(ctx context.Context) error {
	q, err := a.s.opts.Backbone.WorkQueue(ctx, backbone.WorkQueueConfig{
		Stream:      asyncStream,
		Description: "nubo asynchronous (Event) invocations waiting to run",
		Subjects:    []string{asyncSubject + "*"},
		Consumer:    asyncConsumer,
		Duplicates:  2 * time.Minute,
		AckWait:     a.opts.AckWait,
		// Unlimited: events waiting out a throttle or a retry delay stay
		// pending (Retry with a delay) without taking a worker: a bound
		// here would let a throttled function's backlog stop every async
		// invocation of the server. How many run at once is bounded by
		// the workers. Attempts are counted in the event's headers, not in
		// deliveries (throttles do not use attempts up): no MaxDeliver.
		MaxAckPending: -1,
		Workers:       a.opts.Workers,
		DeadLetter: func(_ context.Context, _ *backbone.Delivery, reason error) error {
			a.log.Error("drop malformed event", "err", reason)
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("async: %w", err)
	}
	a.q = q
	if err := q.Consume(a.handle); err != nil {
		return fmt.Errorf("async: %w", err)
	}
	return nil
}

// close stops taking events and waits for those running, up to ctx's
// deadline; events cut short are not acknowledged, so they run again later.
func (a *asyncInvoker) close(ctx context.Context) error {
	if a.q == nil {
		return nil
	}
	return a.q.Close(ctx)
}

// enqueue stores a new event; the returned request id names it throughout.
func (a *asyncInvoker) enqueue(ctx context.Context, function string, payload []byte, requestID string) (string, error) {
	if a.q == nil {
		return "", fmt.Errorf("function %q: queue event: the async invoker is not started", function)
	}
	if requestID == "" {
		requestID = awsapi.NewRequestID()
	}
	h := nats.Header{}
	h.Set(evFunctionHdr, function)
	h.Set(evRequestIDHdr, requestID)
	h.Set(evEnqueuedHdr, strconv.FormatInt(time.Now().UnixNano(), 10))
	h.Set(evAttemptsHdr, "0")
	if err := a.q.Publish(ctx, backbone.Message{Subject: asyncSubject + function, Data: payload, Header: h, ID: requestID + "/0"}); err != nil {
		return "", fmt.Errorf("function %q: queue event: %w", function, err)
	}
	return requestID, nil
}

// event is one queued invocation as read back from JetStream.
type event struct {
	function  string
	requestID string
	payload   []byte
	enqueued  time.Time
	attempts  int
	notBefore time.Time
}

func parseEvent(h nats.Header, payload []byte) (event, error) {
	e := event{function: h.Get(evFunctionHdr), requestID: h.Get(evRequestIDHdr), payload: payload}
	if e.function == "" || e.requestID == "" {
		return e, errors.New("event without function or request id")
	}
	enq, err := strconv.ParseInt(h.Get(evEnqueuedHdr), 10, 64)
	if err != nil {
		return e, fmt.Errorf("event %s: enqueued time: %w", e.requestID, err)
	}
	e.enqueued = time.Unix(0, enq)
	if e.attempts, err = strconv.Atoi(h.Get(evAttemptsHdr)); err != nil {
		return e, fmt.Errorf("event %s: attempts: %w", e.requestID, err)
	}
	if v := h.Get(evNotBeforeHdr); v != "" {
		nb, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return e, fmt.Errorf("event %s: not-before: %w", e.requestID, err)
		}
		e.notBefore = time.Unix(0, nb)
	}
	return e, nil
}

// handle runs one delivered event on a worker of the queue, which keeps it
// from being redelivered while the invocation runs. ctx is cancelled when
// close gives up waiting.
func (a *asyncInvoker) handle(ctx context.Context, d *backbone.Delivery) backbone.Outcome {
	e, err := parseEvent(d.Header, d.Data)
	if err != nil {
		return backbone.Dead(err)
	}
	log := a.log.With("function", e.function, "request_id", e.requestID)
	if wait := time.Until(e.notBefore); wait > 0 {
		return backbone.Retry(wait)
	}
	fn, _, _ := strings.Cut(e.function, ":") // a qualified invocation runs a version or alias
	cfg, _, err := a.s.reg.get(ctx, fn)
	if errors.Is(err, ErrFunctionNotFound) {
		log.Warn("drop event: function deleted")
		return backbone.Ack()
	}
	if err != nil {
		log.Error("event: load function", "err", err)
		return backbone.Retry(a.opts.ThrottleBaseDelay)
	}
	eic, err := a.s.reg.invokeConfig(ctx, e.function) // a version's or alias's own
	if err != nil && !errors.Is(err, errNoInvokeConfig) {
		log.Error("event: load invoke config", "err", err)
		return backbone.Retry(a.opts.ThrottleBaseDelay)
	}
	if time.Since(e.enqueued) > time.Duration(eic.maxAgeSeconds())*time.Second {
		log.Info("drop event: older than the maximum event age", "attempts", e.attempts)
		a.destination(ctx, cfg, eic, e, "EventAgeExceeded", nil)
		return backbone.Ack()
	}

	res, err := a.s.Invoke(ctx, e.function, &Request{RequestID: e.requestID, Payload: e.payload})
	switch {
	case errors.Is(err, ErrReservedConcurrency), errors.Is(err, ErrConcurrencyLimit):
		delay := throttleDelay(a.opts.ThrottleBaseDelay, a.opts.ThrottleMaxDelay, d.Delivered)
		log.Debug("event throttled", "retry_in", delay)
		return backbone.Retry(delay)
	case errors.Is(err, ErrClosing), ctx.Err() != nil:
		return backbone.Retry(0) // runs again after the restart
	case errors.Is(err, ErrFunctionNotFound):
		log.Warn("drop event: function deleted")
		return backbone.Ack()
	}
	e.attempts++
	if err == nil && res.FunctionError == "" {
		a.destination(ctx, cfg, eic, e, "Success", res)
		return backbone.Ack()
	}
	if err != nil {
		log.Error("event invocation", "err", err)
		res = &Result{FunctionError: "Unhandled", Payload: errorDocument("ServiceException", err.Error())}
	}
	if e.attempts <= eic.retries() {
		delay := a.opts.RetryBaseDelay << (e.attempts - 1)
		if err := a.requeue(ctx, e, delay); err != nil {
			log.Error("requeue event", "err", err)
			return backbone.Retry(delay)
		}
		log.Info("event failed, will retry", "attempts", e.attempts, "retry_in", delay)
		return backbone.Ack()
	}
	log.Info("event failed, retries exhausted", "attempts", e.attempts)
	a.destination(ctx, cfg, eic, e, "RetriesExhausted", res)
	return backbone.Ack()
}

// throttleDelay is how long an event throttled on its delivered-th
// delivery waits: base doubled per earlier delivery up to max, of which a
// random half. Events throttled together (a burst, or the backlog a
// restart redelivers at once) so come back spread out instead of meeting
// the same limit again together, which let a backlog drain by a couple of
// events per ThrottleMaxDelay.
func throttleDelay(base, max time.Duration, delivered uint64) time.Duration {
	d := base
	for i := uint64(1); i < delivered && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return d/2 + rand.N(d/2+1)
}

// requeue stores the event again for a later attempt; the caller then acks
// the current message (a crash in between runs the attempt twice, never zero times).
func (a *asyncInvoker) requeue(ctx context.Context, e event, delay time.Duration) error {
	h := nats.Header{}
	h.Set(evFunctionHdr, e.function)
	h.Set(evRequestIDHdr, e.requestID)
	h.Set(evEnqueuedHdr, strconv.FormatInt(e.enqueued.UnixNano(), 10))
	h.Set(evAttemptsHdr, strconv.Itoa(e.attempts))
	h.Set(evNotBeforeHdr, strconv.FormatInt(time.Now().Add(delay).UnixNano(), 10))
	return a.q.Publish(ctx, backbone.Message{Subject: asyncSubject + e.function, Data: e.payload, Header: h, ID: e.requestID + "/" + strconv.Itoa(e.attempts)})
}

// destinationRecord is the document Lambda sends to an async destination.
type destinationRecord struct {
	Version         string           `json:"version"`
	Timestamp       string           `json:"timestamp"`
	RequestContext  requestContext   `json:"requestContext"`
	RequestPayload  json.RawMessage  `json:"requestPayload"`
	ResponseContext *responseContext `json:"responseContext,omitempty"`
	ResponsePayload json.RawMessage  `json:"responsePayload,omitempty"`
}

type requestContext struct {
	RequestID              string `json:"requestId"`
	FunctionARN            string `json:"functionArn"`
	Condition              string `json:"condition"`
	ApproximateInvokeCount int    `json:"approximateInvokeCount"`
}

type responseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion"`
	FunctionError   string `json:"functionError,omitempty"`
}

// asJSON keeps valid JSON as it is and quotes anything else.
func asJSON(b []byte) json.RawMessage {
	if len(b) == 0 {
		return json.RawMessage("null")
	}
	if json.Valid(b) {
		return json.RawMessage(b)
	}
	q, _ := json.Marshal(string(b))
	return q
}

func errorDocument(typ, msg string) []byte {
	b, _ := json.Marshal(map[string]string{"errorType": typ, "errorMessage": msg})
	return b
}

// destination sends the record to the configured on-success or on-failure
// target. Delivery is best effort: a failure is logged, the event is done.
func (a *asyncInvoker) destination(ctx context.Context, cfg *Config, eic *EventInvokeConfig, e event, condition string, res *Result) {
	if eic == nil {
		return
	}
	target := eic.OnFailure
	if condition == "Success" {
		target = eic.OnSuccess
	}
	if target == "" {
		return
	}
	rec := destinationRecord{
		Version:   "1.0",
		Timestamp: time.Now().UTC().Format("2006-01-02T15:04:05.000Z"),
		RequestContext: requestContext{
			RequestID:              e.requestID,
			FunctionARN:            a.s.eicARN(e.function), // the alias's or version's, else :$LATEST
			Condition:              condition,
			ApproximateInvokeCount: e.attempts,
		},
		RequestPayload: asJSON(e.payload),
	}
	if res != nil {
		rec.ResponseContext = &responseContext{StatusCode: 200, ExecutedVersion: executedVersion(res), FunctionError: res.FunctionError}
		rec.ResponsePayload = asJSON(res.Payload)
	}
	body, err := json.Marshal(rec)
	if err != nil {
		a.log.Error("destination record", "err", err)
		return
	}
	if err := a.deliver(ctx, cfg, target, body); err != nil {
		a.log.Error("deliver to destination", "function", cfg.Name, "request_id", e.requestID, "destination", target, "err", err)
	}
}

// destinationActions are what a source function's role needs to send a
// record to a destination of each service.
func destinationAction(service string) string {
	switch service {
	case "sqs":
		return "sqs:SendMessage"
	case "sns":
		return "sns:Publish"
	case "events":
		return "events:PutEvents"
	}
	return ""
}

// deliver sends a record to target. As on Lambda, the source function's
// execution role must allow sending to the destination (a Lambda target:
// lambda:InvokeFunction on the destination function).
func (a *asyncInvoker) deliver(ctx context.Context, src *Config, target string, record []byte) error {
	arn, err := awsapi.ParseARN(target)
	if err != nil {
		return err
	}
	if arn.Service == "lambda" {
		name, qual, err := parseFunctionRef(target)
		if err != nil {
			return err
		}
		if qual == latestVersion {
			qual = ""
		}
		p := a.s.principal(src)
		req := awsapi.AuthzRequest{Service: "lambda", Action: "lambda:InvokeFunction", Resource: a.s.qualifiedARN(name, qual), Principal: &p}
		if rp := a.s.opts.ResourcePolicy; rp != nil && a.s.opts.Authorizer != nil {
			req.ResourcePolicy = rp(name)
		}
		if err := awsapi.Authorize(ctx, a.s.opts.Authorizer, req); err != nil {
			return err
		}
		if _, err := a.s.checkRef(ctx, qualified(name, qual)); err != nil {
			return err
		}
		_, err = a.enqueue(ctx, qualified(name, qual), record, "") // a version or alias runs as such
		return err
	}
	d, ok := a.s.opts.Destinations[arn.Service]
	if !ok {
		return fmt.Errorf("%s destinations are not supported by nubo yet", arn.Service)
	}
	if action := destinationAction(arn.Service); action != "" {
		p := a.s.principal(src)
		if err := awsapi.Authorize(ctx, a.s.opts.Authorizer, awsapi.AuthzRequest{
			Service: arn.Service, Action: action, Resource: target, Principal: &p,
		}); err != nil {
			return err
		}
	}
	return d.Deliver(ctx, target, record)
}
