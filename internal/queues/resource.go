package queues

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/nubo-run/nubo/internal/stacks"
)

// QueueProvider is AWS::SQS::Queue: Ref is the queue URL, Fn::GetAtt gives
// Arn, QueueName and QueueUrl. A queue holds messages: it is stateful, so
// a replacement or deletion in a stateful stack needs --allow-data-loss.
type QueueProvider struct{ s *Service }

var _ stacks.Provider = (*QueueProvider)(nil)

// NewQueueProvider returns the provider over s.
func NewQueueProvider(s *Service) *QueueProvider { return &QueueProvider{s: s} }

// Type implements stacks.Provider.
func (*QueueProvider) Type() string { return "AWS::SQS::Queue" }

// Stateful: a queue's messages are data the template does not describe.
func (*QueueProvider) Stateful() bool { return true }

// Schema follows the registry schema of AWS::SQS::Queue (createOnly
// QueueName and FifoQueue; readOnly Arn and QueueUrl).
func (*QueueProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"QueueName":                     {Type: stacks.String, CreateOnly: true},
			"FifoQueue":                     {Type: stacks.Boolean, CreateOnly: true},
			"ContentBasedDeduplication":     {Type: stacks.Boolean},
			"DeduplicationScope":            {Type: stacks.String},
			"DelaySeconds":                  {Type: stacks.Integer},
			"FifoThroughputLimit":           {Type: stacks.String},
			"KmsDataKeyReusePeriodSeconds":  {Type: stacks.Integer},
			"KmsMasterKeyId":                {Type: stacks.String},
			"SqsManagedSseEnabled":          {Type: stacks.Boolean},
			"MaximumMessageSize":            {Type: stacks.Integer},
			"MessageRetentionPeriod":        {Type: stacks.Integer},
			"ReceiveMessageWaitTimeSeconds": {Type: stacks.Integer},
			"RedriveAllowPolicy":            {Type: stacks.Any},
			"RedrivePolicy":                 {Type: stacks.Any},
			"VisibilityTimeout":             {Type: stacks.Integer},
			"Tags":                          {Type: stacks.List, Unordered: true},
			"Arn":                           {Type: stacks.String, ReadOnly: true},
			"QueueUrl":                      {Type: stacks.String, ReadOnly: true},
		},
		Attributes: []string{"QueueName"},
	}
}

type tagModel struct{ Key, Value string }

// queueModel is AWS::SQS::Queue's properties.
type queueModel struct {
	QueueName                     string
	FifoQueue                     *bool
	ContentBasedDeduplication     *bool
	DeduplicationScope            string
	DelaySeconds                  *int64
	FifoThroughputLimit           string
	KmsDataKeyReusePeriodSeconds  *int64
	KmsMasterKeyId                string
	SqsManagedSseEnabled          *bool
	MaximumMessageSize            *int64
	MessageRetentionPeriod        *int64
	ReceiveMessageWaitTimeSeconds *int64
	RedriveAllowPolicy            any
	RedrivePolicy                 any
	VisibilityTimeout             *int64
	Tags                          []tagModel
}

// PhysicalIDFor implements stacks.Identifier: the queue's URL follows
// from its name, given or generated.
func (p *QueueProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	var m queueModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", false
	}
	return p.s.URL(nil, m.name(ctx)), true
}

func (m *queueModel) name(ctx context.Context) string {
	if m.QueueName != "" {
		return m.QueueName
	}
	if m.FifoQueue != nil && *m.FifoQueue {
		return stacks.GeneratedName(ctx, 75) + ".fifo"
	}
	return stacks.GeneratedName(ctx, 80)
}

// docString is a JSON-document property as the attribute's string.
func docString(name string, v any) (string, error) {
	switch d := v.(type) {
	case nil:
		return "", nil
	case string:
		return d, nil
	default:
		b, err := json.Marshal(d)
		if err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		return string(b), nil
	}
}

// attributes are the queue attributes the properties set.
func (m *queueModel) attributes() (map[string]string, error) {
	out := map[string]string{}
	ints := map[string]*int64{AttrDelaySeconds: m.DelaySeconds, AttrKmsDataKeyReusePeriodSeconds: m.KmsDataKeyReusePeriodSeconds,
		AttrMaximumMessageSize: m.MaximumMessageSize, AttrMessageRetentionPeriod: m.MessageRetentionPeriod,
		AttrReceiveMessageWaitTimeSeconds: m.ReceiveMessageWaitTimeSeconds, AttrVisibilityTimeout: m.VisibilityTimeout}
	for k, v := range ints {
		if v != nil {
			out[k] = strconv.FormatInt(*v, 10)
		}
	}
	bools := map[string]*bool{AttrFifoQueue: m.FifoQueue, AttrContentBasedDeduplication: m.ContentBasedDeduplication,
		AttrSqsManagedSseEnabled: m.SqsManagedSseEnabled}
	for k, v := range bools {
		if v != nil {
			out[k] = strconv.FormatBool(*v)
		}
	}
	for k, v := range map[string]string{AttrDeduplicationScope: m.DeduplicationScope, AttrFifoThroughputLimit: m.FifoThroughputLimit,
		AttrKmsMasterKeyID: m.KmsMasterKeyId} {
		if v != "" {
			out[k] = v
		}
	}
	for k, v := range map[string]any{AttrRedrivePolicy: m.RedrivePolicy, AttrRedriveAllowPolicy: m.RedriveAllowPolicy} {
		s, err := docString(k, v)
		if err != nil {
			return nil, err
		}
		if s != "" {
			out[k] = s
		}
	}
	return out, nil
}

func (m *queueModel) tags() map[string]string {
	if len(m.Tags) == 0 {
		return nil
	}
	out := make(map[string]string, len(m.Tags))
	for _, t := range m.Tags {
		out[t.Key] = t.Value
	}
	return out
}

func (p *QueueProvider) attrs(q *Queue) stacks.Attrs {
	url := p.s.URL(nil, q.Name)
	return stacks.Attrs{"Arn": p.s.ARN(q.Name), "QueueName": q.Name, "QueueUrl": url}
}

// Create implements stacks.Provider.
func (p *QueueProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m queueModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	attrs, err := m.attributes()
	if err != nil {
		return "", nil, err
	}
	name := m.name(ctx)
	if _, err := p.s.Get(ctx, name); err == nil {
		return "", nil, fmt.Errorf("AWS::SQS::Queue %s: a queue of that name exists already", name)
	}
	q, err := p.s.Create(ctx, name, attrs, m.tags())
	if err != nil {
		return "", nil, err
	}
	return p.s.URL(nil, q.Name), p.attrs(q), nil
}

// nameOfID reads the queue name from its physical id (its URL).
func nameOfID(id string) string {
	for i := len(id) - 1; i >= 0; i-- {
		if id[i] == '/' {
			return id[i+1:]
		}
	}
	return id
}

// Update implements stacks.Provider: attributes and tags change in place
// (QueueName and FifoQueue replace; the engine sees to that).
func (p *QueueProvider) Update(ctx context.Context, physicalID string, old, new stacks.Props) (stacks.Attrs, error) {
	var m, was queueModel
	if err := stacks.Decode(new, &m); err != nil {
		return nil, err
	}
	if err := stacks.Decode(old, &was); err != nil {
		return nil, err
	}
	attrs, err := m.attributes()
	if err != nil {
		return nil, err
	}
	prev, err := was.attributes()
	if err != nil {
		return nil, err
	}
	// An attribute the template no longer sets goes back to its default.
	for k := range prev {
		if _, ok := attrs[k]; !ok && k != AttrFifoQueue {
			attrs[k] = defaults[k]
		}
	}
	name := nameOfID(physicalID)
	if _, err := p.s.SetAttributes(ctx, name, attrs); err != nil {
		return nil, err
	}
	q, err := p.s.modify(ctx, name, func(q *Queue) error {
		q.Tags = m.tags()
		return nil
	}, false)
	if err != nil {
		return nil, err
	}
	return p.attrs(q), nil
}

// Delete implements stacks.Provider.
func (p *QueueProvider) Delete(ctx context.Context, physicalID string) error {
	err := p.s.Delete(ctx, nameOfID(physicalID))
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	return err
}

// Read implements stacks.Provider: the live attributes, for drift.
func (p *QueueProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	q, err := p.s.Get(ctx, nameOfID(physicalID))
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	props := stacks.Props{"QueueName": q.Name}
	for k, v := range q.Attributes {
		switch k {
		case AttrPolicy:
		case AttrRedrivePolicy, AttrRedriveAllowPolicy:
			var doc any
			if json.Unmarshal([]byte(v), &doc) == nil {
				props[k] = doc
			}
		default:
			if _, isInt := intAttrs[k]; isInt {
				n, _ := strconv.ParseInt(v, 10, 64)
				props[k] = n
			} else if b, err := strconv.ParseBool(v); err == nil && k != AttrKmsMasterKeyID {
				props[k] = b
			} else {
				props[k] = v
			}
		}
	}
	if len(q.Tags) > 0 {
		var tags []any
		for _, k := range sortedKeys(q.Tags) {
			tags = append(tags, map[string]any{"Key": k, "Value": q.Tags[k]})
		}
		props["Tags"] = tags
	}
	return props, nil
}
