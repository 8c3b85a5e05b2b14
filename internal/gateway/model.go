package gateway

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// The configuration model. It follows API Gateway's own resources so the
// stack providers (AWS::ApiGatewayV2::*, AWS::ApiGateway::*, SAM HttpApi/Api,
// AWS::Lambda::Url) map onto it field by field. Every type is plain JSON:
// it is what the KV bucket stores.
//
// CloudFormation property -> field:
//
//	ApiGatewayV2::Api          Name, ProtocolType HTTP -> Type, CorsConfiguration -> CORS,
//	                           DisableExecuteApiEndpoint
//	ApiGatewayV2::Route        RouteKey -> Route.Key, AuthorizerId, AuthorizationScopes,
//	                           ApiKeyRequired; Target "integrations/ID" -> Integration
//	ApiGatewayV2::Integration  IntegrationUri -> Integration.Function (FunctionFromURI),
//	                           PayloadFormatVersion, TimeoutInMillis -> TimeoutMillis
//	ApiGatewayV2::Stage        StageName, StageVariables -> Variables, AccessLogSettings
//	                           -> AccessLog, DefaultRouteSettings.Throttling* -> Throttle*
//	ApiGatewayV2::Authorizer   AuthorizerType, IdentitySource, JwtConfiguration.Issuer/
//	                           Audience, AuthorizerUri -> Function, AuthorizerPayloadFormat-
//	                           Version, EnableSimpleResponses, AuthorizerResultTtlInSeconds
//	ApiGateway::RestApi        Name, BinaryMediaTypes, DisableExecuteApiEndpoint;
//	  ::Resource + ::Method    the resource's full path and HttpMethod -> Route.Key,
//	                           Integration.Uri -> Function, AuthorizerId, ApiKeyRequired
//	  ::Stage (+ Deployment)   StageName, Variables, MethodSettings throttling
//	  ::Authorizer             Type REQUEST/TOKEN, IdentitySource (comma-separated is
//	                           split), AuthorizerUri, AuthorizerResultTtlInSeconds
//	  ::ApiKey, ::UsagePlan,   APIKey (Value, Enabled); UsagePlan (ApiStages, Throttle,
//	  ::UsagePlanKey           Quota); UsagePlanKey -> UsagePlan.KeyIDs
//	  ::Model                  Name, Schema -> API.Models (validation.go)
//	  ::RequestValidator       with the Method's RequestValidatorId, RequestModels and
//	                           RequestParameters -> Route.Validation
//	  ::GatewayResponse        ResponseType, StatusCode, ResponseParameters, ResponseTemplates
//	                           -> API.GatewayResponses (gatewayresponse.go)
//	ApiGatewayV2::Api WEBSOCKET RouteSelectionExpression -> RouteSelection; its Routes'
//	                           RouteResponseSelectionExpression -> Route.TwoWay (websocket.go)
//	DomainName + ApiMapping    Domain.Name, Mapping (ApiMappingKey/BasePath -> BasePath)
//	Lambda::Url                TargetFunctionArn -> Function, Qualifier, AuthType, Cors,
//	                           InvokeMode
//
// Ids: API Gateway's are 10 lowercase characters (NewID), function URLs' 32
// (NewURLID); a provider passes its physical id in, or lets Put make one.

// APIType is HTTP (API Gateway v2 HTTP API) or REST (v1 REST API).
type APIType string

// API types.
const (
	TypeHTTP APIType = "HTTP"
	TypeREST APIType = "REST"
)

// API is one HTTP or REST API with its routes, stages and authorizers.
type API struct {
	ID   string  `json:"id"`
	Name string  `json:"name,omitempty"`
	Type APIType `json:"type"`
	// Routes: for HTTP APIs route keys "GET /pets/{id}", "ANY /{proxy+}",
	// "$default"; for REST APIs a resource path and method each.
	Routes      []Route      `json:"routes,omitempty"`
	Stages      []Stage      `json:"stages,omitempty"`
	CORS        *CORS        `json:"cors,omitempty"`
	Authorizers []Authorizer `json:"authorizers,omitempty"`
	// BinaryMediaTypes (REST): request bodies of these content types reach the
	// function base64-encoded ("image/png", "image/*", "*/*").
	BinaryMediaTypes []string `json:"binaryMediaTypes,omitempty"`
	// DisableExecuteAPIEndpoint: reachable only through custom domains.
	DisableExecuteAPIEndpoint bool `json:"disableExecuteApiEndpoint,omitempty"`
	// GatewayResponses (REST): the API's own answers for the gateway's
	// failures, by response type (gatewayresponse.go).
	GatewayResponses map[string]GatewayResponse `json:"gatewayResponses,omitempty"`
	// Models (REST): request models by name, JSON Schema draft 4 text,
	// which request validators check bodies against (validation.go).
	Models map[string]json.RawMessage `json:"models,omitempty"`
	// RouteSelection (WEBSOCKET): the route selection expression, such as
	// "$request.body.action" (websocket.go).
	RouteSelection string `json:"routeSelection,omitempty"`
}

// Route is one route (HTTP API) or method on a resource (REST API).
type Route struct {
	// ID is the route (or method) id; generated when empty.
	ID string `json:"id,omitempty"`
	// Key is "METHOD /path" (METHOD may be ANY) or "$default".
	Key         string      `json:"key"`
	Integration Integration `json:"integration"`
	// AuthorizerID names one of the API's Authorizers; empty for none.
	AuthorizerID string `json:"authorizerId,omitempty"`
	// AuthorizationType "AWS_IAM" requires a SigV4 signature (service
	// execute-api) by nubo's credentials; other values are implied by
	// AuthorizerID and may be left empty.
	AuthorizationType string `json:"authorizationType,omitempty"`
	// AuthorizationScopes (JWT): the token needs at least one of them.
	AuthorizationScopes []string `json:"authorizationScopes,omitempty"`
	// APIKeyRequired (REST): the request needs an x-api-key of a usage plan
	// that covers this API and stage.
	APIKeyRequired bool `json:"apiKeyRequired,omitempty"`
	// Validation (REST): the method's request validator with its models
	// and required parameters (validation.go); nil when none.
	Validation *RequestValidation `json:"validation,omitempty"`
	// TwoWay (WebSocket routes with a route response): the function's body
	// is sent back to the client.
	TwoWay bool `json:"twoWay,omitempty"`
}

// Integration is the function a route invokes (AWS_PROXY).
type Integration struct {
	// Function is a function name or ARN (qualified or not).
	Function string `json:"function"`
	// PayloadFormatVersion is "2.0" or "1.0"; default "2.0" for HTTP APIs,
	// always "1.0" for REST APIs.
	PayloadFormatVersion string `json:"payloadFormatVersion,omitempty"`
	// TimeoutMillis bounds the invocation; default 30000 (HTTP), 29000 (REST).
	TimeoutMillis int `json:"timeoutMillis,omitempty"`
	// NotServed is the type of an integration nubo does not serve yet
	// (MOCK, HTTP, HTTP_PROXY, AWS, or NONE when the method declares none):
	// the route answers 501 saying so instead of invoking. Function is
	// empty then. Empty for Lambda proxy integrations.
	NotServed string `json:"notServed,omitempty"`
	// Mock is the static answer of a MOCK integration nubo serves
	// (mock.go); Function is empty then.
	Mock *MockResponse `json:"mock,omitempty"`
	// Mapped is a MOCK, HTTP, HTTP_PROXY or AWS (Lambda) integration with
	// mapping templates (integration.go); Function is empty then.
	Mapped *Mapped `json:"mapped,omitempty"`
}

// Stage is a deployment stage: "$default" (HTTP APIs), "Prod", "dev"...
type Stage struct {
	Name      string            `json:"name"`
	Variables map[string]string `json:"variables,omitempty"`
	// AccessLog writes one line per request to the gateway's access logger.
	AccessLog bool `json:"accessLog,omitempty"`
	// ThrottleRate/ThrottleBurst: stage-wide default route throttling
	// (requests per second, bucket size); zero means unlimited.
	ThrottleRate  float64 `json:"throttleRate,omitempty"`
	ThrottleBurst int     `json:"throttleBurst,omitempty"`
}

// CORS is an HTTP API's CorsConfiguration (also used for REST APIs and
// function URLs, where SAM's Cors and the URL's Cors have the same fields).
type CORS struct {
	AllowOrigins     []string `json:"allowOrigins,omitempty"`
	AllowMethods     []string `json:"allowMethods,omitempty"`
	AllowHeaders     []string `json:"allowHeaders,omitempty"`
	ExposeHeaders    []string `json:"exposeHeaders,omitempty"`
	MaxAge           int      `json:"maxAge,omitempty"`
	AllowCredentials bool     `json:"allowCredentials,omitempty"`
}

// AuthorizerType is JWT (HTTP APIs), REQUEST or TOKEN (Lambda authorizers).
type AuthorizerType string

// Authorizer types.
const (
	AuthorizerJWT     AuthorizerType = "JWT"
	AuthorizerRequest AuthorizerType = "REQUEST"
	AuthorizerToken   AuthorizerType = "TOKEN"
)

// Authorizer is a JWT or Lambda authorizer.
type Authorizer struct {
	ID   string         `json:"id"`
	Name string         `json:"name,omitempty"`
	Type AuthorizerType `json:"type"`
	// IdentitySource: "$request.header.Authorization" (also the REST spelling
	// "method.request.header.Authorization"), "$request.querystring.q",
	// "$context.x", "$stageVariables.x". JWT default: the Authorization header.
	IdentitySource []string `json:"identitySource,omitempty"`

	// JWT: Issuer (iss), Audience (aud, any of), and the keys: JWKSURL, or
	// inline JWKS (a JSON Web Key Set), or else the issuer's
	// /.well-known/openid-configuration jwks_uri.
	Issuer   string          `json:"issuer,omitempty"`
	Audience []string        `json:"audience,omitempty"`
	JWKSURL  string          `json:"jwksUrl,omitempty"`
	JWKS     json.RawMessage `json:"jwks,omitempty"`

	// Lambda: the authorizer function, its payload version ("2.0" or "1.0"
	// on HTTP APIs; REST always 1.0), simple responses (2.0 only), and the
	// result cache TTL in seconds (0: no caching).
	Function             string `json:"function,omitempty"`
	PayloadFormatVersion string `json:"payloadFormatVersion,omitempty"`
	SimpleResponses      bool   `json:"simpleResponses,omitempty"`
	ResultTTLSeconds     int    `json:"resultTtlSeconds,omitempty"`
}

// APIKey is a REST API key (AWS::ApiGateway::ApiKey).
type APIKey struct {
	ID      string `json:"id"`
	Name    string `json:"name,omitempty"`
	Value   string `json:"value"`
	Enabled bool   `json:"enabled"`
}

// UsagePlan throttles and meters API keys on API stages
// (AWS::ApiGateway::UsagePlan + UsagePlanKey).
type UsagePlan struct {
	ID     string      `json:"id"`
	Name   string      `json:"name,omitempty"`
	Stages []PlanStage `json:"stages,omitempty"`
	// RateLimit (requests per second) and BurstLimit: per key token bucket.
	RateLimit  float64 `json:"rateLimit,omitempty"`
	BurstLimit int     `json:"burstLimit,omitempty"`
	// QuotaLimit requests per QuotaPeriod (DAY, WEEK, MONTH); 0 is none.
	QuotaLimit  int    `json:"quotaLimit,omitempty"`
	QuotaPeriod string `json:"quotaPeriod,omitempty"`
	// KeyIDs are the API keys of the plan.
	KeyIDs []string `json:"keyIds,omitempty"`
}

// PlanStage is an API stage a usage plan covers.
type PlanStage struct {
	APIID string `json:"apiId"`
	Stage string `json:"stage"`
}

// Domain is a custom domain name with its API mappings
// (AWS::ApiGatewayV2::DomainName + ApiMapping, ApiGateway::BasePathMapping).
type Domain struct {
	Name     string    `json:"name"`
	Mappings []Mapping `json:"mappings,omitempty"`
}

// Mapping maps a base path ("" for the root) of a domain to an API stage.
type Mapping struct {
	ID       string `json:"id,omitempty"`
	BasePath string `json:"basePath,omitempty"`
	APIID    string `json:"apiId"`
	Stage    string `json:"stage"`
}

// URL auth types and invoke modes of function URLs.
const (
	AuthNone        = "NONE"
	AuthIAM         = "AWS_IAM"
	InvokeBuffered  = "BUFFERED"
	InvokeStreaming = "RESPONSE_STREAM"
)

// FunctionURL is a function's URL (AWS::Lambda::Url, CreateFunctionUrlConfig).
type FunctionURL struct {
	// ID is the 32-character url id, the first label of its host name.
	ID       string `json:"id"`
	Function string `json:"function"`
	// Qualifier is an alias name, or empty for $LATEST.
	Qualifier  string `json:"qualifier,omitempty"`
	AuthType   string `json:"authType"`
	CORS       *CORS  `json:"cors,omitempty"`
	InvokeMode string `json:"invokeMode,omitempty"`
	// TimeoutMillis bounds the invocation (default 15 minutes: the
	// function's own timeout applies first).
	TimeoutMillis int `json:"timeoutMillis,omitempty"`
	// CreationTime and LastModified are set by PutFunctionURL (Lambda's
	// CreationTime and LastModifiedTime).
	CreationTime time.Time `json:"creationTime,omitzero"`
	LastModified time.Time `json:"lastModified,omitzero"`
}

const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// NewID returns a 10-character lowercase id, the shape of API Gateway's API,
// route, stage, authorizer, key and plan ids.
func NewID() string { return randomID(10) }

// FunctionFromURI returns the function of a Lambda integration or
// authorizer URI, "arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations";
// any other string (a function name or ARN) is returned as it is.
func FunctionFromURI(uri string) string {
	const marker = ":lambda:path/2015-03-31/functions/"
	i := strings.Index(uri, marker)
	if i < 0 {
		return uri
	}
	return strings.TrimSuffix(uri[i+len(marker):], "/invocations")
}

// NewURLID returns a 32-character lowercase id, the shape of a function URL's.
func NewURLID() string { return randomID(32) }

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

func validID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Normalize fills defaults (ids, payload versions) in place.
func (a *API) Normalize() {
	if a.ID == "" {
		a.ID = NewID()
	}
	if a.Type == "" {
		a.Type = TypeHTTP
	}
	for i := range a.Routes {
		r := &a.Routes[i]
		if r.ID == "" {
			r.ID = NewID()
		}
		if r.Integration.PayloadFormatVersion == "" {
			if a.Type == TypeREST {
				r.Integration.PayloadFormatVersion = "1.0"
			} else {
				r.Integration.PayloadFormatVersion = "2.0"
			}
		}
	}
	for i := range a.Authorizers {
		z := &a.Authorizers[i]
		if z.ID == "" {
			z.ID = NewID()
		}
		var sources []string // REST spells several sources as one comma-separated string
		for _, s := range z.IdentitySource {
			for _, p := range strings.Split(s, ",") {
				if p = strings.TrimSpace(p); p != "" {
					sources = append(sources, p)
				}
			}
		}
		z.IdentitySource = sources
		if z.Type != AuthorizerJWT && z.PayloadFormatVersion == "" {
			if a.Type == TypeREST {
				z.PayloadFormatVersion = "1.0"
			} else {
				z.PayloadFormatVersion = "2.0"
			}
		}
	}
	if a.Type == TypeHTTP && len(a.Stages) == 0 {
		a.Stages = []Stage{{Name: "$default"}}
	}
}

// Validate checks the API; the error names the offending field.
func (a *API) Validate() error {
	if !validID(a.ID) {
		return invalid("api id %q: letters, digits, - and _ only", a.ID)
	}
	if a.Type == TypeWebSocket {
		return a.validateWebSocket()
	}
	if a.Type != TypeHTTP && a.Type != TypeREST {
		return invalid("api %s: type %q: want HTTP, REST or WEBSOCKET", a.ID, a.Type)
	}
	auths := map[string]*Authorizer{}
	for i := range a.Authorizers {
		z := &a.Authorizers[i]
		if err := z.validate(a.Type); err != nil {
			return fmt.Errorf("api %s: authorizers[%d]: %w", a.ID, i, err)
		}
		if auths[z.ID] != nil {
			return invalid("api %s: authorizers[%d]: duplicate id %q", a.ID, i, z.ID)
		}
		auths[z.ID] = z
	}
	seen := map[string]bool{}
	for i, r := range a.Routes {
		method, path, err := parseRouteKey(r.Key)
		if err != nil {
			return fmt.Errorf("api %s: routes[%d].key: %w", a.ID, i, err)
		}
		if method == "" && a.Type == TypeREST {
			return invalid("api %s: routes[%d].key: $default is for HTTP APIs", a.ID, i)
		}
		norm := method + " " + path
		if seen[norm] {
			return invalid("api %s: routes[%d].key: duplicate route %q", a.ID, i, r.Key)
		}
		seen[norm] = true
		if r.Integration.Function == "" && r.Integration.NotServed == "" && r.Integration.Mock == nil && r.Integration.Mapped == nil {
			return invalid("api %s: routes[%d].integration.function: required", a.ID, i)
		}
		if m := r.Integration.Mapped; m != nil {
			if a.Type != TypeREST && m.Type != integHTTPProxy {
				return invalid("api %s: routes[%d].integration.mapped: %s integrations on REST APIs only", a.ID, i, m.Type)
			}
			if err := m.Validate(); err != nil {
				return fmt.Errorf("api %s: routes[%d].integration: %w", a.ID, i, err)
			}
		}
		switch r.Integration.PayloadFormatVersion {
		case "1.0":
		case "2.0":
			if a.Type == TypeREST {
				return invalid("api %s: routes[%d].integration.payloadFormatVersion: REST APIs use 1.0", a.ID, i)
			}
		default:
			return invalid("api %s: routes[%d].integration.payloadFormatVersion %q: want 1.0 or 2.0", a.ID, i, r.Integration.PayloadFormatVersion)
		}
		if t := r.Integration.TimeoutMillis; t != 0 && (t < 50 || a.Type == TypeHTTP && t > 30000) {
			return invalid("api %s: routes[%d].integration.timeoutMillis %d: 50 to 30000 (HTTP APIs) or at least 50 (REST)", a.ID, i, t)
		}
		if r.APIKeyRequired && a.Type != TypeREST {
			return invalid("api %s: routes[%d].apiKeyRequired: REST APIs only", a.ID, i)
		}
		if r.AuthorizerID != "" && auths[r.AuthorizerID] == nil {
			return invalid("api %s: routes[%d].authorizerId %q: no such authorizer", a.ID, i, r.AuthorizerID)
		}
		switch r.AuthorizationType {
		case "", "NONE", "JWT", "CUSTOM", "COGNITO_USER_POOLS":
		case AuthIAM:
			if r.AuthorizerID != "" {
				return invalid("api %s: routes[%d].authorizationType AWS_IAM: no authorizerId with it", a.ID, i)
			}
		default:
			return invalid("api %s: routes[%d].authorizationType %q", a.ID, i, r.AuthorizationType)
		}
		if len(r.AuthorizationScopes) > 0 && (r.AuthorizerID == "" || auths[r.AuthorizerID].Type != AuthorizerJWT) {
			return invalid("api %s: routes[%d].authorizationScopes: need a JWT authorizer", a.ID, i)
		}
	}
	stages := map[string]bool{}
	for i, s := range a.Stages {
		if s.Name == "" || (s.Name != "$default" && !validID(s.Name)) {
			return invalid("api %s: stages[%d].name %q: letters, digits, - and _ only", a.ID, i, s.Name)
		}
		if s.Name == "$default" && a.Type == TypeREST {
			return invalid("api %s: stages[%d].name: $default is for HTTP APIs", a.ID, i)
		}
		if stages[s.Name] {
			return invalid("api %s: stages[%d].name: duplicate %q", a.ID, i, s.Name)
		}
		stages[s.Name] = true
		if s.ThrottleRate < 0 || s.ThrottleBurst < 0 {
			return invalid("api %s: stages[%d]: negative throttle", a.ID, i)
		}
	}
	if err := a.validateValidation(); err != nil {
		return err
	}
	if err := a.validateGatewayResponses(); err != nil {
		return err
	}
	if err := a.CORS.validate(); err != nil {
		return fmt.Errorf("api %s: cors: %w", a.ID, err)
	}
	return nil
}

func (z *Authorizer) validate(t APIType) error {
	if !validID(z.ID) {
		return invalid("id %q: letters, digits, - and _ only", z.ID)
	}
	for i, s := range z.IdentitySource {
		if _, _, err := parseIdentitySource(s); err != nil {
			return fmt.Errorf("identitySource[%d]: %w", i, err)
		}
	}
	switch z.Type {
	case AuthorizerJWT:
		if t == TypeREST {
			return invalid("type JWT: REST APIs use Cognito or Lambda authorizers")
		}
		if z.Issuer == "" {
			return invalid("issuer: required for JWT")
		}
		if len(z.Audience) == 0 {
			return invalid("audience: required for JWT")
		}
		if len(z.JWKS) > 0 {
			if _, err := parseJWKS(z.JWKS); err != nil {
				return fmt.Errorf("jwks: %w", err)
			}
		}
	case AuthorizerRequest, AuthorizerToken:
		if z.Function == "" {
			return invalid("function: required for a Lambda authorizer")
		}
		if z.Type == AuthorizerToken && t != TypeREST {
			return invalid("type TOKEN: REST APIs only")
		}
		switch z.PayloadFormatVersion {
		case "1.0":
		case "2.0":
			if t == TypeREST {
				return invalid("payloadFormatVersion: REST APIs use 1.0")
			}
		default:
			return invalid("payloadFormatVersion %q: want 1.0 or 2.0", z.PayloadFormatVersion)
		}
		if z.SimpleResponses && z.PayloadFormatVersion != "2.0" {
			return invalid("simpleResponses: payload format 2.0 only")
		}
		if z.ResultTTLSeconds < 0 || z.ResultTTLSeconds > 3600 {
			return invalid("resultTtlSeconds %d: 0 to 3600", z.ResultTTLSeconds)
		}
		if z.ResultTTLSeconds > 0 && z.Type == AuthorizerRequest && len(z.IdentitySource) == 0 {
			return invalid("identitySource: required to cache results (resultTtlSeconds > 0)")
		}
	default:
		return invalid("type %q: want JWT, REQUEST or TOKEN", z.Type)
	}
	return nil
}

func (c *CORS) validate() error {
	if c == nil {
		return nil
	}
	if c.MaxAge < 0 || c.MaxAge > 86400 {
		return invalid("maxAge %d: 0 to 86400", c.MaxAge)
	}
	if c.AllowCredentials {
		for _, o := range c.AllowOrigins {
			if o == "*" {
				return invalid("allowOrigins: \"*\" with allowCredentials")
			}
		}
	}
	return nil
}

// Validate checks the key.
func (k *APIKey) Validate() error {
	if !validID(k.ID) {
		return invalid("api key id %q: letters, digits, - and _ only", k.ID)
	}
	if len(k.Value) < 20 {
		return invalid("api key %s: value: at least 20 characters", k.ID)
	}
	return nil
}

// Validate checks the plan.
func (p *UsagePlan) Validate() error {
	if !validID(p.ID) {
		return invalid("usage plan id %q: letters, digits, - and _ only", p.ID)
	}
	if p.RateLimit < 0 || p.BurstLimit < 0 || p.QuotaLimit < 0 {
		return invalid("usage plan %s: negative limit", p.ID)
	}
	if p.QuotaLimit > 0 {
		switch p.QuotaPeriod {
		case "DAY", "WEEK", "MONTH":
		default:
			return invalid("usage plan %s: quotaPeriod %q: want DAY, WEEK or MONTH", p.ID, p.QuotaPeriod)
		}
	}
	for i, s := range p.Stages {
		if s.APIID == "" || s.Stage == "" {
			return invalid("usage plan %s: stages[%d]: apiId and stage required", p.ID, i)
		}
	}
	return nil
}

// Validate checks the domain.
func (d *Domain) Validate() error {
	if !validHost(d.Name) {
		return invalid("domain name %q: a host name", d.Name)
	}
	seen := map[string]bool{}
	for i, m := range d.Mappings {
		bp := strings.Trim(m.BasePath, "/")
		if bp == "(none)" {
			bp = ""
		}
		if strings.ContainsAny(bp, "{}?#") {
			return invalid("domain %s: mappings[%d].basePath %q", d.Name, i, m.BasePath)
		}
		if seen[bp] {
			return invalid("domain %s: mappings[%d].basePath %q: duplicate", d.Name, i, m.BasePath)
		}
		seen[bp] = true
		if m.APIID == "" || m.Stage == "" {
			return invalid("domain %s: mappings[%d]: apiId and stage required", d.Name, i)
		}
	}
	return nil
}

// Normalize fills defaults in place.
func (u *FunctionURL) Normalize() {
	if u.ID == "" {
		u.ID = NewURLID()
	}
	if u.AuthType == "" {
		u.AuthType = AuthNone
	}
	if u.InvokeMode == "" {
		u.InvokeMode = InvokeBuffered
	}
}

// Validate checks the function URL.
func (u *FunctionURL) Validate() error {
	if !validID(u.ID) {
		return invalid("function url id %q: letters, digits, - and _ only", u.ID)
	}
	if u.Function == "" {
		return invalid("function url %s: function: required", u.ID)
	}
	if u.AuthType != AuthNone && u.AuthType != AuthIAM {
		return invalid("function url %s: authType %q: want NONE or AWS_IAM", u.ID, u.AuthType)
	}
	if u.InvokeMode != InvokeBuffered && u.InvokeMode != InvokeStreaming {
		return invalid("function url %s: invokeMode %q: want BUFFERED or RESPONSE_STREAM", u.ID, u.InvokeMode)
	}
	if err := u.CORS.validate(); err != nil {
		return fmt.Errorf("function url %s: cors: %w", u.ID, err)
	}
	return nil
}

func validHost(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return !strings.HasPrefix(h, ".") && !strings.HasSuffix(h, ".") && !strings.Contains(h, "..")
}
