package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nubo-run/nubo/internal/gateway/vtl"
)

// Serving a Mapped integration, as API Gateway runs a non-proxy one:
// method request -> request template (by content type, or passthrough) ->
// the integration (MOCK, HTTP, Lambda) -> integration response selected by
// its SelectionPattern -> response parameters and template -> method
// response. HTTP_PROXY forwards the request and the answer unchanged.

// integrationResult is what the integration answered.
type integrationResult struct {
	status       int
	header       http.Header
	body         []byte
	errorMessage string // a Lambda function error's errorMessage
	functionErr  bool
}

// templates caches parsed templates by their text, up to maxCached of
// them (beyond, a template is parsed per request).
var (
	templates   sync.Map // string -> *vtl.Template
	cachedCount atomic.Int64
)

const maxCached = 4096

func parseTemplate(src string) (*vtl.Template, error) {
	if t, ok := templates.Load(src); ok {
		return t.(*vtl.Template), nil
	}
	t, err := vtl.Parse(src)
	if err != nil {
		return nil, err
	}
	if cachedCount.Add(1) <= maxCached {
		templates.Store(src, t)
	}
	return t, nil
}

// templateOptions: API Gateway renders a missing reference as nothing.
var templateOptions = vtl.Options{MaxOutput: MaxAPIBody, QuietNulls: true}

func (g *Gateway) serveMapped(w http.ResponseWriter, in *inbound, a *compiledAPI, m *Mapped) int {
	r := in.r
	head := r.Method == http.MethodHead
	fl := flavorREST
	if a.api.Type == TypeHTTP {
		fl = flavorHTTP
	}
	ctx, cancel := context.WithTimeoutCause(r.Context(), time.Duration(in.route.timeout)*time.Millisecond, ErrTimeout)
	defer cancel()
	vars := g.templateVars(in, a)
	if m.Type == integHTTPProxy {
		target, err := m.targetURL(in, vars, true)
		if err != nil {
			return g.refuseURL(w, a, in, err)
		}
		res, err := callHTTP(ctx, r.Method, target, proxyHeaders(r.Header), in.body)
		if err != nil {
			return g.integrationFailed(w, fl, a, in, err)
		}
		h := w.Header()
		for k, vs := range res.header {
			if !hopByHop(k) {
				h[k] = vs
			}
		}
		if a.cors != nil {
			applyCORS(h, a.cors, r)
		}
		return writeBody(w, res.status, res.body, head)
	}

	// The request template.
	payload := in.body
	tmplSrc, found, pass := m.requestTemplate(r.Header.Get("Content-Type"))
	if !pass {
		w.Header().Set("X-Amzn-Errortype", "UnsupportedMediaTypeException")
		return writeJSONMessage(w, http.StatusUnsupportedMediaType, "Unsupported Media Type")
	}
	if found {
		out, err := g.render(tmplSrc, vars, in.body)
		if err != nil {
			g.log.Warn("request mapping template failed", "api_id", a.api.ID, "route", in.route.routeKey, "err", err)
			return writeFailure(w, flavorREST, failInternal)
		}
		payload = []byte(out)
	}

	// The integration.
	var res integrationResult
	switch m.Type {
	case integMock:
		res = integrationResult{status: mockStatus(payload)}
	case integHTTP:
		target, err := m.targetURL(in, vars, false)
		if err != nil {
			return g.refuseURL(w, a, in, err)
		}
		hdr := http.Header{}
		if ct := r.Header.Get("Content-Type"); ct != "" && !found {
			hdr.Set("Content-Type", ct)
		} else {
			hdr.Set("Content-Type", "application/json")
		}
		for k, v := range m.mappedParams("integration.request.header.", in, vars) {
			hdr.Set(k, v)
		}
		for k, v := range requestOverride(vars, "header") {
			hdr.Set(k, v)
		}
		method := strings.ToUpper(m.HTTPMethod)
		if method == "" || method == "ANY" {
			method = r.Method
		}
		p, err := callHTTP(ctx, method, target, hdr, payload)
		if err != nil {
			return g.integrationFailed(w, fl, a, in, err)
		}
		res = *p
	case integAWS:
		fn := m.lambdaFunction()
		if len(bytes.TrimSpace(payload)) > 0 && !json.Valid(payload) {
			// Lambda's Invoke refuses a payload that is not JSON
			// (InvalidRequestContentException, 400), which API Gateway
			// answers as an internal error: a request template that
			// leaves an escapeJavaScript \' in a string does this.
			g.log.Warn("Lambda invocation failed with status: 400: Could not parse request body into json", "api_id", a.api.ID, "route", in.route.routeKey, "function", fn)
			return writeFailure(w, flavorREST, failInternal)
		}
		src := Source{Principal: PrincipalAPIGateway, SourceARN: a.routeARN(in.stage, r.Method, in.route), Role: m.Credentials}
		out, ferr, err := g.invoker.Invoke(ctx, fn, payload, src)
		if f := g.invokeFailure(ctx, err, "", a.api.ID, fn); f >= 0 {
			return writeFailure(w, flavorREST, f)
		}
		res = integrationResult{status: http.StatusOK, body: out, functionErr: ferr != ""}
		if ferr != "" {
			var e struct {
				ErrorMessage string `json:"errorMessage"`
			}
			_ = json.Unmarshal(out, &e)
			res.errorMessage = e.ErrorMessage
		}
	default:
		return writeNotServed(w, flavorREST, in.route.routeKey, m.Type)
	}

	// The integration response.
	ir := m.selectResponse(&res)
	if ir == nil {
		g.log.Warn("no integration response matches and none is the default", "api_id", a.api.ID, "route", in.route.routeKey,
			"integration_status", res.status, "error_message", res.errorMessage)
		return writeFailure(w, flavorREST, failInternal)
	}
	status, err := strconv.Atoi(ir.StatusCode)
	if err != nil || status < 100 || status > 599 {
		g.log.Warn("integration response status code is not a number", "api_id", a.api.ID, "status_code", ir.StatusCode)
		return writeFailure(w, flavorREST, failInternal)
	}
	h := w.Header()
	for _, k := range sortedKeys(ir.ResponseParameters) {
		name, ok := strings.CutPrefix(k, "method.response.header.")
		if !ok {
			continue
		}
		if v, ok := responseParam(ir.ResponseParameters[k], &res, vars); ok {
			h.Set(name, v)
		}
	}
	body := res.body
	ct := res.header.Get("Content-Type")
	if key, src, ok := pickResponseTemplate(ir.ResponseTemplates, r.Header.Get("Accept")); ok {
		ro := vtl.MapOf("header", vtl.NewMap())
		vars["context"].(*vtl.Map).Put("responseOverride", ro)
		out, err := g.render(src, vars, res.body)
		if err != nil {
			g.log.Warn("response mapping template failed", "api_id", a.api.ID, "route", in.route.routeKey, "err", err)
			return writeFailure(w, flavorREST, failInternal)
		}
		body, ct = []byte(out), key
		if v, ok := ro.Get("status"); ok {
			if n, err := strconv.Atoi(vtl.ToString(v)); err == nil && n >= 100 && n <= 599 {
				status = n
			}
		}
		if hm, ok := ro.Get("header"); ok {
			if hm, ok := hm.(*vtl.Map); ok {
				for _, k := range hm.Keys() {
					v, _ := hm.Get(k)
					h.Set(k, vtl.ToString(v))
				}
			}
		}
	}
	if h.Get("Content-Type") == "" {
		if ct == "" {
			ct = "application/json"
		}
		h.Set("Content-Type", ct)
	}
	if a.cors != nil {
		applyCORS(h, a.cors, r)
	}
	return writeBody(w, status, body, head)
}

// render evaluates a template with $input on body.
func (g *Gateway) render(src string, vars map[string]any, body []byte) (string, error) {
	t, err := parseTemplate(src)
	if err != nil {
		return "", err
	}
	in := *vars["input"].(*vtl.Input)
	in.Body = body
	v := make(map[string]any, len(vars))
	for k, x := range vars {
		v[k] = x
	}
	v["input"] = &in
	return t.Execute(v, templateOptions)
}

// requestTemplate picks the template for the request's content type
// (application/json when it has none); pass is false when the passthrough
// behavior refuses the request (415).
func (m *Mapped) requestTemplate(contentType string) (src string, found, pass bool) {
	ct := "application/json"
	if contentType != "" {
		if mt, _, err := mime.ParseMediaType(contentType); err == nil {
			ct = mt
		}
	}
	for k, v := range m.RequestTemplates {
		if strings.EqualFold(k, ct) {
			return v, true, true
		}
	}
	switch m.PassthroughBehavior {
	case "NEVER":
		return "", false, false
	case "WHEN_NO_TEMPLATES":
		return "", false, len(m.RequestTemplates) == 0
	}
	return "", false, true
}

// mockStatus is the statusCode a MOCK's request template asks for (200
// when it asks for none).
func mockStatus(payload []byte) int {
	var req struct {
		StatusCode json.Number `json:"statusCode"`
	}
	if json.Unmarshal(payload, &req) != nil {
		return http.StatusOK
	}
	n, err := strconv.Atoi(req.StatusCode.String())
	if err != nil {
		return http.StatusOK
	}
	return n
}

// selectResponse is the integration response whose pattern matches the
// status (HTTP, MOCK) or the function's errorMessage (Lambda), else the
// default one; nil when there is none.
func (m *Mapped) selectResponse(res *integrationResult) *IntegrationResponse {
	key, match := strconv.Itoa(res.status), true
	if m.Type == integAWS {
		key, match = res.errorMessage, res.functionErr
	}
	var def *IntegrationResponse
	for i := range m.Responses {
		ir := &m.Responses[i]
		if ir.SelectionPattern == "" {
			if def == nil {
				def = ir
			}
			continue
		}
		if !match {
			continue
		}
		if re, err := regexp.Compile("^(?:" + ir.SelectionPattern + ")$"); err == nil && re.MatchString(key) {
			return ir
		}
	}
	return def
}

// pickResponseTemplate: the one for the Accept header's type, else
// application/json, else the only one.
func pickResponseTemplate(tm map[string]string, accept string) (string, string, bool) {
	if len(tm) == 0 {
		return "", "", false
	}
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if v, ok := tm[mt]; ok && mt != "" {
			return mt, v, true
		}
	}
	if v, ok := tm["application/json"]; ok {
		return "application/json", v, true
	}
	if len(tm) == 1 {
		for k, v := range tm {
			return k, v, true
		}
	}
	return "", "", false
}

func writeBody(w http.ResponseWriter, status int, body []byte, head bool) int {
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if !head {
		_, _ = w.Write(body)
	}
	return status
}

func writeJSONMessage(w http.ResponseWriter, status int, msg string) int {
	b, _ := json.Marshal(map[string]string{"message": msg})
	w.Header().Set("Content-Type", "application/json")
	return writeBody(w, status, b, false)
}
