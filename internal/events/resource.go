package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/nubo-run/nubo/internal/stacks"
)

// Providers are the event bus's resource types.
func Providers(s *Service) []stacks.Provider {
	return []stacks.Provider{&BusProvider{s: s}, &RuleProvider{s: s}, &PolicyProvider{s: s}, &ArchiveProvider{s: s}}
}

// BusProvider is AWS::Events::EventBus: Ref is the name, Fn::GetAtt gives
// Arn, Name and Policy.
type BusProvider struct{ s *Service }

// Type implements stacks.Provider.
func (*BusProvider) Type() string { return "AWS::Events::EventBus" }

// Stateful: a bus holds no data nubo keeps (events pass through).
func (*BusProvider) Stateful() bool { return false }

// Schema follows the registry schema of AWS::Events::EventBus.
func (*BusProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"Name":             {Type: stacks.String, Required: true, CreateOnly: true},
			"EventSourceName":  {Type: stacks.String, CreateOnly: true},
			"Description":      {Type: stacks.String},
			"KmsKeyIdentifier": {Type: stacks.String},
			"DeadLetterConfig": {Type: stacks.Object},
			"Policy":           {Type: stacks.JSON},
			"LogConfig":        {Type: stacks.Object},
			"Tags":             {Type: stacks.List},
			"Arn":              {Type: stacks.String, ReadOnly: true},
		},
		Attributes: []string{"Name", "Policy"},
	}
}

type busModel struct {
	Name        string
	Description string
	Policy      any
	Tags        []struct{ Key, Value string }
}

func (m *busModel) policy() (string, error) {
	switch p := m.Policy.(type) {
	case nil:
		return "", nil
	case string:
		return p, nil
	default:
		b, err := json.Marshal(p)
		return string(b), err
	}
}

func (m *busModel) tags() map[string]string {
	if len(m.Tags) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, t := range m.Tags {
		out[t.Key] = t.Value
	}
	return out
}

func (p *BusProvider) attrs(b *Bus) stacks.Attrs {
	return stacks.Attrs{"Arn": p.s.BusARN(b.Name), "Name": b.Name, "Policy": b.Policy}
}

// Create implements stacks.Provider.
func (p *BusProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m busModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	if err := checkBusName("Name", m.Name); err != nil || m.Name == DefaultBus {
		return "", nil, fmt.Errorf("Name: %q is not a valid event bus name", m.Name)
	}
	pol, err := m.policy()
	if err != nil {
		return "", nil, fmt.Errorf("Policy: %w", err)
	}
	b, err := p.s.CreateBus(ctx, Bus{Name: m.Name, Description: m.Description, Policy: pol, Tags: m.tags()})
	if err != nil {
		return "", nil, err
	}
	return b.Name, p.attrs(b), nil
}

// Update implements stacks.Provider.
func (p *BusProvider) Update(ctx context.Context, id string, old, new stacks.Props) (stacks.Attrs, error) {
	var m busModel
	if err := stacks.Decode(new, &m); err != nil {
		return nil, err
	}
	pol, err := m.policy()
	if err != nil {
		return nil, fmt.Errorf("Policy: %w", err)
	}
	b, err := p.s.modifyBus(ctx, id, func(b *Bus) error {
		b.Description, b.Policy, b.Tags = m.Description, pol, m.tags()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p.attrs(b), nil
}

// Delete implements stacks.Provider.
func (p *BusProvider) Delete(ctx context.Context, id string) error {
	return p.s.DeleteBus(ctx, id)
}

// Read implements stacks.Provider.
func (p *BusProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	b, _, err := p.s.GetBus(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	out := stacks.Props{"Name": b.Name}
	if b.Description != "" {
		out["Description"] = b.Description
	}
	return out, nil
}

// RuleProvider is AWS::Events::Rule with its Targets: Ref is the rule's
// name (BUS|NAME on a bus other than default), Fn::GetAtt Arn its ARN.
type RuleProvider struct{ s *Service }

// Type implements stacks.Provider.
func (*RuleProvider) Type() string { return "AWS::Events::Rule" }

// Stateful: a rule is configuration.
func (*RuleProvider) Stateful() bool { return false }

// Schema follows the registry schema of AWS::Events::Rule.
func (*RuleProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"Name":               {Type: stacks.String, CreateOnly: true},
			"EventBusName":       {Type: stacks.String, CreateOnly: true},
			"Description":        {Type: stacks.String},
			"EventPattern":       {Type: stacks.JSON},
			"ScheduleExpression": {Type: stacks.String},
			"State":              {Type: stacks.String, Enum: []string{"ENABLED", "DISABLED", "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"}},
			"RoleArn":            {Type: stacks.String},
			"Targets":            {Type: stacks.List},
			"Arn":                {Type: stacks.String, ReadOnly: true},
		},
	}
}

type ruleModel struct {
	Name               string
	EventBusName       string
	Description        string
	EventPattern       any
	ScheduleExpression string
	State              string
	RoleArn            string
	Targets            []Target
}

func (m *ruleModel) spec(bus, name string) (RuleSpec, error) {
	spec := RuleSpec{Bus: bus, Name: name, ScheduleExpression: m.ScheduleExpression, State: m.State,
		Description: m.Description, RoleArn: m.RoleArn}
	if spec.State == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" {
		spec.State = StateEnabled
	}
	switch p := m.EventPattern.(type) {
	case nil:
	case string:
		spec.EventPattern = p
	default:
		b, err := json.Marshal(p)
		if err != nil {
			return spec, fmt.Errorf("EventPattern: %w", err)
		}
		spec.EventPattern = string(b)
	}
	return spec, nil
}

// PhysicalIDFor implements stacks.Identifier.
func (*RuleProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	var m ruleModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", false
	}
	bus, name := m.names(ctx)
	return ruleID(bus, name), true
}

func (m *ruleModel) names(ctx context.Context) (bus, name string) {
	bus, name = busName(m.EventBusName), m.Name
	if name == "" {
		name = stacks.GeneratedName(ctx, 64)
	}
	return bus, name
}

func ruleID(bus, name string) string {
	if bus == DefaultBus {
		return name
	}
	return bus + "|" + name
}

func parseRuleID(id string) (bus, name string) {
	if i := strings.LastIndexByte(id, '|'); i >= 0 {
		return id[:i], id[i+1:]
	}
	return DefaultBus, id
}

// apply puts the rule and makes its targets the template's.
func (p *RuleProvider) apply(ctx context.Context, bus, name string, m *ruleModel) (stacks.Attrs, error) {
	spec, err := m.spec(bus, name)
	if err != nil {
		return nil, err
	}
	arn, err := p.s.PutRule(ctx, spec)
	if err != nil {
		return nil, err
	}
	r, err := p.s.rule(ctx, bus, name)
	if err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	for _, t := range m.Targets {
		keep[t.Id] = true
	}
	var drop []string
	for _, t := range r.Targets {
		if !keep[t.Id] {
			drop = append(drop, t.Id)
		}
	}
	if len(drop) > 0 {
		if err := p.s.RemoveTargets(ctx, bus, name, drop); err != nil {
			return nil, err
		}
	}
	if len(m.Targets) > 0 {
		failed, err := p.s.PutTargets(ctx, bus, name, m.Targets)
		if err != nil {
			return nil, fmt.Errorf("Targets: %w", err)
		}
		if len(failed) > 0 {
			return nil, fmt.Errorf("Targets: %s: %s", failed[0].TargetId, failed[0].ErrorMessage)
		}
	}
	return stacks.Attrs{"Arn": arn}, nil
}

// Create implements stacks.Provider.
func (p *RuleProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m ruleModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	bus, name := m.names(ctx)
	if err := checkRuleName("Name", name); err != nil {
		return "", nil, err
	}
	if r, _ := p.s.rule(ctx, bus, name); r != nil {
		return "", nil, fmt.Errorf("rule %s already exists on event bus %s", name, bus)
	}
	attrs, err := p.apply(ctx, bus, name, &m)
	if err != nil {
		return "", nil, err
	}
	return ruleID(bus, name), attrs, nil
}

// Update implements stacks.Provider.
func (p *RuleProvider) Update(ctx context.Context, id string, old, new stacks.Props) (stacks.Attrs, error) {
	var m ruleModel
	if err := stacks.Decode(new, &m); err != nil {
		return nil, err
	}
	bus, name := parseRuleID(id)
	return p.apply(ctx, bus, name, &m)
}

// Delete implements stacks.Provider: the targets, then the rule.
func (p *RuleProvider) Delete(ctx context.Context, id string) error {
	bus, name := parseRuleID(id)
	r, err := p.s.rule(ctx, bus, name)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	if err != nil {
		return err
	}
	if len(r.Targets) > 0 {
		ids := make([]string, 0, len(r.Targets))
		for _, t := range r.Targets {
			ids = append(ids, t.Id)
		}
		if err := p.s.RemoveTargets(ctx, bus, name, ids); err != nil {
			return err
		}
	}
	return p.s.DeleteRule(ctx, bus, name, true)
}

// Read implements stacks.Provider.
func (p *RuleProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	bus, name := parseRuleID(id)
	r, err := p.s.rule(ctx, bus, name)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	out := stacks.Props{"Name": r.Name, "State": r.State}
	if bus != DefaultBus {
		out["EventBusName"] = bus
	}
	if r.ScheduleExpression != "" {
		out["ScheduleExpression"] = r.ScheduleExpression
	}
	if r.Description != "" {
		out["Description"] = r.Description
	}
	return out, nil
}

var (
	_ stacks.Provider   = (*BusProvider)(nil)
	_ stacks.Provider   = (*RuleProvider)(nil)
	_ stacks.Identifier = (*RuleProvider)(nil)
)
