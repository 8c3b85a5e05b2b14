package functions

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nubo-run/nubo/internal/stacks"
)

// PermissionProvider is AWS::Lambda::Permission: a statement of the
// function's resource policy, kept by the PolicyStore and checked on every
// invocation the gateway makes.
//
// Physical id: FUNCTION|SID; the statement id is CloudFormation-style
// STACK-LOGICALID-RANDOM (stacks.GeneratedName).
type PermissionProvider struct{ policies *PolicyStore }

var (
	_ stacks.Provider   = (*PermissionProvider)(nil)
	_ stacks.Identifier = (*PermissionProvider)(nil)
)

// NewPermissionProvider returns the provider over the functions' policies.
func NewPermissionProvider(policies *PolicyStore) *PermissionProvider {
	return &PermissionProvider{policies: policies}
}

// permissionModel is AWS::Lambda::Permission's properties.
type permissionModel struct {
	FunctionName          string
	Action                string
	Principal             string
	SourceArn             string
	SourceAccount         string
	PrincipalOrgID        string
	EventSourceToken      string
	FunctionUrlAuthType   string
	InvokedViaFunctionUrl bool
}

// Type implements stacks.Provider.
func (*PermissionProvider) Type() string { return "AWS::Lambda::Permission" }

// Stateful implements stacks.Provider.
func (*PermissionProvider) Stateful() bool { return false }

// Schema implements stacks.Provider.
func (*PermissionProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"FunctionName":          {Type: stacks.String, Required: true, CreateOnly: true},
		"Action":                {Type: stacks.String, Required: true, CreateOnly: true},
		"Principal":             {Type: stacks.String, Required: true, CreateOnly: true},
		"SourceArn":             {Type: stacks.String, CreateOnly: true},
		"SourceAccount":         {Type: stacks.String, CreateOnly: true},
		"PrincipalOrgID":        {Type: stacks.String, CreateOnly: true},
		"EventSourceToken":      {Type: stacks.String, CreateOnly: true},
		"FunctionUrlAuthType":   {Type: stacks.String, CreateOnly: true, Enum: []string{URLAuthNone, URLAuthIAM}},
		"InvokedViaFunctionUrl": {Type: stacks.Boolean, CreateOnly: true},
		"Id":                    {Type: stacks.String, ReadOnly: true},
	}}
}

// PhysicalIDFor implements stacks.Identifier: FUNCTION|SID, the statement
// id generated from the name the engine fixed in ctx.
func (p *PermissionProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	var m permissionModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", false
	}
	return m.FunctionName + "|" + stacks.GeneratedName(ctx, 100), true
}

// Create implements stacks.Provider.
func (p *PermissionProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m permissionModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	sid := stacks.GeneratedName(ctx, 100)
	perm := Permission{
		Sid: sid, Action: m.Action, Principal: m.Principal, SourceARN: m.SourceArn, SourceAccount: m.SourceAccount,
		PrincipalOrgID: m.PrincipalOrgID, EventSourceToken: m.EventSourceToken,
		FunctionURLAuthType: m.FunctionUrlAuthType, InvokedViaFunctionURL: m.InvokedViaFunctionUrl,
	}
	if err := p.policies.AddPermission(ctx, m.FunctionName, perm); err != nil {
		return "", nil, err
	}
	return m.FunctionName + "|" + sid, stacks.Attrs{"Id": sid}, nil
}

// Update implements stacks.Provider: every property is create-only.
func (p *PermissionProvider) Update(ctx context.Context, phys string, _, _ stacks.Props) (stacks.Attrs, error) {
	_, sid, _ := strings.Cut(phys, "|")
	return stacks.Attrs{"Id": sid}, nil
}

// Delete implements stacks.Provider.
func (p *PermissionProvider) Delete(ctx context.Context, phys string) error {
	fn, sid, _ := strings.Cut(phys, "|")
	err := p.policies.RemovePermission(ctx, fn, sid)
	if errors.Is(err, ErrPolicyNotFound) {
		return fmt.Errorf("permission %s: %w: %w", phys, stacks.ErrNotFound, err)
	}
	return err
}

// Read implements stacks.Provider.
func (p *PermissionProvider) Read(ctx context.Context, phys string) (stacks.Props, error) {
	fn, sid, _ := strings.Cut(phys, "|")
	perm, err := p.policies.Permission(fn, sid)
	if errors.Is(err, ErrPolicyNotFound) {
		return nil, fmt.Errorf("permission %s: %w: %w", phys, stacks.ErrNotFound, err)
	}
	if err != nil {
		return nil, err
	}
	out := stacks.Props{"FunctionName": fn, "Action": perm.Action, "Principal": perm.Principal}
	for k, v := range map[string]string{"SourceArn": perm.SourceARN, "SourceAccount": perm.SourceAccount,
		"PrincipalOrgID": perm.PrincipalOrgID, "EventSourceToken": perm.EventSourceToken, "FunctionUrlAuthType": perm.FunctionURLAuthType} {
		if v != "" {
			out[k] = v
		}
	}
	if perm.InvokedViaFunctionURL {
		out["InvokedViaFunctionUrl"] = true
	}
	return out, nil
}
