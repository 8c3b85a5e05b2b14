package topics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strconv"

	"github.com/nubo-run/nubo/internal/stacks"
)

// TopicProvider is AWS::SNS::Topic: Ref is the topic ARN, Fn::GetAtt gives
// TopicArn and TopicName; its Subscription property subscribes endpoints.
// A topic keeps no messages (a published message is delivered, not
// stored): it is not stateful, and replacing it loses no data.
type TopicProvider struct{ s *Service }

var _ stacks.Provider = (*TopicProvider)(nil)

// NewTopicProvider returns the provider over s.
func NewTopicProvider(s *Service) *TopicProvider { return &TopicProvider{s: s} }

// Type implements stacks.Provider.
func (*TopicProvider) Type() string { return "AWS::SNS::Topic" }

// Stateful: no (see TopicProvider).
func (*TopicProvider) Stateful() bool { return false }

// Schema follows the registry schema of AWS::SNS::Topic (createOnly
// TopicName and FifoTopic; readOnly TopicArn).
func (*TopicProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"TopicName":                 {Type: stacks.String, CreateOnly: true},
			"FifoTopic":                 {Type: stacks.Boolean, CreateOnly: true},
			"ContentBasedDeduplication": {Type: stacks.Boolean},
			"DisplayName":               {Type: stacks.String},
			"KmsMasterKeyId":            {Type: stacks.String},
			"SignatureVersion":          {Type: stacks.String},
			"TracingConfig":             {Type: stacks.String},
			"FifoThroughputScope":       {Type: stacks.String},
			"ArchivePolicy":             {Type: stacks.Any},
			"DataProtectionPolicy":      {Type: stacks.Any},
			"DeliveryStatusLogging":     {Type: stacks.List, Unordered: true},
			"Subscription":              {Type: stacks.List, Unordered: true},
			"Tags":                      {Type: stacks.List, Unordered: true},
			"TopicArn":                  {Type: stacks.String, ReadOnly: true},
		},
		Attributes: []string{"TopicName"},
	}
}

type tagModel struct{ Key, Value string }

type subscriptionModel struct{ Endpoint, Protocol string }

type topicModel struct {
	TopicName                 string
	FifoTopic                 *bool
	ContentBasedDeduplication *bool
	DisplayName               string
	KmsMasterKeyId            string
	SignatureVersion          string
	TracingConfig             string
	FifoThroughputScope       string
	ArchivePolicy             any
	DataProtectionPolicy      any
	DeliveryStatusLogging     []any
	Subscription              []subscriptionModel
	Tags                      []tagModel
}

func (m *topicModel) name(ctx context.Context) string {
	if m.TopicName != "" {
		return m.TopicName
	}
	if m.FifoTopic != nil && *m.FifoTopic {
		return stacks.GeneratedName(ctx, 251) + ".fifo"
	}
	return stacks.GeneratedName(ctx, 256)
}

func (m *topicModel) attributes() (map[string]string, error) {
	out := map[string]string{}
	if m.FifoTopic != nil && *m.FifoTopic {
		out[AttrFifoTopic] = "true"
	}
	if m.ContentBasedDeduplication != nil {
		out[AttrContentBasedDeduplication] = strconv.FormatBool(*m.ContentBasedDeduplication)
	}
	for k, v := range map[string]string{AttrDisplayName: m.DisplayName, "KmsMasterKeyId": m.KmsMasterKeyId,
		"SignatureVersion": m.SignatureVersion, "TracingConfig": m.TracingConfig, "FifoThroughputScope": m.FifoThroughputScope} {
		if v != "" {
			out[k] = v
		}
	}
	if m.ArchivePolicy != nil {
		b, err := json.Marshal(m.ArchivePolicy)
		if err != nil {
			return nil, fmt.Errorf("ArchivePolicy: %w", err)
		}
		out["ArchivePolicy"] = string(b)
	}
	return out, nil
}

func (m *topicModel) tags() map[string]string {
	if len(m.Tags) == 0 {
		return nil
	}
	out := make(map[string]string, len(m.Tags))
	for _, t := range m.Tags {
		out[t.Key] = t.Value
	}
	return out
}

// PhysicalIDFor implements stacks.Identifier: the topic's ARN follows
// from its name, given or generated.
func (p *TopicProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	var m topicModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", false
	}
	return p.s.ARN(m.name(ctx)), true
}

func (p *TopicProvider) attrs(name string) stacks.Attrs {
	return stacks.Attrs{"TopicArn": p.s.ARN(name), "TopicName": name}
}

// Create implements stacks.Provider.
func (p *TopicProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m topicModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	attrs, err := m.attributes()
	if err != nil {
		return "", nil, err
	}
	name := m.name(ctx)
	if _, err := p.s.Get(ctx, name); err == nil {
		return "", nil, fmt.Errorf("AWS::SNS::Topic %s: a topic of that name exists already", name)
	}
	if _, err := p.s.Create(ctx, name, attrs, m.tags()); err != nil {
		return "", nil, err
	}
	if err := p.subscribe(ctx, name, nil, m.Subscription); err != nil {
		return "", nil, err
	}
	return p.s.ARN(name), p.attrs(name), nil
}

// subscribe brings the topic's subscriptions from was to now.
func (p *TopicProvider) subscribe(ctx context.Context, name string, was, now []subscriptionModel) error {
	keep := map[subscriptionModel]bool{}
	for _, sm := range now {
		keep[sm] = true
		sub, err := p.s.Subscribe(ctx, name, sm.Protocol, sm.Endpoint, nil)
		if err != nil {
			return fmt.Errorf("Subscription %s %s: %w", sm.Protocol, sm.Endpoint, err)
		}
		if err := p.s.confirmIfPending(ctx, sub); err != nil {
			return err
		}
	}
	gone := map[subscriptionModel]bool{}
	for _, sm := range was {
		if !keep[sm] {
			gone[sm] = true
		}
	}
	if len(gone) == 0 {
		return nil
	}
	subs, err := p.s.Subscriptions(name)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if gone[subscriptionModel{Endpoint: sub.Endpoint, Protocol: sub.Protocol}] {
			if err := p.s.Unsubscribe(ctx, p.s.SubscriptionARN(sub)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Update implements stacks.Provider: attributes, tags and the Subscription
// list change in place (TopicName and FifoTopic replace).
func (p *TopicProvider) Update(ctx context.Context, physicalID string, old, new stacks.Props) (stacks.Attrs, error) {
	var m, was topicModel
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
	name, err := p.s.TopicName(physicalID)
	if err != nil {
		return nil, err
	}
	_, err = p.s.modifyTopic(ctx, name, func(t *Topic) error {
		for k := range prev {
			if _, ok := attrs[k]; !ok && k != AttrFifoTopic {
				delete(t.Attributes, k)
			}
		}
		maps.Copy(t.Attributes, attrs)
		t.Tags = m.tags()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := p.subscribe(ctx, name, was.Subscription, m.Subscription); err != nil {
		return nil, err
	}
	return p.attrs(name), nil
}

// Delete implements stacks.Provider: the topic and its subscriptions.
func (p *TopicProvider) Delete(ctx context.Context, physicalID string) error {
	name, err := p.s.TopicName(physicalID)
	if err == nil {
		_, err = p.s.Get(ctx, name)
	}
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	if err != nil {
		return err
	}
	return p.s.Delete(ctx, name)
}

// Read implements stacks.Provider: the live attributes, for drift.
func (p *TopicProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	name, err := p.s.TopicName(physicalID)
	var t *Topic
	if err == nil {
		t, err = p.s.Get(ctx, name)
	}
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	props := stacks.Props{"TopicName": t.Name}
	for k, v := range t.Attributes {
		switch k {
		case AttrPolicy, AttrDeliveryPolicy, "DataProtectionPolicy":
		case AttrFifoTopic, AttrContentBasedDeduplication:
			props[k] = v == "true"
		case "ArchivePolicy":
			var doc any
			if json.Unmarshal([]byte(v), &doc) == nil {
				props[k] = doc
			}
		default:
			props[k] = v
		}
	}
	subs, err := p.s.Subscriptions(t.Name)
	if err != nil {
		return nil, err
	}
	var list []any
	for _, sub := range subs {
		list = append(list, map[string]any{"Endpoint": sub.Endpoint, "Protocol": sub.Protocol})
	}
	if len(list) > 0 {
		props["Subscription"] = list
	}
	if len(t.Tags) > 0 {
		keys := make([]string, 0, len(t.Tags))
		for k := range t.Tags {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var tags []any
		for _, k := range keys {
			tags = append(tags, map[string]any{"Key": k, "Value": t.Tags[k]})
		}
		props["Tags"] = tags
	}
	return props, nil
}
