package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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

// templateVars are $input, $context, $util and $stageVariables of a request.
func (g *Gateway) templateVars(in *inbound, a *compiledAPI) map[string]any {
	path := vtl.NewMap()
	for _, p := range in.params {
		path.Put(p.name, p.value)
	}
	query := vtl.NewMap()
	q := parseQuery(in.r.URL.RawQuery)
	for _, k := range sortedKeys(q) {
		query.Put(k, q[k][len(q[k])-1])
	}
	hv := map[string]string{}
	for k, vs := range in.r.Header {
		hv[k] = vs[len(vs)-1]
	}
	if in.r.Host != "" && hv["Host"] == "" {
		hv["Host"] = in.r.Host // Go keeps it out of the header map; API Gateway has it
	}
	header := vtl.StringMap(hv)
	identity := vtl.MapOf("sourceIp", sourceIP(in.r), "userAgent", in.r.UserAgent(),
		"accountId", "", "apiKey", "", "apiKeyId", "", "caller", "", "user", "", "userArn", "", "accessKey", "",
		"cognitoAuthenticationProvider", "", "cognitoAuthenticationType", "", "cognitoIdentityId", "", "cognitoIdentityPoolId", "")
	authorizer := vtl.NewMap()
	if in.auth != nil {
		if in.auth.iam != nil {
			identity.Put("accessKey", in.auth.iam.AccessKey)
			identity.Put("accountId", in.auth.iam.AccountID)
			identity.Put("caller", in.auth.iam.CallerID)
			identity.Put("user", in.auth.iam.UserID)
			identity.Put("userArn", in.auth.iam.UserARN)
		}
		if v1 := in.auth.v1(); v1 != nil {
			if b, err := json.Marshal(v1); err == nil {
				if m, err := vtl.ParseJSON(b); err == nil {
					authorizer, _ = m.(*vtl.Map)
				}
			}
		}
	}
	if in.apiKey != nil {
		identity.Put("apiKey", in.apiKey.Value)
		identity.Put("apiKeyId", in.apiKey.ID)
	}
	fullPath := unescape(in.fullPath)
	if fullPath == "" {
		fullPath = "/"
	}
	ctx := vtl.MapOf(
		"accountId", a.account.ID, "apiId", a.api.ID, "authorizer", authorizer,
		"domainName", in.domainName, "domainPrefix", in.domainPrefix,
		"extendedRequestId", in.requestID, "httpMethod", in.r.Method, "identity", identity,
		"path", fullPath, "protocol", in.r.Proto, "requestId", in.requestID,
		"requestTime", in.timeText(), "requestTimeEpoch", in.now.UnixMilli(),
		"resourceId", in.route.route.ID, "resourcePath", in.route.path, "stage", in.stage,
		"requestOverride", vtl.MapOf("header", vtl.NewMap(), "querystring", vtl.NewMap(), "path", vtl.NewMap()),
		"responseOverride", vtl.MapOf("header", vtl.NewMap()),
	)
	return map[string]any{
		"input":          &vtl.Input{Path: path, Query: query, Header: header},
		"context":        ctx,
		"util":           vtl.Util{},
		"stageVariables": vtl.StringMap(in.stageVars),
	}
}

// paramValue resolves a request parameter mapping's source:
// method.request.{path,querystring,header}.NAME, 'literal', context.X,
// stageVariables.X.
func paramValue(src string, in *inbound, vars map[string]any) (string, bool) {
	if len(src) >= 2 && src[0] == '\'' && src[len(src)-1] == '\'' {
		return src[1 : len(src)-1], true
	}
	if rest, ok := strings.CutPrefix(src, "method.request."); ok {
		kind, name, _ := strings.Cut(rest, ".")
		input := vars["input"].(*vtl.Input)
		var m *vtl.Map
		switch kind {
		case "path":
			m = input.Path
		case "querystring", "multivaluequerystring":
			m = input.Query
		case "header", "multivalueheader":
			if v := in.r.Header.Get(name); v != "" {
				return v, true
			}
			return "", false
		case "body":
			return string(in.body), true
		}
		if v, ok := m.Get(name); ok {
			return vtl.ToString(v), true
		}
		return "", false
	}
	return varPath(src, vars)
}

// varPath resolves context.a.b and stageVariables.x.
func varPath(src string, vars map[string]any) (string, bool) {
	root, rest, _ := strings.Cut(src, ".")
	if root != "context" && root != "stageVariables" || rest == "" {
		return "", false
	}
	var v any = vars[root]
	for _, part := range strings.Split(rest, ".") {
		m, ok := v.(*vtl.Map)
		if !ok {
			return "", false
		}
		v, _ = m.Get(part)
	}
	if v == nil {
		return "", false
	}
	return vtl.ToString(v), true
}

// mappedParams are the request parameters under prefix, resolved.
func (m *Mapped) mappedParams(prefix string, in *inbound, vars map[string]any) map[string]string {
	out := map[string]string{}
	for k, src := range m.RequestParameters {
		if name, ok := strings.CutPrefix(k, prefix); ok {
			if v, ok := paramValue(src, in, vars); ok {
				out[name] = v
			}
		}
	}
	return out
}

// requestOverride is what the request template set in
// $context.requestOverride.KIND (header, querystring, path).
func requestOverride(vars map[string]any, kind string) map[string]string {
	out := map[string]string{}
	ctx, _ := vars["context"].(*vtl.Map)
	ro, _ := ctx.Get("requestOverride")
	m, _ := ro.(*vtl.Map)
	km, _ := m.Get(kind)
	if km, ok := km.(*vtl.Map); ok {
		for _, k := range km.Keys() {
			v, _ := km.Get(k)
			out[k] = vtl.ToString(v)
		}
	}
	return out
}

// responseParam resolves a response parameter mapping's source.
func responseParam(src string, res *integrationResult, vars map[string]any) (string, bool) {
	if len(src) >= 2 && src[0] == '\'' && src[len(src)-1] == '\'' {
		return src[1 : len(src)-1], true
	}
	if name, ok := strings.CutPrefix(src, "integration.response.header."); ok {
		v := res.header.Get(name)
		return v, v != ""
	}
	if src == "integration.response.body" {
		return string(res.body), true
	}
	if p, ok := strings.CutPrefix(src, "integration.response.body."); ok {
		root, err := vtl.ParseJSON(res.body)
		if err != nil {
			return "", false
		}
		v, err := vtl.SelectPath(root, "$."+p)
		if err != nil || v == nil {
			return "", false
		}
		if s, ok := v.(string); ok {
			return s, true
		}
		return vtl.ToJSON(v), true
	}
	return varPath(src, vars)
}

var uriParam = regexp.MustCompile(`\{([A-Za-z0-9_.-]+)\+?\}`)

// targetURL is the integration URI with its {params} and stage variables
// filled in (and, for HTTP_PROXY, the request's query string); it must be
// a loopback URL.
func (m *Mapped) targetURL(in *inbound, vars map[string]any, proxy bool) (string, error) {
	raw := m.URI
	sv, _ := vars["stageVariables"].(*vtl.Map)
	for _, k := range sv.Keys() {
		v, _ := sv.Get(k)
		raw = strings.ReplaceAll(raw, "${stageVariables."+k+"}", vtl.ToString(v))
	}
	mapped := m.mappedParams("integration.request.path.", in, vars)
	for k, v := range requestOverride(vars, "path") {
		mapped[k] = v
	}
	input := vars["input"].(*vtl.Input)
	raw = uriParam.ReplaceAllStringFunc(raw, func(s string) string {
		name := strings.TrimSuffix(strings.Trim(s, "{}"), "+")
		v, ok := mapped[name]
		if !ok {
			x, _ := input.Path.Get(name)
			v = vtl.ToString(x)
			if x == nil {
				v = ""
			}
		}
		segs := strings.Split(v, "/") // a greedy parameter's value keeps its slashes
		for i := range segs {
			segs[i] = url.PathEscape(segs[i])
		}
		return strings.Join(segs, "/")
	})
	if err := loopbackURL(raw); err != nil {
		return "", err
	}
	u, _ := url.Parse(raw)
	q := u.Query()
	if proxy {
		for k, vs := range parseQuery(in.r.URL.RawQuery) {
			q[k] = append(q[k], vs...)
		}
	} else {
		for k, v := range m.mappedParams("integration.request.querystring.", in, vars) {
			q.Set(k, v)
		}
		for k, v := range requestOverride(vars, "querystring") {
			q.Set(k, v)
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// refuseURL answers a request whose integration URL is not loopback.
func (g *Gateway) refuseURL(w http.ResponseWriter, a *compiledAPI, in *inbound, err error) int {
	g.log.Warn("integration not called: not a loopback URL", "api_id", a.api.ID, "route", in.route.routeKey, "err", err)
	return writeJSONMessage(w, http.StatusBadGateway, "nubo did not call the integration: "+err.Error())
}

func (g *Gateway) integrationFailed(w http.ResponseWriter, fl flavor, a *compiledAPI, in *inbound, err error) int {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrTimeout) {
		return writeFailure(w, fl, failTimeout)
	}
	g.log.Warn("HTTP integration failed", "api_id", a.api.ID, "route", in.route.routeKey, "err", err)
	return writeFailure(w, fl, failInternal)
}

// loopbackClient calls integrations: no proxy, no redirects followed, and
// a dialer that connects to loopback addresses only (a name like
// x.localhost must resolve there too).
var loopbackClient = &http.Client{
	Transport: &http.Transport{
		Proxy: nil,
		DialContext: (&net.Dialer{Timeout: 10 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("refused %s: not a loopback address", address)
			}
			return nil
		}}).DialContext,
		MaxIdleConnsPerHost: 16,
		IdleConnTimeout:     30 * time.Second,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func callHTTP(ctx context.Context, method, target string, h http.Header, body []byte) (*integrationResult, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = h
	resp, err := loopbackClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxAPIBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxAPIBody {
		return nil, fmt.Errorf("integration response over %d bytes", MaxAPIBody)
	}
	return &integrationResult{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

var hopHeaders = map[string]bool{"Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true, "Proxy-Authorization": true,
	"Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true, "Content-Length": true, "Host": true}

func hopByHop(k string) bool { return hopHeaders[http.CanonicalHeaderKey(k)] }

// proxyHeaders are the request's headers an HTTP_PROXY integration gets.
func proxyHeaders(src http.Header) http.Header {
	h := http.Header{}
	for k, vs := range src {
		if !hopByHop(k) {
			h[k] = append([]string(nil), vs...)
		}
	}
	return h
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
