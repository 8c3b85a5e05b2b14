package queues

import (
	"context"
	"errors"
	"fmt"

	"github.com/nubo-run/nubo/internal/stacks"
)

// QueuePolicyProvider is AWS::SQS::QueuePolicy: the document becomes the
// Policy attribute of each queue named (by URL), which the authorizer
// evaluates as the queue's resource-based policy. Ref is a generated id.
type QueuePolicyProvider struct{ s *Service }

var _ stacks.Provider = (*QueuePolicyProvider)(nil)

// NewQueuePolicyProvider returns the provider over s.
func NewQueuePolicyProvider(s *Service) *QueuePolicyProvider { return &QueuePolicyProvider{s: s} }

// Type implements stacks.Provider.
func (*QueuePolicyProvider) Type() string { return "AWS::SQS::QueuePolicy" }

// Stateful: a policy is configuration.
func (*QueuePolicyProvider) Stateful() bool { return false }

// Schema follows the registry schema of AWS::SQS::QueuePolicy.
func (*QueuePolicyProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"PolicyDocument": {Type: stacks.Any, Required: true},
			"Queues":         {Type: stacks.List, Required: true},
			"Id":             {Type: stacks.String, ReadOnly: true},
		},
	}
}

type queuePolicyModel struct {
	PolicyDocument any
	Queues         []string
}

func (p *QueuePolicyProvider) apply(ctx context.Context, id string, props stacks.Props) (queuePolicyModel, error) {
	var m queuePolicyModel
	if err := stacks.Decode(props, &m); err != nil {
		return m, err
	}
	doc, err := docString("PolicyDocument", m.PolicyDocument)
	if err != nil {
		return m, err
	}
	if _, err := ValidateAttributes(map[string]string{AttrPolicy: doc}); err != nil {
		return m, err
	}
	for _, u := range m.Queues {
		_, err := p.s.modify(ctx, nameOfID(u), func(q *Queue) error {
			if q.Attributes == nil {
				q.Attributes = map[string]string{}
			}
			q.Attributes[AttrPolicy] = doc
			q.PolicyID = id
			return nil
		}, false)
		if err != nil {
			return m, fmt.Errorf("Queues: %s: %w", u, err)
		}
	}
	return m, nil
}

// clear removes the policy id set from the queues named.
func (p *QueuePolicyProvider) clear(ctx context.Context, id string, queues []string) error {
	for _, u := range queues {
		_, err := p.s.modify(ctx, nameOfID(u), func(q *Queue) error {
			if q.PolicyID == id {
				delete(q.Attributes, AttrPolicy)
				q.PolicyID = ""
			}
			return nil
		}, false)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

// queuesOf lists the queues whose policy id set.
func (p *QueuePolicyProvider) queuesOf(id string) ([]string, error) {
	qs, err := p.s.List("")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, q := range qs {
		if q.PolicyID == id {
			out = append(out, q.Name)
		}
	}
	return out, nil
}

// Create implements stacks.Provider.
func (p *QueuePolicyProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	id := stacks.GeneratedName(ctx, 128)
	if _, err := p.apply(ctx, id, props); err != nil {
		return "", nil, err
	}
	return id, stacks.Attrs{"Id": id}, nil
}

// Update implements stacks.Provider: queues no longer listed lose the policy.
func (p *QueuePolicyProvider) Update(ctx context.Context, physicalID string, old, new stacks.Props) (stacks.Attrs, error) {
	var was queuePolicyModel
	if err := stacks.Decode(old, &was); err != nil {
		return nil, err
	}
	m, err := p.apply(ctx, physicalID, new)
	if err != nil {
		return nil, err
	}
	var gone []string
	for _, u := range was.Queues {
		kept := false
		for _, n := range m.Queues {
			kept = kept || nameOfID(n) == nameOfID(u)
		}
		if !kept {
			gone = append(gone, u)
		}
	}
	return stacks.Attrs{"Id": physicalID}, p.clear(ctx, physicalID, gone)
}

// Delete implements stacks.Provider: the queues whose policy it set lose it.
func (p *QueuePolicyProvider) Delete(ctx context.Context, physicalID string) error {
	names, err := p.queuesOf(physicalID)
	if err != nil {
		return err
	}
	return p.clear(ctx, physicalID, names)
}

// Read implements stacks.Provider: the queues the policy is on.
func (p *QueuePolicyProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	names, err := p.queuesOf(physicalID)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: AWS::SQS::QueuePolicy %s is on no queue", stacks.ErrNotFound, physicalID)
	}
	return nil, nil
}
