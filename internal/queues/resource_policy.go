package queues

import (
	"context"
	"errors"
	"fmt"
	"strings"

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

func (p *QueuePolicyProvider) apply(ctx context.Context, props stacks.Props) (queuePolicyModel, error) {
	var m queuePolicyModel
	if err := stacks.Decode(props, &m); err != nil {
		return m, err
	}
	doc, err := docString("PolicyDocument", m.PolicyDocument)
	if err != nil {
		return m, err
	}
	for _, u := range m.Queues {
		if _, err := p.s.SetAttributes(ctx, nameOfID(u), map[string]string{AttrPolicy: doc}); err != nil {
			return m, fmt.Errorf("Queues: %s: %w", u, err)
		}
	}
	return m, nil
}

func (p *QueuePolicyProvider) clear(ctx context.Context, queues []string) error {
	for _, u := range queues {
		_, err := p.s.SetAttributes(ctx, nameOfID(u), map[string]string{AttrPolicy: ""})
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	}
	return nil
}

// Create implements stacks.Provider.
func (p *QueuePolicyProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	if _, err := p.apply(ctx, props); err != nil {
		return "", nil, err
	}
	id := stacks.GeneratedName(ctx, 128)
	return id, stacks.Attrs{"Id": id}, nil
}

// Update implements stacks.Provider: queues no longer listed lose the policy.
func (p *QueuePolicyProvider) Update(ctx context.Context, physicalID string, old, new stacks.Props) (stacks.Attrs, error) {
	var was queuePolicyModel
	if err := stacks.Decode(old, &was); err != nil {
		return nil, err
	}
	m, err := p.apply(ctx, new)
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
	return stacks.Attrs{"Id": physicalID}, p.clear(ctx, gone)
}

// Delete implements stacks.Provider. The queues are not recorded under the
// policy's id, so Delete is given nothing to clear; the engine deletes a
// policy with its stack's queues, or replaces it by another.
func (p *QueuePolicyProvider) Delete(ctx context.Context, physicalID string) error { return nil }

// Read implements stacks.Provider.
func (p *QueuePolicyProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	if strings.TrimSpace(physicalID) == "" {
		return nil, stacks.ErrNotFound
	}
	return nil, nil
}
