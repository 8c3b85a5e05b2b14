package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// Size limits: API Gateway's 10 MB request body, the 6 MB of a synchronous
// invoke for function URL bodies, and Lambda's 6 MB synchronous invoke
// payload, which the event built from a request (its body base64-encoded
// when binary, plus headers and context) must fit in.
const (
	MaxAPIBody       = 10 << 20
	MaxURLBody       = 6 << 20
	MaxInvokePayload = 6 << 20
)

// target is where a request goes, found from its Host and path.
type target struct {
	api          *compiledAPI
	url          *FunctionURL
	urlID        string
	stage        string // from a custom domain mapping; "" means from the path
	fullPath     string // escaped, as the client sent it (minus /_api/{id})
	apiPath      string // escaped, within the API
	domainName   string
	domainPrefix string
	customDomain bool
}

func hostOnly(h string) string {
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.Contains(h[i:], "]") {
		h = h[:i]
	}
	return strings.ToLower(strings.TrimSuffix(h, "."))
}

// labelBefore returns the first label of host when the second is service:
// "abc.execute-api.localhost" -> "abc".
func labelBefore(host, service string) (string, bool) {
	first, rest, ok := strings.Cut(host, ".")
	if !ok || first == "" {
		return "", false
	}
	second, _, _ := strings.Cut(rest, ".")
	return first, second == service
}

// cutPrefixID splits "/_api/{id}/rest" into id and "/rest".
func cutPrefixID(p, prefix string) (id, rest string, ok bool) {
	s, ok := strings.CutPrefix(p, prefix)
	if !ok {
		return "", "", false
	}
	id, rest, _ = strings.Cut(s, "/")
	return id, "/" + rest, id != ""
}

// resolve finds the API or function URL a request is for; ok is false when
// nothing matches (a 404).
func (s *snapshot) resolve(r *http.Request) (t target, ok bool) {
	host := hostOnly(r.Host)
	p := r.URL.EscapedPath()
	if p == "" {
		p = "/"
	}
	if id, yes := labelBefore(host, "execute-api"); yes {
		a := s.apis[id]
		if a == nil || a.api.DisableExecuteAPIEndpoint {
			return t, false
		}
		return target{api: a, fullPath: p, apiPath: p, domainName: host, domainPrefix: id}, true
	}
	if id, yes := labelBefore(host, "lambda-url"); yes {
		u := s.urls[id]
		return target{url: u, urlID: id, fullPath: p, apiPath: p, domainName: host, domainPrefix: id}, u != nil
	}
	if ms := s.domains[host]; ms != nil {
		trimmed := strings.TrimPrefix(p, "/")
		for _, m := range ms {
			rest, matched := trimmed, m.basePath == ""
			if !matched {
				if after, yes := strings.CutPrefix(trimmed, m.basePath); yes && (after == "" || after[0] == '/') {
					rest, matched = after, true
				}
			}
			if !matched {
				continue
			}
			a := s.apis[m.apiID]
			if a == nil {
				return t, false
			}
			prefix, _, _ := strings.Cut(host, ".")
			rest = "/" + strings.TrimPrefix(rest, "/")
			return target{api: a, stage: m.stage, fullPath: p, apiPath: rest, domainName: host, domainPrefix: prefix, customDomain: true}, true
		}
		return t, false
	}
	if id, rest, yes := cutPrefixID(p, "/_api/"); yes {
		a := s.apis[id]
		if a == nil || a.api.DisableExecuteAPIEndpoint {
			return t, false
		}
		return target{api: a, fullPath: rest, apiPath: rest, domainName: id + ".execute-api.localhost", domainPrefix: id}, true
	}
	if id, rest, yes := cutPrefixID(p, "/_url/"); yes {
		u := s.urls[id]
		return target{url: u, urlID: id, fullPath: rest, apiPath: rest, domainName: id + ".lambda-url.localhost", domainPrefix: id}, u != nil
	}
	return t, false
}

// accessRecord is what one access log line says.
type accessRecord struct {
	apiID, stage, routeKey, requestID string
	method, path, sourceIP            string
	status                            int
	integrationLatency                time.Duration
	enabled                           bool
}

func (g *Gateway) serveHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	snap := g.snap.Load()
	rec := accessRecord{requestID: awsapi.NewRequestID(), method: r.Method, path: r.URL.Path, sourceIP: sourceIP(r)}
	defer func() {
		if rec.enabled {
			g.logAccess(&rec, time.Since(start))
		}
	}()
	t, ok := snap.resolve(r)
	if !ok {
		w.Header().Set("Apigw-Requestid", rec.requestID)
		rec.status = writeFailure(w, flavorHTTP, failNotFound)
		return
	}
	if t.url != nil {
		g.serveURL(w, r, snap, &t, &rec)
		return
	}
	g.serveAPI(w, r, snap, &t, &rec)
}

func (g *Gateway) serveAPI(w http.ResponseWriter, r *http.Request, snap *snapshot, t *target, rec *accessRecord) {
	a := t.api
	fl := flavorHTTP
	if a.api.Type == TypeREST {
		fl = flavorREST
		w.Header().Set("X-Amzn-Requestid", rec.requestID)
		w.Header().Set("X-Amz-Apigw-Id", rec.requestID[:8])
	} else {
		w.Header().Set("Apigw-Requestid", rec.requestID)
	}
	rec.apiID = a.api.ID
	w = withGatewayResponses(w, r, a.api, rec.requestID)

	// The stage: from the custom domain mapping, or the first path segment,
	// or $default (HTTP APIs).
	stageName, apiPath := t.stage, t.apiPath
	if stageName == "" {
		first, rest, _ := strings.Cut(strings.TrimPrefix(apiPath, "/"), "/")
		if st := a.stages[unescape(first)]; st != nil && st.Name != "$default" && first != "" {
			stageName, apiPath = st.Name, "/"+rest
		} else if a.hasDefault {
			stageName = "$default"
		}
	}
	stage := a.stages[stageName]
	if stage == nil {
		rec.status = writeFailure(w, fl, failNotFound)
		return
	}
	rec.stage, rec.enabled = stage.Name, stage.AccessLog
	if a.ws != nil {
		rec.status = g.serveWebSocket(w, r, a, stage, t, apiPath, rec)
		return
	}

	// CORS preflight is answered before routing and authorization; the
	// gateway's own answers (404, 401, 429...) carry the CORS headers too, so
	// a browser can read them.
	if a.cors != nil && !isPreflight(r) {
		applyCORS(w.Header(), a.cors, r)
	}
	if a.cors != nil && isPreflight(r) {
		rec.routeKey = "OPTIONS preflight"
		rec.status = writePreflight(w, a.cors, r)
		return
	}
	route, params := a.router.match(r.Method, apiPath)
	if route == nil {
		rec.status = writeFailure(w, fl, failNotFound)
		return
	}
	rec.routeKey = route.routeKey
	if typ := route.route.Integration.NotServed; typ != "" {
		g.log.Warn("route not served: its integration type is not served yet", "api_id", a.api.ID, "route", route.routeKey, "integration_type", typ)
		rec.status = writeNotServed(w, fl, route.routeKey, typ)
		return
	}

	limitBody(r, MaxAPIBody)
	body, f := readBody(r, MaxAPIBody)
	if f >= 0 {
		rec.status = writeFailure(w, fl, f)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body)) // for the AWS_IAM signature check
	fullPath := t.fullPath
	if t.customDomain && a.api.Type == TypeHTTP {
		// HTTP APIs behind a custom domain send the path as if requested on
		// the execute-api endpoint: without the mapping key, with the stage.
		fullPath = apiPath
		if stage.Name != "$default" {
			fullPath = "/" + url.PathEscape(stage.Name) + apiPath
		}
	}
	now := g.now()
	in := &inbound{
		r: r, requestID: rec.requestID, now: now, nowText: g.requestTime(now),
		domainName: t.domainName, domainPrefix: t.domainPrefix,
		fullPath: fullPath, apiPath: apiPath, customDomain: t.customDomain,
		stage: stage.Name, stageVars: stage.Variables,
		route: route, params: params, body: body,
		headers: forwardedHeaders(r, rec.requestID),
	}
	in.base64Body = binaryBody(body, r.Header.Get("Content-Type"), a.api)
	ctx := r.Context()

	if route.route.AuthorizationType == AuthIAM {
		p, ok := g.verifyIAM(r, "execute-api")
		if !ok {
			rec.status = writeFailure(w, fl, failForbidden)
			return
		}
		in.auth = g.iamResult(p)
	}
	if z := route.authorizer; z != nil {
		res, f := g.authorize(ctx, a, z, route, in)
		if f >= 0 {
			rec.status = writeFailure(w, fl, f)
			return
		}
		in.auth = res
	}
	if route.route.APIKeyRequired {
		key, f := g.checkAPIKey(snap, a.api.ID, stage.Name, r, in.auth)
		if f >= 0 {
			rec.status = writeFailure(w, fl, f)
			return
		}
		in.apiKey = key
	}
	if stage.ThrottleRate > 0 || stage.ThrottleBurst > 0 {
		if !g.limits.allow("stage/"+a.api.ID+"/"+stage.Name, stage.ThrottleRate, stage.ThrottleBurst) {
			rec.status = writeFailure(w, fl, failThrottled)
			return
		}
	}

	if gw, ok := w.(*gatewayResponder); ok {
		gw.stage, gw.params = stage.Name, params
	}
	if v := route.validation; v != nil {
		if f, msg := v.check(r, params, body); f >= 0 {
			rec.status = writeValidationFailure(w, fl, f, msg)
			return
		}
	}

	if m := route.route.Integration.Mock; m != nil {
		rec.status = m.write(w, r.Method == http.MethodHead)
		return
	}
	if m := route.route.Integration.Mapped; m != nil {
		istart := time.Now()
		rec.status = g.serveMapped(w, in, a, m)
		rec.integrationLatency = time.Since(istart)
		return
	}

	var payload []byte
	var err error
	version := route.route.Integration.PayloadFormatVersion
	if version == "1.0" {
		payload, err = in.eventV1(a.api.ID, a.account.ID, a.api.Type == TypeREST)
	} else {
		payload, err = in.eventV2(a.api.ID, a.account.ID)
	}
	if err != nil {
		g.log.Error("encode event", "api_id", a.api.ID, "err", err)
		rec.status = writeFailure(w, fl, failInternal)
		return
	}
	if f := g.checkEventSize(payload, a.api.ID, route.routeKey); f >= 0 {
		rec.status = writeFailure(w, fl, f)
		return
	}
	src := Source{Principal: PrincipalAPIGateway, SourceARN: a.routeARN(stage.Name, r.Method, route)}
	ictx, cancel := context.WithTimeoutCause(ctx, time.Duration(route.timeout)*time.Millisecond, ErrTimeout)
	istart := time.Now()
	result, ferr, err := g.invoker.Invoke(ictx, route.route.Integration.Function, payload, src)
	rec.integrationLatency = time.Since(istart)
	cancel()
	if f := g.invokeFailure(ictx, err, ferr, a.api.ID, route.route.Integration.Function); f >= 0 {
		rec.status = writeFailure(w, fl, f)
		return
	}
	resp, err := parseResponse(result, version)
	if err != nil {
		g.log.Warn("bad function response", "api_id", a.api.ID, "function", route.route.Integration.Function, "err", err)
		rec.status = writeFailure(w, fl, failBadGateway)
		return
	}
	if a.cors != nil {
		applyCORS(resp.header, a.cors, r)
	}
	resp.write(w, r.Method == http.MethodHead)
	rec.status = resp.status
}

// invokeFailure maps an invocation outcome to an answer (-1: success).
func (g *Gateway) invokeFailure(ictx context.Context, err error, functionError string, owner, function string) failure {
	switch {
	case err == nil && functionError == "":
		return -1
	case err == nil:
		return failBadGateway
	case errors.Is(err, ErrThrottled):
		return failThrottled
	case errors.Is(err, ErrTimeout), errors.Is(err, context.DeadlineExceeded) && errors.Is(context.Cause(ictx), ErrTimeout):
		return failTimeout
	case errors.Is(err, ErrFunctionNotFound):
		g.log.Warn("integration function not found", "owner", owner, "function", function)
		return failInternal
	case errors.Is(err, ErrAccessDenied):
		g.log.Warn("invalid permissions on Lambda function", "owner", owner, "function", function)
		return failPermission
	default:
		if ictx.Err() != nil && errors.Is(context.Cause(ictx), ErrTimeout) {
			return failTimeout
		}
		if errors.Is(err, context.Canceled) { // the client went away: nobody to tell
			g.log.Debug("invoke cancelled", "owner", owner, "function", function)
			return failInternal
		}
		g.log.Error("invoke", "owner", owner, "function", function, "err", err)
		return failInternal
	}
}

// checkEventSize refuses an event Lambda would refuse to be invoked with
// (RequestEntityTooLargeException): over MaxInvokePayload (-1: ok).
func (g *Gateway) checkEventSize(payload []byte, owner, what string) failure {
	if len(payload) <= MaxInvokePayload {
		return -1
	}
	g.log.Warn("event over Lambda's invoke payload limit: not invoked", "owner", owner, "route", what,
		"event_bytes", len(payload), "limit_bytes", MaxInvokePayload)
	return failEventTooLarge
}

// limitBody caps what anything may read of r's body at max+1 bytes (the
// signature check of AWS_IAM reads it before readBody does).
func limitBody(r *http.Request, max int64) {
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = struct {
			io.Reader
			io.Closer
		}{io.LimitReader(r.Body, max+1), r.Body}
	}
}

// readBody reads at most max bytes; over that it answers 413 (-1: ok).
func readBody(r *http.Request, max int64) ([]byte, failure) {
	if r.ContentLength > max {
		return nil, failTooLarge
	}
	if r.Body == nil || r.Body == http.NoBody {
		return nil, -1
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		return nil, failBadRequest
	}
	if int64(len(b)) > max {
		return nil, failTooLarge
	}
	return b, -1
}

// routeARN is the execute-api ARN an invocation comes from, the SourceArn
// that AWS::Lambda::Permission matches: arn:aws:execute-api:R:A:api/stage/METHOD/path.
func (a *compiledAPI) routeARN(stage, method string, route *compiledRoute) string {
	res := a.api.ID + "/" + stage + "/"
	switch {
	case route.method == "":
		res += "$default"
	case route.method == methodAny:
		res += "*" + route.path
	default:
		res += method + route.path
	}
	return a.account.ARN("execute-api", res)
}
