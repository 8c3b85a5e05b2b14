package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/nubo-run/nubo/internal/stacks"
)

// PolicyProvider is AWS::Events::EventBusPolicy: one statement of a bus's
// resource policy, given whole (Statement) or as Action, Principal and
// Condition. Its id is BUS|STATEMENTID.
type PolicyProvider struct{ s *Service }

// Type implements stacks.Provider.
func (*PolicyProvider) Type() string { return "AWS::Events::EventBusPolicy" }

// Stateful: a policy statement is configuration.
func (*PolicyProvider) Stateful() bool { return false }

// Schema follows the registry schema of AWS::Events::EventBusPolicy.
func (*PolicyProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"EventBusName": {Type: stacks.String, CreateOnly: true},
		"StatementId":  {Type: stacks.String, Required: true, CreateOnly: true},
		"Statement":    {Type: stacks.JSON},
		"Action":       {Type: stacks.String},
		"Principal":    {Type: stacks.String},
		"Condition":    {Type: stacks.Object},
	}}
}

type policyModel struct {
	EventBusName string
	StatementId  string
	Statement    any
	Action       string
	Principal    string
	Condition    *struct{ Type, Key, Value string }
}

func (p *PolicyProvider) statement(m *policyModel, bus string) (json.RawMessage, error) {
	var st map[string]any
	switch v := m.Statement.(type) {
	case nil:
		if m.Action == "" || m.Principal == "" {
			return nil, errors.New("Statement, or Action and Principal, must be set")
		}
		st = map[string]any{"Effect": "Allow", "Action": m.Action, "Resource": p.s.BusARN(bus)}
		if m.Principal == "*" {
			st["Principal"] = "*"
		} else {
			st["Principal"] = map[string]string{"AWS": "arn:aws:iam::" + m.Principal + ":root"}
		}
		if c := m.Condition; c != nil {
			st["Condition"] = map[string]any{c.Type: map[string]string{c.Key: c.Value}}
		}
	case map[string]any:
		st = v
	case string:
		if err := json.Unmarshal([]byte(v), &st); err != nil {
			return nil, fmt.Errorf("Statement: %w", err)
		}
	default:
		return nil, errors.New("Statement must be an object")
	}
	st["Sid"] = m.StatementId
	return json.Marshal(st)
}

func (p *PolicyProvider) put(ctx context.Context, props stacks.Props) (string, error) {
	var m policyModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", err
	}
	bus := busName(m.EventBusName)
	raw, err := p.statement(&m, bus)
	if err != nil {
		return "", err
	}
	return bus + "|" + m.StatementId, p.s.PutStatement(ctx, bus, m.StatementId, raw)
}

// Create implements stacks.Provider.
func (p *PolicyProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	id, err := p.put(ctx, props)
	return id, stacks.Attrs{}, err
}

// Update implements stacks.Provider.
func (p *PolicyProvider) Update(ctx context.Context, id string, old, new stacks.Props) (stacks.Attrs, error) {
	_, err := p.put(ctx, new)
	return stacks.Attrs{}, err
}

// Delete implements stacks.Provider.
func (p *PolicyProvider) Delete(ctx context.Context, id string) error {
	bus, sid, _ := strings.Cut(id, "|")
	err := p.s.RemoveStatement(ctx, bus, sid)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	return err
}

// Read implements stacks.Provider.
func (p *PolicyProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	bus, sid, _ := strings.Cut(id, "|")
	b, _, err := p.s.GetBus(ctx, bus)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	var doc policyDoc
	_ = json.Unmarshal([]byte(b.Policy), &doc)
	for _, st := range doc.Statement {
		if statementSid(st) == sid {
			return stacks.Props{"EventBusName": bus, "StatementId": sid}, nil
		}
	}
	return nil, fmt.Errorf("%w: statement %s of bus %s", stacks.ErrNotFound, sid, bus)
}

// ArchiveProvider is AWS::Events::Archive: Ref is the archive's name,
// Fn::GetAtt Arn its ARN.
type ArchiveProvider struct{ s *Service }

// Type implements stacks.Provider.
func (*ArchiveProvider) Type() string { return "AWS::Events::Archive" }

// Stateful: an archive holds events.
func (*ArchiveProvider) Stateful() bool { return true }

// Schema follows the registry schema of AWS::Events::Archive.
func (*ArchiveProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"ArchiveName":      {Type: stacks.String, CreateOnly: true},
		"SourceArn":        {Type: stacks.String, Required: true, CreateOnly: true},
		"Description":      {Type: stacks.String},
		"EventPattern":     {Type: stacks.JSON},
		"RetentionDays":    {Type: stacks.Integer},
		"KmsKeyIdentifier": {Type: stacks.String},
		"Arn":              {Type: stacks.String, ReadOnly: true},
	}}
}

type archiveModel struct {
	ArchiveName   string
	SourceArn     string
	Description   string
	EventPattern  any
	RetentionDays int
}

func (m *archiveModel) pattern() (string, error) {
	switch v := m.EventPattern.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	default:
		b, err := json.Marshal(v)
		return string(b), err
	}
}

// PhysicalIDFor implements stacks.Identifier.
func (*ArchiveProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	var m archiveModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", false
	}
	if m.ArchiveName != "" {
		return m.ArchiveName, true
	}
	return stacks.GeneratedName(ctx, 48), true
}

// Create implements stacks.Provider.
func (p *ArchiveProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m archiveModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	name, _ := p.PhysicalIDFor(ctx, props)
	bus, rule, err := p.s.parseResourceARN(m.SourceArn)
	if err != nil || rule != "" {
		return "", nil, fmt.Errorf("SourceArn: %q is not an event bus ARN", m.SourceArn)
	}
	pat, err := m.pattern()
	if err != nil {
		return "", nil, fmt.Errorf("EventPattern: %w", err)
	}
	err = p.s.CreateArchive(ctx, Archive{Name: name, Bus: bus, Description: m.Description, EventPattern: pat, RetentionDays: m.RetentionDays})
	if err != nil {
		return "", nil, err
	}
	return name, stacks.Attrs{"Arn": p.s.ArchiveARN(name)}, nil
}

// Update implements stacks.Provider.
func (p *ArchiveProvider) Update(ctx context.Context, id string, old, new stacks.Props) (stacks.Attrs, error) {
	var m archiveModel
	if err := stacks.Decode(new, &m); err != nil {
		return nil, err
	}
	pat, err := m.pattern()
	if err != nil {
		return nil, fmt.Errorf("EventPattern: %w", err)
	}
	_, err = p.s.UpdateArchive(ctx, id, func(a *Archive) error {
		a.Description, a.EventPattern, a.RetentionDays = m.Description, pat, m.RetentionDays
		return nil
	})
	return stacks.Attrs{"Arn": p.s.ArchiveARN(id)}, err
}

// Delete implements stacks.Provider.
func (p *ArchiveProvider) Delete(ctx context.Context, id string) error {
	err := p.s.DeleteArchive(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	return err
}

// Read implements stacks.Provider.
func (p *ArchiveProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	a, err := p.s.GetArchive(ctx, id)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	out := stacks.Props{"ArchiveName": a.Name, "SourceArn": p.s.BusARN(a.Bus)}
	if a.Description != "" {
		out["Description"] = a.Description
	}
	return out, nil
}

var (
	_ stacks.Provider   = (*PolicyProvider)(nil)
	_ stacks.Provider   = (*ArchiveProvider)(nil)
	_ stacks.Identifier = (*ArchiveProvider)(nil)
)
