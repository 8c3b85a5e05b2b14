package gateway

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Authorizers: JWT (jwt.go) and Lambda (REQUEST, TOKEN). A Lambda
// authorizer gets the request's identity sources and answers with a simple
// response ({isAuthorized, context}) or an IAM policy; answers are cached by
// the identity source values for the authorizer's TTL.

type compiledAuthorizer struct {
	cfg      *Authorizer
	inline   map[string]crypto.PublicKey
	identity []identitySource
}

type identitySource struct{ kind, name string }

// parseIdentitySource reads "$request.header.Authorization",
// "method.request.querystring.q", "route.request.header.X", "$context.x",
// "$stageVariables.x".
func parseIdentitySource(s string) (identitySource, string, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(t, "$")
	t = strings.TrimPrefix(t, "method.")
	t = strings.TrimPrefix(t, "route.") // WebSocket APIs: route.request.header.X
	var is identitySource
	switch {
	case strings.HasPrefix(t, "request.header."):
		is = identitySource{"header", t[len("request.header."):]}
	case strings.HasPrefix(t, "request.querystring."):
		is = identitySource{"querystring", t[len("request.querystring."):]}
	case strings.HasPrefix(t, "context."):
		is = identitySource{"context", t[len("context."):]}
	case strings.HasPrefix(t, "stageVariables."):
		is = identitySource{"stageVariables", t[len("stageVariables."):]}
	default:
		return is, "", invalid("identity source %q: want $request.header.X, $request.querystring.X, $context.X or $stageVariables.X", s)
	}
	if is.name == "" {
		return is, "", invalid("identity source %q: no name", s)
	}
	return is, s, nil
}

func compileAuthorizer(z *Authorizer) (*compiledAuthorizer, error) {
	c := &compiledAuthorizer{cfg: z}
	sources := z.IdentitySource
	if len(sources) == 0 && (z.Type == AuthorizerJWT || z.Type == AuthorizerToken) {
		sources = []string{"$request.header.Authorization"}
	}
	for _, s := range sources {
		is, _, err := parseIdentitySource(s)
		if err != nil {
			return nil, fmt.Errorf("authorizer %s: %w", z.ID, err)
		}
		c.identity = append(c.identity, is)
	}
	if len(z.JWKS) > 0 {
		keys, err := parseJWKS(z.JWKS)
		if err != nil {
			return nil, fmt.Errorf("authorizer %s: %w", z.ID, err)
		}
		c.inline = keys
	}
	return c, nil
}

// identityValues returns the values of the identity sources, or ok=false
// when one is missing (API Gateway then answers 401 without invoking).
func (z *compiledAuthorizer) identityValues(in *inbound) ([]string, bool) {
	out := make([]string, 0, len(z.identity))
	for _, is := range z.identity {
		var v string
		switch is.kind {
		case "header":
			v = strings.Join(in.r.Header.Values(is.name), ",")
		case "querystring":
			v = strings.Join(in.r.URL.Query()[is.name], ",")
		case "stageVariables":
			v = in.stageVars[is.name]
		case "context":
			switch is.name {
			case "requestId":
				v = in.requestID
			case "stage":
				v = in.stage
			case "httpMethod":
				v = in.r.Method
			case "identity.sourceIp":
				v = sourceIP(in.r)
			case "domainName":
				v = in.domainName
			}
		}
		if v == "" {
			return nil, false
		}
		out = append(out, v)
	}
	return out, true
}

// authResult is what an authorizer let through, for requestContext.authorizer.
type authResult struct {
	jwtClaims   map[string]string
	jwtScopes   []string
	lambda      map[string]any // context of a Lambda authorizer
	principalID string
	iam         *events.APIGatewayV2HTTPRequestContextAuthorizerIAMDescription
	usageKey    string // usageIdentifierKey from a REST authorizer
}

func (a *authResult) v2() *events.APIGatewayV2HTTPRequestContextAuthorizerDescription {
	d := &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{}
	switch {
	case a.jwtClaims != nil:
		d.JWT = &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: a.jwtClaims, Scopes: a.jwtScopes}
	case a.iam != nil:
		d.IAM = a.iam
	default:
		d.Lambda = a.lambda
		if d.Lambda == nil {
			d.Lambda = map[string]any{}
		}
	}
	return d
}

func (a *authResult) v1() map[string]any {
	if a.iam != nil { // IAM callers are in requestContext.identity
		return nil
	}
	m := map[string]any{}
	if a.jwtClaims != nil {
		m["claims"] = a.jwtClaims
		m["scopes"] = a.jwtScopes
		return m
	}
	for k, v := range a.lambda {
		m[k] = v
	}
	if a.principalID != "" {
		m["principalId"] = a.principalID
	}
	return m
}

// authorize runs route's authorizer; the failure is -1 when the request may go on.
func (g *Gateway) authorize(ctx context.Context, a *compiledAPI, z *compiledAuthorizer, route *compiledRoute, in *inbound) (*authResult, failure) {
	values, ok := z.identityValues(in)
	if !ok {
		return nil, failUnauthorized
	}
	if z.cfg.Type == AuthorizerJWT {
		res, err := g.checkJWT(ctx, z, values[0], route.route.AuthorizationScopes)
		switch {
		case err == nil:
			return res, -1
		case errors.Is(err, errNoScope):
			return nil, failForbidden
		case errors.Is(err, errTokenInvalid):
			return nil, failUnauthorized
		default:
			g.log.Warn("jwt authorizer", "api_id", a.api.ID, "authorizer", z.cfg.ID, "err", err)
			return nil, failUnauthorized
		}
	}
	methodARN := a.routeARN(in.stage, in.r.Method, route)
	cacheKey := ""
	if z.cfg.ResultTTLSeconds > 0 {
		cacheKey = a.api.ID + "\x00" + z.cfg.ID + "\x00" + strings.Join(values, "\x00")
		if d, ok := g.authz.get(cacheKey, g.now()); ok {
			return d.decide(methodARN)
		}
	}
	payload, err := lambdaAuthorizerEvent(a, z, route, in, values, methodARN)
	if err != nil {
		g.log.Error("encode authorizer event", "api_id", a.api.ID, "err", err)
		return nil, failAuthorizerError
	}
	src := Source{Principal: PrincipalAPIGateway, SourceARN: a.account.ARN("execute-api", a.api.ID+"/authorizers/"+z.cfg.ID)}
	actx, cancel := context.WithTimeoutCause(ctx, 10*time.Second, ErrTimeout)
	result, ferr, err := g.invoker.Invoke(actx, z.cfg.Function, payload, src)
	cancel()
	if err == nil && ferr != "" && unauthorizedError(result) {
		return nil, failUnauthorized // the documented way to answer 401: throw "Unauthorized"
	}
	if err != nil || ferr != "" {
		g.log.Warn("lambda authorizer failed", "api_id", a.api.ID, "authorizer", z.cfg.ID, "function_error", ferr, "err", err)
		return nil, failAuthorizerError
	}
	d, err := parseAuthorizerResponse(result, z.cfg.SimpleResponses)
	if err != nil {
		g.log.Warn("lambda authorizer response", "api_id", a.api.ID, "authorizer", z.cfg.ID, "err", err)
		return nil, failAuthorizerError
	}
	if cacheKey != "" {
		g.authz.put(cacheKey, d, g.now().Add(time.Duration(z.cfg.ResultTTLSeconds)*time.Second))
	}
	return d.decide(methodARN)
}

// unauthorizedError reports whether a function error's message is "Unauthorized".
func unauthorizedError(result []byte) bool {
	var e struct {
		ErrorMessage string `json:"errorMessage"`
	}
	return json.Unmarshal(result, &e) == nil && e.ErrorMessage == "Unauthorized"
}

// authDecision is a Lambda authorizer's answer.
type authDecision struct {
	simple      bool
	allowed     bool
	principalID string
	context     map[string]any
	statements  []events.IAMPolicyStatement
	usageKey    string
}

// decide applies the decision to a method ARN: an explicit Deny wins, then
// an Allow whose resource matches; a cached policy may cover other routes.
func (d *authDecision) decide(methodARN string) (*authResult, failure) {
	res := &authResult{lambda: d.context, principalID: d.principalID, usageKey: d.usageKey}
	if d.simple {
		if d.allowed {
			return res, -1
		}
		return nil, failForbidden
	}
	allowed := false
	for _, st := range d.statements {
		if !actionMatches(st.Action) || !resourceMatches(st.Resource, methodARN) {
			continue
		}
		switch strings.ToLower(st.Effect) {
		case "deny":
			return nil, failDenied
		case "allow":
			allowed = true
		}
	}
	if !allowed {
		return nil, failNotAllowed
	}
	return res, -1
}

func actionMatches(actions []string) bool {
	for _, a := range actions {
		a = strings.ToLower(a)
		if a == "*" || a == "execute-api:*" || a == "execute-api:invoke" {
			return true
		}
	}
	return false
}

func resourceMatches(resources []string, arn string) bool {
	for _, r := range resources {
		if r == "*" || r == arn {
			return true
		}
		if wildcardMatch(r, arn) {
			return true
		}
	}
	return false
}

// wildcardMatch is IAM's glob: * any run (across "/"), ? one character.
// Greedy with one backtrack point: linear in practice, never exponential.
func wildcardMatch(pattern, s string) bool {
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

type stringList []string

// UnmarshalJSON accepts a string or a list of strings (IAM's Action/Resource).
func (l *stringList) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*l = []string{s}
		return nil
	}
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		return err
	}
	*l = ss
	return nil
}

func parseAuthorizerResponse(b []byte, simple bool) (*authDecision, error) {
	if simple {
		var r struct {
			IsAuthorized *bool          `json:"isAuthorized"`
			Context      map[string]any `json:"context"`
		}
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("simple response: %w", err)
		}
		if r.IsAuthorized == nil {
			return nil, errors.New("simple response: isAuthorized missing")
		}
		return &authDecision{simple: true, allowed: *r.IsAuthorized, context: r.Context}, nil
	}
	var r struct {
		PrincipalID    string `json:"principalId"`
		PolicyDocument struct {
			Version   string `json:"Version"`
			Statement []struct {
				Action   stringList `json:"Action"`
				Effect   string     `json:"Effect"`
				Resource stringList `json:"Resource"`
			} `json:"Statement"`
		} `json:"policyDocument"`
		Context            map[string]any `json:"context"`
		UsageIdentifierKey string         `json:"usageIdentifierKey"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("policy response: %w", err)
	}
	if len(r.PolicyDocument.Statement) == 0 {
		return nil, errors.New("policy response: no policyDocument statements")
	}
	d := &authDecision{principalID: r.PrincipalID, context: r.Context, usageKey: r.UsageIdentifierKey}
	for k, v := range d.context {
		switch v.(type) {
		case string, float64, bool, nil:
		default:
			return nil, fmt.Errorf("policy response: context.%s: only strings, numbers and booleans", k)
		}
	}
	for _, st := range r.PolicyDocument.Statement {
		d.statements = append(d.statements, events.IAMPolicyStatement{Action: st.Action, Effect: st.Effect, Resource: st.Resource})
	}
	return d, nil
}

// lambdaAuthorizerEvent is the event a Lambda authorizer receives.
func lambdaAuthorizerEvent(a *compiledAPI, z *compiledAuthorizer, route *compiledRoute, in *inbound, values []string, methodARN string) ([]byte, error) {
	if z.cfg.Type == AuthorizerToken {
		return json.Marshal(events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: values[0], MethodArn: methodARN})
	}
	if z.cfg.PayloadFormatVersion == "2.0" {
		headers, cookies := v2Headers(in.headers)
		ev := authorizerRequestV2{
			Version:        "2.0",
			Type:           "REQUEST",
			RouteArn:       methodARN,
			IdentitySource: values,
			RouteKey:       route.routeKey,
			RawPath:        in.rawPath(),
			RawQueryString: in.r.URL.RawQuery,
			Cookies:        cookies,
			Headers:        headers,
			RequestContext: in.v2Context(a.api.ID, a.account.ID),
			PathParameters: paramMap(in.params),
			StageVariables: nonEmpty(in.stageVars),
		}
		if q := parseQuery(in.r.URL.RawQuery); q != nil {
			ev.QueryStringParameters = make(map[string]string, len(q))
			for k, vs := range q {
				ev.QueryStringParameters[k] = strings.Join(vs, ",")
			}
		}
		return json.Marshal(&ev)
	}
	if a.api.Type == TypeHTTP { // an HTTP API authorizer with payload 1.0
		ev := events.APIGatewayV2CustomAuthorizerV1Request{
			Version:        "1.0",
			Type:           "REQUEST",
			MethodArn:      methodARN,
			IdentitySource: strings.Join(values, ","),
			Resource:       route.path,
			Path:           unescape(in.rawPath()),
			HTTPMethod:     in.r.Method,
			Headers:        map[string]string{},
			PathParameters: paramMap(in.params),
			StageVariables: nonEmpty(in.stageVars),
			RequestContext: events.APIGatewayV2CustomAuthorizerV1RequestTypeRequestContext{
				Path:         unescape(in.rawPath()),
				AccountID:    a.account.ID,
				ResourceID:   route.route.ID,
				Stage:        in.stage,
				RequestID:    in.requestID,
				ResourcePath: route.path,
				HTTPMethod:   in.r.Method,
				APIID:        a.api.ID,
				Identity:     events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{SourceIP: sourceIP(in.r)},
			},
		}
		for k, vs := range in.headers {
			ev.Headers[strings.ToLower(k)] = strings.Join(vs, ",")
		}
		if auth, ok := ev.Headers["authorization"]; ok {
			ev.AuthorizationToken = auth
		}
		if q := parseQuery(in.r.URL.RawQuery); q != nil {
			ev.QueryStringParameters = map[string]string{}
			for k, vs := range q {
				ev.QueryStringParameters[k] = strings.Join(vs, ",")
			}
		}
		return json.Marshal(&ev)
	}
	ev := events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type:           "REQUEST",
		MethodArn:      methodARN,
		Resource:       route.path,
		Path:           unescape(in.apiPath),
		HTTPMethod:     in.r.Method,
		Headers:        map[string]string{},
		PathParameters: paramMap(in.params),
		StageVariables: nonEmpty(in.stageVars),
		RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
			Path:         unescape(in.rawPath()),
			AccountID:    a.account.ID,
			ResourceID:   route.route.ID,
			Stage:        in.stage,
			RequestID:    in.requestID,
			ResourcePath: route.path,
			HTTPMethod:   in.r.Method,
			APIID:        a.api.ID,
			Identity:     events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{SourceIP: sourceIP(in.r)},
		},
	}
	ev.MultiValueHeaders = map[string][]string{}
	for k, vs := range in.headers {
		ev.Headers[k] = vs[len(vs)-1]
		ev.MultiValueHeaders[k] = vs
	}
	if q := parseQuery(in.r.URL.RawQuery); q != nil {
		ev.QueryStringParameters = map[string]string{}
		ev.MultiValueQueryStringParameters = map[string][]string(q)
		for k, vs := range q {
			ev.QueryStringParameters[k] = vs[len(vs)-1]
		}
	}
	return json.Marshal(&ev)
}

// authorizerRequestV2 is events.APIGatewayV2CustomAuthorizerV2Request
// with the request context as API Gateway writes it (see requestV2).
type authorizerRequestV2 struct {
	Version               string            `json:"version"`
	Type                  string            `json:"type"`
	RouteArn              string            `json:"routeArn"`
	IdentitySource        []string          `json:"identitySource"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters"`
	RequestContext        contextV2         `json:"requestContext"`
	PathParameters        map[string]string `json:"pathParameters"`
	StageVariables        map[string]string `json:"stageVariables"`
}

// authCache holds Lambda authorizer decisions until they expire.
type authCache struct {
	mu sync.Mutex
	m  map[string]authCacheEntry
}

type authCacheEntry struct {
	d       *authDecision
	expires time.Time
}

const authCacheMax = 10000

func newAuthCache() *authCache { return &authCache{m: map[string]authCacheEntry{}} }

func (c *authCache) get(key string, now time.Time) (*authDecision, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok {
		return nil, false
	}
	if !now.Before(e.expires) {
		delete(c.m, key)
		return nil, false
	}
	return e.d, true
}

func (c *authCache) put(key string, d *authDecision, expires time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= authCacheMax { // bounded: drop expired, then anything
		now := time.Now()
		for k, e := range c.m {
			if now.After(e.expires) || len(c.m) >= authCacheMax {
				delete(c.m, k)
			}
		}
	}
	c.m[key] = authCacheEntry{d, expires}
}
