package functions

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/stacks"
)

// FunctionProvider is the AWS::Lambda::Function resource (and so, after the
// SAM transform, AWS::Serverless::Function). Ref is the function name;
// Fn::GetAtt gives Arn.
//
// Code may be a local path (what SAM's CodeUri and `aws cloudformation
// package` inputs hold): Package builds or zips it into the package cache
// and records its content hash, so a source change shows in the plan.
type FunctionProvider struct {
	svc *Service
	pkg *Packager
}

// NewFunctionProvider returns the provider over svc, keeping packages in pkg.
func NewFunctionProvider(svc *Service, pkg *Packager) *FunctionProvider {
	return &FunctionProvider{svc: svc, pkg: pkg}
}

// Type implements stacks.Provider.
func (*FunctionProvider) Type() string { return "AWS::Lambda::Function" }

// Warnings implements stacks.Warner: what the function's runtime runs on
// here when that differs from Lambda (see Service.RuntimeWarnings).
func (p *FunctionProvider) Warnings(props stacks.Props) []string {
	var w []string
	if rt, _ := props["Runtime"].(string); rt != "" {
		w = p.svc.RuntimeWarnings(rt)
	}
	return append(w, unhonouredProps(props)...)
}

// noLocalMeaning are AWS::Lambda::Function properties nubo accepts and
// records but does not act on, and what that means for the function.
var noLocalMeaning = []struct{ name, why string }{
	{"VpcConfig", "the function is not placed in a VPC: it reaches whatever this machine reaches"},
	{"FileSystemConfigs", "no EFS file system is mounted at its LocalMountPath"},
	{"DurableConfig", "durable executions (checkpoints and replays) are not provided: the handler runs as a plain invocation"},
	{"CapacityProviderConfig", "Lambda Managed Instances are not modelled: instances run as processes on this machine"},
	{"FunctionScalingConfig", "scaling settings of managed instances do not apply"},
	{"TenancyConfig", "tenant isolation is not provided"},
}

// unhonouredProps warns of each property the template sets that nubo will
// not act on (see noLocalMeaning; SnapStart only when it applies).
func unhonouredProps(props stacks.Props) []string {
	var w []string
	for _, p := range noLocalMeaning {
		if v, ok := props[p.name]; ok && v != nil {
			w = append(w, p.name+" is accepted but has no effect here: "+p.why)
		}
	}
	if ss, ok := props["SnapStart"].(map[string]any); ok && ss["ApplyOn"] != nil && ss["ApplyOn"] != "None" {
		w = append(w, "SnapStart is accepted but has no effect here: no snapshot is taken (a cold start here takes a few milliseconds)")
	}
	return w
}

// Stateful: a function holds no data.
func (*FunctionProvider) Stateful() bool { return false }

// Schema follows the registry schema of AWS::Lambda::Function
// (createOnlyProperties FunctionName and PackageType; readOnly Arn).
func (*FunctionProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"FunctionName":                 {Type: stacks.String, CreateOnly: true},
			"PackageType":                  {Type: stacks.String, CreateOnly: true, Enum: []string{"Zip", "Image"}},
			"Code":                         {Type: stacks.Any, Required: true},
			"Role":                         {Type: stacks.String, Required: true},
			"Runtime":                      {Type: stacks.String},
			"Handler":                      {Type: stacks.String},
			"Description":                  {Type: stacks.String},
			"MemorySize":                   {Type: stacks.Integer},
			"Timeout":                      {Type: stacks.Integer},
			"Environment":                  {Type: stacks.Object},
			"ReservedConcurrentExecutions": {Type: stacks.Integer},
			"Architectures":                {Type: stacks.List},
			"LoggingConfig":                {Type: stacks.Object},
			"Layers":                       {Type: stacks.List},
			"Tags":                         {Type: stacks.List, Unordered: true},
			// Accepted and recorded; they change nothing on one machine.
			"TracingConfig":           {Type: stacks.Object},
			"VpcConfig":               {Type: stacks.Object},
			"KmsKeyArn":               {Type: stacks.String},
			"DeadLetterConfig":        {Type: stacks.Object},
			"EphemeralStorage":        {Type: stacks.Object},
			"SnapStart":               {Type: stacks.Object},
			"RuntimeManagementConfig": {Type: stacks.Object},
			"CodeSigningConfigArn":    {Type: stacks.String},
			"FileSystemConfigs":       {Type: stacks.List},
			"ImageConfig":             {Type: stacks.Object},
			// Newer properties with no local meaning: accepted, recorded,
			// and warned about (Warnings).
			"DurableConfig":            {Type: stacks.Object},
			"CapacityProviderConfig":   {Type: stacks.Object},
			"FunctionScalingConfig":    {Type: stacks.Object},
			"TenancyConfig":            {Type: stacks.Object},
			"RecursiveLoop":            {Type: stacks.String},
			"PublishToLatestPublished": {Type: stacks.Boolean},
			"Arn":                      {Type: stacks.String, ReadOnly: true},
		},
		Attributes: []string{"Arn", "SnapStartResponse.ApplyOn", "SnapStartResponse.OptimizationStatus"},
	}
}

// packageKey marks a Code value the packager produced: {"NuboPackage": sha256hex}.
const packageKey = "NuboPackage"

// Package implements stacks.Packager: a local Code path becomes a package in
// the cache, named by its content hash.
func (fp *FunctionProvider) Package(ctx context.Context, baseDir string, props stacks.Props, metadata map[string]any) (stacks.Props, error) {
	switch code := props["Code"].(type) {
	case string:
		sum, _, err := fp.pkg.PackageBuild(ctx, baseDir, code, buildOf(str(props["Runtime"]), metadata))
		if err != nil {
			return nil, err
		}
		out := maps.Clone(props)
		out["Code"] = map[string]any{packageKey: sum}
		return out, nil
	case map[string]any:
		switch {
		case code["ImageUri"] != nil:
			return nil, errors.New("Code.ImageUri: container image functions are not supported yet; use a zip package (a local CodeUri directory)")
		case code["S3Bucket"] != nil || code["S3Key"] != nil:
			return nil, errors.New("Code.S3Bucket/S3Key: code in S3 needs nubo's buckets service, which is not there yet; point the code at a local directory (SAM CodeUri: ./path)")
		case code["ZipFile"] != nil:
			// Inline source becomes a package like any other, so the
			// recorded Code is what Read reports back (a content hash).
			src, ok := code["ZipFile"].(string)
			if !ok {
				return nil, errors.New("Code.ZipFile: the function's source, as a string")
			}
			data, err := inlineZip(str(props["Runtime"]), src)
			if err != nil {
				return nil, err
			}
			sum, _, err := fp.pkg.Store(data)
			if err != nil {
				return nil, err
			}
			out := maps.Clone(props)
			out["Code"] = map[string]any{packageKey: sum}
			return out, nil
		case code[packageKey] != nil:
			return props, nil
		}
		return nil, errors.New("Code: give ZipFile, or a local path (SAM CodeUri)")
	case nil:
		return nil, errors.New("Code: required")
	default:
		return nil, fmt.Errorf("Code: a local path or an object, not %T", code)
	}
}

func (fp *FunctionProvider) codeOf(props stacks.Props) ([]byte, error) {
	code, _ := props["Code"].(map[string]any)
	if sum, ok := code[packageKey].(string); ok {
		return fp.pkg.Load(sum)
	}
	if src, ok := code["ZipFile"].(string); ok {
		return inlineZip(str(props["Runtime"]), src)
	}
	return nil, errors.New("Code: no package (was the template packaged?)")
}

// functionModel is what nubo applies of AWS::Lambda::Function's
// properties (Code is read by Package and codeOf: a path or an object).
type functionModel struct {
	FunctionName                 string
	Runtime                      string
	Handler                      string
	Role                         string
	Description                  string
	PackageType                  string
	Layers                       []string
	Tags                         []tagModel
	MemorySize                   int
	Timeout                      int
	Environment                  *struct{ Variables map[string]string }
	Architectures                []string
	LoggingConfig                *struct{ LogGroup string }
	TracingConfig                *struct{ Mode string }
	ReservedConcurrentExecutions *int
}

// tagModel is an item of a CloudFormation tag list.
type tagModel struct{ Key, Value string }

// configOf maps template properties onto a function configuration.
func configOf(name string, props stacks.Props) (Config, *int, error) {
	var m functionModel
	if err := stacks.Decode(props, &m); err != nil {
		return Config{Name: name}, nil, err
	}
	c := Config{Name: name, Runtime: m.Runtime, Handler: m.Handler, Role: m.Role, Description: m.Description}
	for i, arn := range m.Layers {
		if arn == "" {
			return c, nil, fmt.Errorf("Layers[%d]: a layer version ARN, not %v", i, arn)
		}
		c.Layers = append(c.Layers, LayerRef{ARN: arn})
	}
	if m.PackageType == "Image" {
		return c, nil, errors.New("PackageType: Image functions are not supported yet")
	}
	var err error
	if c.Tags, err = tagsOf(m.Tags); err != nil {
		return c, nil, err
	}
	c.MemoryMB = m.MemorySize
	c.Timeout = time.Duration(m.Timeout) * time.Second
	if m.Environment != nil && m.Environment.Variables != nil {
		c.Environment = m.Environment.Variables
	}
	if len(m.Architectures) > 0 {
		c.Architecture = m.Architectures[0]
	}
	if m.LoggingConfig != nil {
		c.LogGroup = m.LoggingConfig.LogGroup
	}
	if m.TracingConfig != nil {
		if err := checkTracing(&tracingConfig{Mode: m.TracingConfig.Mode}); err != nil {
			return c, nil, fmt.Errorf("TracingConfig.Mode %q: must be Active or PassThrough", m.TracingConfig.Mode)
		}
		c.TracingMode = m.TracingConfig.Mode
	}
	return c, m.ReservedConcurrentExecutions, nil
}

// PhysicalIDFor implements stacks.Identifier: a function's id is its name,
// given or generated.
func (*FunctionProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	var m struct{ FunctionName string }
	if err := stacks.Decode(props, &m); err != nil {
		return "", false
	}
	if m.FunctionName != "" {
		return m.FunctionName, true
	}
	return stacks.GeneratedName(ctx, 64), true
}

// Create implements stacks.Provider.
func (fp *FunctionProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	name, ok := fp.PhysicalIDFor(ctx, props)
	if !ok {
		return "", nil, stacks.Decode(props, &functionModel{})
	}
	cfg, reserved, err := configOf(name, props)
	if err != nil {
		return "", nil, err
	}
	zipData, err := fp.codeOf(props)
	if err != nil {
		return "", nil, err
	}
	c, err := fp.svc.Create(ctx, cfg, zipData)
	if err != nil {
		return "", nil, err
	}
	if reserved != nil {
		if _, err := fp.svc.SetReservedConcurrency(ctx, name, reserved); err != nil {
			return name, stacks.Attrs{"Arn": c.ARN}, err
		}
	}
	return name, stacks.Attrs{"Arn": c.ARN}, nil
}

// Update implements stacks.Provider: new code, then configuration, then
// reserved concurrency, each only when it changed.
func (fp *FunctionProvider) Update(ctx context.Context, name string, old, new stacks.Props) (stacks.Attrs, error) {
	cfg, reserved, err := configOf(name, new)
	if err != nil {
		return nil, err
	}
	if !equalJSON(old["Code"], new["Code"]) || str(old["Runtime"]) != str(new["Runtime"]) && new["Code"] != nil {
		zipData, err := fp.codeOf(new)
		if err != nil {
			return nil, err
		}
		if _, err := fp.svc.UpdateCode(ctx, name, zipData, ""); err != nil {
			return nil, err
		}
	}
	u := ConfigUpdate{Runtime: &cfg.Runtime, Handler: &cfg.Handler, Role: &cfg.Role, Description: &cfg.Description,
		Environment: cfg.Environment}
	if u.Environment == nil {
		u.Environment = map[string]string{}
	}
	mem, timeout := cfg.MemoryMB, cfg.Timeout
	if mem == 0 {
		mem = DefaultMemoryMB
	}
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	u.MemoryMB, u.Timeout = &mem, &timeout
	if cfg.LogGroup != "" {
		u.LogGroup = &cfg.LogGroup
	}
	u.TracingMode = &cfg.TracingMode
	layers := []string{}
	for _, l := range cfg.Layers {
		layers = append(layers, l.ARN)
	}
	u.Layers = &layers
	c, err := fp.svc.UpdateConfig(ctx, name, u)
	if err != nil {
		return nil, err
	}
	if !equalJSON(old["Tags"], new["Tags"]) {
		if c, err = fp.svc.SetTags(ctx, name, cfg.Tags); err != nil {
			return nil, err
		}
	}
	if !equalJSON(old["ReservedConcurrentExecutions"], new["ReservedConcurrentExecutions"]) {
		if _, err := fp.svc.SetReservedConcurrency(ctx, name, reserved); err != nil {
			return nil, err
		}
	}
	return stacks.Attrs{"Arn": c.ARN}, nil
}

// Delete implements stacks.Provider.
func (fp *FunctionProvider) Delete(ctx context.Context, name string) error {
	err := fp.svc.Delete(ctx, name)
	if errors.Is(err, ErrFunctionNotFound) {
		return fmt.Errorf("%w: function %s", stacks.ErrNotFound, name)
	}
	return err
}

// Read implements stacks.Provider: the live configuration, in template form.
func (fp *FunctionProvider) Read(ctx context.Context, name string) (stacks.Props, error) {
	c, err := fp.svc.Get(ctx, name)
	if errors.Is(err, ErrFunctionNotFound) {
		return nil, fmt.Errorf("%w: function %s", stacks.ErrNotFound, name)
	}
	if err != nil {
		return nil, err
	}
	out := stacks.Props{
		"FunctionName": c.Name, "Runtime": c.Runtime, "Role": c.Role,
		"MemorySize": float64(c.MemoryMB), "Timeout": float64(c.Timeout / time.Second),
		"Architectures": []any{c.Architecture},
	}
	if hexSum, err := hexFromB64(c.CodeSHA256); err == nil {
		out["Code"] = map[string]any{packageKey: hexSum}
	}
	if c.Handler != "" {
		out["Handler"] = c.Handler
	}
	if c.Description != "" {
		out["Description"] = c.Description
	}
	if len(c.Environment) > 0 {
		vars := map[string]any{}
		for k, v := range c.Environment {
			vars[k] = v
		}
		out["Environment"] = map[string]any{"Variables": vars}
	}
	if c.TracingMode != "" {
		out["TracingConfig"] = map[string]any{"Mode": c.TracingMode}
	}
	if c.ReservedConcurrency != nil {
		out["ReservedConcurrentExecutions"] = float64(*c.ReservedConcurrency)
	}
	if len(c.Tags) > 0 {
		out["Tags"] = tagList(c.Tags)
	}
	if len(c.Layers) > 0 {
		var layers []any
		for _, l := range c.Layers {
			layers = append(layers, l.ARN)
		}
		out["Layers"] = layers
	}
	return out, nil
}

// tagsOf reads a CloudFormation tag list ([{Key, Value}]).
func tagsOf(tags []tagModel) (map[string]string, error) {
	if tags == nil {
		return nil, nil
	}
	out := make(map[string]string, len(tags))
	for i, t := range tags {
		if t.Key == "" {
			return nil, fmt.Errorf("Tags[%d]: Key is required", i)
		}
		out[t.Key] = t.Value
	}
	return out, nil
}

// tagList is tags as a CloudFormation tag list, sorted by key.
func tagList(tags map[string]string) []any {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]any, 0, len(tags))
	for _, k := range keys {
		out = append(out, map[string]any{"Key": k, "Value": tags[k]})
	}
	return out
}

// EventInvokeConfigProvider is AWS::Lambda::EventInvokeConfig: the async
// retry and destination settings of a function's $LATEST, version or alias
// (SAM's EventInvokeConfig with AutoPublishAlias names the alias). The
// physical id is NAME:QUALIFIER.
type EventInvokeConfigProvider struct{ svc *Service }

// NewEventInvokeConfigProvider returns the provider over svc.
func NewEventInvokeConfigProvider(svc *Service) *EventInvokeConfigProvider {
	return &EventInvokeConfigProvider{svc: svc}
}

// Type implements stacks.Provider.
func (*EventInvokeConfigProvider) Type() string { return "AWS::Lambda::EventInvokeConfig" }

// Stateful implements stacks.Provider.
func (*EventInvokeConfigProvider) Stateful() bool { return false }

// Schema follows the registry schema (createOnly FunctionName, Qualifier).
func (*EventInvokeConfigProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"FunctionName":             {Type: stacks.String, Required: true, CreateOnly: true},
		"Qualifier":                {Type: stacks.String, Required: true, CreateOnly: true},
		"MaximumRetryAttempts":     {Type: stacks.Integer},
		"MaximumEventAgeInSeconds": {Type: stacks.Integer},
		"DestinationConfig":        {Type: stacks.Object},
	}}
}

// eventConfigModel is AWS::Lambda::EventInvokeConfig's properties.
type eventConfigModel struct {
	FunctionName             string
	Qualifier                string
	MaximumRetryAttempts     *int
	MaximumEventAgeInSeconds *int
	DestinationConfig        *struct {
		OnSuccess, OnFailure *struct{ Destination string }
	}
}

func eventConfigOf(props stacks.Props) (string, EventInvokeConfig, error) {
	var ec EventInvokeConfig
	var m eventConfigModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", ec, err
	}
	name, q := m.FunctionName, m.Qualifier
	if fn, _, err := parseFunctionRef(name); err == nil {
		name = fn
	}
	if _, _, err := classifyQualifier(q); err != nil || q == "" {
		return "", ec, fmt.Errorf("Qualifier: $LATEST, a version number or an alias name, got %q", q)
	}
	name += ":" + q
	ec.MaximumRetryAttempts, ec.MaximumEventAgeInSeconds = m.MaximumRetryAttempts, m.MaximumEventAgeInSeconds
	if dc := m.DestinationConfig; dc != nil {
		if dc.OnSuccess != nil {
			ec.OnSuccess = dc.OnSuccess.Destination
		}
		if dc.OnFailure != nil {
			ec.OnFailure = dc.OnFailure.Destination
		}
	}
	return name, ec, nil
}

// Create implements stacks.Provider.
func (p *EventInvokeConfigProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	name, ec, err := eventConfigOf(props)
	if err != nil {
		return "", nil, err
	}
	if _, err := p.svc.PutEventInvokeConfig(ctx, name, ec, false); err != nil {
		return "", nil, err
	}
	return name, stacks.Attrs{}, nil
}

// Update implements stacks.Provider.
func (p *EventInvokeConfigProvider) Update(ctx context.Context, id string, old, new stacks.Props) (stacks.Attrs, error) {
	name, ec, err := eventConfigOf(new)
	if err != nil {
		return nil, err
	}
	_, err = p.svc.PutEventInvokeConfig(ctx, name, ec, false)
	return stacks.Attrs{}, err
}

// Delete implements stacks.Provider.
func (p *EventInvokeConfigProvider) Delete(ctx context.Context, id string) error {
	err := p.svc.DeleteEventInvokeConfig(ctx, id)
	if errors.Is(err, ErrFunctionNotFound) || errors.Is(err, errNoInvokeConfig) {
		return fmt.Errorf("%w: event invoke config %s", stacks.ErrNotFound, id)
	}
	return err
}

// Read implements stacks.Provider.
func (p *EventInvokeConfigProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	name, q, _ := strings.Cut(id, ":")
	if q == "" {
		q = latestVersion
	}
	ec, err := p.svc.EventInvokeConfig(ctx, id)
	if errors.Is(err, ErrFunctionNotFound) || errors.Is(err, errNoInvokeConfig) {
		return nil, fmt.Errorf("%w: event invoke config %s", stacks.ErrNotFound, id)
	}
	if err != nil {
		return nil, err
	}
	out := stacks.Props{"FunctionName": name, "Qualifier": q}
	if ec.MaximumRetryAttempts != nil {
		out["MaximumRetryAttempts"] = float64(*ec.MaximumRetryAttempts)
	}
	if ec.MaximumEventAgeInSeconds != nil {
		out["MaximumEventAgeInSeconds"] = float64(*ec.MaximumEventAgeInSeconds)
	}
	dc := map[string]any{}
	if ec.OnSuccess != "" {
		dc["OnSuccess"] = map[string]any{"Destination": ec.OnSuccess}
	}
	if ec.OnFailure != "" {
		dc["OnFailure"] = map[string]any{"Destination": ec.OnFailure}
	}
	if len(dc) > 0 {
		out["DestinationConfig"] = dc
	}
	return out, nil
}

func str(v any) string { return stacks.PropString(v) }

// equalJSON compares decoded JSON values.
func equalJSON(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !equalJSON(x[k], y[k]) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return str(a) == str(b) && (a == nil) == (b == nil)
}

var (
	_ stacks.Provider    = (*FunctionProvider)(nil)
	_ stacks.Packager    = (*FunctionProvider)(nil)
	_ stacks.Prepackager = (*FunctionProvider)(nil)
	_ stacks.Identifier  = (*FunctionProvider)(nil)
	_ stacks.Provider    = (*EventInvokeConfigProvider)(nil)
)
