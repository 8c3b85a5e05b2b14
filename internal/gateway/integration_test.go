package gateway

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
)

// restWith creates a REST API with one resource /pets/{id} and the given
// methods on it (HttpMethod -> Integration), at stage "test".
func restWith(t *testing.T, e *resEnv, methods map[string]map[string]any) string {
	t.Helper()
	rest, attrs := e.create(t, "Api", "AWS::ApiGateway::RestApi", stacks.Props{"Name": "mapped"})
	pets, _ := e.create(t, "Pets", "AWS::ApiGateway::Resource", stacks.Props{"RestApiId": rest, "ParentId": attrs["RootResourceId"], "PathPart": "pets"})
	id, _ := e.create(t, "Pet", "AWS::ApiGateway::Resource", stacks.Props{"RestApiId": rest, "ParentId": pets, "PathPart": "{id}"})
	for _, m := range sortedKeys(methods) {
		e.create(t, "M"+m, "AWS::ApiGateway::Method", stacks.Props{"RestApiId": rest, "ResourceId": id, "HttpMethod": m,
			"AuthorizationType": "NONE", "Integration": methods[m]})
	}
	e.create(t, "Stage", "AWS::ApiGateway::Stage", stacks.Props{"RestApiId": rest, "StageName": "test", "Variables": map[string]any{"color": "blue"}})
	return rest
}

func TestMockIntegrationTemplates(t *testing.T) {
	e := newResEnv(t)
	rest := restWith(t, e, map[string]map[string]any{
		"GET": {
			"Type": "MOCK",
			"RequestTemplates": map[string]any{"application/json": `#if($input.params('id') == "404")
{"statusCode": 404}
#else
{"statusCode": 200}
#end`},
			"IntegrationResponses": []any{
				map[string]any{"StatusCode": "404", "SelectionPattern": "404",
					"ResponseTemplates": map[string]any{"application/json": `{"message": "no pet $input.params('id')"}`}},
				map[string]any{"StatusCode": "200",
					"ResponseParameters": map[string]any{"method.response.header.X-Stage": "context.stage", "method.response.header.X-Color": "stageVariables.color"},
					"ResponseTemplates": map[string]any{"application/json": `#set($context.responseOverride.header.X-Override = "yes")
{"id": "$input.params('id')", "q": "$input.params('q')", "host": "$input.params().header.Host", "method": "$context.httpMethod", "resource": "$context.resourcePath", "path": "$context.path", "color": "$stageVariables.color"}`}},
			},
		},
		"POST": {
			"Type": "MOCK", "PassthroughBehavior": "NEVER",
			"RequestTemplates": map[string]any{"application/json": `{"statusCode": 201}`},
			"IntegrationResponses": []any{map[string]any{"StatusCode": "201",
				"ResponseTemplates": map[string]any{"application/json": `#set($context.responseOverride.status = 202)accepted`}}},
		},
	})
	res := e.do(t, req{path: "/_api/" + rest + "/test/pets/7?q=x"})
	var got map[string]string
	if err := json.Unmarshal(res.body, &got); err != nil || res.status != 200 {
		t.Fatalf("GET: %d %s %v", res.status, res.body, err)
	}
	want := map[string]string{"id": "7", "q": "x", "method": "GET", "resource": "/pets/{id}", "path": "/test/pets/7", "color": "blue"}
	if got["host"] == "" {
		t.Errorf("no Host header in $input.params().header")
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if res.header.Get("X-Stage") != "test" || res.header.Get("X-Color") != "blue" || res.header.Get("Content-Type") != "application/json" {
		t.Errorf("headers %v", res.header)
	}
	res = e.do(t, req{path: "/_api/" + rest + "/test/pets/404"})
	if res.status != 404 || string(res.body) != `{"message": "no pet 404"}` {
		t.Errorf("GET 404: %d %s", res.status, res.body)
	}
	res = e.do(t, req{method: "POST", path: "/_api/" + rest + "/test/pets/1", body: []byte("{}")})
	if res.status != 202 || string(res.body) != "accepted" {
		t.Errorf("POST: %d %s", res.status, res.body)
	}
	res = e.do(t, req{method: "POST", path: "/_api/" + rest + "/test/pets/1", body: []byte("x"), headers: map[string][]string{"Content-Type": {"text/plain"}}})
	if res.status != 415 || !strings.Contains(string(res.body), "Unsupported Media Type") {
		t.Errorf("POST text/plain with NEVER: %d %s", res.status, res.body)
	}
}

func TestLambdaIntegrationTemplates(t *testing.T) {
	e := newResEnv(t)
	e.inv.invoke = func(_ context.Context, fn string, payload []byte, src Source) ([]byte, string, error) {
		var in struct{ Name, Pet string }
		_ = json.Unmarshal(payload, &in)
		if in.Name == "" {
			return []byte(`{"errorMessage":"Bad request: name is required","errorType":"ValueError"}`), "Unhandled", nil
		}
		out, err := json.Marshal(map[string]any{"greeting": "hello " + in.Name, "pet": in.Pet})
		return out, "", err
	}
	rest := restWith(t, e, map[string]map[string]any{"POST": {
		"Type": "AWS", "IntegrationHttpMethod": "POST", "Uri": lambdaURI(testFnARN),
		"RequestTemplates": map[string]any{"application/json": `#set($body = $input.path('$'))
{"name": "$util.escapeJavaScript($body.name)", "pet": "$input.params('id')"}`},
		"IntegrationResponses": []any{
			map[string]any{"StatusCode": "200", "ResponseTemplates": map[string]any{"application/json": `{"message": "$input.path('$.greeting')", "pet": $input.json('$.pet')}`}},
			map[string]any{"StatusCode": "400", "SelectionPattern": "Bad request.*",
				"ResponseTemplates": map[string]any{"application/json": `{"error": "$input.path('$.errorMessage')"}`}},
		},
	}})
	res := e.do(t, req{method: "POST", path: "/_api/" + rest + "/test/pets/9", body: []byte(`{"name": "Ann"}`)})
	if res.status != 200 || string(res.body) != `{"message": "hello Ann", "pet": "9"}` {
		t.Errorf("POST: %d %s", res.status, res.body)
	}
	c := e.inv.last(t)
	if c.function != testFnARN || string(c.payload) != `{"name": "Ann", "pet": "9"}` || c.source.Principal != PrincipalAPIGateway {
		t.Errorf("invoked %s with %s from %+v", c.function, c.payload, c.source)
	}
	res = e.do(t, req{method: "POST", path: "/_api/" + rest + "/test/pets/9", body: []byte(`{}`)})
	if res.status != 400 || string(res.body) != `{"error": "Bad request: name is required"}` {
		t.Errorf("POST error: %d %s", res.status, res.body)
	}
	// escapeJavaScript turns ' into \', which JSON does not allow: Lambda
	// refuses the payload and API Gateway answers 500 without invoking.
	calls := e.inv.count()
	res = e.do(t, req{method: "POST", path: "/_api/" + rest + "/test/pets/9", body: []byte(`{"name": "O'Brien"}`)})
	if res.status != 500 || string(res.body) != `{"message": "Internal server error"}` {
		t.Errorf("POST a payload that is not JSON: %d %s", res.status, res.body)
	}
	if e.inv.count() != calls {
		t.Errorf("the function was invoked with a payload that is not JSON: %s", e.inv.last(t).payload)
	}
}

func TestHTTPIntegrations(t *testing.T) {
	var seen struct {
		method, path, query, header, body string
	}
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		seen.method, seen.path, seen.query, seen.header, seen.body = r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("X-Pet"), string(b)
		w.Header().Set("X-Backend", "yes")
		if strings.HasSuffix(r.URL.Path, "/missing") {
			w.WriteHeader(404)
			_, _ = w.Write([]byte(`{"error":"gone"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"pets":[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99}]}`))
	}))
	defer backend.Close()
	e := newResEnv(t)
	rest := restWith(t, e, map[string]map[string]any{
		"GET": {
			"Type": "HTTP", "IntegrationHttpMethod": "POST", "Uri": backend.URL + "/backend/{petId}",
			"RequestParameters": map[string]any{"integration.request.path.petId": "method.request.path.id",
				"integration.request.header.X-Pet": "method.request.querystring.kind", "integration.request.querystring.from": "'gateway'"},
			"RequestTemplates": map[string]any{"application/json": `#set($context.requestOverride.querystring.extra = "1")
{"asked": "$input.params('id')"}`},
			"IntegrationResponses": []any{
				map[string]any{"StatusCode": "200", "ResponseParameters": map[string]any{"method.response.header.X-From": "integration.response.header.X-Backend"},
					"ResponseTemplates": map[string]any{"application/json": `#set($root = $input.path('$.pets'))[#foreach($p in $root){"description": "Item $p.id is a $p.type.", "askingPrice": $p.price}#if($foreach.hasNext),#end#end]`}},
				map[string]any{"StatusCode": "404", "SelectionPattern": "4\\d{2}"},
			},
		},
		"PUT":    {"Type": "HTTP_PROXY", "IntegrationHttpMethod": "ANY", "Uri": backend.URL + "/proxy/{id}"},
		"DELETE": {"Type": "HTTP_PROXY", "IntegrationHttpMethod": "ANY", "Uri": "http://example.com/pets/{id}"},
	})
	res := e.do(t, req{path: "/_api/" + rest + "/test/pets/5?kind=dog"})
	if res.status != 200 || string(res.body) != `[{"description": "Item 1 is a dog.", "askingPrice": 249.99},{"description": "Item 2 is a cat.", "askingPrice": 124.99}]` || res.header.Get("X-From") != "yes" {
		t.Errorf("GET: %d %s %v", res.status, res.body, res.header)
	}
	if seen.method != "POST" || seen.path != "/backend/5" || seen.query != "extra=1&from=gateway" || seen.header != "dog" || seen.body != `{"asked": "5"}` {
		t.Errorf("backend saw %+v", seen)
	}
	res = e.do(t, req{path: "/_api/" + rest + "/test/pets/missing"})
	if res.status != 404 || string(res.body) != `{"error":"gone"}` {
		t.Errorf("GET missing: %d %s", res.status, res.body)
	}
	res = e.do(t, req{method: "PUT", path: "/_api/" + rest + "/test/pets/3?a=b", body: []byte("raw body"), headers: map[string][]string{"X-Pet": {"cat"}}})
	if res.status != 200 || res.header.Get("X-Backend") != "yes" || !strings.Contains(string(res.body), `"pets"`) {
		t.Errorf("PUT proxy: %d %s", res.status, res.body)
	}
	if seen.method != "PUT" || seen.path != "/proxy/3" || seen.query != "a=b" || seen.header != "cat" || seen.body != "raw body" {
		t.Errorf("backend saw %+v", seen)
	}
	res = e.do(t, req{method: "DELETE", path: "/_api/" + rest + "/test/pets/3"})
	if res.status != 502 || !strings.Contains(string(res.body), "not a loopback address") {
		t.Errorf("DELETE to example.com: %d %s", res.status, res.body)
	}
	w := e.byType["AWS::ApiGateway::Method"].(stacks.Warner)
	if got := w.Warnings(stacks.Props{"HttpMethod": "GET", "Integration": map[string]any{"Type": "HTTP_PROXY", "Uri": "http://example.com/"}}); len(got) != 1 || !strings.Contains(got[0], "not a loopback address") {
		t.Errorf("warnings %q", got)
	}
}

// TestMappedIntegrationFaults: as on API Gateway, a template that does not
// parse deploys; the plan's warnings name it, and a request that needs it
// answers 500.
func TestMappedIntegrationFaults(t *testing.T) {
	e := newResEnv(t)
	integ := map[string]any{"Type": "MOCK", "RequestTemplates": map[string]any{"application/json": "#if(true) no end"},
		"IntegrationResponses": []any{map[string]any{"StatusCode": "200", "SelectionPattern": "(?<=x)"}}}
	rest := restWith(t, e, map[string]map[string]any{"GET": integ})
	w := e.byType["AWS::ApiGateway::Method"].(stacks.Warner)
	got := w.Warnings(stacks.Props{"HttpMethod": "GET", "Integration": integ})
	if len(got) != 2 || !strings.Contains(got[0], "requestTemplates[application/json]: vtl: offset 0: #if without #end") ||
		!strings.Contains(got[1], "integrationResponses[0].selectionPattern") {
		t.Errorf("warnings %q", got)
	}
	if res := e.do(t, req{path: "/_api/" + rest + "/test/pets/1"}); res.status != 500 || !strings.Contains(string(res.body), "Internal server error") {
		t.Errorf("GET: %d %s", res.status, res.body)
	}
}

// TestMappedIntegrationsFromBody: the same integrations from an OpenAPI
// body (what SAM's DefinitionBody holds): responses keyed by selection
// pattern, "default" for the default one.
func TestMappedIntegrationsFromBody(t *testing.T) {
	e := newResEnv(t)
	e.inv.invoke = func(_ context.Context, fn string, payload []byte, src Source) ([]byte, string, error) {
		if strings.Contains(string(payload), `"fail"`) {
			return []byte(`{"errorMessage":"NotFound: no such pet","errorType":"Error"}`), "Unhandled", nil
		}
		return []byte(`{"pets":[{"id":1,"type":"dog"}]}`), "", nil
	}
	rest, _ := e.create(t, "Api", "AWS::ApiGateway::RestApi", stacks.Props{"Name": "body", "Body": map[string]any{
		"openapi": "3.0.1", "info": map[string]any{"title": "body"},
		"paths": map[string]any{
			"/pets": map[string]any{"get": map[string]any{"x-amazon-apigateway-integration": map[string]any{
				"type": "aws", "httpMethod": "POST", "uri": lambdaURI(testFnARN),
				"requestTemplates": map[string]any{"application/json": `{"q": "$input.params('q')"}`},
				"responses": map[string]any{
					"default":     map[string]any{"statusCode": "200", "responseTemplates": map[string]any{"application/json": `$input.json('$.pets[0]')`}},
					"NotFound:.*": map[string]any{"statusCode": "404", "responseTemplates": map[string]any{"application/json": `{"error": "$input.path('$.errorMessage')"}`}},
				},
			}}},
			"/health": map[string]any{"get": map[string]any{"x-amazon-apigateway-integration": map[string]any{
				"type": "mock", "requestTemplates": map[string]any{"application/json": `{"statusCode": #if($input.params('down') == "1")503#{else}200#end}`},
				"responses": map[string]any{
					"default": map[string]any{"statusCode": "200", "responseTemplates": map[string]any{"application/json": `{"ok": true, "stage": "$context.stage"}`}},
					"5\\d\\d": map[string]any{"statusCode": "503"},
				},
			}}},
		},
	}})
	e.create(t, "Stage", "AWS::ApiGateway::Stage", stacks.Props{"RestApiId": rest, "StageName": "v1"})
	cases := []struct{ path, body string }{
		{"/pets?q=dogs", `{"id":1,"type":"dog"}`},
		{"/pets?q=fail", `{"error": "NotFound: no such pet"}`},
		{"/health", `{"ok": true, "stage": "v1"}`},
		{"/health?down=1", ``},
	}
	wantStatus := []int{200, 404, 200, 503}
	for i, c := range cases {
		res := e.do(t, req{path: "/_api/" + rest + "/v1" + c.path})
		if res.status != wantStatus[i] || string(res.body) != c.body {
			t.Errorf("GET %s: %d %s, want %d %s", c.path, res.status, res.body, wantStatus[i], c.body)
		}
	}
	if c := e.inv.last(t); string(c.payload) != `{"q": "fail"}` {
		t.Errorf("payload %s", c.payload)
	}
}

// TestHTTPAPIProxyIntegration: an HTTP API's HTTP_PROXY integration to a
// loopback URL is served (the route's {proxy} fills the URI).
func TestHTTPAPIProxyIntegration(t *testing.T) {
	var saw string
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		saw = r.Method + " " + r.URL.RequestURI()
		_, _ = w.Write([]byte("from backend"))
	}))
	defer backend.Close()
	e := newResEnv(t)
	api, _ := e.create(t, "Api", "AWS::ApiGatewayV2::Api", stacks.Props{"Name": "proxy", "ProtocolType": "HTTP"})
	integ, _ := e.create(t, "Integ", "AWS::ApiGatewayV2::Integration", stacks.Props{"ApiId": api, "IntegrationType": "HTTP_PROXY",
		"IntegrationMethod": "ANY", "IntegrationUri": backend.URL + "/svc/{proxy}", "PayloadFormatVersion": "1.0"})
	e.create(t, "Route", "AWS::ApiGatewayV2::Route", stacks.Props{"ApiId": api, "RouteKey": "ANY /api/{proxy+}", "Target": "integrations/" + integ})
	e.create(t, "Stage", "AWS::ApiGatewayV2::Stage", stacks.Props{"ApiId": api, "StageName": "$default"})
	res := e.do(t, req{method: "DELETE", path: "/_api/" + api + "/api/a/b?c=d"})
	if res.status != 200 || string(res.body) != "from backend" || saw != "DELETE /svc/a/b?c=d" {
		t.Errorf("DELETE: %d %s; backend saw %q", res.status, res.body, saw)
	}
	w := e.byType["AWS::ApiGatewayV2::Integration"].(stacks.Warner)
	if got := w.Warnings(stacks.Props{"IntegrationType": "HTTP_PROXY", "IntegrationUri": "https://example.com"}); len(got) != 1 || !strings.Contains(got[0], "not a loopback address") {
		t.Errorf("warnings %q", got)
	}
}
