package gateway

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/nubo-run/nubo/internal/gateway/vtl"
)

// REST API integrations with mapping templates (integration_serve.go serves
// them): MOCK, HTTP and HTTP_PROXY to loopback URLs, and AWS to Lambda
// (arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/ARN/invocations).
// A MOCK whose answer is static keeps the simpler Integration.Mock
// (mock.go). Other AWS service integrations are not served (501).
//
// CloudFormation (Method.Integration) -> field; the OpenAPI extension
// x-amazon-apigateway-integration spells the same in camel case, with its
// responses keyed by selection pattern ("default" for the default one):
//
//	Type                   Type
//	Uri                    URI
//	IntegrationHttpMethod  HTTPMethod
//	Credentials            Credentials
//	RequestTemplates       RequestTemplates (content type -> VTL)
//	RequestParameters      RequestParameters (integration.request.* -> source)
//	PassthroughBehavior    PassthroughBehavior
//	IntegrationResponses   Responses: SelectionPattern, StatusCode,
//	                       ResponseParameters, ResponseTemplates

// Mapped is a MOCK, HTTP, HTTP_PROXY or AWS (Lambda) integration.
type Mapped struct {
	Type        string `json:"type"`
	URI         string `json:"uri,omitempty"`
	HTTPMethod  string `json:"httpMethod,omitempty"`
	Credentials string `json:"credentials,omitempty"`
	// RequestTemplates maps a content type to its template.
	RequestTemplates map[string]string `json:"requestTemplates,omitempty"`
	// RequestParameters: "integration.request.header.X" (also querystring,
	// path) -> "method.request.header.Y" (querystring, path), "'literal'",
	// "context.x", "stageVariables.x".
	RequestParameters map[string]string `json:"requestParameters,omitempty"`
	// PassthroughBehavior: WHEN_NO_MATCH (default), WHEN_NO_TEMPLATES, NEVER.
	PassthroughBehavior string                `json:"passthroughBehavior,omitempty"`
	Responses           []IntegrationResponse `json:"responses,omitempty"`
}

// IntegrationResponse maps an integration's answer to the method's.
type IntegrationResponse struct {
	// SelectionPattern is a regular expression over the integration's
	// status code (HTTP, MOCK) or the function's errorMessage (Lambda);
	// empty for the default response.
	SelectionPattern string `json:"selectionPattern,omitempty"`
	StatusCode       string `json:"statusCode"`
	// ResponseParameters: "method.response.header.X" -> "'literal'",
	// "integration.response.header.Y", "integration.response.body",
	// "integration.response.body.JSONPATH", "context.x", "stageVariables.x".
	ResponseParameters map[string]string `json:"responseParameters,omitempty"`
	ResponseTemplates  map[string]string `json:"responseTemplates,omitempty"`
}

// Integration types Mapped serves.
const (
	integMock      = "MOCK"
	integHTTP      = "HTTP"
	integHTTPProxy = "HTTP_PROXY"
	integAWS       = "AWS"
)

// mappedFromMethod reads a Method's Integration; ok is false for the types
// it does not cover.
func mappedFromMethod(integ map[string]any) (*Mapped, bool) {
	m := &Mapped{Type: restIntegrationType(integ), URI: pstr(integ["Uri"]), HTTPMethod: pstr(integ["IntegrationHttpMethod"]),
		Credentials: pstr(integ["Credentials"]), PassthroughBehavior: strings.ToUpper(pstr(integ["PassthroughBehavior"])),
		RequestTemplates: strMap(integ["RequestTemplates"]), RequestParameters: strMap(integ["RequestParameters"])}
	for _, r := range plistAny(integ["IntegrationResponses"]) {
		o := pobj(r)
		m.Responses = append(m.Responses, IntegrationResponse{SelectionPattern: pstr(o["SelectionPattern"]), StatusCode: pstr(o["StatusCode"]),
			ResponseParameters: strMap(o["ResponseParameters"]), ResponseTemplates: strMap(o["ResponseTemplates"])})
	}
	return m, m.covered()
}

// mappedFromBody reads an OpenAPI x-amazon-apigateway-integration.
func mappedFromBody(integ map[string]any) (*Mapped, bool) {
	m := &Mapped{Type: bodyIntegrationType(integ), URI: pstr(integ["uri"]), HTTPMethod: pstr(integ["httpMethod"]),
		Credentials: pstr(integ["credentials"]), PassthroughBehavior: strings.ToUpper(pstr(integ["passthroughBehavior"])),
		RequestTemplates: strMap(integ["requestTemplates"]), RequestParameters: strMap(integ["requestParameters"])}
	resp := pobj(integ["responses"])
	for _, k := range sortedKeys(resp) {
		o := pobj(resp[k])
		pattern := k
		if k == "default" {
			pattern = ""
		}
		m.Responses = append(m.Responses, IntegrationResponse{SelectionPattern: pattern, StatusCode: pstr(o["statusCode"]),
			ResponseParameters: strMap(o["responseParameters"]), ResponseTemplates: strMap(o["responseTemplates"])})
	}
	return m, m.covered()
}

// covered: the types served (AWS only to Lambda).
func (m *Mapped) covered() bool {
	switch m.Type {
	case integMock, integHTTP, integHTTPProxy:
		return true
	case integAWS:
		return m.lambdaFunction() != ""
	}
	return false
}

// lambdaFunction is the function of an AWS integration to Lambda ("" for
// other services).
func (m *Mapped) lambdaFunction() string {
	if !strings.Contains(m.URI, ":lambda:path/2015-03-31/functions/") || !strings.HasSuffix(m.URI, "/invocations") {
		return ""
	}
	return FunctionFromURI(m.URI)
}

func strMap(v any) map[string]string {
	o := pobj(v)
	if len(o) == 0 {
		return nil
	}
	out := make(map[string]string, len(o))
	for k, x := range o {
		out[k] = pstr(x)
	}
	return out
}

// Validate checks the fields API Gateway checks when the integration is
// put; the error names the field. Templates and selection patterns are not
// checked there (API Gateway finds their faults when a request runs them):
// warnings names them at plan time.
func (m *Mapped) Validate() error {
	switch m.PassthroughBehavior {
	case "", "WHEN_NO_MATCH", "WHEN_NO_TEMPLATES", "NEVER":
	default:
		return invalid("passthroughBehavior %q: want WHEN_NO_MATCH, WHEN_NO_TEMPLATES or NEVER", m.PassthroughBehavior)
	}
	if m.Type == integHTTP || m.Type == integHTTPProxy {
		if _, err := url.Parse(m.URI); err != nil || m.URI == "" {
			return invalid("uri %q: want a URL", m.URI)
		}
	}
	return nil
}

// loopbackURL refuses a URL whose host is not this machine's loopback:
// nubo keeps network traffic local. A host from a stage variable
// (${stageVariables.x}) is checked when a request resolves it.
func loopbackURL(raw string) error {
	if strings.Contains(raw, "${stageVariables.") {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q: want an http:// or https:// URL", raw)
	}
	host := u.Hostname()
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%q: host %q is not a loopback address; nubo calls only this machine's loopback (localhost, 127.0.0.0/8, ::1) and keeps network traffic local", raw, host)
}

// warnings are what a plan says of the integration: a URL nubo will not
// call, a template that does not parse, a selection pattern that does not
// compile (Go's RE2 lacks lookarounds and backreferences).
func (m *Mapped) warnings() []string {
	var out []string
	if m.Type == integHTTP || m.Type == integHTTPProxy {
		if err := loopbackURL(m.URI); err != nil {
			out = append(out, fmt.Sprintf("%s integration: %v; a request to it answers 502 saying so", m.Type, err))
		}
	}
	for _, ct := range sortedKeys(m.RequestTemplates) {
		if _, err := vtl.Parse(m.RequestTemplates[ct]); err != nil {
			out = append(out, fmt.Sprintf("%s integration: requestTemplates[%s]: %v; a request that uses it answers 500", m.Type, ct, err))
		}
	}
	for i, r := range m.Responses {
		if _, err := regexp.Compile(r.SelectionPattern); err != nil {
			out = append(out, fmt.Sprintf("%s integration: integrationResponses[%d].selectionPattern %q: %v; it never matches", m.Type, i, r.SelectionPattern, err))
		}
		for _, ct := range sortedKeys(r.ResponseTemplates) {
			if _, err := vtl.Parse(r.ResponseTemplates[ct]); err != nil {
				out = append(out, fmt.Sprintf("%s integration: integrationResponses[%d].responseTemplates[%s]: %v; a response that uses it answers 500", m.Type, i, ct, err))
			}
		}
	}
	return out
}
