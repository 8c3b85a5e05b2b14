package functions

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/queues"
)

// Event source mappings: a queue feeds a function in batches (poll-based
// invocation). The mappings live in a backbone bucket; every node follows
// it and polls every enabled mapping (esm_poll.go).

const esmBucket = "lambda_esm"

// Mapping states as Lambda reports them.
const (
	esmCreating  = "Creating"
	esmEnabled   = "Enabled"
	esmDisabled  = "Disabled"
	esmEnabling  = "Enabling"
	esmDisabling = "Disabling"
	esmUpdating  = "Updating"
	esmDeleting  = "Deleting"
)

// reportBatchItemFailures is the one FunctionResponseTypes value.
const reportBatchItemFailures = "ReportBatchItemFailures"

// EventFilter is one FilterCriteria pattern (an event pattern, JSON).
type EventFilter struct {
	Pattern string `json:"Pattern,omitempty"`
}

// FilterCriteria are a mapping's filters: a record is passed to the
// function when any pattern matches it.
type FilterCriteria struct {
	Filters []EventFilter `json:"Filters,omitempty"`
}

// ScalingConfig bounds the concurrent invocations of a mapping.
type ScalingConfig struct {
	MaximumConcurrency *int `json:"MaximumConcurrency,omitempty"`
}

// Mapping is an event source mapping as stored.
type Mapping struct {
	UUID string `json:"uuid"`
	// Function is NAME or NAME:QUALIFIER.
	Function              string          `json:"function"`
	EventSourceArn        string          `json:"source"`
	BatchSize             int             `json:"batch"`
	MaxBatchingWindow     int             `json:"window,omitempty"`
	FunctionResponseTypes []string        `json:"responseTypes,omitempty"`
	FilterCriteria        *FilterCriteria `json:"filters,omitempty"`
	ScalingConfig         *ScalingConfig  `json:"scaling,omitempty"`
	Enabled               bool            `json:"enabled"`
	StateTransitionReason string          `json:"reason,omitempty"`
	LastModified          time.Time       `json:"modified"`
	LastProcessingResult  string          `json:"result,omitempty"`
}

// State is the mapping's settled state.
func (m *Mapping) State() string {
	if m.Enabled {
		return esmEnabled
	}
	return esmDisabled
}

// reportsItemFailures tells whether the function answers batchItemFailures.
func (m *Mapping) reportsItemFailures() bool {
	for _, t := range m.FunctionResponseTypes {
		if t == reportBatchItemFailures {
			return true
		}
	}
	return false
}

// MappingInput is what Create and Update set; nil fields keep (Update) or
// default (Create).
type MappingInput struct {
	FunctionName          string
	EventSourceArn        string
	BatchSize             *int
	MaxBatchingWindow     *int
	FunctionResponseTypes []string
	FilterCriteria        *FilterCriteria
	ScalingConfig         *ScalingConfig
	Enabled               *bool
}

// EventSourcesOptions configures EventSources.
type EventSourcesOptions struct {
	Functions *Service
	// Backbone holds the mappings (the functions service's view).
	Backbone *backbone.Backbone
	// Queues receives and deletes the queues' messages.
	Queues queues.Poller
	// Authorizer checks, at create and update, that the function's
	// execution role may receive from and delete on the queue; nil checks
	// nothing (--iam off).
	Authorizer awsapi.Authorizer
	Logger     *slog.Logger
}

// EventSources are the event source mappings and their pollers.
type EventSources struct {
	o   EventSourcesOptions
	log *slog.Logger
	kv  *backbone.KV[Mapping]

	mu      sync.Mutex
	w       *backbone.Watcher[Mapping]
	running map[string]*mappingPollers
	// draining are stopped pollers still in their last poll or batch.
	draining []*mappingPollers
	closed   bool
}

// NewEventSources validates o; Start opens the bucket and the pollers.
func NewEventSources(o EventSourcesOptions) (*EventSources, error) {
	if o.Functions == nil || o.Backbone == nil || o.Queues == nil {
		return nil, errors.New("event source mappings: functions, a backbone and queues are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &EventSources{o: o, log: o.Logger, running: map[string]*mappingPollers{}}, nil
}

// Start opens the mappings' bucket and follows it: every enabled mapping
// is polled on this node until it is disabled or deleted.
func (e *EventSources) Start(ctx context.Context) error {
	kv, err := backbone.OpenKV[Mapping](ctx, e.o.Backbone, jetstream.KeyValueConfig{Bucket: esmBucket, Description: "nubo Lambda event source mappings", History: 1})
	if err != nil {
		return fmt.Errorf("event source mappings: %w", err)
	}
	initial, w, err := kv.Watch(ctx)
	if err != nil {
		return fmt.Errorf("event source mappings: %w", err)
	}
	e.mu.Lock()
	e.kv, e.w = kv, w
	e.mu.Unlock()
	for _, en := range initial {
		e.apply(en)
	}
	w.Follow(e.apply, nil)
	return nil
}

// Close stops the pollers; invocations in flight finish within ctx.
func (e *EventSources) Close(ctx context.Context) error {
	e.mu.Lock()
	e.closed = true
	w := e.w
	running := e.running
	for _, d := range e.draining {
		running["~"+d.m.UUID+fmt.Sprint(d.rev)] = d
	}
	e.running, e.draining = map[string]*mappingPollers{}, nil
	e.mu.Unlock()
	if w != nil {
		w.Stop()
	}
	for _, p := range running {
		p.stop()
	}
	for _, p := range running {
		if err := p.wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func esmKey(uuid string) string { return "m." + uuid }

// ARN is the mapping's ARN.
func (e *EventSources) ARN(uuid string) string {
	return e.o.Functions.account.ARN("lambda", "event-source-mapping:"+uuid)
}

func esmNotFound(uuid string) error {
	return awsapi.Errorf(http.StatusNotFound, "ResourceNotFoundException", "The resource you requested does not exist: event source mapping %s", uuid)
}

func (e *EventSources) store() (*backbone.KV[Mapping], error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.kv == nil {
		return nil, errors.New("event source mappings: not started")
	}
	return e.kv, nil
}

// resolveFunction turns a FunctionName (name, partial or full ARN, with
// a qualifier) into NAME or NAME:QUALIFIER of an existing function.
func (e *EventSources) resolveFunction(ctx context.Context, raw string) (string, *Config, error) {
	if raw == "" {
		return "", nil, awsapi.InvalidParameter("FunctionName is required")
	}
	name, qual, err := parseFunctionRef(raw)
	if err != nil {
		return "", nil, awsapi.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: %v", raw, err)
	}
	fc, err := e.o.Functions.GetVersion(ctx, name, qual)
	if err != nil {
		if errors.Is(err, ErrFunctionNotFound) {
			return "", nil, &notFoundError{arn: e.o.Functions.qualifiedARN(name, qual), cause: err}
		}
		var nf *notFoundError
		if errors.As(err, &nf) {
			return "", nil, err
		}
		return "", nil, fmt.Errorf("event source mapping: function %q: %w", raw, err)
	}
	if qual != "" {
		name += ":" + qual
	}
	return name, fc, nil
}

// validate checks m's settings as Lambda does for an SQS source.
func validateMapping(m *Mapping) error {
	if m.BatchSize < 1 || m.BatchSize > 10000 {
		return awsapi.InvalidParameter("BatchSize must be between 1 and 10000 for an SQS event source, got %d", m.BatchSize)
	}
	if m.MaxBatchingWindow < 0 || m.MaxBatchingWindow > 300 {
		return awsapi.InvalidParameter("MaximumBatchingWindowInSeconds must be between 0 and 300, got %d", m.MaxBatchingWindow)
	}
	if m.BatchSize > 10 && m.MaxBatchingWindow < 1 {
		return awsapi.InvalidParameter("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10")
	}
	for _, t := range m.FunctionResponseTypes {
		if t != reportBatchItemFailures {
			return awsapi.InvalidParameter("FunctionResponseTypes: unknown value %q (valid: %s)", t, reportBatchItemFailures)
		}
	}
	if s := m.ScalingConfig; s != nil && s.MaximumConcurrency != nil && (*s.MaximumConcurrency < 2 || *s.MaximumConcurrency > 1000) {
		return awsapi.InvalidParameter("ScalingConfig.MaximumConcurrency must be between 2 and 1000, got %d", *s.MaximumConcurrency)
	}
	if f := m.FilterCriteria; f != nil {
		if len(f.Filters) > 5 {
			return awsapi.InvalidParameter("FilterCriteria: at most 5 filters, got %d", len(f.Filters))
		}
		for i, fl := range f.Filters {
			if _, err := compileFilter(fl.Pattern); err != nil {
				return awsapi.InvalidParameter("FilterCriteria.Filters[%d].Pattern: %v", i, err)
			}
		}
	}
	return nil
}

// checkTimeouts refuses a queue that does not exist, or whose visibility
// timeout is shorter than the function's timeout (a batch could come back
// while the function still works on it), as Lambda does.
func (e *EventSources) checkTimeouts(ctx context.Context, fc *Config, queueARN string) error {
	vis, err := e.o.Queues.VisibilityTimeout(ctx, queueARN)
	if errors.Is(err, queues.ErrNotFound) || errors.Is(err, queues.ErrInvalid) {
		return awsapi.InvalidParameter("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue %s does not exist.", queueARN)
	}
	if err != nil {
		return err
	}
	if ft := int64(fc.Timeout / time.Second); ft > vis {
		return awsapi.InvalidParameter("Queue visibility timeout: %d seconds is less than Function timeout: %d seconds", vis, ft)
	}
	return nil
}

// checkRole refuses a function whose execution role may not receive from,
// delete on and read the attributes of the queue, with Lambda's message.
func (e *EventSources) checkRole(ctx context.Context, fc *Config, queueARN string) error {
	if e.o.Authorizer == nil {
		return nil
	}
	pr := e.o.Functions.principal(fc)
	p := &pr
	for _, op := range []string{"ReceiveMessage", "DeleteMessage", "GetQueueAttributes"} {
		err := e.o.Authorizer.Authorize(ctx, awsapi.AuthzRequest{Service: "sqs", Action: "sqs:" + op, Resource: queueARN, Principal: p})
		if err != nil {
			return awsapi.InvalidParameter("The function execution role does not have permissions to call %s on SQS", op)
		}
	}
	return nil
}

// Create stores a new mapping and returns it.
func (e *EventSources) Create(ctx context.Context, in MappingInput) (*Mapping, error) {
	kv, err := e.store()
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(in.EventSourceArn, "arn:") || !strings.Contains(in.EventSourceArn, ":sqs:") {
		return nil, awsapi.InvalidParameter("EventSourceArn: only SQS queues are supported as event sources here, got %q", in.EventSourceArn)
	}
	fn, fc, err := e.resolveFunction(ctx, in.FunctionName)
	if err != nil {
		return nil, err
	}
	if err := e.checkTimeouts(ctx, fc, in.EventSourceArn); err != nil {
		return nil, err
	}
	m := &Mapping{UUID: newUUID(), Function: fn, EventSourceArn: in.EventSourceArn, BatchSize: 10, Enabled: true,
		StateTransitionReason: "USER_INITIATED", LastModified: time.Now().UTC()}
	apply(m, in)
	if err := validateMapping(m); err != nil {
		return nil, err
	}
	if err := e.checkRole(ctx, fc, m.EventSourceArn); err != nil {
		return nil, err
	}
	for _, o := range e.listAll(ctx) {
		if o.EventSourceArn == m.EventSourceArn && o.Function == m.Function {
			return nil, awsapi.Errorf(http.StatusConflict, "ResourceConflictException",
				"An event source mapping with SQS arn (\" %s \") and function (\" %s \") already exists. Please update or delete the existing mapping with UUID %s", m.EventSourceArn, m.Function, o.UUID)
		}
	}
	if _, err := kv.Create(ctx, esmKey(m.UUID), m); err != nil {
		return nil, fmt.Errorf("event source mapping: store: %w", err)
	}
	return m, nil
}

// apply sets in's given fields on m.
func apply(m *Mapping, in MappingInput) {
	if in.BatchSize != nil {
		m.BatchSize = *in.BatchSize
	}
	if in.MaxBatchingWindow != nil {
		m.MaxBatchingWindow = *in.MaxBatchingWindow
	}
	if in.FunctionResponseTypes != nil {
		m.FunctionResponseTypes = in.FunctionResponseTypes
	}
	if in.FilterCriteria != nil {
		m.FilterCriteria = in.FilterCriteria
		if len(in.FilterCriteria.Filters) == 0 {
			m.FilterCriteria = nil
		}
	}
	if in.ScalingConfig != nil {
		m.ScalingConfig = in.ScalingConfig
	}
	if in.Enabled != nil {
		m.Enabled = *in.Enabled
	}
}

// Get returns the mapping of uuid.
func (e *EventSources) Get(ctx context.Context, uuid string) (*Mapping, error) {
	kv, err := e.store()
	if err != nil {
		return nil, err
	}
	m, _, err := kv.Get(ctx, esmKey(uuid))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, esmNotFound(uuid)
	}
	if err != nil {
		return nil, fmt.Errorf("event source mapping %s: %w", uuid, err)
	}
	return m, nil
}

func (e *EventSources) listAll(ctx context.Context) []*Mapping {
	kv, err := e.store()
	if err != nil {
		return nil
	}
	entries, err := kv.List(ctx, "m.")
	if err != nil {
		return nil
	}
	out := make([]*Mapping, 0, len(entries))
	for _, en := range entries {
		if en.Value != nil {
			out = append(out, en.Value)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UUID < out[j].UUID })
	return out
}

// List returns the mappings of a function and/or a source, ordered by UUID.
func (e *EventSources) List(ctx context.Context, function, source string) ([]*Mapping, error) {
	if _, err := e.store(); err != nil {
		return nil, err
	}
	var fn string
	if function != "" {
		name, qual, err := parseFunctionRef(function)
		if err != nil {
			return nil, awsapi.Errorf(http.StatusBadRequest, "ValidationException", "1 validation error detected: Value '%s' at 'functionName' failed to satisfy constraint: %v", function, err)
		}
		fn = name
		if qual != "" {
			fn += ":" + qual
		}
	}
	var out []*Mapping
	for _, m := range e.listAll(ctx) {
		if fn != "" && m.Function != fn {
			continue
		}
		if source != "" && m.EventSourceArn != source {
			continue
		}
		out = append(out, m)
	}
	return out, nil
}

// Update changes a mapping's settings (and function).
func (e *EventSources) Update(ctx context.Context, uuid string, in MappingInput) (*Mapping, error) {
	kv, err := e.store()
	if err != nil {
		return nil, err
	}
	var fc *Config
	fn := ""
	if in.FunctionName != "" {
		if fn, fc, err = e.resolveFunction(ctx, in.FunctionName); err != nil {
			return nil, err
		}
		cur, err := e.Get(ctx, uuid)
		if err != nil {
			return nil, err
		}
		if err := e.checkTimeouts(ctx, fc, cur.EventSourceArn); err != nil {
			return nil, err
		}
		if err := e.checkRole(ctx, fc, cur.EventSourceArn); err != nil {
			return nil, err
		}
	}
	var out *Mapping
	_, err = kv.Modify(ctx, esmKey(uuid), func(cur *Mapping, exists bool) (*Mapping, error) {
		if !exists {
			return nil, esmNotFound(uuid)
		}
		m := *cur
		if fn != "" {
			m.Function = fn
		}
		apply(&m, in)
		if err := validateMapping(&m); err != nil {
			return nil, err
		}
		m.LastModified = time.Now().UTC()
		m.StateTransitionReason = "USER_INITIATED"
		out = &m
		return &m, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Delete removes a mapping and returns it as it was.
func (e *EventSources) Delete(ctx context.Context, uuid string) (*Mapping, error) {
	kv, err := e.store()
	if err != nil {
		return nil, err
	}
	m, rev, err := kv.Get(ctx, esmKey(uuid))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, esmNotFound(uuid)
	}
	if err != nil {
		return nil, fmt.Errorf("event source mapping %s: %w", uuid, err)
	}
	if err := kv.Delete(ctx, esmKey(uuid), rev); err != nil {
		return nil, fmt.Errorf("event source mapping %s: delete: %w", uuid, err)
	}
	return m, nil
}
