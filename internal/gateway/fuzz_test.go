package gateway

import (
	"bytes"
	"crypto"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// Header and query parsing: whatever a client sends, the event is valid JSON
// that aws-lambda-go decodes, and values survive.
func FuzzRequestHeaders(f *testing.F) {
	f.Add("X-A", "1", "Cookie", "a=1; b=2", "q=1&q=2&r", []byte("body"))
	f.Add("Content-Type", "image/png", "cookie", ";;; =", "%zz=1&&=", []byte{0xff, 0})
	f.Add("x-a", "\t ", "X-A", "two", "a=%20b", []byte(nil))
	f.Add("COOKIE", " a=1 ;; b\u2028", "X-\x01é", "v\"\\", "", []byte("{\"a\":1}"))
	f.Add("Cookie", "", "User-Agent", "\xff", "k=v", []byte(nil))
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, query string, body []byte) {
		r := httptest.NewRequest("POST", "http://api.execute-api.localhost/x", nil)
		r.URL.RawQuery = query
		r.Header = http.Header{}
		r.Header[k1] = append(r.Header[k1], v1)
		r.Header[k2] = append(r.Header[k2], v2)
		rt := &router{}
		cr := &compiledRoute{routeKey: "POST /x", method: "POST", path: "/x", route: &Route{ID: "r"}}
		_ = rt.add("POST", "/x", cr)
		in := &inbound{r: r, requestID: "rid", fullPath: "/x", apiPath: "/x", stage: "$default", route: cr, body: body,
			headers: forwardedHeaders(r, "0123456789abcdef0123456789abcdef")}
		in.base64Body = binaryBody(body, r.Header.Get("Content-Type"), nil)
		b, err := in.eventV2("api", "000000000000")
		if err != nil {
			t.Fatal(err)
		}
		// Names that lowercase alike make v2Headers' answer depend on map
		// order: there is no one reference then.
		lowered := map[string]bool{}
		for k := range in.headers {
			lowered[strings.ToLower(k)] = true
		}
		ref := in.requestV2("api", "000000000000", true)
		if want, err := encodeJSON(&ref); len(lowered) == len(in.headers) && (err != nil || !bytes.Equal(b, want)) {
			t.Fatalf("v2 event differs from encoding/json's (%v):\n got %s\nwant %s", err, b, want)
		}
		var ev events.APIGatewayV2HTTPRequest
		if err := json.Unmarshal(b, &ev); err != nil {
			t.Fatalf("v2 event does not decode: %v", err)
		}
		if !in.base64Body && ev.Body != string(body) {
			t.Fatalf("text body changed: %q -> %q", body, ev.Body)
		}
		b, err = in.eventV1("api", "000000000000", true)
		if err != nil {
			t.Fatal(err)
		}
		var ev1 events.APIGatewayProxyRequest
		if err := json.Unmarshal(b, &ev1); err != nil {
			t.Fatalf("v1 event does not decode: %v", err)
		}
		if q, err := url.ParseQuery(query); err == nil && utf8.ValidString(query) && !strings.Contains(query, "%") {
			for k, vs := range q {
				if strings.Join(ev1.MultiValueQueryStringParameters[k], "\x00") != strings.Join(vs, "\x00") {
					t.Fatalf("query %q: %v vs %v", k, vs, ev1.MultiValueQueryStringParameters[k])
				}
			}
		}
	})
}

func FuzzParseResponse(f *testing.F) {
	for _, s := range []string{`"x"`, `{"statusCode":200}`, `{"statusCode":"201","headers":{"a":1,"b":null},"multiValueHeaders":{"c":["1",2,true]},"cookies":["x"],"body":"aGk=","isBase64Encoded":true}`, `[`, `{"statusCode":1e400}`, `{"headers":{"bad name":"x\r\ny"}}`, ``} {
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, b []byte, v2 bool) {
		v := "1.0"
		if v2 {
			v = "2.0"
		}
		resp, err := parseResponse(b, v)
		if err != nil {
			return
		}
		if resp.status < 100 || resp.status > 599 {
			t.Fatalf("status %d", resp.status)
		}
		w := httptest.NewRecorder()
		resp.write(w, false)
		for k, vs := range w.Header() {
			if !validHeaderName(k) {
				t.Fatalf("header name %q", k)
			}
			for _, hv := range vs {
				if strings.ContainsAny(hv, "\r\n") {
					t.Fatalf("header %s value %q", k, hv)
				}
			}
		}
	})
}

func FuzzStreamWriter(f *testing.F) {
	f.Add([]byte(`{"statusCode":201,"headers":{"a":"b"}}`+"\x00\x00\x00\x00\x00\x00\x00\x00body"), 3)
	f.Add([]byte("plain"), 1)
	f.Add([]byte(`{"not":"a prelude"`), 2)
	f.Fuzz(func(t *testing.T, data []byte, chunk int) {
		if chunk <= 0 {
			chunk = 1
		}
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/", nil)
		sw := newStreamWriter(w, nil, r)
		for i := 0; i < len(data); i += chunk {
			end := min(i+chunk, len(data))
			if _, err := sw.Write(data[i:end]); err != nil {
				t.Fatal(err)
			}
		}
		status := sw.finish()
		if status < 100 || status > 599 {
			t.Fatalf("status %d", status)
		}
		// The body is a suffix of what was written: nothing invented.
		if status != http.StatusNoContent && status != http.StatusNotModified && !bytes.HasSuffix(data, w.Body.Bytes()) {
			t.Fatalf("body %q not a suffix of %q", w.Body.Bytes(), data)
		}
	})
}

func FuzzVerifyJWT(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsifQ.e30.AAAA")
	f.Add("a.b.c")
	f.Add("..")
	f.Fuzz(func(t *testing.T, token string) {
		_, err := verifyJWT(token, func(string) (crypto.PublicKey, error) { return nil, errTokenInvalid })
		if err == nil {
			t.Fatal("accepted a token with no key")
		}
	})
}

func FuzzAuthorizerResponse(f *testing.F) {
	f.Add([]byte(`{"isAuthorized":true,"context":{"a":1}}`), true, "arn:aws:execute-api:r:a:api/s/GET/x")
	f.Add([]byte(`{"principalId":"p","policyDocument":{"Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"arn:*"}]}}`), false, "arn:x")
	f.Fuzz(func(t *testing.T, b []byte, simple bool, arn string) {
		d, err := parseAuthorizerResponse(b, simple)
		if err != nil {
			return
		}
		res, fail := d.decide(arn)
		if (res == nil) == (fail < 0) {
			t.Fatalf("result %v failure %d", res, fail)
		}
	})
}

func FuzzWildcard(f *testing.F) {
	f.Add("arn:*:x/*/GET/*", "arn:aws:x/s/GET/a/b")
	f.Add("***?*", "")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		got := wildcardMatch(pattern, s)
		if !strings.ContainsAny(pattern, "*?") && got != (pattern == s) {
			t.Fatalf("%q vs %q: %v", pattern, s, got)
		}
		if pattern == "*" && !got {
			t.Fatal("* must match everything")
		}
	})
}

func FuzzResolve(f *testing.F) {
	f.Add("abc.execute-api.localhost:80", "/x/y")
	f.Add("api.learn.test", "/v1/a")
	f.Add("x", "/_api/abc/")
	f.Add("[::1]:80", "/_url//")
	s := emptySnapshot()
	a, _ := compileAPI(&API{ID: "abc", Type: TypeHTTP, Stages: []Stage{{Name: "$default"}}}, testAccount)
	s.apis["abc"] = a
	s.domains["api.learn.test"] = []*compiledMapping{{basePath: "v1", apiID: "abc", stage: "$default"}, {basePath: "", apiID: "gone", stage: "x"}}
	f.Fuzz(func(t *testing.T, host, path string) {
		r := httptest.NewRequest("GET", "http://localhost/", nil)
		r.Host = host
		r.URL.RawPath, r.URL.Path = "", path
		tg, ok := s.resolve(r)
		if ok && tg.api == nil && tg.url == nil {
			t.Fatal("resolved to nothing")
		}
		if ok && !strings.HasPrefix(tg.apiPath, "/") {
			t.Fatalf("api path %q", tg.apiPath)
		}
	})
}

// The shorthand scan accepts only what encoding/json accepts, and only
// objects in which encoding/json finds no statusCode.
func FuzzShorthandObject(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,-2.5e+3,true,false,null,{"b":"\u00e9\n"}]}`, `{"statusCode":1}`, `{"StatusCODE":1}`,
		`{"ſtatusCode":1}`, `{"status\u0043ode":1}`, `{"a":01}`, `{"a":1.}`, `{"a":"\x"}`, `{"a":1,}`, `{"a":1} x`, `{"a":"` + "\xff" + `"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !shorthandObject(b) {
			return
		}
		if !json.Valid(b) {
			t.Fatalf("accepted invalid JSON %q", b)
		}
		var rr struct {
			StatusCode json.RawMessage `json:"statusCode"`
		}
		_ = json.Unmarshal(b, &rr)
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(b, &keys); err != nil {
			t.Fatalf("accepted %q: %v", b, err)
		}
		if _, ok := keys["statusCode"]; ok || rr.StatusCode != nil {
			t.Fatalf("accepted %q with a statusCode", b)
		}
	})
}

// The hand-written event encoding writes exactly what encoding/json writes.
func FuzzAppendRequestV2(f *testing.F) {
	f.Add("GET /x", "/a b", "q=1&r=\u2028", "Cookie", "a=1", "x-h", "v\x00\"\\\n", "body <&>\xff\xfe", int64(1700000000000), true, true)
	f.Add("", "", "", "", "", "", "", "", int64(-1), false, false)
	f.Fuzz(func(t *testing.T, routeKey, path, query, k1, v1, k2, v2, body string, epoch int64, b64, auth bool) {
		ev := requestV2{
			Version: "2.0", RouteKey: routeKey, RawPath: path, RawQueryString: query,
			Cookies:        []string{v1, k2},
			Headers:        map[string]string{k1: v1, k2: v2, "z": body},
			PathParameters: map[string]string{k2: path},
			RequestContext: contextV2{AccountID: k1, APIID: v1, DomainName: k2, DomainPrefix: v2, RequestID: query,
				RouteKey: routeKey, Stage: path, Time: body, TimeEpoch: epoch,
				HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: k1, Path: path, Protocol: v1, SourceIP: k2, UserAgent: v2}},
			StageVariables:  map[string]string{body: query},
			Body:            body,
			IsBase64Encoded: b64,
		}
		if k1 == "" {
			ev.Cookies, ev.PathParameters, ev.StageVariables = nil, nil, map[string]string{}
		}
		if v1 == "" {
			ev.Headers = nil
		}
		if auth {
			ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				Lambda: map[string]any{k1: v1, "n": epoch}, JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Scopes: []string{v2}},
			}
		}
		want, err := encodeJSON(&ev)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendRequestV2(nil, &ev, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}

func FuzzAppendParams(f *testing.F) {
	f.Add("id", "1", "id", "2", "b", "\u2028\xff\"")
	f.Add("", "", "z", "", "a", "<>")
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2, n3, v3 string) {
		ps := []param{{n1, v1}, {n2, v2}, {n3, v3}}
		for n := 1; n <= len(ps); n++ {
			want, err := encodeJSON(paramMap(ps[:n]))
			if err != nil {
				t.Fatal(err)
			}
			if got := appendParams(nil, ps[:n]); !bytes.Equal(got, want) {
				t.Fatalf("got %s, want %s", got, want)
			}
		}
	})
}

// The fast decode of a proxy response is json.Unmarshal's, where it decodes.
func FuzzDecodeRawResponse(f *testing.F) {
	for _, s := range []string{`{"statusCode":200,"headers":{"a":"b","c":1,"d":null},"cookies":["x","y"],"body":"{\"ok\":true}","isBase64Encoded":false}`,
		`{"statusCode":null,"cookies":[],"body":null,"isBase64Encoded":null,"x":[1,{}]}`, `{"Body":"x","body":"y"}`, `{"statusCode":"200","statusCode":201}`,
		`{"headers":{"a":"1","a":"2"},"body":"\u00e9\ud800"}`, `{"cookies":[null]}`, `{"multiValueHeaders":null,"headers":null}`, `{ "statusCode" : 200 , "body" : "` + "\xff" + `" }`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := decodeRawResponse(b)
		if !ok {
			return
		}
		var want rawResponse
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("decoded %q, which encoding/json refuses: %v", b, err)
		}
		if d := cmp.Diff(&want, got); d != "" {
			t.Fatalf("%q (-want +got):\n%s", b, d)
		}
	})
}

// The hand-written payload 1.0 encoding writes exactly what encoding/json writes.
func FuzzAppendRequestV1(f *testing.F) {
	f.Add("/x/{id}", "a\u2029b", "X-A", "v\x00\"\\\n<&>", "\xff\xfe", int64(1700000000000), 0, true)
	f.Add("", "", "", "", "", int64(0), 7, false)
	f.Fuzz(func(t *testing.T, a, b, k, v, body string, epoch int64, shape int, b64 bool) {
		ev := proxyRequestV1{
			Resource: a, Path: b, HTTPMethod: k,
			Headers:                         map[string]string{k: v, a: b},
			MultiValueHeaders:               map[string][]string{k: {v, b}, a: nil, "e": {}},
			QueryStringParameters:           map[string]string{v: k},
			MultiValueQueryStringParameters: map[string][]string{v: {k}},
			PathParameters:                  map[string]string{"id": body},
			StageVariables:                  map[string]string{},
			RequestContext: proxyContextV1{AccountID: a, APIID: b, DomainName: k, DomainPrefix: v, ExtendedRequestID: body,
				HTTPMethod: k, Path: b, Protocol: v, RequestID: a, RequestTime: body, RequestTimeEpoch: epoch,
				ResourceID: k, ResourcePath: a, Stage: v,
				Identity: events.APIGatewayRequestIdentity{SourceIP: a, UserAgent: b}},
			IsBase64Encoded: b64,
		}
		if shape&1 != 0 {
			ev.Headers, ev.MultiValueHeaders, ev.QueryStringParameters, ev.MultiValueQueryStringParameters = nil, nil, nil, nil
			ev.PathParameters, ev.StageVariables = nil, nil
			ev.Body = &body
		}
		if shape&2 != 0 {
			id := &ev.RequestContext.Identity
			id.CognitoIdentityPoolID, id.AccountID, id.CognitoIdentityID, id.Caller = a, b, k, v
			id.APIKey, id.APIKeyID, id.AccessKey, id.CognitoAuthenticationType = body, a, b, k
			id.CognitoAuthenticationProvider, id.UserArn, id.User = v, body, a
			ev.RequestContext.Authorizer = map[string]any{"principalId": a, "n": epoch, "m": map[string]any{v: b64}}
		}
		if shape&4 != 0 {
			ev.RequestContext.Authorizer = map[string]any{}
			ev.RequestContext.Identity.ClientCert = &events.APIGatewayCustomAuthorizerRequestTypeRequestIdentityClientCert{ClientCertPem: v}
		}
		want, err := encodeJSON(&ev)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendRequestV1(nil, &ev)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	})
}
