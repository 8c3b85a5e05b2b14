package functions

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/stacks"
)

// EventSourceMappingProvider is AWS::Lambda::EventSourceMapping for SQS
// queues (esm.go). Physical id: the mapping's UUID.
type EventSourceMappingProvider struct {
	esm *EventSources
}

var _ stacks.Provider = (*EventSourceMappingProvider)(nil)

// NewEventSourceMappingProvider returns the provider over esm.
func NewEventSourceMappingProvider(esm *EventSources) *EventSourceMappingProvider {
	return &EventSourceMappingProvider{esm: esm}
}

type esmModel struct {
	FunctionName                   string
	EventSourceArn                 string
	BatchSize                      *int
	MaximumBatchingWindowInSeconds *int
	FunctionResponseTypes          []string
	FilterCriteria                 *esmFilterModel
	ScalingConfig                  *ScalingConfig
	Enabled                        *bool
}

type esmFilterModel struct {
	Filters []EventFilter
}

// Type implements stacks.Provider.
func (*EventSourceMappingProvider) Type() string { return "AWS::Lambda::EventSourceMapping" }

// Stateful implements stacks.Provider: the messages are the queue's.
func (*EventSourceMappingProvider) Stateful() bool { return false }

// Schema implements stacks.Provider.
func (*EventSourceMappingProvider) Schema() stacks.Schema {
	props := map[string]stacks.Property{
		"FunctionName":                   {Type: stacks.String, Required: true},
		"EventSourceArn":                 {Type: stacks.String, Required: true, CreateOnly: true},
		"BatchSize":                      {Type: stacks.Integer},
		"MaximumBatchingWindowInSeconds": {Type: stacks.Integer},
		"FunctionResponseTypes":          {Type: stacks.List},
		"FilterCriteria":                 {Type: stacks.Object},
		"ScalingConfig":                  {Type: stacks.Object},
		"Enabled":                        {Type: stacks.Boolean},
		"Id":                             {Type: stacks.String, ReadOnly: true},
		"EventSourceMappingArn":          {Type: stacks.String, ReadOnly: true},
	}
	// The registry schema's other properties (streams, Kafka, MQ, DocumentDB,
	// destinations, metrics, tags): accepted, not honoured (Warnings).
	for name, typ := range esmIgnored {
		props[name] = stacks.Property{Type: typ, CreateOnly: esmCreateOnly[name]}
	}
	return stacks.Schema{Properties: props}
}

// esmIgnored are the registry schema's properties nubo accepts without
// acting on them (they concern other sources, or are not implemented).
var esmIgnored = map[string]stacks.PropType{
	"AmazonManagedKafkaEventSourceConfig": stacks.Object, "BisectBatchOnFunctionError": stacks.Boolean,
	"DestinationConfig": stacks.Object, "DocumentDBEventSourceConfig": stacks.Object, "KmsKeyArn": stacks.String,
	"LoggingConfig": stacks.Object, "MaximumRecordAgeInSeconds": stacks.Integer, "MaximumRetryAttempts": stacks.Integer,
	"MetricsConfig": stacks.Object, "ParallelizationFactor": stacks.Integer, "ProvisionedPollerConfig": stacks.Object,
	"Queues": stacks.List, "SelfManagedEventSource": stacks.Object, "SelfManagedKafkaEventSourceConfig": stacks.Object,
	"SourceAccessConfigurations": stacks.List, "StartingPosition": stacks.String, "StartingPositionTimestamp": stacks.Number,
	"Tags": stacks.List, "Topics": stacks.List, "TumblingWindowInSeconds": stacks.Integer,
}

// esmCreateOnly are the registry's createOnlyProperties among esmIgnored.
var esmCreateOnly = map[string]bool{"AmazonManagedKafkaEventSourceConfig": true, "DocumentDBEventSourceConfig": true,
	"SelfManagedEventSource": true, "SelfManagedKafkaEventSourceConfig": true, "StartingPosition": true,
	"StartingPositionTimestamp": true, "Queues": true, "Topics": true}

var _ stacks.Warner = (*EventSourceMappingProvider)(nil)

// Warnings implements stacks.Warner: the properties set that nubo ignores.
func (*EventSourceMappingProvider) Warnings(props stacks.Props) []string {
	var out []string
	for name := range esmIgnored {
		if _, ok := props[name]; ok {
			out = append(out, fmt.Sprintf("%s is not honoured: nubo's event source mappings poll SQS queues only", name))
		}
	}
	sort.Strings(out)
	return out
}

func (m *esmModel) input() MappingInput {
	in := MappingInput{FunctionName: m.FunctionName, EventSourceArn: m.EventSourceArn, BatchSize: m.BatchSize,
		MaxBatchingWindow: m.MaximumBatchingWindowInSeconds, FunctionResponseTypes: m.FunctionResponseTypes,
		ScalingConfig: m.ScalingConfig, Enabled: m.Enabled}
	if m.FilterCriteria != nil {
		in.FilterCriteria = &FilterCriteria{Filters: m.FilterCriteria.Filters}
	}
	return in
}

func (p *EventSourceMappingProvider) attrs(uuid string) stacks.Attrs {
	return stacks.Attrs{"Id": uuid, "EventSourceMappingArn": p.esm.ARN(uuid)}
}

// Create implements stacks.Provider.
func (p *EventSourceMappingProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m esmModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	got, err := p.esm.Create(ctx, m.input())
	if err != nil {
		return "", nil, err
	}
	return got.UUID, p.attrs(got.UUID), nil
}

// Update implements stacks.Provider: every property but the source.
func (p *EventSourceMappingProvider) Update(ctx context.Context, phys string, _, props stacks.Props) (stacks.Attrs, error) {
	var m esmModel
	if err := stacks.Decode(props, &m); err != nil {
		return nil, err
	}
	in := m.input()
	in.EventSourceArn = ""
	// Properties the template dropped go back to their defaults.
	if in.BatchSize == nil {
		in.BatchSize = esmPtr(10)
	}
	if in.MaxBatchingWindow == nil {
		in.MaxBatchingWindow = esmPtr(0)
	}
	if in.FunctionResponseTypes == nil {
		in.FunctionResponseTypes = []string{}
	}
	if in.FilterCriteria == nil {
		in.FilterCriteria = &FilterCriteria{}
	}
	if in.ScalingConfig == nil {
		in.ScalingConfig = &ScalingConfig{}
	}
	if in.Enabled == nil {
		in.Enabled = esmPtr(true)
	}
	if _, err := p.esm.Update(ctx, phys, in); err != nil {
		return nil, notFoundAsStacks(phys, err)
	}
	return p.attrs(phys), nil
}

func esmPtr[T any](v T) *T { return &v }

func notFoundAsStacks(phys string, err error) error {
	var ae *awsapi.Error
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound && ae.Code == "ResourceNotFoundException" {
		return fmt.Errorf("event source mapping %s: %w: %w", phys, stacks.ErrNotFound, err)
	}
	return err
}

// Delete implements stacks.Provider.
func (p *EventSourceMappingProvider) Delete(ctx context.Context, phys string) error {
	_, err := p.esm.Delete(ctx, phys)
	return notFoundAsStacks(phys, err)
}

// Read implements stacks.Provider.
func (p *EventSourceMappingProvider) Read(ctx context.Context, phys string) (stacks.Props, error) {
	m, err := p.esm.Get(ctx, phys)
	if err != nil {
		return nil, notFoundAsStacks(phys, err)
	}
	out := stacks.Props{"FunctionName": m.Function, "EventSourceArn": m.EventSourceArn,
		"BatchSize": float64(m.BatchSize), "Enabled": m.Enabled}
	if m.MaxBatchingWindow > 0 {
		out["MaximumBatchingWindowInSeconds"] = float64(m.MaxBatchingWindow)
	}
	if len(m.FunctionResponseTypes) > 0 {
		l := make([]any, len(m.FunctionResponseTypes))
		for i, t := range m.FunctionResponseTypes {
			l[i] = t
		}
		out["FunctionResponseTypes"] = l
	}
	return out, nil
}
