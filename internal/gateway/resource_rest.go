package gateway

import (
	"context"
	"fmt"
	"maps"
	"strings"

	"github.com/nubo-run/nubo/internal/stacks"
)

// AWS::ApiGateway::RestApi, Resource, Method, Deployment, Stage, Authorizer,
// ApiKey, UsagePlan, UsagePlanKey (DomainName and BasePathMapping:
// resource_domain.go). A deployment with a StageName creates that stage, as
// on API Gateway (SAM's "Stage" stage comes from there); every stage serves
// the API's current routes: nubo does not keep deployment snapshots.

// ---- RestApi ----

type restAPIProvider struct{ s *StackResources }

func (*restAPIProvider) Type() string   { return "AWS::ApiGateway::RestApi" }
func (*restAPIProvider) Stateful() bool { return false }
func (*restAPIProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"Name": text(), "Description": text(), "Mode": text(), "CloneFrom": text(), "SecurityPolicy": text(),
		"ApiKeySourceType":          {Type: stacks.String, Enum: []string{"HEADER", "AUTHORIZER"}},
		"BinaryMediaTypes":          {Type: stacks.List},
		"Body":                      openObj(),
		"BodyS3Location":            {Type: stacks.Object},
		"DisableExecuteApiEndpoint": {Type: stacks.Boolean},
		"EndpointAccessMode":        text(),
		"EndpointConfiguration":     {Type: stacks.Object},
		"FailOnWarnings":            {Type: stacks.Boolean},
		"MinimumCompressionSize":    {Type: stacks.Integer},
		"Parameters":                openObj(),
		"Policy":                    openObj(),
		"Tags":                      {Type: stacks.List},
		"RestApiId":                 {Type: stacks.String, ReadOnly: true},
		"RootResourceId":            {Type: stacks.String, ReadOnly: true},
	}}
}

// Warnings: the Body's operations nubo will not serve (plan time).
func (*restAPIProvider) Warnings(props stacks.Props) []string {
	return bodyWarnings(TypeREST, props["Body"])
}

// restAPIModel is what nubo applies of AWS::ApiGateway::RestApi's
// properties (Body: an OpenAPI document, an object or its text).
type restAPIModel struct {
	Name                      string
	DisableExecuteApiEndpoint bool
	Body                      any
	BodyS3Location            any
	BinaryMediaTypes          []string
}

// restAPIID is the RestApiId property of a part of a REST API.
func restAPIID(props stacks.Props) (string, error) {
	var m struct{ RestApiId string }
	err := stacks.Decode(props, &m)
	return m.RestApiId, err
}

func (p *restAPIProvider) base(id string, props stacks.Props) (API, error) {
	var m restAPIModel
	if err := stacks.Decode(props, &m); err != nil {
		return API{}, err
	}
	if m.BodyS3Location != nil {
		return API{}, &stacks.PropertyError{Property: "BodyS3Location", Msg: "not supported: inline the document as Body"}
	}
	a := API{ID: id, Name: m.Name, Type: TypeREST, DisableExecuteAPIEndpoint: m.DisableExecuteApiEndpoint}
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
	for _, t := range m.BinaryMediaTypes {
		a.BinaryMediaTypes = append(a.BinaryMediaTypes, strings.ReplaceAll(t, "~1", "/"))
	}
	return a, nil
}

// PhysicalIDFor implements stacks.Identifier: the API id is drawn before
// the create (stacks.GeneratedID), so an interrupted create is found again.
func (p *restAPIProvider) PhysicalIDFor(ctx context.Context, _ stacks.Props) (string, bool) {
	return stacks.GeneratedID(ctx, 10), true
}

func (p *restAPIProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	id, _ := p.PhysicalIDFor(ctx, props)
	a, err := p.base(id, props)
	if err != nil {
		return "", nil, err
	}
	parts := &apiParts{Base: a, RootID: NewID()}
	parts.init()
	parts.Declared["restapi/"+id] = maps.Clone(props)
	if _, err := p.s.createAPI(ctx, parts); err != nil {
		return "", nil, err
	}
	return id, stacks.Attrs{"RestApiId": id, "RootResourceId": parts.RootID}, nil
}

func (p *restAPIProvider) Update(ctx context.Context, id string, _, props stacks.Props) (stacks.Attrs, error) {
	a, err := p.base(id, props)
	if err != nil {
		return nil, err
	}
	var root string
	if _, err := p.s.change(ctx, id, func(parts *apiParts) error {
		parts.Base, root = a, parts.RootID
		parts.Declared["restapi/"+id] = maps.Clone(props)
		return nil
	}); err != nil {
		return nil, err
	}
	return stacks.Attrs{"RestApiId": id, "RootResourceId": root}, nil
}

func (p *restAPIProvider) Delete(ctx context.Context, id string) error { return p.s.deleteAPI(ctx, id) }

func (p *restAPIProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	return p.s.readAPI(ctx, id, "restapi/"+id)
}

// ---- Resource ----

type restResourceProvider struct{ s *StackResources }

func (*restResourceProvider) Type() string   { return "AWS::ApiGateway::Resource" }
func (*restResourceProvider) Stateful() bool { return false }
func (*restResourceProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"RestApiId":  {Type: stacks.String, Required: true, CreateOnly: true},
		"ParentId":   {Type: stacks.String, Required: true, CreateOnly: true},
		"PathPart":   {Type: stacks.String, Required: true, CreateOnly: true},
		"ResourceId": {Type: stacks.String, ReadOnly: true},
	}}
}

func (p *restResourceProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m struct{ RestApiId, ParentId, PathPart string }
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	id, apiID := NewID(), m.RestApiId
	part := m.PathPart
	if part == "" || strings.Contains(part, "/") {
		return "", nil, &stacks.PropertyError{Property: "PathPart", Msg: fmt.Sprintf("%q: one path segment", part)}
	}
	if err := p.s.setOwner(ctx, p.Type(), id, apiID); err != nil {
		return "", nil, err
	}
	_, err := p.s.change(ctx, apiID, func(parts *apiParts) error {
		parent := m.ParentId
		if _, ok := parts.resourcePath(parent); !ok {
			return &stacks.PropertyError{Property: "ParentId", Msg: fmt.Sprintf("api %s has no resource %q", apiID, parent)}
		}
		parts.Resources[id] = restResource{ParentID: parent, PathPart: part}
		parts.Declared["resource/"+id] = maps.Clone(props)
		return nil
	})
	if err != nil {
		p.s.dropOwner(ctx, p.Type(), id)
		return "", nil, err
	}
	return id, stacks.Attrs{"ResourceId": id}, nil
}

// Update: every property is create-only.
func (p *restResourceProvider) Update(ctx context.Context, id string, _, _ stacks.Props) (stacks.Attrs, error) {
	return stacks.Attrs{"ResourceId": id}, nil
}

func (p *restResourceProvider) Delete(ctx context.Context, id string) error {
	return p.s.deletePart(ctx, p.Type(), "resource", id, func(parts *apiParts) { delete(parts.Resources, id) })
}

func (p *restResourceProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	return p.s.readPart(ctx, p.Type(), "resource", id)
}

// ---- Method ----

type restMethodProvider struct{ s *StackResources }

func (*restMethodProvider) Type() string   { return "AWS::ApiGateway::Method" }
func (*restMethodProvider) Stateful() bool { return false }
func (*restMethodProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"RestApiId":           {Type: stacks.String, Required: true, CreateOnly: true},
		"ResourceId":          {Type: stacks.String, Required: true, CreateOnly: true},
		"HttpMethod":          {Type: stacks.String, Required: true, CreateOnly: true},
		"ApiKeyRequired":      {Type: stacks.Boolean},
		"AuthorizationScopes": {Type: stacks.List},
		"AuthorizationType":   {Type: stacks.String, Enum: []string{"NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"}},
		"AuthorizerId":        text(),
		"Integration":         {Type: stacks.Object},
		"MethodResponses":     {Type: stacks.List},
		"OperationName":       text(),
		"RequestModels":       {Type: stacks.Map},
		"RequestParameters":   {Type: stacks.Map},
		"RequestValidatorId":  text(),
	}}
}

// restMethodModel is what nubo applies of AWS::ApiGateway::Method's
// properties; the Integration is read as a MOCK's templates need it.
type restMethodModel struct {
	HttpMethod        string
	ResourceId        string
	Integration       map[string]any
	ApiKeyRequired    bool
	AuthorizationType string
	AuthorizerId      string
	// Request validation (validation.go).
	RequestValidatorId string
	RequestModels      map[string]string
	RequestParameters  map[string]any
}

func (p *restMethodProvider) put(ctx context.Context, apiID, id string, props stacks.Props) error {
	var m restMethodModel
	if err := stacks.Decode(props, &m); err != nil {
		return err
	}
	method := strings.ToUpper(m.HttpMethod)
	if method == "*" {
		method = methodAny
	}
	pm := partRoute{ResourceID: m.ResourceId, Method: method}
	integ := m.Integration
	if typ := restIntegrationType(integ); typ == "AWS_PROXY" {
		uri := pstr(integ["Uri"])
		if uri == "" {
			return &stacks.PropertyError{Property: "Integration.Uri", Msg: "required for AWS_PROXY"}
		}
		pm.Proxy = true
		pm.Route.Integration = Integration{Function: FunctionFromURI(uri), PayloadFormatVersion: "1.0", TimeoutMillis: pint(integ["TimeoutInMillis"])}
	} else if mock, ok := mockFromMethod(integ); ok && typ == "MOCK" {
		pm.Route.Integration = Integration{PayloadFormatVersion: "1.0", Mock: mock}
	} else if mapped, ok := mappedFromMethod(integ); ok {
		if err := mapped.Validate(); err != nil {
			return &stacks.PropertyError{Property: "Integration", Msg: strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": ")}
		}
		pm.Route.Integration = Integration{PayloadFormatVersion: "1.0", TimeoutMillis: pint(integ["TimeoutInMillis"]), Mapped: mapped}
	} else {
		pm.Route.Integration = Integration{NotServed: typ}
	}
	pm.Route.ID = id
	pm.Request = methodRequestOf(m.RequestValidatorId, m.RequestModels, m.RequestParameters)
	pm.Route.APIKeyRequired = m.ApiKeyRequired
	switch at := m.AuthorizationType; at {
	case AuthIAM:
		pm.Route.AuthorizationType = AuthIAM
	case "CUSTOM":
		pm.Route.AuthorizerID = m.AuthorizerId
	case "COGNITO_USER_POOLS":
		return &stacks.PropertyError{Property: "AuthorizationType", Msg: "COGNITO_USER_POOLS is not supported"}
	}
	_, err := p.s.change(ctx, apiID, func(parts *apiParts) error {
		if _, ok := parts.resourcePath(pm.ResourceID); !ok {
			return &stacks.PropertyError{Property: "ResourceId", Msg: fmt.Sprintf("api %s has no resource %q", apiID, pm.ResourceID)}
		}
		parts.Methods[id] = pm
		parts.Declared["method/"+id] = maps.Clone(props)
		return nil
	})
	return err
}

// restIntegrationType is a Method's Integration.Type, upper case; NONE
// when it declares no integration.
func restIntegrationType(integ map[string]any) string {
	if t := strings.ToUpper(pstr(integ["Type"])); t != "" {
		return t
	}
	return "NONE"
}

// Warnings: a method whose integration nubo does not serve (plan time).
func (*restMethodProvider) Warnings(props stacks.Props) []string {
	integ := pobj(props["Integration"])
	typ := restIntegrationType(integ)
	if _, static := mockFromMethod(integ); typ == "AWS_PROXY" || typ == "MOCK" && static {
		return nil
	}
	if m, ok := mappedFromMethod(integ); ok {
		return m.warnings()
	}
	method := strings.ToUpper(pstr(props["HttpMethod"]))
	if method == "" {
		method = "the method"
	}
	return []string{notServedWarning(method, typ)}
}

// notServedWarning says that route (a method, or "GET /path") will not be
// served because of its integration type.
func notServedWarning(route, typ string) string {
	return fmt.Sprintf("route %s has a %s integration%s, which nubo does not serve yet (%s): it will not be served, and a request to it answers 501 saying so", route, typ, mockDetail(typ), servedKinds)
}

// servedKinds says which integrations nubo serves.
const servedKinds = "it serves Lambda proxy integrations (AWS_PROXY); on REST APIs MOCK, HTTP and HTTP_PROXY to loopback URLs, and AWS integrations to Lambda, with mapping templates"

// mockDetail says why a MOCK integration is not served.
func mockDetail(typ string) string {
	if typ == "AWS" {
		return " to a service other than Lambda"
	}
	return ""
}

func (p *restMethodProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	apiID, err := restAPIID(props)
	if err != nil {
		return "", nil, err
	}
	id, err := p.s.createOwned(ctx, p.Type(), apiID, func(id string) error { return p.put(ctx, apiID, id, props) })
	if err != nil {
		return "", nil, err
	}
	return id, stacks.Attrs{}, nil
}

func (p *restMethodProvider) Update(ctx context.Context, id string, _, props stacks.Props) (stacks.Attrs, error) {
	apiID, err := restAPIID(props)
	if err != nil {
		return nil, err
	}
	return stacks.Attrs{}, p.put(ctx, apiID, id, props)
}

func (p *restMethodProvider) Delete(ctx context.Context, id string) error {
	return p.s.deletePart(ctx, p.Type(), "method", id, func(parts *apiParts) { delete(parts.Methods, id) })
}

func (p *restMethodProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	return p.s.readPart(ctx, p.Type(), "method", id)
}

// ---- Deployment ----

type restDeploymentProvider struct{ s *StackResources }

func (*restDeploymentProvider) Type() string   { return "AWS::ApiGateway::Deployment" }
func (*restDeploymentProvider) Stateful() bool { return false }
func (*restDeploymentProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"RestApiId":                {Type: stacks.String, Required: true, CreateOnly: true},
		"DeploymentCanarySettings": {Type: stacks.Object, CreateOnly: true},
		"Description":              text(),
		"StageDescription":         {Type: stacks.Object},
		"StageName":                text(),
		"DeploymentId":             {Type: stacks.String, ReadOnly: true},
	}}
}

func (p *restDeploymentProvider) put(ctx context.Context, apiID, id string, props stacks.Props) error {
	var m struct{ StageName string }
	if err := stacks.Decode(props, &m); err != nil {
		return err
	}
	_, err := p.s.change(ctx, apiID, func(parts *apiParts) error {
		parts.Deployments[id] = m.StageName
		parts.Declared["deployment/"+id] = maps.Clone(props)
		return nil
	})
	return err
}

func (p *restDeploymentProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	apiID, err := restAPIID(props)
	if err != nil {
		return "", nil, err
	}
	id, err := p.s.createOwned(ctx, p.Type(), apiID, func(id string) error { return p.put(ctx, apiID, id, props) })
	if err != nil {
		return "", nil, err
	}
	return id, stacks.Attrs{"DeploymentId": id}, nil
}

func (p *restDeploymentProvider) Update(ctx context.Context, id string, _, props stacks.Props) (stacks.Attrs, error) {
	apiID, err := restAPIID(props)
	if err != nil {
		return nil, err
	}
	return stacks.Attrs{"DeploymentId": id}, p.put(ctx, apiID, id, props)
}

func (p *restDeploymentProvider) Delete(ctx context.Context, id string) error {
	return p.s.deletePart(ctx, p.Type(), "deployment", id, func(parts *apiParts) { delete(parts.Deployments, id) })
}

func (p *restDeploymentProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	return p.s.readPart(ctx, p.Type(), "deployment", id)
}

// ---- Stage ----

type restStageProvider struct{ s *StackResources }

func (*restStageProvider) Type() string   { return "AWS::ApiGateway::Stage" }
func (*restStageProvider) Stateful() bool { return false }
func (*restStageProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"RestApiId":            {Type: stacks.String, Required: true, CreateOnly: true},
		"StageName":            {Type: stacks.String, CreateOnly: true},
		"AccessLogSetting":     {Type: stacks.Object},
		"CacheClusterEnabled":  {Type: stacks.Boolean},
		"CacheClusterSize":     text(),
		"CanarySetting":        {Type: stacks.Object},
		"ClientCertificateId":  text(),
		"DeploymentId":         text(),
		"Description":          text(),
		"DocumentationVersion": text(),
		"MethodSettings":       {Type: stacks.List},
		"Tags":                 {Type: stacks.List},
		"TracingEnabled":       {Type: stacks.Boolean},
		"Variables":            {Type: stacks.Map},
	}}
}

// restStageModel is what nubo applies of AWS::ApiGateway::Stage's properties.
type restStageModel struct {
	RestApiId        string
	StageName        string
	Variables        map[string]string
	AccessLogSetting map[string]any
	MethodSettings   []struct {
		ResourcePath         string
		HttpMethod           string
		ThrottlingRateLimit  float64
		ThrottlingBurstLimit int
	}
}

func (p *restStageProvider) stage(props stacks.Props) (Stage, string, error) {
	var m restStageModel
	if err := stacks.Decode(props, &m); err != nil {
		return Stage{}, "", err
	}
	st := Stage{Name: m.StageName}
	if len(m.Variables) > 0 {
		st.Variables = m.Variables
	}
	if st.Name == "" {
		return st, "", &stacks.PropertyError{Property: "StageName", Msg: "required by nubo (a generated name would be unreachable)"}
	}
	st.AccessLog = m.AccessLogSetting != nil
	// The stage-wide method settings (ResourcePath /*, HttpMethod *) throttle.
	for _, ms := range m.MethodSettings {
		rp, hm := ms.ResourcePath, ms.HttpMethod
		if (rp == "" || rp == "/*") && (hm == "" || hm == "*") {
			st.ThrottleRate, st.ThrottleBurst = ms.ThrottlingRateLimit, ms.ThrottlingBurstLimit
		}
	}
	return st, m.RestApiId, nil
}

func (p *restStageProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	st, apiID, err := p.stage(props)
	if err != nil {
		return "", nil, err
	}
	if err := p.s.setOwner(ctx, p.Type(), st.Name, apiID); err != nil {
		return "", nil, err
	}
	if err := p.s.putStage(ctx, apiID, st.Name, st, props); err != nil {
		p.s.dropOwner(ctx, p.Type(), st.Name)
		return "", nil, err
	}
	return st.Name, stacks.Attrs{}, nil
}

func (p *restStageProvider) Update(ctx context.Context, name string, _, props stacks.Props) (stacks.Attrs, error) {
	st, apiID, err := p.stage(props)
	if err != nil {
		return nil, err
	}
	return stacks.Attrs{}, p.s.putStage(ctx, apiID, name, st, props)
}

func (p *restStageProvider) Delete(ctx context.Context, name string) error {
	return p.s.deletePart(ctx, p.Type(), "stage", name, func(parts *apiParts) { delete(parts.Stages, name) })
}

func (p *restStageProvider) Read(ctx context.Context, name string) (stacks.Props, error) {
	return p.s.readPart(ctx, p.Type(), "stage", name)
}

// ---- Authorizer ----

type restAuthorizerProvider struct{ s *StackResources }

func (*restAuthorizerProvider) Type() string   { return "AWS::ApiGateway::Authorizer" }
func (*restAuthorizerProvider) Stateful() bool { return false }
func (*restAuthorizerProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"RestApiId":                    {Type: stacks.String, Required: true, CreateOnly: true},
		"Type":                         {Type: stacks.String, Required: true, Enum: []string{"TOKEN", "REQUEST", "COGNITO_USER_POOLS"}},
		"Name":                         {Type: stacks.String, Required: true},
		"AuthType":                     text(),
		"AuthorizerCredentials":        text(),
		"AuthorizerResultTtlInSeconds": {Type: stacks.Integer},
		"AuthorizerUri":                text(),
		"IdentitySource":               text(),
		"IdentityValidationExpression": text(),
		"ProviderARNs":                 {Type: stacks.List},
		"AuthorizerId":                 {Type: stacks.String, ReadOnly: true},
	}}
}

// restAuthorizerModel is what nubo applies of AWS::ApiGateway::Authorizer's
// properties.
type restAuthorizerModel struct {
	RestApiId                    string
	Type                         string
	Name                         string
	AuthorizerUri                string
	IdentitySource               string
	AuthorizerResultTtlInSeconds *int
}

func (p *restAuthorizerProvider) authorizer(id string, props stacks.Props) (Authorizer, string, error) {
	var m restAuthorizerModel
	if err := stacks.Decode(props, &m); err != nil {
		return Authorizer{}, "", err
	}
	t := AuthorizerType(m.Type)
	if t != AuthorizerRequest && t != AuthorizerToken {
		return Authorizer{}, "", &stacks.PropertyError{Property: "Type", Msg: fmt.Sprintf("%q: TOKEN or REQUEST (Lambda authorizers)", t)}
	}
	z := Authorizer{ID: id, Name: m.Name, Type: t, Function: FunctionFromURI(m.AuthorizerUri)}
	if src := m.IdentitySource; src != "" {
		z.IdentitySource = []string{src}
	}
	z.ResultTTLSeconds = 300 // API Gateway's default
	if _, ok := props["AuthorizerResultTtlInSeconds"]; ok {
		z.ResultTTLSeconds = 0
		if m.AuthorizerResultTtlInSeconds != nil {
			z.ResultTTLSeconds = *m.AuthorizerResultTtlInSeconds
		}
	} else if len(z.IdentitySource) == 0 {
		z.ResultTTLSeconds = 0
	}
	return z, m.RestApiId, nil
}

func (p *restAuthorizerProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	id := NewID()
	z, apiID, err := p.authorizer(id, props)
	if err != nil {
		return "", nil, err
	}
	if err := p.s.setOwner(ctx, p.Type(), id, apiID); err != nil {
		return "", nil, err
	}
	if err := p.s.putAuthorizer(ctx, apiID, z, props); err != nil {
		p.s.dropOwner(ctx, p.Type(), id)
		return "", nil, err
	}
	return id, stacks.Attrs{"AuthorizerId": id}, nil
}

func (p *restAuthorizerProvider) Update(ctx context.Context, id string, _, props stacks.Props) (stacks.Attrs, error) {
	z, apiID, err := p.authorizer(id, props)
	if err != nil {
		return nil, err
	}
	return stacks.Attrs{"AuthorizerId": id}, p.s.putAuthorizer(ctx, apiID, z, props)
}

func (p *restAuthorizerProvider) Delete(ctx context.Context, id string) error {
	return p.s.deletePart(ctx, p.Type(), "authorizer", id, func(parts *apiParts) { delete(parts.Authorizers, id) })
}

func (p *restAuthorizerProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	return p.s.readPart(ctx, p.Type(), "authorizer", id)
}
