package functions

import (
	"context"
	"errors"
	"fmt"

	"github.com/nubo-run/nubo/internal/stacks"
)

// VersionProvider is AWS::Lambda::Version: PublishVersion of the function's
// current code and configuration. The physical id (Ref) is the version's
// ARN; Fn::GetAtt gives Version (the number) and FunctionArn (the version's
// ARN). Every property but ProvisionedConcurrencyConfig forces a new
// version. SAM's AutoPublishAlias emits one, named after a hash of the
// code and configuration, with DeletionPolicy Retain: a redeploy with new
// code publishes the next version and keeps the old ones.
type VersionProvider struct{ svc *Service }

// NewVersionProvider returns the provider over svc.
func NewVersionProvider(svc *Service) *VersionProvider { return &VersionProvider{svc: svc} }

// Type implements stacks.Provider.
func (*VersionProvider) Type() string { return "AWS::Lambda::Version" }

// Stateful implements stacks.Provider.
func (*VersionProvider) Stateful() bool { return false }

// Schema follows the registry schema of AWS::Lambda::Version.
func (*VersionProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"FunctionName":                 {Type: stacks.String, Required: true, CreateOnly: true},
			"Description":                  {Type: stacks.String, CreateOnly: true},
			"CodeSha256":                   {Type: stacks.String, CreateOnly: true},
			"ProvisionedConcurrencyConfig": {Type: stacks.Object},
			// Accepted and recorded; they change nothing on one machine.
			"RuntimePolicy":         {Type: stacks.Object},
			"FunctionScalingConfig": {Type: stacks.Object},
			"Policy":                {Type: stacks.Any},
			"Version":               {Type: stacks.String, ReadOnly: true},
			"FunctionArn":           {Type: stacks.String, ReadOnly: true},
		},
	}
}

// versionModel is AWS::Lambda::Version's properties nubo applies.
type versionModel struct {
	FunctionName                 string
	CodeSha256                   string
	Description                  string
	ProvisionedConcurrencyConfig *provisionedModel
}

type provisionedModel struct{ ProvisionedConcurrentExecutions int }

// provisionedOf reads ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions (0: none).
func provisionedOf(pc *provisionedModel) (int, error) {
	if pc == nil {
		return 0, nil
	}
	n := pc.ProvisionedConcurrentExecutions
	if n < 1 {
		return 0, errors.New("ProvisionedConcurrencyConfig.ProvisionedConcurrentExecutions: must be 1 or more")
	}
	return n, nil
}

// setProvisioned makes the qualifier's provisioned concurrency config n (0: none).
func (s *Service) setProvisioned(ctx context.Context, name, qualifier string, n int) error {
	if n > 0 {
		_, err := s.PutProvisionedConcurrency(ctx, name, qualifier, n)
		return err
	}
	err := s.DeleteProvisionedConcurrency(ctx, name, qualifier)
	if errors.Is(err, errNoProvisioned) {
		return nil
	}
	return err
}

func functionOf(function string) (string, error) {
	name, _, err := parseFunctionRef(function)
	if err != nil {
		return "", fmt.Errorf("FunctionName: %w", err)
	}
	return name, nil
}

// Create implements stacks.Provider.
func (p *VersionProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m versionModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	name, err := functionOf(m.FunctionName)
	if err != nil {
		return "", nil, err
	}
	n, err := provisionedOf(m.ProvisionedConcurrencyConfig)
	if err != nil {
		return "", nil, err
	}
	c, err := p.svc.PublishVersion(ctx, name, m.CodeSha256, m.Description, "")
	if err != nil {
		return "", nil, err
	}
	arn := p.svc.qualifiedARN(name, c.Version)
	attrs := stacks.Attrs{"Version": c.Version, "FunctionArn": arn}
	if err := p.svc.setProvisioned(ctx, name, c.Version, n); err != nil {
		return arn, attrs, err
	}
	return arn, attrs, nil
}

// versionRef parses a version's physical id (its ARN).
func versionRef(physicalID string) (string, string, error) {
	name, v, err := parseFunctionRef(physicalID)
	if err == nil && (v == "" || !isDigits(v)) {
		err = fmt.Errorf("%q is not a function version ARN", physicalID)
	}
	return name, v, err
}

// Update implements stacks.Provider: only the provisioned concurrency
// changes in place.
func (p *VersionProvider) Update(ctx context.Context, physicalID string, old, new stacks.Props) (stacks.Attrs, error) {
	name, v, err := versionRef(physicalID)
	if err != nil {
		return nil, err
	}
	var m versionModel
	if err := stacks.Decode(new, &m); err != nil {
		return nil, err
	}
	n, err := provisionedOf(m.ProvisionedConcurrencyConfig)
	if err != nil {
		return nil, err
	}
	if err := p.svc.setProvisioned(ctx, name, v, n); err != nil {
		return nil, err
	}
	return stacks.Attrs{"Version": v, "FunctionArn": physicalID}, nil
}

// Delete implements stacks.Provider.
func (p *VersionProvider) Delete(ctx context.Context, physicalID string) error {
	name, v, err := versionRef(physicalID)
	if err != nil {
		return err
	}
	err = p.svc.DeleteVersion(ctx, name, v)
	if errors.Is(err, ErrFunctionNotFound) {
		return fmt.Errorf("%w: version %s", stacks.ErrNotFound, physicalID)
	}
	return err
}

// Read implements stacks.Provider.
func (p *VersionProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	name, v, err := versionRef(physicalID)
	if err != nil {
		return nil, err
	}
	c, err := p.svc.GetVersion(ctx, name, v)
	if errors.Is(err, ErrFunctionNotFound) {
		return nil, fmt.Errorf("%w: version %s", stacks.ErrNotFound, physicalID)
	}
	if err != nil {
		return nil, err
	}
	out := stacks.Props{"FunctionName": name, "CodeSha256": c.CodeSHA256}
	if c.Description != "" {
		out["Description"] = c.Description
	}
	if pc, err := p.svc.ProvisionedConcurrency(ctx, name, v); err == nil {
		out["ProvisionedConcurrencyConfig"] = map[string]any{"ProvisionedConcurrentExecutions": float64(pc.Requested)}
	}
	return out, nil
}

// AliasProvider is AWS::Lambda::Alias. The physical id (Ref) is the alias's
// ARN; Fn::GetAtt gives AliasArn.
type AliasProvider struct{ svc *Service }

// NewAliasProvider returns the provider over svc.
func NewAliasProvider(svc *Service) *AliasProvider { return &AliasProvider{svc: svc} }

// Type implements stacks.Provider.
func (*AliasProvider) Type() string { return "AWS::Lambda::Alias" }

// Stateful implements stacks.Provider.
func (*AliasProvider) Stateful() bool { return false }

// Schema follows the registry schema of AWS::Lambda::Alias.
func (*AliasProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"FunctionName":                 {Type: stacks.String, Required: true, CreateOnly: true},
			"Name":                         {Type: stacks.String, Required: true, CreateOnly: true},
			"FunctionVersion":              {Type: stacks.String, Required: true},
			"Description":                  {Type: stacks.String},
			"RoutingConfig":                {Type: stacks.Object},
			"ProvisionedConcurrencyConfig": {Type: stacks.Object},
			"AliasArn":                     {Type: stacks.String, ReadOnly: true},
		},
	}
}

// aliasModel is AWS::Lambda::Alias's properties.
type aliasModel struct {
	FunctionName    string
	Name            string
	FunctionVersion string
	Description     string
	RoutingConfig   *struct {
		AdditionalVersionWeights []struct {
			FunctionVersion string
			FunctionWeight  float64
		}
	}
	ProvisionedConcurrencyConfig *provisionedModel
}

// weights reads RoutingConfig.AdditionalVersionWeights, CloudFormation's
// list of {FunctionVersion, FunctionWeight}; nil when absent.
func (m *aliasModel) weights() map[string]float64 {
	if m.RoutingConfig == nil {
		return nil
	}
	out := map[string]float64{}
	for _, w := range m.RoutingConfig.AdditionalVersionWeights {
		out[w.FunctionVersion] = w.FunctionWeight
	}
	return out
}

// Create implements stacks.Provider.
func (p *AliasProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m aliasModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	name, err := functionOf(m.FunctionName)
	if err != nil {
		return "", nil, err
	}
	n, err := provisionedOf(m.ProvisionedConcurrencyConfig)
	if err != nil {
		return "", nil, err
	}
	a, err := p.svc.CreateAlias(ctx, Alias{Function: name, Name: m.Name, FunctionVersion: m.FunctionVersion,
		Description: m.Description, Weights: m.weights()})
	if err != nil {
		return "", nil, err
	}
	arn := p.svc.qualifiedARN(name, a.Name)
	if err := p.svc.setProvisioned(ctx, name, a.Name, n); err != nil {
		return arn, stacks.Attrs{"AliasArn": arn}, err
	}
	return arn, stacks.Attrs{"AliasArn": arn}, nil
}

// Update implements stacks.Provider: the alias moves to the new version
// (and weights) in one write.
func (p *AliasProvider) Update(ctx context.Context, physicalID string, old, new stacks.Props) (stacks.Attrs, error) {
	name, alias, err := parseFunctionRef(physicalID)
	if err != nil {
		return nil, err
	}
	var m aliasModel
	if err := stacks.Decode(new, &m); err != nil {
		return nil, err
	}
	weights := m.weights()
	if weights == nil {
		weights = map[string]float64{}
	}
	n, err := provisionedOf(m.ProvisionedConcurrencyConfig)
	if err != nil {
		return nil, err
	}
	version, desc := m.FunctionVersion, m.Description
	if _, err := p.svc.UpdateAlias(ctx, name, alias, AliasUpdate{FunctionVersion: &version, Description: &desc, Weights: weights}); err != nil {
		return nil, err
	}
	if err := p.svc.setProvisioned(ctx, name, alias, n); err != nil {
		return nil, err
	}
	return stacks.Attrs{"AliasArn": physicalID}, nil
}

// Delete implements stacks.Provider.
func (p *AliasProvider) Delete(ctx context.Context, physicalID string) error {
	name, alias, err := parseFunctionRef(physicalID)
	if err != nil {
		return err
	}
	err = p.svc.DeleteAlias(ctx, name, alias)
	if errors.Is(err, ErrFunctionNotFound) {
		return fmt.Errorf("%w: alias %s", stacks.ErrNotFound, physicalID)
	}
	return err
}

// Read implements stacks.Provider.
func (p *AliasProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	name, alias, err := parseFunctionRef(physicalID)
	if err != nil {
		return nil, err
	}
	a, err := p.svc.GetAlias(ctx, name, alias)
	if errors.Is(err, ErrFunctionNotFound) {
		return nil, fmt.Errorf("%w: alias %s", stacks.ErrNotFound, physicalID)
	}
	if err != nil {
		return nil, err
	}
	out := stacks.Props{"FunctionName": name, "Name": a.Name, "FunctionVersion": a.FunctionVersion}
	if a.Description != "" {
		out["Description"] = a.Description
	}
	if len(a.Weights) > 0 {
		var list []any
		for v, w := range a.Weights {
			list = append(list, map[string]any{"FunctionVersion": v, "FunctionWeight": w})
		}
		out["RoutingConfig"] = map[string]any{"AdditionalVersionWeights": list}
	}
	if pc, err := p.svc.ProvisionedConcurrency(ctx, name, alias); err == nil {
		out["ProvisionedConcurrencyConfig"] = map[string]any{"ProvisionedConcurrentExecutions": float64(pc.Requested)}
	}
	return out, nil
}

var (
	_ stacks.Provider = (*VersionProvider)(nil)
	_ stacks.Provider = (*AliasProvider)(nil)
	_ stacks.Provider = (*LayerVersionProvider)(nil)
	_ stacks.Packager = (*LayerVersionProvider)(nil)
	_ stacks.Provider = (*LayerVersionPermissionProvider)(nil)
)
