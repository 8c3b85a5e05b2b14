package parameters

import (
	"context"
	"errors"
	"fmt"

	"github.com/nubo-run/nubo/internal/stacks"
)

// ParameterProvider is the AWS::SSM::Parameter resource: Ref is the name,
// Fn::GetAtt gives Type and Value.
type ParameterProvider struct{ s *Store }

// NewParameterProvider returns the provider over s.
func NewParameterProvider(s *Store) *ParameterProvider { return &ParameterProvider{s: s} }

// Type implements stacks.Provider.
func (*ParameterProvider) Type() string { return "AWS::SSM::Parameter" }

// Stateful: a template-managed parameter is configuration the template
// fully describes, not data.
func (*ParameterProvider) Stateful() bool { return false }

// Schema follows the registry schema of AWS::SSM::Parameter
// (required Value and Type, createOnlyProperties Name).
func (*ParameterProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"Name":           {Type: stacks.String, CreateOnly: true},
			"Type":           {Type: stacks.String, Required: true, Enum: []string{"String", "StringList"}},
			"Value":          {Type: stacks.String, Required: true},
			"Description":    {Type: stacks.String},
			"AllowedPattern": {Type: stacks.String},
			"Tier":           {Type: stacks.String, Enum: []string{"Standard", "Advanced", "Intelligent-Tiering"}},
			"Policies":       {Type: stacks.String},
			"DataType":       {Type: stacks.String, Enum: []string{"text", "aws:ec2:image"}},
			"Tags":           {Type: stacks.Map},
		},
		Attributes: []string{"Type", "Value"},
	}
}

// parameterModel is AWS::SSM::Parameter's properties.
type parameterModel struct {
	Name           string
	Type           string
	Value          string
	Description    string
	AllowedPattern string
	Tier           string
	DataType       string
	Tags           map[string]string
}

// PhysicalIDFor implements stacks.Identifier: a parameter's id is its
// name, given or generated.
func (*ParameterProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	var m parameterModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", false
	}
	return m.name(ctx), true
}

func (m *parameterModel) name(ctx context.Context) string {
	if m.Name != "" {
		return m.Name
	}
	return stacks.GeneratedName(ctx, 2048)
}

func (m *parameterModel) parameter(name string) Parameter {
	return Parameter{Name: name, Type: m.Type, Value: m.Value, Description: m.Description,
		AllowedPattern: m.AllowedPattern, Tier: m.Tier, DataType: m.DataType, Tags: m.Tags}
}

func attrs(p Parameter) stacks.Attrs {
	return stacks.Attrs{"Type": p.Type, "Value": p.Value}
}

// Create implements stacks.Provider.
func (pp *ParameterProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m parameterModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	name := m.name(ctx)
	p := m.parameter(name)
	if _, err := pp.s.Put(ctx, p, false); err != nil {
		return "", nil, err
	}
	return name, attrs(p), nil
}

// Update implements stacks.Provider.
func (pp *ParameterProvider) Update(ctx context.Context, physicalID string, old, new stacks.Props) (stacks.Attrs, error) {
	var m parameterModel
	if err := stacks.Decode(new, &m); err != nil {
		return nil, err
	}
	p := m.parameter(physicalID)
	if p.Tags == nil {
		p.Tags = map[string]string{}
	}
	if _, err := pp.s.Put(ctx, p, true); err != nil {
		return nil, err
	}
	return attrs(p), nil
}

// Delete implements stacks.Provider.
func (pp *ParameterProvider) Delete(ctx context.Context, physicalID string) error {
	err := pp.s.Delete(ctx, physicalID)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	return err
}

// Read implements stacks.Provider.
func (pp *ParameterProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	p, err := pp.s.Get(ctx, physicalID)
	if errors.Is(err, ErrNotFound) {
		return nil, fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	out := stacks.Props{"Name": p.Name, "Type": p.Type, "Value": p.Value, "Tier": p.Tier, "DataType": p.DataType}
	if p.Description != "" {
		out["Description"] = p.Description
	}
	if p.AllowedPattern != "" {
		out["AllowedPattern"] = p.AllowedPattern
	}
	if len(p.Tags) > 0 {
		tags := map[string]any{}
		for k, v := range p.Tags {
			tags[k] = v
		}
		out["Tags"] = tags
	}
	return out, nil
}

var (
	_ stacks.Provider   = (*ParameterProvider)(nil)
	_ stacks.Identifier = (*ParameterProvider)(nil)
)
