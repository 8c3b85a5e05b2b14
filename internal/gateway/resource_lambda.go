package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nubo-run/nubo/internal/stacks"
)

// AWS::Lambda::Url (a function URL served by the gateway) and
// AWS::Lambda::Permission (a statement of the function's resource policy,
// kept by the PolicyStore and checked by the platform's Invoker on every
// invocation the gateway makes).

// ---- Url ----

type urlProvider struct{ s *StackResources }

func (*urlProvider) Type() string   { return "AWS::Lambda::Url" }
func (*urlProvider) Stateful() bool { return false }
func (*urlProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"TargetFunctionArn": {Type: stacks.String, Required: true, CreateOnly: true},
		"Qualifier":         {Type: stacks.String, CreateOnly: true},
		"AuthType":          {Type: stacks.String, Required: true, Enum: []string{AuthNone, AuthIAM}},
		"Cors":              {Type: stacks.Object},
		"InvokeMode":        {Type: stacks.String, Enum: []string{InvokeBuffered, InvokeStreaming}},
		"FunctionUrl":       {Type: stacks.String, ReadOnly: true},
		"FunctionArn":       {Type: stacks.String, ReadOnly: true},
	}}
}

// Physical id: the target function (as given) and ":QUALIFIER", what
// Lambda's GetFunctionUrlConfig looks a URL up by.
func urlPhysID(function, qualifier string) string {
	if qualifier != "" {
		return function + "#" + qualifier
	}
	return function
}

func (p *urlProvider) url(props stacks.Props) FunctionURL {
	return FunctionURL{
		Function: pstr(props["TargetFunctionArn"]), Qualifier: pstr(props["Qualifier"]),
		AuthType: pstr(props["AuthType"]), CORS: corsFrom(props["Cors"]), InvokeMode: pstr(props["InvokeMode"]),
	}
}

func (p *urlProvider) attrs(u FunctionURL) stacks.Attrs {
	arn := u.Function
	if !strings.HasPrefix(arn, "arn:") {
		a := p.s.g.opts.Account
		arn = fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", a.Region, a.ID, u.Function)
	}
	if u.Qualifier != "" {
		arn += ":" + u.Qualifier
	}
	return stacks.Attrs{"FunctionUrl": FunctionURLAddress(p.s.opts.HTTPAddr(), u.ID), "FunctionArn": arn}
}

func (p *urlProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	u, err := p.s.g.PutFunctionURL(ctx, p.url(props))
	if err != nil {
		return "", nil, err
	}
	return urlPhysID(u.Function, u.Qualifier), p.attrs(u), nil
}

func (p *urlProvider) find(phys string) (FunctionURL, error) {
	fn, q, _ := strings.Cut(phys, "#")
	u, ok := p.s.g.FunctionURLFor(fn, q)
	if !ok {
		return FunctionURL{}, fmt.Errorf("function url %s: %w", phys, stacks.ErrNotFound)
	}
	return u, nil
}

func (p *urlProvider) Update(ctx context.Context, phys string, _, props stacks.Props) (stacks.Attrs, error) {
	cur, err := p.find(phys)
	if err != nil {
		return nil, err
	}
	u := p.url(props)
	u.ID = cur.ID
	if u, err = p.s.g.PutFunctionURL(ctx, u); err != nil {
		return nil, err
	}
	return p.attrs(u), nil
}

func (p *urlProvider) Delete(ctx context.Context, phys string) error {
	u, err := p.find(phys)
	if err != nil {
		return err
	}
	return notFound(p.Type(), phys, p.s.g.DeleteFunctionURL(ctx, u.ID))
}

func (p *urlProvider) Read(ctx context.Context, phys string) (stacks.Props, error) {
	u, err := p.find(phys)
	if err != nil {
		return nil, err
	}
	out := stacks.Props{"TargetFunctionArn": u.Function, "AuthType": u.AuthType, "InvokeMode": u.InvokeMode}
	if u.Qualifier != "" {
		out["Qualifier"] = u.Qualifier
	}
	if c := u.CORS; c != nil {
		cors := map[string]any{}
		put := func(k string, v []string) {
			if len(v) > 0 {
				l := make([]any, len(v))
				for i, s := range v {
					l[i] = s
				}
				cors[k] = l
			}
		}
		put("AllowOrigins", c.AllowOrigins)
		put("AllowMethods", c.AllowMethods)
		put("AllowHeaders", c.AllowHeaders)
		put("ExposeHeaders", c.ExposeHeaders)
		if c.MaxAge > 0 {
			cors["MaxAge"] = float64(c.MaxAge)
		}
		if c.AllowCredentials {
			cors["AllowCredentials"] = true
		}
		out["Cors"] = cors
	}
	return out, nil
}

// ---- Permission ----

type permissionProvider struct{ s *StackResources }

func (*permissionProvider) Type() string   { return "AWS::Lambda::Permission" }
func (*permissionProvider) Stateful() bool { return false }
func (*permissionProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"FunctionName":          {Type: stacks.String, Required: true, CreateOnly: true},
		"Action":                {Type: stacks.String, Required: true, CreateOnly: true},
		"Principal":             {Type: stacks.String, Required: true, CreateOnly: true},
		"SourceArn":             {Type: stacks.String, CreateOnly: true},
		"SourceAccount":         {Type: stacks.String, CreateOnly: true},
		"PrincipalOrgID":        {Type: stacks.String, CreateOnly: true},
		"EventSourceToken":      {Type: stacks.String, CreateOnly: true},
		"FunctionUrlAuthType":   {Type: stacks.String, CreateOnly: true, Enum: []string{AuthNone, AuthIAM}},
		"InvokedViaFunctionUrl": {Type: stacks.Boolean, CreateOnly: true},
		"Id":                    {Type: stacks.String, ReadOnly: true},
	}}
}

// PhysicalIDFor implements stacks.Identifier: FUNCTION|SID, the statement
// id generated from the name the engine fixed in ctx.
func (p *permissionProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	return pstr(props["FunctionName"]) + "|" + stacks.GeneratedName(ctx, 100), true
}

// Physical id: FUNCTION|SID; the statement id is CloudFormation-style
// STACK-LOGICALID-RANDOM.
func (p *permissionProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	sid := stacks.GeneratedName(ctx, 100)
	fn := pstr(props["FunctionName"])
	perm := Permission{
		Sid: sid, Action: pstr(props["Action"]), Principal: pstr(props["Principal"]),
		SourceARN: pstr(props["SourceArn"]), SourceAccount: pstr(props["SourceAccount"]),
		PrincipalOrgID: pstr(props["PrincipalOrgID"]), EventSourceToken: pstr(props["EventSourceToken"]),
		FunctionURLAuthType: pstr(props["FunctionUrlAuthType"]), InvokedViaFunctionURL: pbool(props["InvokedViaFunctionUrl"]),
	}
	if err := p.s.opts.Policies.AddPermission(ctx, fn, perm); err != nil {
		return "", nil, err
	}
	return fn + "|" + sid, stacks.Attrs{"Id": sid}, nil
}

// Update: every property is create-only.
func (p *permissionProvider) Update(ctx context.Context, phys string, _, _ stacks.Props) (stacks.Attrs, error) {
	_, sid, _ := strings.Cut(phys, "|")
	return stacks.Attrs{"Id": sid}, nil
}

func (p *permissionProvider) Delete(ctx context.Context, phys string) error {
	fn, sid, _ := strings.Cut(phys, "|")
	err := p.s.opts.Policies.RemovePermission(ctx, fn, sid)
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("permission %s: %w: %w", phys, stacks.ErrNotFound, err)
	}
	return err
}

func (p *permissionProvider) Read(ctx context.Context, phys string) (stacks.Props, error) {
	fn, sid, _ := strings.Cut(phys, "|")
	perm, err := p.s.opts.Policies.Permission(fn, sid)
	if errors.Is(err, ErrNotFound) {
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
