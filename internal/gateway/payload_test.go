package gateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

func TestPayloadV2_EveryField(t *testing.T) {
	e := newEnv(t, nil, withNow(fixedNow))
	e.put(t, API{ID: "abc1234567", Type: TypeHTTP,
		Routes: []Route{route("POST /items/{id}", "items")},
		Stages: []Stage{{Name: "$default", Variables: map[string]string{"color": "blue"}}},
	})
	res := e.do(t, req{
		method: "POST", host: "abc1234567.execute-api.localhost", path: "/items/42?a=1&a=2&b=x",
		body: []byte(`{"k":"v"}`),
		headers: map[string][]string{
			"Content-Type": {"application/json"}, "User-Agent": {"nubo-test"},
			"X-Multi": {"one", "two"}, "Cookie": {"c1=v1; c2=v2"},
		},
	})
	if res.status != 200 || string(res.body) != "ok" {
		t.Fatalf("status %d body %q", res.status, res.body)
	}
	rid := res.header.Get("Apigw-Requestid")
	if rid == "" {
		t.Fatal("no apigw-requestid header")
	}
	c := e.inv.last(t)
	if c.function != "items" {
		t.Errorf("function %q", c.function)
	}
	var got events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(c.payload, &got); err != nil {
		t.Fatal(err)
	}
	host := "abc1234567.execute-api.localhost:" + e.port
	want := events.APIGatewayV2HTTPRequest{
		Version:        "2.0",
		RouteKey:       "POST /items/{id}",
		RawPath:        "/items/42",
		RawQueryString: "a=1&a=2&b=x",
		Cookies:        []string{"c1=v1", "c2=v2"},
		Headers: map[string]string{
			"accept-encoding": "gzip", "content-length": "9", "content-type": "application/json",
			"host": host, "user-agent": "nubo-test", "x-multi": "one,two",
			"x-forwarded-for": "127.0.0.1", "x-forwarded-port": e.port, "x-forwarded-proto": "http",
			"x-amzn-trace-id": traceID(rid),
		},
		QueryStringParameters: map[string]string{"a": "1,2", "b": "x"},
		PathParameters:        map[string]string{"id": "42"},
		StageVariables:        map[string]string{"color": "blue"},
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     "POST /items/{id}",
			AccountID:    "000000000000",
			Stage:        "$default",
			RequestID:    rid,
			APIID:        "abc1234567",
			DomainName:   "abc1234567.execute-api.localhost",
			DomainPrefix: "abc1234567",
			Time:         "12/Mar/2026:19:03:58 +0000",
			TimeEpoch:    fixedNow.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method: "POST", Path: "/items/42", Protocol: "HTTP/1.1", SourceIP: "127.0.0.1", UserAgent: "nubo-test",
			},
		},
		Body: `{"k":"v"}`,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("payload (-want +got):\n%s", d)
	}
	if c.source.Principal != PrincipalAPIGateway || c.source.SourceARN != "arn:aws:execute-api:us-east-1:000000000000:abc1234567/$default/POST/items/{id}" {
		t.Errorf("source %+v", c.source)
	}
	// The JSON has exactly the keys API Gateway sends.
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(c.payload, &keys)
	if d := cmp.Diff([]string{"body", "cookies", "headers", "isBase64Encoded", "pathParameters", "queryStringParameters", "rawPath", "rawQueryString", "requestContext", "routeKey", "stageVariables", "version"}, sortedKeys(keys)); d != "" {
		t.Errorf("keys (-want +got):\n%s", d)
	}
}

func TestPayloadV1_REST_EveryField(t *testing.T) {
	e := newEnv(t, nil, withNow(fixedNow))
	a := e.put(t, API{ID: "rest123456", Type: TypeREST,
		Routes: []Route{{ID: "res1", Key: "GET /pets/{id}", Integration: Integration{Function: "pets"}}},
		Stages: []Stage{{Name: "prod", Variables: map[string]string{"v": "1"}}},
	})
	if a.Routes[0].Integration.PayloadFormatVersion != "1.0" {
		t.Fatalf("REST payload version %q", a.Routes[0].Integration.PayloadFormatVersion)
	}
	res := e.do(t, req{path: "/_api/rest123456/prod/pets/7?a=1&a=2&b=x", headers: map[string][]string{
		"User-Agent": {"nubo-test"}, "X-Multi": {"one", "two"},
	}})
	if res.status != 200 {
		t.Fatalf("status %d body %s", res.status, res.body)
	}
	rid := res.header.Get("X-Amzn-Requestid")
	c := e.inv.last(t)
	var got events.APIGatewayProxyRequest
	if err := json.Unmarshal(c.payload, &got); err != nil {
		t.Fatal(err)
	}
	hdr := map[string][]string{
		"Accept-Encoding": {"gzip"}, "Host": {e.addr}, "User-Agent": {"nubo-test"}, "X-Multi": {"one", "two"},
		"X-Forwarded-For": {"127.0.0.1"}, "X-Forwarded-Port": {e.port}, "X-Forwarded-Proto": {"http"},
		"X-Amzn-Trace-Id": {traceID(rid)},
	}
	single := map[string]string{}
	for k, v := range hdr {
		single[k] = v[len(v)-1]
	}
	want := events.APIGatewayProxyRequest{
		Resource:                        "/pets/{id}",
		Path:                            "/pets/7",
		HTTPMethod:                      "GET",
		Headers:                         single,
		MultiValueHeaders:               hdr,
		QueryStringParameters:           map[string]string{"a": "2", "b": "x"},
		MultiValueQueryStringParameters: map[string][]string{"a": {"1", "2"}, "b": {"x"}},
		PathParameters:                  map[string]string{"id": "7"},
		StageVariables:                  map[string]string{"v": "1"},
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:         "000000000000",
			ResourceID:        "res1",
			Stage:             "prod",
			DomainName:        "rest123456.execute-api.localhost",
			DomainPrefix:      "rest123456",
			RequestID:         rid,
			ExtendedRequestID: rid,
			Protocol:          "HTTP/1.1",
			Identity:          events.APIGatewayRequestIdentity{SourceIP: "127.0.0.1", UserAgent: "nubo-test"},
			ResourcePath:      "/pets/{id}",
			Path:              "/prod/pets/7",
			HTTPMethod:        "GET",
			RequestTime:       "12/Mar/2026:19:03:58 +0000",
			RequestTimeEpoch:  fixedNow.UnixMilli(),
			APIID:             "rest123456",
		},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("payload (-want +got):\n%s", d)
	}
	// An absent body is null, as API Gateway sends it.
	if !bytes.Contains(c.payload, []byte(`"body":null`)) {
		t.Errorf("body not null: %s", c.payload)
	}
	if c.source.SourceARN != "arn:aws:execute-api:us-east-1:000000000000:rest123456/prod/GET/pets/{id}" {
		t.Errorf("source arn %q", c.source.SourceARN)
	}
}

func TestPayloadV1_OnHTTPAPI(t *testing.T) {
	e := newEnv(t, nil)
	e.put(t, httpAPI("v1onhttp", Route{Key: "GET /x/{p}", Integration: Integration{Function: "f", PayloadFormatVersion: "1.0"}}))
	res := e.do(t, req{host: "v1onhttp.execute-api.localhost", path: "/x/y?q=1", headers: map[string][]string{"X-A": {"1", "2"}}})
	if res.status != 200 {
		t.Fatalf("status %d %s", res.status, res.body)
	}
	var got events.APIGatewayProxyRequest
	if err := json.Unmarshal(e.inv.last(t).payload, &got); err != nil {
		t.Fatal(err)
	}
	if got.Path != "/x/y" || got.Resource != "/x/{p}" || got.Headers["x-a"] != "2" ||
		!cmp.Equal(got.MultiValueHeaders["x-a"], []string{"1", "2"}) || got.PathParameters["p"] != "y" ||
		got.RequestContext.Stage != "$default" || got.QueryStringParameters["q"] != "1" {
		t.Errorf("payload %+v", got)
	}
}

func TestFunctionURL_Payload(t *testing.T) {
	e := newEnv(t, nil, withNow(fixedNow))
	u, err := e.g.PutFunctionURL(t.Context(), FunctionURL{Function: "echo"})
	if err != nil {
		t.Fatal(err)
	}
	if len(u.ID) != 32 || u.AuthType != AuthNone || u.InvokeMode != InvokeBuffered {
		t.Fatalf("url %+v", u)
	}
	for _, via := range []req{
		{method: "PUT", host: u.ID + ".lambda-url.localhost", path: "/a/b?x=1", body: []byte("hi"), headers: map[string][]string{"Content-Type": {"text/plain"}, "Cookie": {"s=1"}}},
		{method: "PUT", path: "/_url/" + u.ID + "/a/b?x=1", body: []byte("hi"), headers: map[string][]string{"Content-Type": {"text/plain"}, "Cookie": {"s=1"}}},
	} {
		res := e.do(t, via)
		if res.status != 200 {
			t.Fatalf("status %d %s", res.status, res.body)
		}
		var got events.LambdaFunctionURLRequest
		if err := json.Unmarshal(e.inv.last(t).payload, &got); err != nil {
			t.Fatal(err)
		}
		rc := got.RequestContext
		if got.Version != "2.0" || got.RawPath != "/a/b" || got.RawQueryString != "x=1" || got.Body != "hi" || got.IsBase64Encoded ||
			!cmp.Equal(got.Cookies, []string{"s=1"}) || got.QueryStringParameters["x"] != "1" ||
			rc.APIID != u.ID || rc.DomainPrefix != u.ID || rc.DomainName != u.ID+".lambda-url.localhost" ||
			rc.HTTP.Method != "PUT" || rc.HTTP.Path != "/a/b" || rc.Time != "12/Mar/2026:19:03:58 +0000" || rc.AccountID != "000000000000" {
			t.Errorf("payload %+v", got)
		}
	}
}

func TestBinaryBodies(t *testing.T) {
	png := []byte{0x89, 'P', 'N', 'G', 0, 0xff, 0xfe, 1, 2, 3}
	inv := &fakeInvoker{}
	e := newEnv(t, inv)
	e.put(t, httpAPI("binhttp", route("POST /up", "up")))
	e.put(t, API{ID: "binrest", Type: TypeREST, BinaryMediaTypes: []string{"image~1png"},
		Routes: []Route{route("POST /up", "up")}, Stages: []Stage{{Name: "v1"}}})
	inv.invoke = func(_ context.Context, _ string, payload []byte, _ Source) ([]byte, string, error) {
		// Echo the body back as binary.
		var ev struct {
			Body            string `json:"body"`
			IsBase64Encoded bool   `json:"isBase64Encoded"`
		}
		_ = json.Unmarshal(payload, &ev)
		b := ev.Body
		if !ev.IsBase64Encoded {
			b = base64.StdEncoding.EncodeToString([]byte(b))
		}
		return jsonBodyNoT(map[string]any{"statusCode": 200, "headers": map[string]string{"Content-Type": "application/octet-stream"}, "body": b, "isBase64Encoded": true}), "", nil
	}
	cases := map[string]struct {
		r          req
		wantBase64 bool
	}{
		"http png":         {req{method: "POST", host: "binhttp.execute-api.localhost", path: "/up", body: png, headers: map[string][]string{"Content-Type": {"image/png"}}}, true},
		"http form":        {req{method: "POST", host: "binhttp.execute-api.localhost", path: "/up", body: []byte("a=1"), headers: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}}}, true},
		"http json":        {req{method: "POST", host: "binhttp.execute-api.localhost", path: "/up", body: []byte(`{"a":1}`), headers: map[string][]string{"Content-Type": {"application/json; charset=utf-8"}}}, false},
		"http vnd json":    {req{method: "POST", host: "binhttp.execute-api.localhost", path: "/up", body: []byte(`{}`), headers: map[string][]string{"Content-Type": {"application/vnd.api+json"}}}, false},
		"rest binary type": {req{method: "POST", path: "/_api/binrest/v1/up", body: png, headers: map[string][]string{"Content-Type": {"image/png"}}}, true},
		"rest text":        {req{method: "POST", path: "/_api/binrest/v1/up", body: []byte("a=1"), headers: map[string][]string{"Content-Type": {"application/x-www-form-urlencoded"}}}, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			res := e.do(t, tc.r)
			if res.status != 200 || !bytes.Equal(res.body, tc.r.body) {
				t.Fatalf("status %d body %q, want %q", res.status, res.body, tc.r.body)
			}
			if ct := res.header.Get("Content-Type"); ct != "application/octet-stream" {
				t.Errorf("content-type %q", ct)
			}
			// The captured event of this request.
			var found bool
			for _, c := range inv.callsTo("up") {
				var ev struct {
					Body            string `json:"body"`
					IsBase64Encoded bool   `json:"isBase64Encoded"`
				}
				_ = json.Unmarshal(c.payload, &ev)
				want := string(tc.r.body)
				if tc.wantBase64 {
					want = base64.StdEncoding.EncodeToString(tc.r.body)
				}
				if ev.Body == want && ev.IsBase64Encoded == tc.wantBase64 {
					found = true
				}
			}
			if !found {
				t.Errorf("no event with body base64=%v", tc.wantBase64)
			}
		})
	}
}

func TestCookies(t *testing.T) {
	inv := &fakeInvoker{invoke: func(context.Context, string, []byte, Source) ([]byte, string, error) {
		return []byte(`{"statusCode":201,"cookies":["a=1; Path=/","b=2; HttpOnly"],"headers":{"x-n":5},"multiValueHeaders":{"X-M":["p","q"]},"body":"made"}`), "", nil
	}}
	e := newEnv(t, inv)
	e.put(t, httpAPI("cookies1", route("GET /c", "c")))
	res := e.do(t, req{host: "cookies1.execute-api.localhost", path: "/c", headers: map[string][]string{"Cookie": {"x=1; y=2", "z=3"}}})
	if res.status != 201 || string(res.body) != "made" {
		t.Fatalf("status %d body %q", res.status, res.body)
	}
	if d := cmp.Diff([]string{"a=1; Path=/", "b=2; HttpOnly"}, res.header.Values("Set-Cookie")); d != "" {
		t.Errorf("set-cookie (-want +got):\n%s", d)
	}
	if res.header.Get("X-N") != "5" || !cmp.Equal(res.header.Values("X-M"), []string{"p", "q"}) {
		t.Errorf("headers %v", res.header)
	}
	var ev events.APIGatewayV2HTTPRequest
	_ = json.Unmarshal(inv.last(t).payload, &ev)
	if d := cmp.Diff([]string{"x=1", "y=2", "z=3"}, ev.Cookies); d != "" {
		t.Errorf("cookies (-want +got):\n%s", d)
	}
	if _, ok := ev.Headers["cookie"]; ok {
		t.Error("cookie header kept in 2.0 headers")
	}
}

func TestResponseShapes(t *testing.T) {
	cases := map[string]struct {
		version    string
		result     string
		wantStatus int
		wantBody   string
		wantCT     string
	}{
		"v2 string shorthand":   {"2.0", `"hello"`, 200, "hello", "application/json"},
		"v2 object shorthand":   {"2.0", `{"message":"hi"}`, 200, `{"message":"hi"}`, "application/json"},
		"v2 array shorthand":    {"2.0", `[1,2]`, 200, `[1,2]`, "application/json"},
		"v2 null":               {"2.0", `null`, 200, `null`, "application/json"},
		"v2 structured":         {"2.0", `{"statusCode":418,"headers":{"content-type":"text/plain"},"body":"teapot"}`, 418, "teapot", "text/plain"},
		"v2 status as string":   {"2.0", `{"statusCode":"202","body":"x"}`, 202, "x", "application/json"},
		"v2 base64":             {"2.0", `{"statusCode":200,"body":"aGk=","isBase64Encoded":true}`, 200, "hi", "application/json"},
		"v2 bad base64":         {"2.0", `{"statusCode":200,"body":"!!","isBase64Encoded":true}`, 502, `{"message":"Internal Server Error"}`, "application/json"},
		"v2 bad status":         {"2.0", `{"statusCode":42}`, 502, `{"message":"Internal Server Error"}`, "application/json"},
		"v2 not json":           {"2.0", `hello`, 502, `{"message":"Internal Server Error"}`, "application/json"},
		"v1 structured":         {"1.0", `{"statusCode":200,"body":"ok","multiValueHeaders":{"X-A":["1","2"]}}`, 200, "ok", "application/json"},
		"v1 no status":          {"1.0", `{"body":"ok"}`, 502, `{"message":"Internal Server Error"}`, "application/json"},
		"v1 string":             {"1.0", `"ok"`, 502, `{"message":"Internal Server Error"}`, "application/json"},
		"v1 body not a string":  {"1.0", `{"statusCode":200,"body":{"a":1}}`, 502, `{"message":"Internal Server Error"}`, "application/json"},
		"v2 204 drops the body": {"2.0", `{"statusCode":204,"body":"ignored"}`, 204, "", "application/json"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			inv := &fakeInvoker{invoke: func(context.Context, string, []byte, Source) ([]byte, string, error) {
				return []byte(tc.result), "", nil
			}}
			e := newEnv(t, inv)
			e.put(t, httpAPI("shape1", Route{Key: "GET /r", Integration: Integration{Function: "f", PayloadFormatVersion: tc.version}}))
			res := e.do(t, req{host: "shape1.execute-api.localhost", path: "/r"})
			if res.status != tc.wantStatus || string(res.body) != tc.wantBody || res.header.Get("Content-Type") != tc.wantCT {
				t.Errorf("got %d %q %q, want %d %q %q", res.status, res.body, res.header.Get("Content-Type"), tc.wantStatus, tc.wantBody, tc.wantCT)
			}
		})
	}
}

func jsonBodyNoT(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func TestShorthandObject(t *testing.T) {
	for in, want := range map[string]bool{
		`{}`: true,
		`{ "a" : [ 1 , -0.5E-2 , {"b":null} ] , "c":"\"\u00e9é" }`: true,
		`{"version":"2.0","headers":{"statusCode":"nested"}}`:      true,
		`{"statusCode":200}`:     false,
		`{"STATUSCODE":200}`:     false,
		`{"status\u0043ode":1}`:  false,
		`{"a":1}{}`:              false,
		`{"a":1,}`:               false,
		`{"a":tru}`:              false,
		`{"a":-}`:                false,
		`["a"]`:                  false,
		`{"a":"` + "\x01" + `"}`: false,
	} {
		if got := shorthandObject([]byte(in)); got != want {
			t.Errorf("%s: %v, want %v", in, got, want)
		}
	}
}

func TestTraceID(t *testing.T) {
	old := func(requestID string) string {
		hex := strings.ReplaceAll(requestID, "-", "")
		for len(hex) < 32 {
			hex += "0"
		}
		return "Root=1-" + hex[:8] + "-" + hex[8:32]
	}
	for _, id := range []string{"", "abc", "0123-4567", "01234567", "012345678", "3f2a9c1e-6b7d-4e8f-9a0b-1c2d3e4f5a6b", "----", strings.Repeat("x-", 40)} {
		if got, want := traceID(id), old(id); got != want {
			t.Errorf("%q: %q, want %q", id, got, want)
		}
	}
}

// The usual structured responses take the fast decode (decodeRawResponse);
// the fuzz test holds it to encoding/json's answers.
func TestDecodeRawResponse_Common(t *testing.T) {
	for in, want := range map[string]bool{
		`{"statusCode":200,"headers":{"content-type":"application/json"},"body":"{\"ok\":true}"}`: true,
		`{"statusCode":201,"cookies":["a=1"],"isBase64Encoded":true,"body":"aGk="}`:               true,
		`{"statusCode":200,"multiValueHeaders":{"a":["1"]}}`:                                      false,
		`{"statusCode":200,"StatusCode":201}`:                                                     false,
		`{"statusCode":200,"headers":"x"}`:                                                        false,
	} {
		if _, ok := decodeRawResponse([]byte(in)); ok != want {
			t.Errorf("%s: %v, want %v", in, ok, want)
		}
	}
}

func TestRequestTime_Cached(t *testing.T) {
	g := &Gateway{}
	base := time.Date(2026, 3, 1, 23, 59, 58, 0, time.FixedZone("x", 3600))
	for _, d := range []time.Duration{0, 999 * time.Millisecond, time.Second, 1500 * time.Millisecond, 0, -time.Hour} {
		tm := base.Add(d)
		if got, want := g.requestTime(tm), tm.UTC().Format(requestTimeLayout); got != want {
			t.Errorf("%v: %q, want %q", tm, got, want)
		}
	}
}
