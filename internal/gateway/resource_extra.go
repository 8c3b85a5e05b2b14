package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strconv"
	"strings"

	"github.com/nubo-run/nubo/internal/stacks"
)

// API Gateway's long tail of REST resource types:
//
//   - AWS::ApiGateway::Model, RequestValidator, GatewayResponse and
//     DocumentationPart belong to a REST API and live in its parts: models
//     and validators are what request validation checks (validation.go),
//     gateway responses customize the gateway's own answers
//     (gatewayresponse.go), documentation parts are stored for Read.
//   - AWS::ApiGateway::Account (the CloudWatch role of the account),
//     ClientCertificate (a generated id) and VpcLink (no local meaning:
//     warned) are stored as declared, for Read.

// validatorPart is an AWS::ApiGateway::RequestValidator.
type validatorPart struct {
	Name   string `json:"name,omitempty"`
	Body   bool   `json:"body,omitempty"`
	Params bool   `json:"params,omitempty"`
}

// methodRequest is what a Method declares of its request.
type methodRequest struct {
	ValidatorID string            `json:"validatorId,omitempty"`
	Models      map[string]string `json:"models,omitempty"`
	Required    []string          `json:"required,omitempty"`
}

func methodRequestOf(validatorID string, models map[string]string, params map[string]any) *methodRequest {
	if validatorID == "" {
		return nil
	}
	return &methodRequest{ValidatorID: validatorID, Models: models, Required: requiredFrom(params)}
}

// validation is the RequestValidation of a method's request, nil when
// its validator is not (yet) declared or validates nothing.
func (p *apiParts) validation(mr *methodRequest) *RequestValidation {
	if mr == nil {
		return nil
	}
	v, ok := p.Validators[mr.ValidatorID]
	if !ok || !v.Body && !v.Params {
		return nil
	}
	rv := &RequestValidation{Body: v.Body, Params: v.Params, Models: maps.Clone(mr.Models)}
	if v.Params {
		rv.Required = cloneSlice(mr.Required)
	}
	if v.Body {
		for ct, name := range rv.Models {
			if _, ok := p.Models[name]; !ok {
				delete(rv.Models, ct) // a model not (yet) declared is not checked
			}
		}
	}
	return rv
}

// composeExtra adds the declared models and gateway responses to the API
// (over those of its Body).
func (p *apiParts) composeExtra(a *API) {
	if len(p.Models) > 0 {
		a.Models = maps.Clone(a.Models)
		if a.Models == nil {
			a.Models = map[string]json.RawMessage{}
		}
		maps.Copy(a.Models, p.Models)
	}
	if len(p.GatewayResponses) > 0 {
		a.GatewayResponses = maps.Clone(a.GatewayResponses)
		if a.GatewayResponses == nil {
			a.GatewayResponses = map[string]GatewayResponse{}
		}
		for _, id := range sortedKeys(p.GatewayResponses) {
			gr := p.GatewayResponses[id]
			a.GatewayResponses[gr.Type] = gr
		}
	}
}

func (s *StackResources) extraProviders() []stacks.Provider {
	ps := []stacks.Provider{
		&declaredProvider{s: s, typ: "AWS::ApiGateway::Account", idAttr: "Id", props: map[string]stacks.Property{
			"CloudWatchRoleArn": text(),
		}},
		&declaredProvider{s: s, typ: "AWS::ApiGateway::ClientCertificate", idAttr: "ClientCertificateId", props: map[string]stacks.Property{
			"Description": text(), "Tags": {Type: stacks.List},
		}},
		&declaredProvider{s: s, typ: "AWS::ApiGateway::VpcLink", idAttr: "VpcLinkId", props: map[string]stacks.Property{
			"Name": {Type: stacks.String, Required: true}, "Description": text(), "Tags": {Type: stacks.List},
			"TargetArns": {Type: stacks.List, Required: true, CreateOnly: true},
		}, warning: "VpcLink is accepted but has no effect here: nubo has no VPC or Network Load Balancer to link to, and no integration uses it"},
		&apiPartProvider{s: s, typ: "AWS::ApiGateway::Model", kind: "model", props: map[string]stacks.Property{
			"RestApiId":   {Type: stacks.String, Required: true, CreateOnly: true},
			"Name":        {Type: stacks.String, CreateOnly: true},
			"ContentType": {Type: stacks.String, CreateOnly: true},
			"Description": text(),
			"Schema":      openObj(),
		}, id: modelID, apply: applyModel, drop: func(p *apiParts, id string) { delete(p.Models, id) }},
		&apiPartProvider{s: s, typ: "AWS::ApiGateway::RequestValidator", kind: "validator", idAttr: "RequestValidatorId", props: map[string]stacks.Property{
			"RestApiId":                 {Type: stacks.String, Required: true, CreateOnly: true},
			"Name":                      {Type: stacks.String, CreateOnly: true},
			"ValidateRequestBody":       {Type: stacks.Boolean},
			"ValidateRequestParameters": {Type: stacks.Boolean},
		}, apply: applyValidator, drop: func(p *apiParts, id string) { delete(p.Validators, id) }},
		&apiPartProvider{s: s, typ: "AWS::ApiGateway::GatewayResponse", kind: "gatewayresponse", idAttr: "Id", props: map[string]stacks.Property{
			"RestApiId":          {Type: stacks.String, Required: true, CreateOnly: true},
			"ResponseType":       {Type: stacks.String, Required: true, CreateOnly: true},
			"StatusCode":         text(),
			"ResponseParameters": {Type: stacks.Map},
			"ResponseTemplates":  {Type: stacks.Map},
		}, apply: applyGatewayResponse, drop: func(p *apiParts, id string) { delete(p.GatewayResponses, id) }},
		&apiPartProvider{s: s, typ: "AWS::ApiGateway::DocumentationPart", kind: "documentation", idAttr: "DocumentationPartId", props: map[string]stacks.Property{
			"RestApiId":  {Type: stacks.String, Required: true, CreateOnly: true},
			"Location":   {Type: stacks.Object, Required: true, CreateOnly: true},
			"Properties": {Type: stacks.String, Required: true},
		}, apply: applyDocumentation, drop: func(*apiParts, string) {}},
	}
	return append(ps, s.webSocketProviders()...)
}

// ---- resources of one REST API ----

// apiPartProvider is a resource stored in a REST API's parts: apply checks
// and records its properties under physical id id, drop forgets them.
type apiPartProvider struct {
	s      *StackResources
	typ    string
	kind   string
	idAttr string // the attribute that repeats the physical id ("" for none)
	props  map[string]stacks.Property
	// id names the resource (a model's Name); nil draws a new id.
	id func(props stacks.Props) (string, error)
	// apiOf reads the API's id from the properties (nil: RestApiId).
	apiOf func(props stacks.Props) (string, error)
	apply func(p *apiParts, id string, props stacks.Props) error
	drop  func(p *apiParts, id string)
}

var _ stacks.Provider = (*apiPartProvider)(nil)

func (a *apiPartProvider) Type() string   { return a.typ }
func (a *apiPartProvider) Stateful() bool { return false }
func (a *apiPartProvider) Schema() stacks.Schema {
	ps := maps.Clone(a.props)
	if a.idAttr != "" {
		ps[a.idAttr] = stacks.Property{Type: stacks.String, ReadOnly: true}
	}
	return stacks.Schema{Properties: ps}
}

func (a *apiPartProvider) attrs(id string) stacks.Attrs {
	if a.idAttr == "" {
		return stacks.Attrs{}
	}
	return stacks.Attrs{a.idAttr: id}
}

func (a *apiPartProvider) apiID(props stacks.Props) (string, error) {
	if a.apiOf != nil {
		return a.apiOf(props)
	}
	return restAPIID(props)
}

func (a *apiPartProvider) put(ctx context.Context, apiID, id string, props stacks.Props) error {
	_, err := a.s.change(ctx, apiID, func(p *apiParts) error {
		if err := a.apply(p, id, props); err != nil {
			return err
		}
		p.Declared[a.kind+"/"+id] = maps.Clone(props)
		return nil
	})
	return err
}

func (a *apiPartProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	apiID, err := a.apiID(props)
	if err != nil {
		return "", nil, err
	}
	id := NewID()
	if a.id != nil {
		if id, err = a.id(props); err != nil {
			return "", nil, err
		}
	}
	if err := a.s.setOwner(ctx, a.typ, id, apiID); err != nil {
		return "", nil, err
	}
	if err := a.put(ctx, apiID, id, props); err != nil {
		a.s.dropOwner(ctx, a.typ, id)
		return "", nil, err
	}
	return id, a.attrs(id), nil
}

func (a *apiPartProvider) Update(ctx context.Context, id string, _, props stacks.Props) (stacks.Attrs, error) {
	apiID, err := a.apiID(props)
	if err != nil {
		return nil, err
	}
	return a.attrs(id), a.put(ctx, apiID, id, props)
}

func (a *apiPartProvider) Delete(ctx context.Context, id string) error {
	return a.s.deletePart(ctx, a.typ, a.kind, id, func(p *apiParts) { a.drop(p, id) })
}

func (a *apiPartProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	return a.s.readPart(ctx, a.typ, a.kind, id)
}

// modelID is a model's Name, or a generated one (CloudFormation generates
// a name when none is given); names are alphanumeric.
func modelID(props stacks.Props) (string, error) {
	var m struct{ Name string }
	if err := stacks.Decode(props, &m); err != nil {
		return "", err
	}
	if m.Name == "" {
		return "Model" + strings.ToUpper(NewID()), nil
	}
	for _, c := range m.Name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return "", &stacks.PropertyError{Property: "Name", Msg: fmt.Sprintf("%q: letters and digits only", m.Name)}
		}
	}
	return m.Name, nil
}

func applyModel(p *apiParts, id string, props stacks.Props) error {
	var m struct {
		ContentType string
		Schema      any
	}
	if err := stacks.Decode(props, &m); err != nil {
		return err
	}
	schema, err := schemaText(m.Schema)
	if err != nil {
		return &stacks.PropertyError{Property: "Schema", Msg: err.Error()}
	}
	if _, err := compileModels(p.Base.ID, map[string]json.RawMessage{id: schema}); err != nil && !strings.Contains(err.Error(), "$ref") {
		return &stacks.PropertyError{Property: "Schema", Msg: err.Error()}
	}
	p.Models[id] = schema
	return nil
}

// schemaText is a model's Schema as JSON: an object, or its JSON text.
func schemaText(v any) (json.RawMessage, error) {
	switch x := v.(type) {
	case nil:
		return json.RawMessage(`{}`), nil
	case string:
		if !json.Valid([]byte(x)) {
			return nil, fmt.Errorf("not JSON")
		}
		return json.RawMessage(x), nil
	default:
		b, err := json.Marshal(x)
		return b, err
	}
}

func applyValidator(p *apiParts, id string, props stacks.Props) error {
	var m struct {
		Name                      string
		ValidateRequestBody       bool
		ValidateRequestParameters bool
	}
	if err := stacks.Decode(props, &m); err != nil {
		return err
	}
	p.Validators[id] = validatorPart{Name: m.Name, Body: m.ValidateRequestBody, Params: m.ValidateRequestParameters}
	return nil
}

func applyGatewayResponse(p *apiParts, id string, props stacks.Props) error {
	var m struct {
		ResponseType       string
		StatusCode         string
		ResponseParameters map[string]string
		ResponseTemplates  map[string]string
	}
	if err := stacks.Decode(props, &m); err != nil {
		return err
	}
	gr, err := gatewayResponseOf(m.ResponseType, m.StatusCode, m.ResponseParameters, m.ResponseTemplates)
	if err != nil {
		return err
	}
	for oid, o := range p.GatewayResponses {
		if o.Type == gr.Type && oid != id {
			return &stacks.PropertyError{Property: "ResponseType", Msg: fmt.Sprintf("%s: the API already has a gateway response of that type", gr.Type)}
		}
	}
	p.GatewayResponses[id] = gr
	return nil
}

// gatewayResponseOf reads a gateway response as CloudFormation and the
// x-amazon-apigateway-gateway-responses extension spell it.
func gatewayResponseOf(typ, status string, params, templates map[string]string) (GatewayResponse, error) {
	if _, ok := responseTypes[typ]; !ok {
		return GatewayResponse{}, &stacks.PropertyError{Property: "ResponseType", Msg: fmt.Sprintf("%q: not a gateway response type", typ)}
	}
	gr := GatewayResponse{Type: typ, Templates: templates}
	if status != "" {
		f, err := strconv.ParseFloat(status, 64) // "422", or "422.0" as YAML numbers come through SAM
		n := int(f)
		if err != nil || float64(n) != f || n < 100 || n > 599 {
			return GatewayResponse{}, &stacks.PropertyError{Property: "StatusCode", Msg: fmt.Sprintf("%q: an HTTP status code", status)}
		}
		gr.StatusCode = n
	}
	for k, v := range params {
		rest, ok := strings.CutPrefix(k, "gatewayresponse.")
		where, name, _ := strings.Cut(rest, ".")
		if !ok || name == "" || where != "header" && where != "path" && where != "querystring" {
			return GatewayResponse{}, &stacks.PropertyError{Property: "ResponseParameters." + k, Msg: "want gatewayresponse.header.NAME (or .path., .querystring.)"}
		}
		if where != "header" {
			continue // sets nothing a client sees
		}
		if gr.Headers == nil {
			gr.Headers = map[string]string{}
		}
		gr.Headers[name] = v
	}
	return gr, nil
}

func applyDocumentation(_ *apiParts, _ string, props stacks.Props) error {
	var m struct {
		Location   map[string]any
		Properties string
	}
	if err := stacks.Decode(props, &m); err != nil {
		return err
	}
	if !json.Valid([]byte(m.Properties)) {
		return &stacks.PropertyError{Property: "Properties", Msg: "not JSON"}
	}
	switch t := pstr(m.Location["Type"]); t {
	case "API", "AUTHORIZER", "MODEL", "RESOURCE", "METHOD", "PATH_PARAMETER", "QUERY_PARAMETER",
		"REQUEST_HEADER", "REQUEST_BODY", "RESPONSE", "RESPONSE_HEADER", "RESPONSE_BODY":
	default:
		return &stacks.PropertyError{Property: "Location.Type", Msg: fmt.Sprintf("%q: not a documentation location type", t)}
	}
	return nil
}

// ---- resources stored as declared ----

// declaredProvider is a resource with no effect on serving: its
// properties are stored (for Read) under a generated id.
type declaredProvider struct {
	s       *StackResources
	typ     string
	idAttr  string
	props   map[string]stacks.Property
	warning string // said at plan time, when the type has no local meaning
}

var (
	_ stacks.Provider = (*declaredProvider)(nil)
	_ stacks.Warner   = (*declaredProvider)(nil)
)

func (d *declaredProvider) Type() string   { return d.typ }
func (d *declaredProvider) Stateful() bool { return false }
func (d *declaredProvider) Schema() stacks.Schema {
	ps := maps.Clone(d.props)
	ps[d.idAttr] = stacks.Property{Type: stacks.String, ReadOnly: true}
	return stacks.Schema{Properties: ps}
}

func (d *declaredProvider) Warnings(stacks.Props) []string {
	if d.warning == "" {
		return nil
	}
	return []string{d.warning}
}

// check decodes the properties as their types say (an Account's role must
// be a string...).
func (d *declaredProvider) check(props stacks.Props) error {
	var m struct {
		CloudWatchRoleArn, Name, Description string
		TargetArns                           []string
	}
	if err := stacks.Decode(props, &m); err != nil {
		return err
	}
	if d.typ == "AWS::ApiGateway::Account" && m.CloudWatchRoleArn != "" && !strings.HasPrefix(m.CloudWatchRoleArn, "arn:") {
		return &stacks.PropertyError{Property: "CloudWatchRoleArn", Msg: fmt.Sprintf("%q: a role ARN", m.CloudWatchRoleArn)}
	}
	return nil
}

func (d *declaredProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	if err := d.check(props); err != nil {
		return "", nil, err
	}
	id := NewID()
	if err := d.s.putDeclared(ctx, d.typ, id, props); err != nil {
		return "", nil, err
	}
	return id, stacks.Attrs{d.idAttr: id}, nil
}

func (d *declaredProvider) Update(ctx context.Context, id string, _, props stacks.Props) (stacks.Attrs, error) {
	if err := d.check(props); err != nil {
		return nil, err
	}
	return stacks.Attrs{d.idAttr: id}, d.s.putDeclared(ctx, d.typ, id, props)
}

func (d *declaredProvider) Delete(ctx context.Context, id string) error {
	if d.s.declared(ctx, d.typ, id) == nil {
		return fmt.Errorf("%s %s: %w", d.typ, id, stacks.ErrNotFound)
	}
	d.s.dropDeclared(ctx, d.typ, id)
	return nil
}

func (d *declaredProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	props := d.s.declared(ctx, d.typ, id)
	if props == nil {
		return nil, fmt.Errorf("%s %s: %w", d.typ, id, stacks.ErrNotFound)
	}
	return props, nil
}
