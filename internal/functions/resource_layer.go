package functions

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/nubo-run/nubo/internal/stacks"
)

// LayerVersionProvider is AWS::Lambda::LayerVersion (what SAM's
// AWS::Serverless::LayerVersion becomes): Content may be a local path (SAM
// ContentUri), packaged like a function's code. Every property is
// createOnly, as in the registry schema: a change publishes a new version.
// The physical id (Ref) is the layer version ARN.
type LayerVersionProvider struct {
	svc *Service
	pkg *Packager
}

// NewLayerVersionProvider returns the provider over svc, keeping packages in pkg.
func NewLayerVersionProvider(svc *Service, pkg *Packager) *LayerVersionProvider {
	return &LayerVersionProvider{svc: svc, pkg: pkg}
}

// Type implements stacks.Provider.
func (*LayerVersionProvider) Type() string { return "AWS::Lambda::LayerVersion" }

// Stateful: a layer holds code, not data.
func (*LayerVersionProvider) Stateful() bool { return false }

// Schema follows the registry schema of AWS::Lambda::LayerVersion.
func (*LayerVersionProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"Content":                 {Type: stacks.Any, Required: true, CreateOnly: true},
			"LayerName":               {Type: stacks.String, CreateOnly: true},
			"Description":             {Type: stacks.String, CreateOnly: true},
			"CompatibleRuntimes":      {Type: stacks.List, CreateOnly: true},
			"CompatibleArchitectures": {Type: stacks.List, CreateOnly: true},
			"LicenseInfo":             {Type: stacks.String, CreateOnly: true},
			"LayerVersionArn":         {Type: stacks.String, ReadOnly: true},
		},
		Attributes: []string{"LayerVersionArn"},
	}
}

// Package implements stacks.Packager: a local Content path becomes a
// package in the cache, named by its content hash.
func (p *LayerVersionProvider) Package(ctx context.Context, baseDir string, props stacks.Props, metadata map[string]any) (stacks.Props, error) {
	// A layer's BuildMethod names a runtime (python3.12, nodejs20.x) or
	// makefile; its dependencies go under python/ or nodejs/.
	b := buildOf("", metadata)
	b.Layer = true
	if rts := strList(props["CompatibleRuntimes"]); len(rts) > 0 {
		b.Runtime = rts[0]
	}
	switch c := props["Content"].(type) {
	case string:
		sum, _, err := p.pkg.PackageBuild(ctx, baseDir, c, b)
		if err != nil {
			return nil, fmt.Errorf("Content: %w", err)
		}
		out := maps.Clone(props)
		out["Content"] = map[string]any{packageKey: sum}
		return out, nil
	case map[string]any:
		switch {
		case c[packageKey] != nil:
			return props, nil
		case c["S3Bucket"] != nil || c["S3Key"] != nil:
			return nil, errors.New("Content.S3Bucket/S3Key: content in S3 needs nubo's buckets service, which is not there yet; point the layer at a local directory (SAM ContentUri: ./path)")
		}
		return nil, errors.New("Content: give a local path (SAM ContentUri)")
	case nil:
		return nil, errors.New("Content: required")
	default:
		return nil, fmt.Errorf("Content: a local path or an object, not %T", c)
	}
}

func strList(v any) []string {
	var out []string
	if l, ok := v.([]any); ok {
		for _, x := range l {
			out = append(out, str(x))
		}
	}
	return out
}

// layerModel is AWS::Lambda::LayerVersion's properties once packaged:
// Content holds the package's hash under packageKey (an object; anything
// else was not packaged).
type layerModel struct {
	LayerName               string
	Description             string
	LicenseInfo             string
	CompatibleRuntimes      []string
	CompatibleArchitectures []string
	Content                 any
}

// Create implements stacks.Provider: it publishes a version.
func (p *LayerVersionProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m layerModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	c, _ := m.Content.(map[string]any)
	sum, ok := c[packageKey].(string)
	if !ok {
		return "", nil, errors.New("Content: no package (was the template packaged?)")
	}
	data, err := p.pkg.Load(sum)
	if err != nil {
		return "", nil, err
	}
	name := m.LayerName
	if name == "" {
		// STACK-LOGICALID without a random part: each replacement
		// publishes the next version of the same layer.
		stack, logical := stacks.ResourceFrom(ctx)
		name = stacks.PhysicalName(stack, logical, "", 140)
	}
	lv, err := p.svc.PublishLayerVersion(ctx, LayerVersion{
		Name: name, Description: m.Description, LicenseInfo: m.LicenseInfo,
		CompatibleRuntimes: m.CompatibleRuntimes, CompatibleArchitectures: m.CompatibleArchitectures,
	}, data)
	if err != nil {
		return "", nil, err
	}
	arn := p.svc.LayerVersionARN(lv.Name, lv.Version)
	return arn, stacks.Attrs{"LayerVersionArn": arn}, nil
}

// Update implements stacks.Provider: every property is createOnly, so the
// engine replaces instead.
func (p *LayerVersionProvider) Update(ctx context.Context, id string, old, new stacks.Props) (stacks.Attrs, error) {
	return nil, fmt.Errorf("layer version %s is immutable: a change publishes a new version", id)
}

// Delete implements stacks.Provider.
func (p *LayerVersionProvider) Delete(ctx context.Context, id string) error {
	name, v, err := p.svc.ParseLayerVersionARN(id)
	if err != nil {
		return err
	}
	if _, err := p.svc.GetLayerVersion(ctx, name, v); errors.Is(err, ErrLayerNotFound) {
		return fmt.Errorf("%w: layer version %s", stacks.ErrNotFound, id)
	}
	return p.svc.DeleteLayerVersion(ctx, name, v)
}

// Read implements stacks.Provider.
func (p *LayerVersionProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	name, v, err := p.svc.ParseLayerVersionARN(id)
	if err != nil {
		return nil, err
	}
	lv, err := p.svc.GetLayerVersion(ctx, name, v)
	if errors.Is(err, ErrLayerNotFound) {
		return nil, fmt.Errorf("%w: layer version %s", stacks.ErrNotFound, id)
	}
	if err != nil {
		return nil, err
	}
	out := stacks.Props{"LayerName": lv.Name}
	if hexSum, err := hexFromB64(lv.CodeSHA256); err == nil {
		out["Content"] = map[string]any{packageKey: hexSum}
	}
	if lv.Description != "" {
		out["Description"] = lv.Description
	}
	if lv.LicenseInfo != "" {
		out["LicenseInfo"] = lv.LicenseInfo
	}
	for k, l := range map[string][]string{"CompatibleRuntimes": lv.CompatibleRuntimes, "CompatibleArchitectures": lv.CompatibleArchitectures} {
		if len(l) > 0 {
			var xs []any
			for _, x := range l {
				xs = append(xs, x)
			}
			out[k] = xs
		}
	}
	return out, nil
}

// LayerVersionPermissionProvider is AWS::Lambda::LayerVersionPermission:
// one statement of a layer version's policy. Its physical id is
// LAYER_VERSION_ARN#STATEMENT_ID.
type LayerVersionPermissionProvider struct{ svc *Service }

// NewLayerVersionPermissionProvider returns the provider over svc.
func NewLayerVersionPermissionProvider(svc *Service) *LayerVersionPermissionProvider {
	return &LayerVersionPermissionProvider{svc: svc}
}

// Type implements stacks.Provider.
func (*LayerVersionPermissionProvider) Type() string { return "AWS::Lambda::LayerVersionPermission" }

// Stateful implements stacks.Provider.
func (*LayerVersionPermissionProvider) Stateful() bool { return false }

// Schema follows the registry schema (every property createOnly).
func (*LayerVersionPermissionProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"Action":          {Type: stacks.String, Required: true, CreateOnly: true},
		"LayerVersionArn": {Type: stacks.String, Required: true, CreateOnly: true},
		"Principal":       {Type: stacks.String, Required: true, CreateOnly: true},
		"OrganizationId":  {Type: stacks.String, CreateOnly: true},
		"Id":              {Type: stacks.String, ReadOnly: true},
	}, Attributes: []string{"Id"}}
}

// layerPermissionModel is AWS::Lambda::LayerVersionPermission's properties.
type layerPermissionModel struct {
	Action          string
	LayerVersionArn string
	Principal       string
	OrganizationId  string
}

// Create implements stacks.Provider.
func (p *LayerVersionPermissionProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m layerPermissionModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	arn := m.LayerVersionArn
	name, v, err := p.svc.ParseLayerVersionARN(arn)
	if err != nil {
		return "", nil, err
	}
	if a := m.Action; a != "lambda:GetLayerVersion" {
		return "", nil, fmt.Errorf("Action: only lambda:GetLayerVersion can be granted on a layer, got %q", a)
	}
	_, logical := stacks.ResourceFrom(ctx)
	sid := logical
	if sid == "" {
		sid = "nubo-" + newRevisionID()[:8]
	}
	st := LayerStatement{Sid: sid, Action: "lambda:GetLayerVersion", Principal: m.Principal, OrganizationID: m.OrganizationId}
	if _, err := p.svc.UpdateLayerPolicy(ctx, name, v, "", func(lv *LayerVersion) error {
		for _, s := range lv.Policy {
			if s.Sid == sid {
				return ErrLayerStatementExists
			}
		}
		lv.Policy = append(lv.Policy, st)
		return nil
	}); err != nil {
		return "", nil, err
	}
	id := arn + "#" + sid
	return id, stacks.Attrs{"Id": id}, nil
}

// Update implements stacks.Provider (never called: every property is createOnly).
func (p *LayerVersionPermissionProvider) Update(ctx context.Context, id string, old, new stacks.Props) (stacks.Attrs, error) {
	return nil, fmt.Errorf("layer version permission %s cannot change in place", id)
}

func (p *LayerVersionPermissionProvider) split(id string) (name string, v int64, sid string, err error) {
	arn, sid, ok := strings.Cut(id, "#")
	if !ok {
		return "", 0, "", fmt.Errorf("layer version permission id %q: want ARN#STATEMENT", id)
	}
	name, v, err = p.svc.ParseLayerVersionARN(arn)
	return name, v, sid, err
}

// Delete implements stacks.Provider.
func (p *LayerVersionPermissionProvider) Delete(ctx context.Context, id string) error {
	name, v, sid, err := p.split(id)
	if err != nil {
		return err
	}
	_, err = p.svc.UpdateLayerPolicy(ctx, name, v, "", func(lv *LayerVersion) error {
		for i, s := range lv.Policy {
			if s.Sid == sid {
				lv.Policy = append(lv.Policy[:i], lv.Policy[i+1:]...)
				return nil
			}
		}
		return ErrLayerStatementNotFound
	})
	if errors.Is(err, ErrLayerNotFound) || errors.Is(err, ErrLayerStatementNotFound) {
		return fmt.Errorf("%w: %s", stacks.ErrNotFound, id)
	}
	return err
}

// Read implements stacks.Provider.
func (p *LayerVersionPermissionProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	name, v, sid, err := p.split(id)
	if err != nil {
		return nil, err
	}
	lv, err := p.svc.GetLayerVersion(ctx, name, v)
	if errors.Is(err, ErrLayerNotFound) {
		return nil, fmt.Errorf("%w: %s", stacks.ErrNotFound, id)
	}
	if err != nil {
		return nil, err
	}
	for _, s := range lv.Policy {
		if s.Sid == sid {
			out := stacks.Props{"Action": s.Action, "LayerVersionArn": p.svc.LayerVersionARN(name, v), "Principal": s.Principal}
			if s.OrganizationID != "" {
				out["OrganizationId"] = s.OrganizationID
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("%w: %s", stacks.ErrNotFound, id)
}
