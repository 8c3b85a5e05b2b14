package gateway

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// Gateway responses (AWS::ApiGateway::GatewayResponse, a Body's
// x-amazon-apigateway-gateway-responses): a REST API's own status, headers
// and body templates for the answers the gateway gives by itself (no
// route, unauthorized, a refused body, a timeout...). A response type not
// customized takes DEFAULT_4XX's or DEFAULT_5XX's headers and templates by
// its status class, keeping its own status, as API Gateway does.
//
// Templates are read as API Gateway's gateway response templates with the
// $context variables substituted ($context.error.message,
// $context.error.messageString, $context.error.responseType,
// $context.error.validationErrorString, $context.requestId,
// $context.apiId, $context.stage); other VTL is not evaluated in them.

// GatewayResponse customizes one response type.
type GatewayResponse struct {
	Type string `json:"type"`
	// StatusCode replaces the type's status; 0 keeps it.
	StatusCode int `json:"statusCode,omitempty"`
	// Headers: name -> "'literal'" or method.request.header.NAME,
	// method.request.querystring.NAME, method.request.path.NAME.
	Headers map[string]string `json:"headers,omitempty"`
	// Templates: content type -> body template.
	Templates map[string]string `json:"templates,omitempty"`
}

// responseTypes are API Gateway's gateway response types and their
// statuses (0: the default class types).
var responseTypes = map[string]int{
	"ACCESS_DENIED": 403, "API_CONFIGURATION_ERROR": 500, "AUTHORIZER_CONFIGURATION_ERROR": 500,
	"AUTHORIZER_FAILURE": 500, "BAD_REQUEST_PARAMETERS": 400, "BAD_REQUEST_BODY": 400,
	"DEFAULT_4XX": 0, "DEFAULT_5XX": 0, "EXPIRED_TOKEN": 403, "INTEGRATION_FAILURE": 504,
	"INTEGRATION_TIMEOUT": 504, "INVALID_API_KEY": 403, "INVALID_SIGNATURE": 403,
	"MISSING_AUTHENTICATION_TOKEN": 403, "QUOTA_EXCEEDED": 429, "REQUEST_TOO_LARGE": 413,
	"RESOURCE_NOT_FOUND": 404, "THROTTLED": 429, "UNAUTHORIZED": 401, "UNSUPPORTED_MEDIA_TYPE": 415,
	"WAF_FILTERED": 403,
}

// responseTypeOf is the gateway response type of a failure ("" when only
// the DEFAULT_4XX/5XX class applies).
func responseTypeOf(f failure) string {
	switch f {
	case failNotFound:
		return "MISSING_AUTHENTICATION_TOKEN"
	case failPermission:
		return "API_CONFIGURATION_ERROR"
	case failAuthorizerError:
		return "AUTHORIZER_FAILURE"
	case failTimeout:
		return "INTEGRATION_TIMEOUT"
	case failThrottled:
		return "THROTTLED"
	case failQuota:
		return "QUOTA_EXCEEDED"
	case failTooLarge, failEventTooLarge:
		return "REQUEST_TOO_LARGE"
	case failUnauthorized:
		return "UNAUTHORIZED"
	case failDenied, failNotAllowed:
		return "ACCESS_DENIED"
	case failBadBody:
		return "BAD_REQUEST_BODY"
	case failBadParams:
		return "BAD_REQUEST_PARAMETERS"
	case failInvalidAPIKey:
		return "INVALID_API_KEY"
	}
	return ""
}

func (a *API) validateGatewayResponses() error {
	if len(a.GatewayResponses) > 0 && a.Type != TypeREST {
		return invalid("api %s: gateway responses: REST APIs only", a.ID)
	}
	for k, gr := range a.GatewayResponses {
		if _, ok := responseTypes[k]; !ok || gr.Type != k {
			return invalid("api %s: gateway response %q: unknown response type", a.ID, k)
		}
		if gr.StatusCode != 0 && (gr.StatusCode < 100 || gr.StatusCode > 599) {
			return invalid("api %s: gateway response %s: statusCode %d", a.ID, k, gr.StatusCode)
		}
		for h := range gr.Headers {
			if h == "" || strings.ContainsAny(h, " \r\n:") {
				return invalid("api %s: gateway response %s: header name %q", a.ID, k, h)
			}
		}
	}
	return nil
}

// gatewayResponder wraps a REST API's answer when the API customizes its
// gateway responses; writeFailure answers through it.
type gatewayResponder struct {
	http.ResponseWriter
	r         *http.Request
	api       *API
	requestID string
	stage     string
	params    []param
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (g *gatewayResponder) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// withGatewayResponses wraps w when a has gateway responses.
func withGatewayResponses(w http.ResponseWriter, r *http.Request, a *API, requestID string) http.ResponseWriter {
	if len(a.GatewayResponses) == 0 || a.Type != TypeREST {
		return w
	}
	return &gatewayResponder{ResponseWriter: w, r: r, api: a, requestID: requestID}
}

// writeValidationFailure answers a request validator's refusal with its
// message (through the API's gateway responses when it has them).
func writeValidationFailure(w http.ResponseWriter, fl flavor, f failure, msg string) int {
	if gw, ok := w.(*gatewayResponder); ok {
		return gw.fail(fl, f, msg)
	}
	a := answer(fl, f)
	a.body = messageBody(msg)
	return writeAnswer(w, fl, a, nil)
}

// messageBody is API Gateway's REST error body for msg.
func messageBody(msg string) string {
	q, _ := json.Marshal(msg)
	return `{"message": ` + string(q) + `}`
}

// fail answers failure f, customized by the API's gateway responses.
func (g *gatewayResponder) fail(fl flavor, f failure, msg string) int {
	a := answer(fl, f)
	if msg != "" {
		a.body = messageBody(msg)
	} else {
		msg = answerMessage(a.body)
	}
	typ := responseTypeOf(f)
	gr, ok := g.api.GatewayResponses[typ]
	if !ok {
		class := "DEFAULT_4XX"
		if a.status >= 500 {
			class = "DEFAULT_5XX"
		}
		if typ == "" {
			typ = class
		}
		gr, ok = g.api.GatewayResponses[class]
		gr.StatusCode = 0 // a type keeps its own status
	}
	if !ok {
		return writeAnswer(g.ResponseWriter, fl, a, nil)
	}
	if gr.StatusCode != 0 {
		a.status = gr.StatusCode
	}
	headers := map[string]string{}
	if ct, tmpl, ok := pickTemplate(gr.Templates); ok {
		a.body = g.render(tmpl, typ, msg)
		headers["Content-Type"] = ct
	}
	for name, src := range gr.Headers {
		if v, ok := g.headerValue(src); ok {
			headers[name] = v
		}
	}
	return writeAnswer(g.ResponseWriter, fl, a, headers)
}

// pickTemplate is the application/json template, else the only one,
// with its content type.
func pickTemplate(ts map[string]string) (ct, tmpl string, ok bool) {
	if t, ok := ts["application/json"]; ok {
		return "application/json", t, true
	}
	for ct, t := range ts {
		if len(ts) == 1 {
			return ct, t, true
		}
	}
	return "", "", false
}

// answerMessage reads the message of a built-in error body.
func answerMessage(body string) string {
	var m map[string]string
	if json.Unmarshal([]byte(body), &m) != nil {
		return body
	}
	if s, ok := m["message"]; ok {
		return s
	}
	return m["Message"]
}

func (g *gatewayResponder) render(tmpl, typ, msg string) string {
	q, _ := json.Marshal(msg)
	stage := g.stage
	return strings.NewReplacer(
		"$context.error.messageString", string(q),
		"$context.error.message", msg,
		"$context.error.responseType", typ,
		"$context.error.validationErrorString", msg,
		"$context.requestId", g.requestID,
		"$context.apiId", g.api.ID,
		"$context.stage", stage,
	).Replace(tmpl)
}

// headerValue resolves a gateway response header's source: a 'literal' or
// a request value.
func (g *gatewayResponder) headerValue(src string) (string, bool) {
	if len(src) >= 2 && src[0] == '\'' && src[len(src)-1] == '\'' {
		return src[1 : len(src)-1], true
	}
	where, name, ok := requestParam(src)
	if !ok {
		return "", false
	}
	switch where {
	case "header":
		v := g.r.Header.Get(name)
		return v, v != ""
	case "querystring":
		v := g.r.URL.Query().Get(name)
		return v, v != ""
	case "path":
		for _, p := range g.params {
			if p.name == name {
				return p.value, true
			}
		}
	}
	return "", false
}

// writeAnswer writes an error answer with extra headers.
func writeAnswer(w http.ResponseWriter, fl flavor, a errorAnswer, extra map[string]string) int {
	h := w.Header()
	ct := "application/json"
	if !strings.HasPrefix(a.body, "{") {
		ct = "text/plain; charset=utf-8"
	}
	h.Set("Content-Type", ct)
	h.Set("Content-Length", strconv.Itoa(len(a.body)))
	if fl == flavorREST && a.errorType != "" {
		h.Set("X-Amzn-Errortype", a.errorType)
	}
	for k, v := range extra {
		h.Set(k, v)
	}
	w.WriteHeader(a.status)
	_, _ = w.Write([]byte(a.body))
	return a.status
}
