package topics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/nubo-run/nubo/internal/stacks"
)

// SubscriptionProvider is AWS::SNS::Subscription: Ref is the subscription
// ARN. It holds no data.
type SubscriptionProvider struct{ s *Service }

var _ stacks.Provider = (*SubscriptionProvider)(nil)

// NewSubscriptionProvider returns the provider over s.
func NewSubscriptionProvider(s *Service) *SubscriptionProvider { return &SubscriptionProvider{s: s} }

// Type implements stacks.Provider.
func (*SubscriptionProvider) Type() string { return "AWS::SNS::Subscription" }

// Stateful implements stacks.Provider.
func (*SubscriptionProvider) Stateful() bool { return false }

// Schema follows the registry schema of AWS::SNS::Subscription (createOnly
// TopicArn, Protocol and Endpoint).
func (*SubscriptionProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"TopicArn":            {Type: stacks.String, Required: true, CreateOnly: true},
			"Protocol":            {Type: stacks.String, Required: true, CreateOnly: true},
			"Endpoint":            {Type: stacks.String, CreateOnly: true},
			"Region":              {Type: stacks.String, CreateOnly: true},
			"RawMessageDelivery":  {Type: stacks.Boolean},
			"FilterPolicy":        {Type: stacks.Any},
			"FilterPolicyScope":   {Type: stacks.String},
			"RedrivePolicy":       {Type: stacks.Any},
			"DeliveryPolicy":      {Type: stacks.Any},
			"ReplayPolicy":        {Type: stacks.Any},
			"SubscriptionRoleArn": {Type: stacks.String},
			"Arn":                 {Type: stacks.String, ReadOnly: true},
		},
	}
}

type subscriptionProps struct {
	TopicArn, Protocol, Endpoint, Region string
	RawMessageDelivery                   *bool
	FilterPolicy                         any
	FilterPolicyScope                    string
	RedrivePolicy                        any
	DeliveryPolicy                       any
	ReplayPolicy                         any
	SubscriptionRoleArn                  string
}

func doc(name string, v any) (string, error) {
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

// attributes are every settable attribute, "" for those unset.
func (m *subscriptionProps) attributes() (map[string]string, error) {
	out := map[string]string{AttrFilterPolicyScope: m.FilterPolicyScope, "SubscriptionRoleArn": m.SubscriptionRoleArn, AttrRawMessageDelivery: ""}
	if m.RawMessageDelivery != nil {
		out[AttrRawMessageDelivery] = strconv.FormatBool(*m.RawMessageDelivery)
	}
	for k, v := range map[string]any{AttrFilterPolicy: m.FilterPolicy, AttrRedrivePolicy: m.RedrivePolicy, "DeliveryPolicy": m.DeliveryPolicy, "ReplayPolicy": m.ReplayPolicy} {
		s, err := doc(k, v)
		if err != nil {
			return nil, err
		}
		out[k] = s
	}
	return out, nil
}

func set(attrs map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range attrs {
		if v != "" {
			out[k] = v
		}
	}
	return out
}

// Create implements stacks.Provider.
func (p *SubscriptionProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m subscriptionProps
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	attrs, err := m.attributes()
	if err != nil {
		return "", nil, err
	}
	name, err := p.s.TopicName(m.TopicArn)
	if err != nil {
		return "", nil, fmt.Errorf("TopicArn %s: %w", m.TopicArn, err)
	}
	sub, err := p.s.Subscribe(ctx, name, m.Protocol, m.Endpoint, set(attrs))
	if err != nil {
		return "", nil, err
	}
	if err := p.s.confirmIfPending(ctx, sub); err != nil {
		return "", nil, err
	}
	arn := p.s.SubscriptionARN(sub)
	return arn, stacks.Attrs{"Arn": arn}, nil
}

// Update implements stacks.Provider: the attributes change in place.
func (p *SubscriptionProvider) Update(ctx context.Context, physicalID string, old, new stacks.Props) (stacks.Attrs, error) {
	var m subscriptionProps
	if err := stacks.Decode(new, &m); err != nil {
		return nil, err
	}
	attrs, err := m.attributes()
	if err != nil {
		return nil, err
	}
	for k, v := range set(attrs) {
		if err := p.s.checkSubscriptionAttribute(k, v); err != nil {
			return nil, err
		}
	}
	topic, id, err := p.s.subName(physicalID)
	if err != nil {
		return nil, err
	}
	_, err = p.s.modifySubscription(ctx, topic, id, func(sub *Subscription) error {
		for k, v := range attrs {
			if v == "" {
				delete(sub.Attributes, k)
			} else {
				sub.Attributes[k] = v
			}
		}
		return nil
	})
	return stacks.Attrs{"Arn": physicalID}, err
}

// Delete implements stacks.Provider.
func (p *SubscriptionProvider) Delete(ctx context.Context, physicalID string) error {
	if _, err := p.s.Subscription(ctx, physicalID); err != nil {
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
		}
		return err
	}
	return p.s.Unsubscribe(ctx, physicalID)
}

// Read implements stacks.Provider.
func (p *SubscriptionProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	sub, err := p.s.Subscription(ctx, physicalID)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	props := stacks.Props{"TopicArn": p.s.ARN(sub.Topic), "Protocol": sub.Protocol, "Endpoint": sub.Endpoint}
	for k, v := range sub.Attributes {
		switch k {
		case AttrRawMessageDelivery:
			props[k] = v == "true"
		case AttrFilterPolicy, AttrRedrivePolicy, "DeliveryPolicy", "ReplayPolicy":
			var d any
			if json.Unmarshal([]byte(v), &d) == nil {
				props[k] = d
			}
		default:
			props[k] = v
		}
	}
	return props, nil
}

// TopicPolicyProvider is AWS::SNS::TopicPolicy: it sets the Policy
// attribute of each topic listed, which Publish and the other operations
// from another principal are authorized against.
type TopicPolicyProvider struct{ s *Service }

var _ stacks.Provider = (*TopicPolicyProvider)(nil)

// NewTopicPolicyProvider returns the provider over s.
func NewTopicPolicyProvider(s *Service) *TopicPolicyProvider { return &TopicPolicyProvider{s: s} }

// Type implements stacks.Provider.
func (*TopicPolicyProvider) Type() string { return "AWS::SNS::TopicPolicy" }

// Stateful implements stacks.Provider.
func (*TopicPolicyProvider) Stateful() bool { return false }

// Schema follows the registry schema of AWS::SNS::TopicPolicy.
func (*TopicPolicyProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"PolicyDocument": {Type: stacks.Any, Required: true},
			"Topics":         {Type: stacks.List, Required: true},
			"Id":             {Type: stacks.String, ReadOnly: true},
		},
	}
}

type topicPolicyProps struct {
	PolicyDocument any
	Topics         []string
}

func (p *TopicPolicyProvider) apply(ctx context.Context, id string, props stacks.Props) (topicPolicyProps, error) {
	var m topicPolicyProps
	if err := stacks.Decode(props, &m); err != nil {
		return m, err
	}
	policy, err := doc("PolicyDocument", m.PolicyDocument)
	if err != nil {
		return m, err
	}
	for _, arn := range m.Topics {
		name, err := p.s.TopicName(arn)
		if err != nil {
			return m, fmt.Errorf("Topics: %s: %w", arn, err)
		}
		if _, err := p.s.modifyTopic(ctx, name, func(t *Topic) error {
			t.Attributes[AttrPolicy] = policy
			t.PolicyID = id
			return nil
		}); err != nil {
			return m, fmt.Errorf("Topics: %s: %w", arn, err)
		}
	}
	return m, nil
}

// clear removes the policy id set from the topics listed.
func (p *TopicPolicyProvider) clear(ctx context.Context, id string, arns []string) error {
	for _, arn := range arns {
		name, err := p.s.TopicName(arn)
		if err != nil {
			continue
		}
		_, err = p.s.modifyTopic(ctx, name, func(t *Topic) error {
			if t.PolicyID == id {
				delete(t.Attributes, AttrPolicy)
				t.PolicyID = ""
			}
			return nil
		})
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

func (p *TopicPolicyProvider) topicsOf(id string) ([]string, error) {
	ts, err := p.s.List()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range ts {
		if t.PolicyID == id {
			out = append(out, p.s.ARN(t.Name))
		}
	}
	return out, nil
}

// Create implements stacks.Provider.
func (p *TopicPolicyProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	id := stacks.GeneratedName(ctx, 128)
	if _, err := p.apply(ctx, id, props); err != nil {
		return "", nil, err
	}
	return id, stacks.Attrs{"Id": id}, nil
}

// Update implements stacks.Provider: topics no longer listed lose the policy.
func (p *TopicPolicyProvider) Update(ctx context.Context, physicalID string, old, new stacks.Props) (stacks.Attrs, error) {
	var was topicPolicyProps
	if err := stacks.Decode(old, &was); err != nil {
		return nil, err
	}
	m, err := p.apply(ctx, physicalID, new)
	if err != nil {
		return nil, err
	}
	still := map[string]bool{}
	for _, t := range m.Topics {
		still[t] = true
	}
	var gone []string
	for _, t := range was.Topics {
		if !still[t] {
			gone = append(gone, t)
		}
	}
	return stacks.Attrs{"Id": physicalID}, p.clear(ctx, physicalID, gone)
}

// Delete implements stacks.Provider.
func (p *TopicPolicyProvider) Delete(ctx context.Context, physicalID string) error {
	arns, err := p.topicsOf(physicalID)
	if err != nil {
		return err
	}
	return p.clear(ctx, physicalID, arns)
}

// Read implements stacks.Provider: the topics the policy is on.
func (p *TopicPolicyProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	arns, err := p.topicsOf(physicalID)
	if err != nil {
		return nil, err
	}
	if len(arns) == 0 {
		return nil, fmt.Errorf("%w: AWS::SNS::TopicPolicy %s is on no topic", stacks.ErrNotFound, physicalID)
	}
	list := make([]any, len(arns))
	for i, a := range arns {
		list[i] = a
	}
	return stacks.Props{"Topics": list}, nil
}
