package gateway

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/nubo-run/nubo/internal/stacks"
)

// AWS::ApiGatewayV2::Api, Route, Integration, Stage, Authorizer, ApiMapping
// (DomainName is shared with v1: resource_domain.go). Schemas after the
// CloudFormation registry (createOnlyProperties force a replacement).

// text is a plain String property.
func text() stacks.Property { return stacks.Property{Type: stacks.String} }

func openObj() stacks.Property { return stacks.Property{Type: stacks.Any} }

// ---- Api ----

type v2APIProvider struct{ s *StackResources }

func (*v2APIProvider) Type() string   { return "AWS::ApiGatewayV2::Api" }
func (*v2APIProvider) Stateful() bool { return false }
func (*v2APIProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"Name": text(), "Description": text(), "Version": text(),
		"ProtocolType":              {Type: stacks.String, CreateOnly: true, Enum: []string{"HTTP", "WEBSOCKET"}},
		"Body":                      openObj(),
		"BodyS3Location":            {Type: stacks.Object},
		"BasePath":                  text(),
		"CorsConfiguration":         {Type: stacks.Object},
		"CredentialsArn":            text(),
		"DisableExecuteApiEndpoint": {Type: stacks.Boolean},
		"DisableSchemaValidation":   {Type: stacks.Boolean},
		"FailOnWarnings":            {Type: stacks.Boolean},
		"IpAddressType":             text(),
		"RouteKey":                  text(),
		"RouteSelectionExpression":  text(),
		"ApiKeySelectionExpression": text(),
		"Target":                    text(),
		"Tags":                      {Type: stacks.Map},
		"ApiId":                     {Type: stacks.String, ReadOnly: true},
		"ApiEndpoint":               {Type: stacks.String, ReadOnly: true},
	}}
}

// Warnings: the Body's operations nubo will not serve (plan time).
func (*v2APIProvider) Warnings(props stacks.Props) []string {
	return bodyWarnings(TypeHTTP, props["Body"])
}

// v2APIModel is what nubo applies of AWS::ApiGatewayV2::Api's properties.
// Body is an OpenAPI document (an object or its text) and
// CorsConfiguration is read as the document's CORS extension is (corsFrom).
type v2APIModel struct {
	Name                      string
	ProtocolType              string
	DisableExecuteApiEndpoint bool
	Body                      any
	BodyS3Location            any
	CorsConfiguration         any
	Target                    string
	RouteKey                  *string
	RouteSelectionExpression  string
}

func (p *v2APIProvider) base(id string, props stacks.Props) (API, error) {
	var m v2APIModel
	if err := stacks.Decode(props, &m); err != nil {
		return API{}, err
	}
	if m.ProtocolType == "WEBSOCKET" {
		return webSocketBase(id, m)
	}
	if m.BodyS3Location != nil {
		return API{}, &stacks.PropertyError{Property: "BodyS3Location", Msg: "not supported: inline the document as Body"}
	}
	a := API{ID: id, Name: m.Name, Type: TypeHTTP, DisableExecuteAPIEndpoint: m.DisableExecuteApiEndpoint}
	doc, err := bodyDoc(m.Body)
	if err != nil {
		return API{}, &stacks.PropertyError{Property: "Body", Msg: err.Error()}
	}
	if err := applyBody(&a, doc); err != nil {
		return API{}, &stacks.PropertyError{Property: "Body", Msg: err.Error()}
	}
	if a.Name == "" && doc != nil {
		a.Name = pstr(pobj(doc["info"])["title"])
	}
	if c := corsFrom(m.CorsConfiguration); c != nil {
		a.CORS = c
	}
	// Quick create: Target (a Lambda ARN) with RouteKey (default $default)
	// and an auto-deployed $default stage.
	if t := m.Target; t != "" {
		var key string
		if m.RouteKey != nil {
			key = *m.RouteKey
		}
		if key == "" {
			key = "$default"
		}
		a.Routes = append(a.Routes, Route{Key: key, Integration: Integration{Function: FunctionFromURI(t), PayloadFormatVersion: "2.0"}})
		a.Stages = []Stage{{Name: "$default"}}
	} else if m.RouteKey != nil {
		return API{}, &stacks.PropertyError{Property: "RouteKey", Msg: "only with Target (quick create)"}
	}
	return a, nil
}

func (p *v2APIProvider) attrs(a API) stacks.Attrs {
	ep := p.s.endpoint(a.ID)
	if a.Type == TypeWebSocket {
		ep = "ws" + strings.TrimPrefix(ep, "http")
	}
	return stacks.Attrs{"ApiId": a.ID, "ApiEndpoint": ep}
}

// PhysicalIDFor implements stacks.Identifier: the API id is drawn before
// the create (stacks.GeneratedID), so an interrupted create is found again.
func (p *v2APIProvider) PhysicalIDFor(ctx context.Context, _ stacks.Props) (string, bool) {
	return stacks.GeneratedID(ctx, 10), true
}

func (p *v2APIProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	id, _ := p.PhysicalIDFor(ctx, props)
	a, err := p.base(id, props)
	if err != nil {
		return "", nil, err
	}
	parts := &apiParts{Base: a}
	parts.init()
	parts.Declared["api/"+id] = maps.Clone(props)
	if _, err := p.s.createAPI(ctx, parts); err != nil {
		return "", nil, err
	}
	return id, p.attrs(a), nil
}

func (p *v2APIProvider) Update(ctx context.Context, id string, _, props stacks.Props) (stacks.Attrs, error) {
	a, err := p.base(id, props)
	if err != nil {
		return nil, err
	}
	if _, err := p.s.change(ctx, id, func(parts *apiParts) error {
		parts.Base = a
		parts.Declared["api/"+id] = maps.Clone(props)
		return nil
	}); err != nil {
		return nil, err
	}
	return p.attrs(a), nil
}

func (p *v2APIProvider) Delete(ctx context.Context, id string) error { return p.s.deleteAPI(ctx, id) }

func (p *v2APIProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	return p.s.readAPI(ctx, id, "api/"+id)
}

// readAPI is an Api's or RestApi's live state: its declared properties while
// the gateway serves it.
func (s *StackResources) readAPI(ctx context.Context, id, key string) (stacks.Props, error) {
	if _, ok := s.g.Get(id); !ok {
		return nil, fmt.Errorf("api %s: %w", id, stacks.ErrNotFound)
	}
	parts, _, err := s.getParts(ctx, id)
	if err != nil {
		return nil, err
	}
	if parts == nil {
		return nil, fmt.Errorf("api %s: %w", id, stacks.ErrNotFound)
	}
	return maps.Clone(parts.Declared[key]), nil
}

// ---- Integration ----

type v2IntegrationProvider struct{ s *StackResources }

func (*v2IntegrationProvider) Type() string   { return "AWS::ApiGatewayV2::Integration" }
func (*v2IntegrationProvider) Stateful() bool { return false }
func (*v2IntegrationProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"ApiId":                       {Type: stacks.String, Required: true, CreateOnly: true},
		"IntegrationType":             {Type: stacks.String, Required: true},
		"IntegrationUri":              text(),
		"IntegrationMethod":           text(),
		"IntegrationSubtype":          text(),
		"PayloadFormatVersion":        {Type: stacks.String, Enum: []string{"1.0", "2.0"}},
		"TimeoutInMillis":             {Type: stacks.Integer},
		"ConnectionId":                text(),
		"ConnectionType":              text(),
		"ContentHandlingStrategy":     text(),
		"CredentialsArn":              text(),
		"Description":                 text(),
		"PassthroughBehavior":         text(),
		"RequestParameters":           {Type: stacks.Map},
		"RequestTemplates":            {Type: stacks.Map},
		"ResponseParameters":          {Type: stacks.Map},
		"TemplateSelectionExpression": text(),
		"TlsConfig":                   {Type: stacks.Object},
		"IntegrationId":               {Type: stacks.String, ReadOnly: true},
	}}
}

// v2IntegrationTypes are the IntegrationType values AWS accepts; nubo
// serves AWS_PROXY and answers the others' routes with 501.
var v2IntegrationTypes = []string{"AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"}

// v2IntegrationModel is what nubo applies of AWS::ApiGatewayV2::Integration's
// properties.
type v2IntegrationModel struct {
	ApiId                string
	IntegrationType      string
	IntegrationUri       string
	IntegrationMethod    string
	PayloadFormatVersion string
	TimeoutInMillis      int
}

func integrationFrom(props stacks.Props) (Integration, error) {
	var m v2IntegrationModel
	if err := stacks.Decode(props, &m); err != nil {
		return Integration{}, err
	}
	if m.IntegrationType == integHTTPProxy { // to a loopback URL: integration.go
		mapped := &Mapped{Type: integHTTPProxy, URI: m.IntegrationUri, HTTPMethod: m.IntegrationMethod}
		if err := mapped.Validate(); err != nil {
			return Integration{}, &stacks.PropertyError{Property: "IntegrationUri", Msg: strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")}
		}
		return Integration{Mapped: mapped, PayloadFormatVersion: "1.0", TimeoutMillis: m.TimeoutInMillis}, nil
	}
	if t := m.IntegrationType; t != "AWS_PROXY" {
		if !slices.Contains(v2IntegrationTypes, t) {
			return Integration{}, &stacks.PropertyError{Property: "IntegrationType", Msg: fmt.Sprintf("%q: want one of %s", t, strings.Join(v2IntegrationTypes, ", "))}
		}
		return Integration{NotServed: t}, nil
	}
	uri := m.IntegrationUri
	if uri == "" {
		return Integration{}, &stacks.PropertyError{Property: "IntegrationUri", Msg: "required for AWS_PROXY"}
	}
	v := m.PayloadFormatVersion
	if v == "" {
		v = "2.0"
	}
	return Integration{Function: FunctionFromURI(uri), PayloadFormatVersion: v, TimeoutMillis: m.TimeoutInMillis}, nil
}

// Warnings: an integration nubo does not serve (plan time); the routes
// that target it will not be served.
func (*v2IntegrationProvider) Warnings(props stacks.Props) []string {
	t := pstr(props["IntegrationType"])
	if t == integHTTPProxy {
		return (&Mapped{Type: t, URI: pstr(props["IntegrationUri"])}).warnings()
	}
	if t == "AWS_PROXY" || !slices.Contains(v2IntegrationTypes, t) {
		return nil
	}
	return []string{fmt.Sprintf("the routes targeting this %s integration will not be served (nubo serves Lambda proxy integrations, AWS_PROXY, in HTTP APIs), and a request to them answers 501 saying so", t)}
}

func (p *v2IntegrationProvider) put(ctx context.Context, apiID, id string, props stacks.Props) error {
	integ, err := integrationFrom(props)
	if err != nil {
		return err
	}
	_, err = p.s.change(ctx, apiID, func(parts *apiParts) error {
		parts.Integrations[id] = integ
		parts.Declared["integration/"+id] = maps.Clone(props)
		return nil
	})
	return err
}

// v2APIID is the ApiId property of a part of an HTTP API.
func v2APIID(props stacks.Props) (string, error) {
	var m struct{ ApiId string }
	err := stacks.Decode(props, &m)
	return m.ApiId, err
}

func (p *v2IntegrationProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	apiID, err := v2APIID(props)
	if err != nil {
		return "", nil, err
	}
	id, err := p.s.createOwned(ctx, p.Type(), apiID, func(id string) error { return p.put(ctx, apiID, id, props) })
	if err != nil {
		return "", nil, err
	}
	return id, stacks.Attrs{"IntegrationId": id}, nil
}

func (p *v2IntegrationProvider) Update(ctx context.Context, id string, _, props stacks.Props) (stacks.Attrs, error) {
	apiID, err := v2APIID(props)
	if err != nil {
		return nil, err
	}
	return stacks.Attrs{"IntegrationId": id}, p.put(ctx, apiID, id, props)
}

func (p *v2IntegrationProvider) Delete(ctx context.Context, id string) error {
	return p.s.deletePart(ctx, p.Type(), "integration", id, func(parts *apiParts) { delete(parts.Integrations, id) })
}

func (p *v2IntegrationProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	return p.s.readPart(ctx, p.Type(), "integration", id)
}

// ---- Route ----

type v2RouteProvider struct{ s *StackResources }

func (*v2RouteProvider) Type() string   { return "AWS::ApiGatewayV2::Route" }
func (*v2RouteProvider) Stateful() bool { return false }
func (*v2RouteProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"ApiId":                            {Type: stacks.String, Required: true, CreateOnly: true},
		"RouteKey":                         {Type: stacks.String, Required: true},
		"Target":                           text(),
		"ApiKeyRequired":                   {Type: stacks.Boolean},
		"AuthorizationScopes":              {Type: stacks.List},
		"AuthorizationType":                {Type: stacks.String, Enum: []string{"NONE", "AWS_IAM", "JWT", "CUSTOM"}},
		"AuthorizerId":                     text(),
		"ModelSelectionExpression":         text(),
		"OperationName":                    text(),
		"RequestModels":                    openObj(),
		"RequestParameters":                openObj(),
		"RouteResponseSelectionExpression": text(),
		"RouteId":                          {Type: stacks.String, ReadOnly: true},
	}}
}

// v2RouteModel is what nubo applies of AWS::ApiGatewayV2::Route's properties.
type v2RouteModel struct {
	RouteKey            string
	AuthorizerId        string
	AuthorizationScopes []string
	AuthorizationType   string
	Target              string
	// WebSocket routes: a route response sends the function's body back.
	RouteResponseSelectionExpression string
}

func (p *v2RouteProvider) put(ctx context.Context, apiID, id string, props stacks.Props) error {
	var m v2RouteModel
	if err := stacks.Decode(props, &m); err != nil {
		return err
	}
	r := Route{Key: m.RouteKey, AuthorizerID: m.AuthorizerId, AuthorizationScopes: m.AuthorizationScopes,
		TwoWay: m.RouteResponseSelectionExpression != ""}
	switch at := m.AuthorizationType; at {
	case AuthIAM:
		r.AuthorizationType = AuthIAM
	case "", "NONE":
		if r.AuthorizerID != "" {
			return &stacks.PropertyError{Property: "AuthorizationType", Msg: "NONE with an AuthorizerId: set JWT or CUSTOM"}
		}
	}
	var integID string
	if t := m.Target; t != "" {
		var ok bool
		if integID, ok = strings.CutPrefix(t, "integrations/"); !ok {
			return &stacks.PropertyError{Property: "Target", Msg: fmt.Sprintf("%q: want integrations/INTEGRATION_ID", t)}
		}
	}
	_, err := p.s.change(ctx, apiID, func(parts *apiParts) error {
		if integID != "" {
			if _, ok := parts.Integrations[integID]; !ok {
				return &stacks.PropertyError{Property: "Target", Msg: fmt.Sprintf("api %s has no integration %q", apiID, integID)}
			}
		}
		parts.Routes[id] = partRoute{Route: r, IntegrationID: integID}
		parts.Declared["route/"+id] = maps.Clone(props)
		return nil
	})
	return err
}

func (p *v2RouteProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	apiID, err := v2APIID(props)
	if err != nil {
		return "", nil, err
	}
	id, err := p.s.createOwned(ctx, p.Type(), apiID, func(id string) error { return p.put(ctx, apiID, id, props) })
	if err != nil {
		return "", nil, err
	}
	return id, stacks.Attrs{"RouteId": id}, nil
}

func (p *v2RouteProvider) Update(ctx context.Context, id string, _, props stacks.Props) (stacks.Attrs, error) {
	apiID, err := v2APIID(props)
	if err != nil {
		return nil, err
	}
	return stacks.Attrs{"RouteId": id}, p.put(ctx, apiID, id, props)
}

func (p *v2RouteProvider) Delete(ctx context.Context, id string) error {
	return p.s.deletePart(ctx, p.Type(), "route", id, func(parts *apiParts) { delete(parts.Routes, id) })
}

func (p *v2RouteProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	return p.s.readPart(ctx, p.Type(), "route", id)
}

// ---- Stage ----

type v2StageProvider struct{ s *StackResources }

func (*v2StageProvider) Type() string   { return "AWS::ApiGatewayV2::Stage" }
func (*v2StageProvider) Stateful() bool { return false }
func (*v2StageProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"ApiId":                {Type: stacks.String, Required: true, CreateOnly: true},
		"StageName":            {Type: stacks.String, Required: true, CreateOnly: true},
		"AccessLogSettings":    {Type: stacks.Object},
		"AutoDeploy":           {Type: stacks.Boolean},
		"ClientCertificateId":  text(),
		"DefaultRouteSettings": {Type: stacks.Object},
		"DeploymentId":         text(),
		"Description":          text(),
		"RouteSettings":        openObj(),
		"StageVariables":       openObj(),
		"Tags":                 {Type: stacks.Map},
		"Id":                   {Type: stacks.String, ReadOnly: true},
	}}
}

// putStage records a stage of either API type.
func (s *StackResources) putStage(ctx context.Context, apiID, name string, st Stage, props stacks.Props) error {
	_, err := s.change(ctx, apiID, func(parts *apiParts) error {
		parts.Stages[name] = st
		parts.Declared["stage/"+name] = maps.Clone(props)
		return nil
	})
	return err
}

// v2StageModel is what nubo applies of AWS::ApiGatewayV2::Stage's properties.
type v2StageModel struct {
	ApiId                string
	StageName            string
	StageVariables       map[string]string
	AccessLogSettings    map[string]any
	DefaultRouteSettings *struct {
		ThrottlingRateLimit  float64
		ThrottlingBurstLimit int
	}
}

func (p *v2StageProvider) stage(props stacks.Props) (Stage, string, error) {
	var m v2StageModel
	if err := stacks.Decode(props, &m); err != nil {
		return Stage{}, "", err
	}
	st := Stage{Name: m.StageName, AccessLog: m.AccessLogSettings != nil}
	if len(m.StageVariables) > 0 {
		st.Variables = m.StageVariables
	}
	if d := m.DefaultRouteSettings; d != nil {
		st.ThrottleRate, st.ThrottleBurst = d.ThrottlingRateLimit, d.ThrottlingBurstLimit
	}
	return st, m.ApiId, nil
}

func (p *v2StageProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	st, apiID, err := p.stage(props)
	if err != nil {
		return "", nil, err
	}
	name := st.Name
	if err := p.s.setOwner(ctx, p.Type(), name, apiID); err != nil {
		return "", nil, err
	}
	if err := p.s.putStage(ctx, apiID, name, st, props); err != nil {
		p.s.dropOwner(ctx, p.Type(), name)
		return "", nil, err
	}
	return name, stacks.Attrs{"Id": name}, nil
}

func (p *v2StageProvider) Update(ctx context.Context, name string, _, props stacks.Props) (stacks.Attrs, error) {
	st, apiID, err := p.stage(props)
	if err != nil {
		return nil, err
	}
	return stacks.Attrs{"Id": name}, p.s.putStage(ctx, apiID, name, st, props)
}

func (p *v2StageProvider) Delete(ctx context.Context, name string) error {
	return p.s.deletePart(ctx, p.Type(), "stage", name, func(parts *apiParts) { delete(parts.Stages, name) })
}

func (p *v2StageProvider) Read(ctx context.Context, name string) (stacks.Props, error) {
	return p.s.readPart(ctx, p.Type(), "stage", name)
}

// ---- Authorizer ----

type v2AuthorizerProvider struct{ s *StackResources }

func (*v2AuthorizerProvider) Type() string   { return "AWS::ApiGatewayV2::Authorizer" }
func (*v2AuthorizerProvider) Stateful() bool { return false }
func (*v2AuthorizerProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"ApiId":                          {Type: stacks.String, Required: true, CreateOnly: true},
		"AuthorizerType":                 {Type: stacks.String, Required: true, Enum: []string{"REQUEST", "JWT"}},
		"Name":                           {Type: stacks.String, Required: true},
		"AuthorizerCredentialsArn":       text(),
		"AuthorizerPayloadFormatVersion": text(),
		"AuthorizerResultTtlInSeconds":   {Type: stacks.Integer},
		"AuthorizerUri":                  text(),
		"EnableSimpleResponses":          {Type: stacks.Boolean},
		"IdentitySource":                 {Type: stacks.List},
		"IdentityValidationExpression":   text(),
		"JwtConfiguration":               {Type: stacks.Object},
		"AuthorizerId":                   {Type: stacks.String, ReadOnly: true},
	}}
}

// v2AuthorizerModel is what nubo applies of AWS::ApiGatewayV2::Authorizer's
// properties.
type v2AuthorizerModel struct {
	ApiId            string
	Name             string
	AuthorizerType   string
	IdentitySource   []string
	JwtConfiguration *struct {
		Issuer   string
		Audience []string
	}
	AuthorizerUri                  string
	AuthorizerPayloadFormatVersion string
	EnableSimpleResponses          bool
	AuthorizerResultTtlInSeconds   int
}

func (p *v2AuthorizerProvider) authorizer(id string, props stacks.Props) (Authorizer, string, error) {
	var m v2AuthorizerModel
	if err := stacks.Decode(props, &m); err != nil {
		return Authorizer{}, "", err
	}
	z := Authorizer{ID: id, Name: m.Name, Type: AuthorizerType(m.AuthorizerType), IdentitySource: m.IdentitySource}
	if z.Type == AuthorizerJWT {
		if jc := m.JwtConfiguration; jc != nil {
			z.Issuer, z.Audience = jc.Issuer, jc.Audience
		}
		return z, m.ApiId, nil
	}
	z.Function = FunctionFromURI(m.AuthorizerUri)
	z.PayloadFormatVersion = m.AuthorizerPayloadFormatVersion
	z.SimpleResponses = m.EnableSimpleResponses
	z.ResultTTLSeconds = m.AuthorizerResultTtlInSeconds
	return z, m.ApiId, nil
}

// putAuthorizer records an authorizer of either API type.
func (s *StackResources) putAuthorizer(ctx context.Context, apiID string, z Authorizer, props stacks.Props) error {
	_, err := s.change(ctx, apiID, func(parts *apiParts) error {
		parts.Authorizers[z.ID] = z
		parts.Declared["authorizer/"+z.ID] = maps.Clone(props)
		return nil
	})
	return err
}

func (p *v2AuthorizerProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	_, apiID, err := p.authorizer("", props)
	if err != nil {
		return "", nil, err
	}
	id, err := p.s.createOwned(ctx, p.Type(), apiID, func(id string) error {
		z, _, err := p.authorizer(id, props)
		if err != nil {
			return err
		}
		return p.s.putAuthorizer(ctx, apiID, z, props)
	})
	if err != nil {
		return "", nil, err
	}
	return id, stacks.Attrs{"AuthorizerId": id}, nil
}

func (p *v2AuthorizerProvider) Update(ctx context.Context, id string, _, props stacks.Props) (stacks.Attrs, error) {
	z, apiID, err := p.authorizer(id, props)
	if err != nil {
		return nil, err
	}
	return stacks.Attrs{"AuthorizerId": id}, p.s.putAuthorizer(ctx, apiID, z, props)
}

func (p *v2AuthorizerProvider) Delete(ctx context.Context, id string) error {
	return p.s.deletePart(ctx, p.Type(), "authorizer", id, func(parts *apiParts) { delete(parts.Authorizers, id) })
}

func (p *v2AuthorizerProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	return p.s.readPart(ctx, p.Type(), "authorizer", id)
}

// ---- ApiMapping ----

type v2MappingProvider struct{ s *StackResources }

func (*v2MappingProvider) Type() string   { return "AWS::ApiGatewayV2::ApiMapping" }
func (*v2MappingProvider) Stateful() bool { return false }
func (*v2MappingProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"DomainName":    {Type: stacks.String, Required: true, CreateOnly: true},
		"ApiId":         {Type: stacks.String, Required: true},
		"Stage":         {Type: stacks.String, Required: true},
		"ApiMappingKey": text(),
		"ApiMappingId":  {Type: stacks.String, ReadOnly: true},
	}}
}

// v2MappingModel is AWS::ApiGatewayV2::ApiMapping's properties.
type v2MappingModel struct {
	DomainName    string
	ApiId         string
	Stage         string
	ApiMappingKey string
}

func (p *v2MappingProvider) mapping(id string, props stacks.Props) (Mapping, string, error) {
	var m v2MappingModel
	if err := stacks.Decode(props, &m); err != nil {
		return Mapping{}, "", err
	}
	return Mapping{ID: id, BasePath: m.ApiMappingKey, APIID: m.ApiId, Stage: m.Stage}, m.DomainName, nil
}

func (p *v2MappingProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	id := NewID()
	m, domain, err := p.mapping(id, props)
	if err != nil {
		return "", nil, err
	}
	if err := p.s.putMapping(ctx, p.Type(), domain, m, props); err != nil {
		return "", nil, err
	}
	return id, stacks.Attrs{"ApiMappingId": id}, nil
}

func (p *v2MappingProvider) Update(ctx context.Context, id string, _, props stacks.Props) (stacks.Attrs, error) {
	m, domain, err := p.mapping(id, props)
	if err != nil {
		return nil, err
	}
	return stacks.Attrs{"ApiMappingId": id}, p.s.putMapping(ctx, p.Type(), domain, m, props)
}

func (p *v2MappingProvider) Delete(ctx context.Context, id string) error {
	return p.s.deleteMapping(ctx, p.Type(), id)
}

func (p *v2MappingProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	return p.s.readMapping(ctx, p.Type(), id, func(d Domain, m Mapping) stacks.Props {
		out := stacks.Props{"DomainName": d.Name, "ApiId": m.APIID, "Stage": m.Stage}
		if m.BasePath != "" {
			out["ApiMappingKey"] = m.BasePath
		}
		return out
	})
}
