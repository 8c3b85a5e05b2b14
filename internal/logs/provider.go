package logs

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/stacks"
)

// GroupProvider is AWS::Logs::LogGroup: Ref is the group name, Fn::GetAtt
// Arn its ARN. A function's lines go to /aws/lambda/NAME; the group's
// RetentionInDays is how long the log store keeps them (at most as long as
// --log-retention keeps anything).
type GroupProvider struct {
	store   *Store
	account awsapi.Account
}

// NewGroupProvider returns the provider over the store.
func NewGroupProvider(store *Store, account awsapi.Account) *GroupProvider {
	return &GroupProvider{store: store, account: account}
}

// Type implements stacks.Provider.
func (*GroupProvider) Type() string { return "AWS::Logs::LogGroup" }

// Stateful implements stacks.Provider: logs are operational output that
// lives with the functions writing them, not application data.
func (*GroupProvider) Stateful() bool { return false }

// retentionDays are the values CloudWatch Logs accepts for RetentionInDays.
func retentionDays() []int {
	return []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}
}

// Schema implements stacks.Provider (the registry schema's properties;
// nubo applies LogGroupName and RetentionInDays and keeps the rest).
func (*GroupProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"LogGroupName":              {Type: stacks.String, CreateOnly: true},
			"RetentionInDays":           {Type: stacks.Integer},
			"KmsKeyId":                  {Type: stacks.String},
			"LogGroupClass":             {Type: stacks.String, CreateOnly: true, Enum: []string{"STANDARD", "INFREQUENT_ACCESS", "DELIVERY"}},
			"DataProtectionPolicy":      {Type: stacks.Any},
			"FieldIndexPolicies":        {Type: stacks.List},
			"ResourcePolicyDocument":    {Type: stacks.Any},
			"DeletionProtectionEnabled": {Type: stacks.Boolean},
			"Tags":                      {Type: stacks.List},
			"Arn":                       {Type: stacks.String, ReadOnly: true},
		},
	}
}

// PhysicalIDFor implements stacks.Identifier: a group's id is its name,
// given or generated.
func (*GroupProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	return groupName(ctx, props), true
}

// groupModel is the part of AWS::Logs::LogGroup nubo acts on.
type groupModel struct {
	LogGroupName    string
	RetentionInDays int
}

func groupName(ctx context.Context, props stacks.Props) string {
	var m groupModel
	if stacks.Decode(props, &m) == nil && m.LogGroupName != "" {
		return m.LogGroupName
	}
	return stacks.GeneratedName(ctx, 512)
}

func (lp *GroupProvider) group(name string, props stacks.Props) (Group, error) {
	var m groupModel
	if err := stacks.Decode(props, &m); err != nil {
		return Group{Name: name}, err
	}
	g := Group{Name: name, RetentionDays: m.RetentionInDays}
	if g.RetentionDays != 0 && !slices.Contains(retentionDays(), g.RetentionDays) {
		return g, fmt.Errorf("RetentionInDays %d: must be one of %v", g.RetentionDays, retentionDays())
	}
	return g, nil
}

func (lp *GroupProvider) attrs(name string) stacks.Attrs {
	return stacks.Attrs{"Arn": lp.account.ARN("logs", "log-group:"+name+":*")}
}

// Create implements stacks.Provider.
func (lp *GroupProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	name := groupName(ctx, props)
	g, err := lp.group(name, props)
	if err != nil {
		return "", nil, err
	}
	if _, err := lp.store.Group(ctx, name); err == nil {
		return "", nil, fmt.Errorf("log group %q already exists", name)
	} else if !errors.Is(err, ErrGroupNotFound) {
		return "", nil, err
	}
	g.Created = time.Now().UnixMilli()
	if err := lp.store.PutGroup(ctx, g); err != nil {
		return "", nil, err
	}
	return name, lp.attrs(name), nil
}

// Update implements stacks.Provider.
func (lp *GroupProvider) Update(ctx context.Context, physicalID string, old, new stacks.Props) (stacks.Attrs, error) {
	g, err := lp.group(physicalID, new)
	if err != nil {
		return nil, err
	}
	if err := lp.store.PutGroup(ctx, g); err != nil {
		return nil, err
	}
	return lp.attrs(physicalID), nil
}

// Delete implements stacks.Provider.
func (lp *GroupProvider) Delete(ctx context.Context, physicalID string) error {
	err := lp.store.DeleteGroup(ctx, physicalID)
	if errors.Is(err, ErrGroupNotFound) {
		return fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	return err
}

// Read implements stacks.Provider.
func (lp *GroupProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	g, err := lp.store.Group(ctx, physicalID)
	if errors.Is(err, ErrGroupNotFound) {
		return nil, fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	out := stacks.Props{"LogGroupName": g.Name}
	if g.RetentionDays > 0 {
		out["RetentionInDays"] = float64(g.RetentionDays)
	}
	return out, nil
}

var (
	_ stacks.Provider   = (*GroupProvider)(nil)
	_ stacks.Identifier = (*GroupProvider)(nil)
)
