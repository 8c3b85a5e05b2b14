package tables

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/stacks"
)

// TableProvider is AWS::DynamoDB::Table: Ref is the table's name,
// Fn::GetAtt gives Arn and StreamArn. Tables hold data: the provider is
// stateful, so a stateful stack refuses to replace (a key-schema change) or
// delete one without --allow-data-loss.
type TableProvider struct{ s *Store }

var _ stacks.Provider = (*TableProvider)(nil)

// NewTableProvider returns the provider over s.
func NewTableProvider(s *Store) *TableProvider { return &TableProvider{s: s} }

// Type implements stacks.Provider.
func (*TableProvider) Type() string { return "AWS::DynamoDB::Table" }

// Stateful: a table's items are data the template does not describe.
func (*TableProvider) Stateful() bool { return true }

// Schema follows the registry schema of AWS::DynamoDB::Table; a change of
// TableName, KeySchema or the LSIs replaces the table, as on CloudFormation.
func (*TableProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"TableName":                        {Type: stacks.String, CreateOnly: true},
			"KeySchema":                        {Type: stacks.List, Required: true, CreateOnly: true},
			"AttributeDefinitions":             {Type: stacks.List},
			"BillingMode":                      {Type: stacks.String, Enum: []string{"PROVISIONED", "PAY_PER_REQUEST"}},
			"ProvisionedThroughput":            {Type: stacks.Object},
			"GlobalSecondaryIndexes":           {Type: stacks.List},
			"LocalSecondaryIndexes":            {Type: stacks.List, CreateOnly: true},
			"StreamSpecification":              {Type: stacks.Object},
			"SSESpecification":                 {Type: stacks.Object},
			"TimeToLiveSpecification":          {Type: stacks.Object},
			"PointInTimeRecoverySpecification": {Type: stacks.Object},
			"ContributorInsightsSpecification": {Type: stacks.Object},
			"KinesisStreamSpecification":       {Type: stacks.Object},
			"DeletionProtectionEnabled":        {Type: stacks.Boolean},
			"TableClass":                       {Type: stacks.String, Enum: []string{"STANDARD", "STANDARD_INFREQUENT_ACCESS"}},
			"Tags":                             {Type: stacks.List, Unordered: true},
			"ImportSourceSpecification":        {Type: stacks.Object, CreateOnly: true},
			"OnDemandThroughput":               {Type: stacks.Object},
			"WarmThroughput":                   {Type: stacks.Object},
			"ResourcePolicy":                   {Type: stacks.Object},
			"Arn":                              {ReadOnly: true},
			"StreamArn":                        {ReadOnly: true},
		},
	}
}

// tableModel is AWS::DynamoDB::Table's properties nubo reads.
type tableModel struct {
	TableName             string
	KeySchema             []KeyElement
	AttributeDefinitions  []AttributeDefinition
	BillingMode           string
	ProvisionedThroughput *struct {
		ReadCapacityUnits  int64
		WriteCapacityUnits int64
	}
	GlobalSecondaryIndexes  []indexModel
	LocalSecondaryIndexes   []indexModel
	StreamSpecification     *struct{ StreamViewType string }
	TimeToLiveSpecification *struct {
		AttributeName string
		Enabled       bool
	}
	DeletionProtectionEnabled bool
	Tags                      []struct{ Key, Value string }
}

type indexModel struct {
	IndexName  string
	KeySchema  []KeyElement
	Projection struct {
		ProjectionType   string
		NonKeyAttributes []string
	}
	ProvisionedThroughput *struct {
		ReadCapacityUnits  int64
		WriteCapacityUnits int64
	}
}

func (m *tableModel) name(ctx context.Context) string {
	if m.TableName != "" {
		return m.TableName
	}
	return stacks.GeneratedName(ctx, 255)
}

// PhysicalIDFor implements stacks.Identifier: the table's name, given or generated.
func (*TableProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	var m tableModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", false
	}
	return m.name(ctx), true
}

func (m *tableModel) request(name string) *createTableIn {
	in := &createTableIn{TableName: name, KeySchema: m.KeySchema, AttributeDefinitions: m.AttributeDefinitions,
		BillingMode: m.BillingMode, DeletionProtectionEnabled: m.DeletionProtectionEnabled}
	if in.BillingMode == "" {
		in.BillingMode = "PROVISIONED"
	}
	if m.ProvisionedThroughput != nil {
		in.ProvisionedThroughput = &Throughput{ReadCapacityUnits: m.ProvisionedThroughput.ReadCapacityUnits, WriteCapacityUnits: m.ProvisionedThroughput.WriteCapacityUnits}
	}
	index := func(ix indexModel) Index {
		out := Index{IndexName: ix.IndexName, KeySchema: ix.KeySchema, Projection: Projection{ProjectionType: ix.Projection.ProjectionType, NonKeyAttributes: ix.Projection.NonKeyAttributes}}
		if ix.ProvisionedThroughput != nil {
			out.ProvisionedThroughput = &Throughput{ReadCapacityUnits: ix.ProvisionedThroughput.ReadCapacityUnits, WriteCapacityUnits: ix.ProvisionedThroughput.WriteCapacityUnits}
		}
		return out
	}
	for _, ix := range m.GlobalSecondaryIndexes {
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, index(ix))
	}
	for _, ix := range m.LocalSecondaryIndexes {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, index(ix))
	}
	if m.StreamSpecification != nil {
		in.StreamSpecification = &StreamSpec{StreamEnabled: true, StreamViewType: m.StreamSpecification.StreamViewType}
	}
	for _, tg := range m.Tags {
		in.Tags = append(in.Tags, tag{Key: tg.Key, Value: tg.Value})
	}
	return in
}

func (p *TableProvider) attrs(t *Table) stacks.Attrs {
	a := stacks.Attrs{"Arn": p.s.ARN(t.Name)}
	if arn := p.s.StreamARN(t); arn != "" {
		a["StreamArn"] = arn
	}
	return a
}

// Create implements stacks.Provider.
func (p *TableProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m tableModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	name := m.name(ctx)
	t, err := p.s.createFrom(ctx, m.request(name))
	if err != nil {
		return "", nil, fmt.Errorf("AWS::DynamoDB::Table %s: %w", name, err)
	}
	if m.TimeToLiveSpecification != nil && m.TimeToLiveSpecification.Enabled {
		if t, err = p.s.Update(ctx, name, func(t *Table) error { t.TTL = m.TimeToLiveSpecification.AttributeName; return nil }); err != nil {
			return "", nil, err
		}
	}
	return name, p.attrs(t), nil
}

// Update implements stacks.Provider: billing, throughput, GSIs (recorded),
// stream, TTL, deletion protection and tags change in place.
func (p *TableProvider) Update(ctx context.Context, physicalID string, _, new stacks.Props) (stacks.Attrs, error) {
	var m tableModel
	if err := stacks.Decode(new, &m); err != nil {
		return nil, err
	}
	in := m.request(physicalID)
	t, err := p.s.Update(ctx, physicalID, func(t *Table) error {
		t.BillingMode = in.BillingMode
		t.Throughput = in.ProvisionedThroughput
		t.Attributes = in.AttributeDefinitions
		t.GSIs = in.GlobalSecondaryIndexes
		t.DeletionProtection = in.DeletionProtectionEnabled
		switch {
		case in.StreamSpecification == nil:
			t.Stream, t.StreamLabel = nil, ""
		case t.Stream == nil || t.Stream.StreamViewType != in.StreamSpecification.StreamViewType:
			t.Stream = in.StreamSpecification
			t.StreamLabel = p.s.opts.Now().UTC().Format("2006-01-02T15:04:05.000")
		}
		t.TTL = ""
		if m.TimeToLiveSpecification != nil && m.TimeToLiveSpecification.Enabled {
			t.TTL = m.TimeToLiveSpecification.AttributeName
		}
		t.Tags = nil
		for _, tg := range in.Tags {
			if t.Tags == nil {
				t.Tags = map[string]string{}
			}
			t.Tags[tg.Key] = tg.Value
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p.attrs(t), nil
}

// Delete implements stacks.Provider.
func (p *TableProvider) Delete(ctx context.Context, physicalID string) error {
	_, err := p.s.Delete(ctx, physicalID)
	var ae *awsapi.Error
	if errors.As(err, &ae) && ae.Code == "ResourceNotFoundException" {
		return fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	return err
}

// Read implements stacks.Provider: the table's live properties.
func (p *TableProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	t, err := p.s.Table(ctx, physicalID)
	var ae *awsapi.Error
	if errors.As(err, &ae) && ae.Code == "ResourceNotFoundException" {
		return nil, fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	keys := []any{}
	for _, k := range t.KeySchema {
		keys = append(keys, map[string]any{"AttributeName": k.AttributeName, "KeyType": k.KeyType})
	}
	defs := []any{}
	for _, a := range t.Attributes {
		defs = append(defs, map[string]any{"AttributeName": a.AttributeName, "AttributeType": a.AttributeType})
	}
	out := stacks.Props{"TableName": t.Name, "KeySchema": keys, "AttributeDefinitions": defs, "BillingMode": t.BillingMode}
	if t.Throughput != nil {
		out["ProvisionedThroughput"] = map[string]any{"ReadCapacityUnits": t.Throughput.ReadCapacityUnits, "WriteCapacityUnits": t.Throughput.WriteCapacityUnits}
	}
	if len(t.Tags) > 0 {
		var tags []any
		names := make([]string, 0, len(t.Tags))
		for k := range t.Tags {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			tags = append(tags, map[string]any{"Key": k, "Value": t.Tags[k]})
		}
		out["Tags"] = tags
	}
	return out, nil
}
