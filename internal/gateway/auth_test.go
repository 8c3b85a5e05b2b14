package gateway

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// testKeys are the signing keys of a test identity provider.
type testKeys struct {
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
}

func newTestKeys(t *testing.T) *testKeys {
	t.Helper()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return &testKeys{rk, ek}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (k *testKeys) jwks(t *testing.T) []byte {
	t.Helper()
	ecb, err := k.ec.PublicKey.Bytes() // 0x04 || X || Y
	if err != nil {
		t.Fatal(err)
	}
	set := map[string]any{"keys": []map[string]string{
		{"kty": "RSA", "kid": "rsa1", "use": "sig", "alg": "RS256", "n": b64(k.rsa.N.Bytes()), "e": b64(big.NewInt(int64(k.rsa.E)).Bytes())},
		{"kty": "EC", "kid": "ec1", "crv": "P-256", "x": b64(ecb[1:33]), "y": b64(ecb[33:])},
	}}
	b, _ := json.Marshal(set)
	return b
}

func (k *testKeys) sign(t *testing.T, alg, kid string, claims map[string]any) string {
	t.Helper()
	hb, _ := json.Marshal(map[string]string{"alg": alg, "kid": kid, "typ": "JWT"})
	cb, _ := json.Marshal(claims)
	signed := b64(hb) + "." + b64(cb)
	h := sha256.Sum256([]byte(signed))
	var sig []byte
	var err error
	switch alg {
	case "RS256":
		sig, err = rsa.SignPKCS1v15(rand.Reader, k.rsa, crypto.SHA256, h[:])
	case "ES256":
		var r, s *big.Int
		r, s, err = ecdsa.Sign(rand.Reader, k.ec, h[:])
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	}
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + b64(sig)
}

// serveIdP serves the OpenID discovery document and the JWKS on loopback.
func serveIdP(t *testing.T, jwks []byte) (issuer string, fetches *atomic.Int32) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	issuer = "http://" + l.Addr().String()
	fetches = &atomic.Int32{}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": issuer, "jwks_uri": issuer + "/keys"})
	})
	mux.HandleFunc("/keys", func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		_, _ = w.Write(jwks)
	})
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return issuer, fetches
}

func TestJWTAuthorizer(t *testing.T) {
	keys := newTestKeys(t)
	issuer, fetches := serveIdP(t, keys.jwks(t))
	inv := &fakeInvoker{}
	e := newEnv(t, inv, withNow(fixedNow))
	e.put(t, API{ID: "jwtapi", Type: TypeHTTP,
		Authorizers: []Authorizer{
			{ID: "byurl", Type: AuthorizerJWT, Issuer: issuer, Audience: []string{"app"}, JWKSURL: issuer + "/keys"},
			{ID: "bydisc", Type: AuthorizerJWT, Issuer: issuer, Audience: []string{"app"}},
			{ID: "inline", Type: AuthorizerJWT, Issuer: issuer, Audience: []string{"app", "other"}, JWKS: keys.jwks(t),
				IdentitySource: []string{"$request.header.X-Token"}},
		},
		Routes: []Route{
			{Key: "GET /url", Integration: Integration{Function: "f"}, AuthorizerID: "byurl"},
			{Key: "GET /disc", Integration: Integration{Function: "f"}, AuthorizerID: "bydisc"},
			{Key: "GET /inline", Integration: Integration{Function: "f"}, AuthorizerID: "inline"},
			{Key: "GET /admin", Integration: Integration{Function: "f"}, AuthorizerID: "byurl", AuthorizationScopes: []string{"admin", "root"}},
		},
	})
	now := fixedNow.Unix()
	good := map[string]any{"iss": issuer, "aud": "app", "sub": "user-1", "exp": now + 600, "iat": now, "scope": "read write", "groups": []string{"a", "b"}}
	with := func(k string, v any) map[string]any {
		c := map[string]any{}
		for kk, vv := range good {
			c[kk] = vv
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	other := newTestKeys(t)
	cases := []struct {
		name   string
		path   string
		header string
		token  string
		status int
	}{
		{"valid RS256 via jwks url", "/url", "Authorization", "Bearer " + keys.sign(t, "RS256", "rsa1", good), 200},
		{"valid ES256 via discovery", "/disc", "Authorization", keys.sign(t, "ES256", "ec1", good), 200},
		{"valid inline, custom source", "/inline", "X-Token", keys.sign(t, "ES256", "ec1", with("aud", []string{"x", "other"})), 200},
		{"client_id as audience", "/url", "Authorization", keys.sign(t, "RS256", "rsa1", with("aud", nil)), 401},
		{"client_id accepted", "/url", "Authorization", keys.sign(t, "RS256", "rsa1", with("client_id", "app")), 200},
		{"missing token", "/url", "", "", 401},
		{"expired", "/url", "Authorization", keys.sign(t, "RS256", "rsa1", with("exp", now-1)), 401},
		{"no exp", "/url", "Authorization", keys.sign(t, "RS256", "rsa1", with("exp", nil)), 401},
		{"not yet valid", "/url", "Authorization", keys.sign(t, "RS256", "rsa1", with("nbf", now+60)), 401},
		{"wrong audience", "/url", "Authorization", keys.sign(t, "RS256", "rsa1", with("aud", "someone-else")), 401},
		{"wrong issuer", "/url", "Authorization", keys.sign(t, "RS256", "rsa1", with("iss", "https://evil")), 401},
		{"unknown kid", "/url", "Authorization", keys.sign(t, "RS256", "nope", good), 401},
		{"wrong key", "/url", "Authorization", other.sign(t, "RS256", "rsa1", good), 401},
		{"alg none", "/url", "Authorization", "eyJhbGciOiJub25lIiwia2lkIjoicnNhMSJ9." + b64(jsonBodyNoT(good)) + ".", 401},
		{"garbage", "/url", "Authorization", "Bearer a.b", 401},
		{"missing scope", "/admin", "Authorization", keys.sign(t, "RS256", "rsa1", good), 403},
		{"has scope", "/admin", "Authorization", keys.sign(t, "RS256", "rsa1", with("scope", "read root")), 200},
		{"scp list", "/admin", "Authorization", keys.sign(t, "RS256", "rsa1", with("scp", []string{"admin"})), 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := req{host: "jwtapi.execute-api.localhost", path: tc.path}
			if tc.header != "" {
				r.headers = map[string][]string{tc.header: {tc.token}}
			}
			before := inv.count()
			res := e.do(t, r)
			if res.status != tc.status {
				t.Fatalf("status %d %s, want %d", res.status, res.body, tc.status)
			}
			switch tc.status {
			case 401:
				if string(res.body) != `{"message":"Unauthorized"}` {
					t.Errorf("body %s", res.body)
				}
			case 403:
				if string(res.body) != `{"message":"Forbidden"}` {
					t.Errorf("body %s", res.body)
				}
			}
			if (tc.status == 200) != (inv.count() > before) {
				t.Errorf("invoked: %v", inv.count() > before)
			}
		})
	}
	// The claims reach the function.
	e.do(t, req{host: "jwtapi.execute-api.localhost", path: "/url", headers: map[string][]string{"Authorization": {keys.sign(t, "RS256", "rsa1", good)}}})
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(inv.last(t).payload, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.RequestContext.Authorizer == nil || ev.RequestContext.Authorizer.JWT == nil {
		t.Fatalf("no jwt authorizer context: %s", inv.last(t).payload)
	}
	wantClaims := map[string]string{"iss": issuer, "aud": "app", "sub": "user-1", "exp": itoa(now + 600), "iat": itoa(now), "scope": "read write", "groups": "[a b]"}
	if d := cmp.Diff(wantClaims, ev.RequestContext.Authorizer.JWT.Claims); d != "" {
		t.Errorf("claims (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"read", "write"}, ev.RequestContext.Authorizer.JWT.Scopes); d != "" {
		t.Errorf("scopes (-want +got):\n%s", d)
	}
	// The JWKS is cached, not fetched per request (the url and discovery
	// authorizers share the document, and an unknown kid refetches at most
	// once in jwksRefetch).
	if n := fetches.Load(); n > 3 {
		t.Errorf("jwks fetched %d times", n)
	}
}

func itoa(n int64) string { return big.NewInt(n).String() }

func TestLambdaAuthorizer(t *testing.T) {
	var authCalls atomic.Int32
	inv := &fakeInvoker{}
	inv.invoke = func(_ context.Context, fn string, payload []byte, src Source) ([]byte, string, error) {
		switch fn {
		case "simple-auth":
			authCalls.Add(1)
			var ev events.APIGatewayV2CustomAuthorizerV2Request
			_ = json.Unmarshal(payload, &ev)
			ok := len(ev.IdentitySource) == 1 && ev.IdentitySource[0] == "let-me-in"
			return jsonBodyNoT(map[string]any{"isAuthorized": ok, "context": map[string]any{"user": "u1", "n": 7}}), "", nil
		case "policy-auth":
			authCalls.Add(1)
			var ev events.APIGatewayCustomAuthorizerRequestTypeRequest // REST
			var ev1 events.APIGatewayV2CustomAuthorizerV1Request       // HTTP API, payload 1.0
			_ = json.Unmarshal(payload, &ev)
			_ = json.Unmarshal(payload, &ev1)
			effect := "Deny"
			if ev.Headers["Authorization"] == "allow" || (ev1.Version == "1.0" && ev1.IdentitySource == "allow" && ev1.Headers["authorization"] == "allow") {
				effect = "Allow"
			}
			return jsonBodyNoT(map[string]any{
				"principalId": "p-1",
				"policyDocument": map[string]any{"Version": "2012-10-17", "Statement": []map[string]any{
					{"Action": "execute-api:Invoke", "Effect": effect, "Resource": []string{"arn:aws:execute-api:us-east-1:000000000000:*/*/GET/*"}},
				}},
				"context": map[string]any{"tier": "gold"},
			}), "", nil
		case "broken-auth":
			return []byte(`{"errorMessage":"x"}`), "Unhandled", nil
		case "unauth-auth":
			return []byte(`{"errorMessage":"Unauthorized","errorType":"Error"}`), "Unhandled", nil
		case "token-auth":
			authCalls.Add(1)
			var ev events.APIGatewayCustomAuthorizerRequest
			_ = json.Unmarshal(payload, &ev)
			effect := "Deny"
			if ev.Type == "TOKEN" && ev.AuthorizationToken == "tok" && strings.HasSuffix(ev.MethodArn, "/prod/GET/t") {
				effect = "Allow"
			}
			return jsonBodyNoT(map[string]any{"principalId": "tp", "policyDocument": map[string]any{"Statement": []map[string]any{
				{"Action": "execute-api:Invoke", "Effect": effect, "Resource": ev.MethodArn}}}}), "", nil
		}
		return []byte(`{"statusCode":200,"body":"ok"}`), "", nil
	}
	e := newEnv(t, inv)
	e.put(t, API{ID: "lauth", Type: TypeHTTP,
		Authorizers: []Authorizer{
			{ID: "simple", Type: AuthorizerRequest, Function: "simple-auth", SimpleResponses: true, ResultTTLSeconds: 300, IdentitySource: []string{"$request.header.X-Key"}},
			{ID: "policy", Type: AuthorizerRequest, Function: "policy-auth", PayloadFormatVersion: "1.0", IdentitySource: []string{"$request.header.Authorization"}},
			{ID: "broken", Type: AuthorizerRequest, Function: "broken-auth", IdentitySource: []string{"$request.querystring.k"}},
			{ID: "unauth", Type: AuthorizerRequest, Function: "unauth-auth", IdentitySource: []string{"$request.querystring.k"}},
		},
		Routes: []Route{
			{Key: "GET /simple", Integration: Integration{Function: "f"}, AuthorizerID: "simple"},
			{Key: "GET /policy", Integration: Integration{Function: "f"}, AuthorizerID: "policy"},
			{Key: "POST /policy", Integration: Integration{Function: "f"}, AuthorizerID: "policy"},
			{Key: "GET /broken", Integration: Integration{Function: "f"}, AuthorizerID: "broken"},
			{Key: "GET /unauth", Integration: Integration{Function: "f"}, AuthorizerID: "unauth"},
		},
	})
	e.put(t, API{ID: "lauthrest", Type: TypeREST, Stages: []Stage{{Name: "prod"}},
		Authorizers: []Authorizer{
			{ID: "policy", Type: AuthorizerRequest, Function: "policy-auth", IdentitySource: []string{"method.request.header.Authorization"}, ResultTTLSeconds: 60},
			{ID: "token", Type: AuthorizerToken, Function: "token-auth"},
		},
		Routes: []Route{
			{Key: "GET /r", Integration: Integration{Function: "f"}, AuthorizerID: "policy"},
			{Key: "POST /r", Integration: Integration{Function: "f"}, AuthorizerID: "policy"},
			{Key: "GET /t", Integration: Integration{Function: "f"}, AuthorizerID: "token"},
		},
	})
	host := "lauth.execute-api.localhost"
	cases := []struct {
		name      string
		r         req
		status    int
		body      string
		authCalls int32 // invocations of the authorizer by this request
	}{
		{"simple allow", req{host: host, path: "/simple", headers: map[string][]string{"X-Key": {"let-me-in"}}}, 200, "ok", 1},
		{"simple allow cached", req{host: host, path: "/simple", headers: map[string][]string{"X-Key": {"let-me-in"}}}, 200, "ok", 0},
		{"simple deny", req{host: host, path: "/simple", headers: map[string][]string{"X-Key": {"wrong"}}}, 403, `{"message":"Forbidden"}`, 1},
		{"simple deny cached", req{host: host, path: "/simple", headers: map[string][]string{"X-Key": {"wrong"}}}, 403, `{"message":"Forbidden"}`, 0},
		{"identity missing", req{host: host, path: "/simple"}, 401, `{"message":"Unauthorized"}`, 0},
		{"policy allow", req{host: host, path: "/policy", headers: map[string][]string{"Authorization": {"allow"}}}, 200, "ok", 1},
		{"policy allow not cached", req{host: host, path: "/policy", headers: map[string][]string{"Authorization": {"allow"}}}, 200, "ok", 1},
		{"policy resource mismatch", req{method: "POST", host: host, path: "/policy", headers: map[string][]string{"Authorization": {"allow"}}}, 403, `{"message":"Forbidden"}`, 1},
		{"policy deny", req{host: host, path: "/policy", headers: map[string][]string{"Authorization": {"deny"}}}, 403, `{"message":"Forbidden"}`, 1},
		{"authorizer error", req{host: host, path: "/broken?k=1"}, 500, `{"message":"Internal Server Error"}`, 0},
		{"rest allow", req{path: "/_api/lauthrest/prod/r", headers: map[string][]string{"Authorization": {"allow"}}}, 200, "ok", 1},
		{"rest allow cached", req{path: "/_api/lauthrest/prod/r", headers: map[string][]string{"Authorization": {"allow"}}}, 200, "ok", 0},
		{"rest deny", req{path: "/_api/lauthrest/prod/r", headers: map[string][]string{"Authorization": {"deny"}}}, 403, `{"Message":"User is not authorized to access this resource with an explicit deny"}`, 1},
		{"rest missing identity", req{path: "/_api/lauthrest/prod/r"}, 401, `{"message":"Unauthorized"}`, 0},
		{"rest cached policy, other method", req{method: "POST", path: "/_api/lauthrest/prod/r", headers: map[string][]string{"Authorization": {"allow"}}}, 403, `{"Message":"User is not authorized to access this resource"}`, 0},
		{"thrown Unauthorized", req{host: host, path: "/unauth?k=1"}, 401, `{"message":"Unauthorized"}`, 0},
		{"rest token allow", req{path: "/_api/lauthrest/prod/t", headers: map[string][]string{"Authorization": {"tok"}}}, 200, "ok", 1},
		{"rest token deny", req{path: "/_api/lauthrest/prod/t", headers: map[string][]string{"Authorization": {"bad"}}}, 403, `{"Message":"User is not authorized to access this resource with an explicit deny"}`, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := authCalls.Load()
			res := e.do(t, tc.r)
			if res.status != tc.status || string(res.body) != tc.body {
				t.Errorf("%d %s, want %d %s", res.status, res.body, tc.status, tc.body)
			}
			if n := authCalls.Load() - before; n != tc.authCalls {
				t.Errorf("authorizer invoked %d times, want %d", n, tc.authCalls)
			}
		})
	}
	// The authorizer's context reaches the function; the authorizer was
	// invoked as API Gateway with the authorizer's ARN.
	e.do(t, req{host: host, path: "/simple", headers: map[string][]string{"X-Key": {"let-me-in"}}})
	var ev events.APIGatewayV2HTTPRequest
	_ = json.Unmarshal(inv.last(t).payload, &ev)
	if ev.RequestContext.Authorizer == nil || !cmp.Equal(ev.RequestContext.Authorizer.Lambda, map[string]any{"user": "u1", "n": float64(7)}) {
		t.Errorf("authorizer context %+v", ev.RequestContext.Authorizer)
	}
	ac := inv.callsTo("simple-auth")[0]
	if ac.source.SourceARN != "arn:aws:execute-api:us-east-1:000000000000:lauth/authorizers/simple" {
		t.Errorf("authorizer source %+v", ac.source)
	}
	var aev events.APIGatewayV2CustomAuthorizerV2Request
	_ = json.Unmarshal(ac.payload, &aev)
	if aev.Type != "REQUEST" || aev.Version != "2.0" || aev.RouteKey != "GET /simple" || aev.RouteArn != "arn:aws:execute-api:us-east-1:000000000000:lauth/$default/GET/simple" {
		t.Errorf("authorizer event %+v", aev)
	}
	e.do(t, req{path: "/_api/lauthrest/prod/r", headers: map[string][]string{"Authorization": {"allow"}}})
	var v1 events.APIGatewayProxyRequest
	_ = json.Unmarshal(inv.last(t).payload, &v1)
	if v1.RequestContext.Authorizer["principalId"] != "p-1" || v1.RequestContext.Authorizer["tier"] != "gold" {
		t.Errorf("REST authorizer context %v", v1.RequestContext.Authorizer)
	}
}

func TestLambdaAuthorizer_CacheExpires(t *testing.T) {
	now := fixedNow
	var calls atomic.Int32
	inv := &fakeInvoker{invoke: func(_ context.Context, fn string, _ []byte, _ Source) ([]byte, string, error) {
		if fn == "auth" {
			calls.Add(1)
			return []byte(`{"isAuthorized":true}`), "", nil
		}
		return []byte(`"ok"`), "", nil
	}}
	var clock atomic.Int64
	clock.Store(now.UnixNano())
	e := newEnv(t, inv, func(o *Options) { o.Now = func() time.Time { return time.Unix(0, clock.Load()) } })
	e.put(t, API{ID: "ttl", Type: TypeHTTP,
		Authorizers: []Authorizer{{ID: "a", Type: AuthorizerRequest, Function: "auth", SimpleResponses: true, ResultTTLSeconds: 5, IdentitySource: []string{"$request.header.X-K"}}},
		Routes:      []Route{{Key: "GET /", Integration: Integration{Function: "f"}, AuthorizerID: "a"}},
	})
	r := req{host: "ttl.execute-api.localhost", path: "/", headers: map[string][]string{"X-K": {"1"}}}
	e.do(t, r)
	e.do(t, r)
	if calls.Load() != 1 {
		t.Fatalf("authorizer calls %d, want 1", calls.Load())
	}
	clock.Add(int64(6 * time.Second))
	e.do(t, r)
	if calls.Load() != 2 {
		t.Fatalf("after the TTL: authorizer calls %d, want 2", calls.Load())
	}
}

func TestCORS(t *testing.T) {
	inv := &fakeInvoker{invoke: func(context.Context, string, []byte, Source) ([]byte, string, error) {
		return []byte(`{"statusCode":200,"headers":{"Access-Control-Allow-Origin":"https://wrong"},"body":"ok"}`), "", nil
	}}
	e := newEnv(t, inv)
	e.put(t, API{ID: "corsapi", Type: TypeHTTP,
		CORS: &CORS{AllowOrigins: []string{"https://app.example", "https://*.preview.example"}, AllowMethods: []string{"GET", "PUT"},
			AllowHeaders: []string{"authorization", "content-type"}, ExposeHeaders: []string{"x-total"}, MaxAge: 600, AllowCredentials: true},
		Authorizers: []Authorizer{{ID: "jwt", Type: AuthorizerJWT, Issuer: "https://issuer", Audience: []string{"a"}, JWKS: json.RawMessage(`{"keys":[]}`)}},
		Routes:      []Route{{Key: "ANY /things", Integration: Integration{Function: "f"}, AuthorizerID: "jwt"}, route("GET /open", "f")},
	})
	host := "corsapi.execute-api.localhost"
	preflight := func(origin, method, headers string) resp {
		h := map[string][]string{"Origin": {origin}, "Access-Control-Request-Method": {method}}
		if headers != "" {
			h["Access-Control-Request-Headers"] = []string{headers}
		}
		return e.do(t, req{method: "OPTIONS", host: host, path: "/things", headers: h})
	}
	// Allowed: answered by the gateway, no authorizer, no function.
	res := preflight("https://app.example", "PUT", "Content-Type, Authorization")
	if res.status != 204 || inv.count() != 0 {
		t.Fatalf("preflight %d, invocations %d", res.status, inv.count())
	}
	want := map[string]string{
		"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Methods": "GET,PUT",
		"Access-Control-Allow-Headers": "authorization,content-type", "Access-Control-Allow-Credentials": "true",
		"Access-Control-Max-Age": "600",
	}
	for k, v := range want {
		if got := res.header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if res := preflight("https://x.preview.example", "GET", ""); res.header.Get("Access-Control-Allow-Origin") != "https://x.preview.example" {
		t.Errorf("wildcard origin: %v", res.header)
	}
	for name, res := range map[string]resp{
		"origin":  preflight("https://evil.example", "GET", ""),
		"method":  preflight("https://app.example", "DELETE", ""),
		"headers": preflight("https://app.example", "GET", "x-secret"),
	} {
		if res.status != 204 || res.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("disallowed %s: %d %v", name, res.status, res.header)
		}
	}
	// Actual requests get the CORS headers, replacing the function's.
	res = e.do(t, req{host: host, path: "/open", headers: map[string][]string{"Origin": {"https://app.example"}}})
	if res.header.Get("Access-Control-Allow-Origin") != "https://app.example" || res.header.Get("Access-Control-Expose-Headers") != "x-total" ||
		len(res.header.Values("Access-Control-Allow-Origin")) != 1 || len(res.header.Values("Vary")) != 1 {
		t.Errorf("actual response headers %v", res.header)
	}
	// The gateway's own answers carry them too (a browser reads the 401).
	res = e.do(t, req{host: host, path: "/things", headers: map[string][]string{"Origin": {"https://app.example"}}})
	if res.status != 401 || res.header.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("401 answer: %d %v", res.status, res.header)
	}
	if got := res.header.Values("Access-Control-Allow-Origin"); len(got) != 1 {
		t.Errorf("allow-origin values %q", got)
	}
	// Without CORS configuration OPTIONS is routed like any method.
	e.put(t, httpAPI("nocors", route("ANY /x", "f")))
	before := inv.count()
	res = e.do(t, req{method: "OPTIONS", host: "nocors.execute-api.localhost", path: "/x", headers: map[string][]string{"Origin": {"https://a"}, "Access-Control-Request-Method": {"GET"}}})
	if res.status != 200 || inv.count() != before+1 {
		t.Errorf("OPTIONS without CORS: %d", res.status)
	}
}

// Key rotation: a token signed by a key the cached JWKS does not have
// refetches the set, at most once per jwksRefetch.
func TestJWTAuthorizer_KeyRotation(t *testing.T) {
	old, rotated := newTestKeys(t), newTestKeys(t)
	var current atomic.Pointer[[]byte]
	first := old.jwks(t)
	current.Store(&first)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var fetches atomic.Int32
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fetches.Add(1)
		_, _ = w.Write(*current.Load())
	})}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })

	var clock atomic.Int64
	clock.Store(fixedNow.UnixNano())
	e := newEnv(t, nil, func(o *Options) { o.Now = func() time.Time { return time.Unix(0, clock.Load()) } })
	e.put(t, API{ID: "rotate", Type: TypeHTTP,
		Authorizers: []Authorizer{{ID: "j", Type: AuthorizerJWT, Issuer: "https://idp", Audience: []string{"app"}, JWKSURL: "http://" + l.Addr().String() + "/keys"}},
		Routes:      []Route{{Key: "GET /", Integration: Integration{Function: "f"}, AuthorizerID: "j"}}})
	claims := map[string]any{"iss": "https://idp", "aud": "app", "exp": fixedNow.Unix() + 3600}
	call := func(k *testKeys) int {
		return e.do(t, req{host: "rotate.execute-api.localhost", path: "/", headers: map[string][]string{"Authorization": {k.sign(t, "RS256", "rsa1", claims)}}}).status
	}
	if s := call(old); s != 200 || fetches.Load() != 1 {
		t.Fatalf("old key: %d, %d fetches", s, fetches.Load())
	}
	second := rotated.jwks(t) // same kid, new key material
	current.Store(&second)
	if s := call(old); s != 200 || fetches.Load() != 1 {
		t.Fatalf("cached set: %d, %d fetches", s, fetches.Load())
	}
	if s := call(rotated); s != 401 {
		t.Fatalf("rotated key before the TTL: %d", s)
	}
	clock.Add(int64(jwksTTL + time.Second))
	if s := call(rotated); s != 200 || fetches.Load() != 2 {
		t.Fatalf("rotated key after the TTL: %d, %d fetches", s, fetches.Load())
	}
}
