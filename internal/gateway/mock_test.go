package gateway

import (
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
)

// TestMockIntegrations: a MOCK integration with a static answer is served
// as API Gateway serves it (a REST API's GET / at stage Prod answers 200,
// SAM's CORS preflight answers with its headers); a mock whose request
// template is VTL is served through the template engine (integration.go).
func TestMockIntegrations(t *testing.T) {
	e := newResEnv(t)
	rest, rattrs := e.create(t, "Rest", "AWS::ApiGateway::RestApi", stacks.Props{"Name": "mocks", "Body": map[string]any{
		"swagger": "2.0", "info": map[string]any{"title": "mocks"},
		"paths": map[string]any{"/items": map[string]any{"options": map[string]any{
			// What SAM generates for a REST API's Cors.
			"x-amazon-apigateway-integration": map[string]any{
				"type": "mock", "requestTemplates": map[string]any{"application/json": "{\n  \"statusCode\" : 200\n}\n"},
				"responses": map[string]any{"default": map[string]any{"statusCode": "200",
					"responseParameters": map[string]any{
						"method.response.header.Access-Control-Allow-Origin":  "'https://app.test'",
						"method.response.header.Access-Control-Allow-Methods": "'GET,OPTIONS'",
					},
					"responseTemplates": map[string]any{"application/json": "{}\n"}}},
			},
		}}},
	}})
	root := rattrs["RootResourceId"].(string)
	static := stacks.Props{"RestApiId": rest, "ResourceId": root, "HttpMethod": "GET", "AuthorizationType": "NONE",
		"Integration": map[string]any{
			"Type":             "MOCK",
			"RequestTemplates": map[string]any{"application/json": `{"statusCode": 200}`},
			"IntegrationResponses": []any{
				map[string]any{"StatusCode": "404", "SelectionPattern": "4\\d{2}"},
				map[string]any{"StatusCode": "200", "ResponseTemplates": map[string]any{"application/json": `{"status":"ok"}`},
					"ResponseParameters": map[string]any{"method.response.header.X-Mock": "'yes'"}},
			},
		}}
	e.create(t, "RootGet", "AWS::ApiGateway::Method", static)
	vtl := stacks.Props{"RestApiId": rest, "ResourceId": root, "HttpMethod": "POST", "AuthorizationType": "NONE",
		"Integration": map[string]any{
			"Type":             "MOCK",
			"RequestTemplates": map[string]any{"application/json": `{"statusCode": $input.json('$.code')}`},
			"IntegrationResponses": []any{map[string]any{"StatusCode": "200"},
				map[string]any{"StatusCode": "418", "SelectionPattern": "418"}},
		}}
	e.create(t, "RootPost", "AWS::ApiGateway::Method", vtl)
	e.create(t, "Stage", "AWS::ApiGateway::Stage", stacks.Props{"RestApiId": rest, "StageName": "Prod"})

	res := e.do(t, req{path: "/_api/" + rest + "/Prod"})
	if res.status != 200 || string(res.body) != `{"status":"ok"}` || res.header.Get("X-Mock") != "yes" {
		t.Errorf("GET /Prod: %d %s %v", res.status, res.body, res.header)
	}
	res = e.do(t, req{method: "OPTIONS", path: "/_api/" + rest + "/Prod/items", headers: map[string][]string{
		"Origin": {"https://app.test"}, "Access-Control-Request-Method": {"GET"}}})
	if res.status != 200 || res.header.Get("Access-Control-Allow-Origin") != "https://app.test" || res.header.Get("Access-Control-Allow-Methods") != "GET,OPTIONS" {
		t.Errorf("CORS preflight: %d %s %v", res.status, res.body, res.header)
	}
	res = e.do(t, req{method: "POST", path: "/_api/" + rest + "/Prod", body: []byte(`{"code": 418}`)})
	if res.status != 418 {
		t.Errorf("POST /Prod (VTL): %d %s", res.status, res.body)
	}
	if e.inv.count() != 0 {
		t.Errorf("a mock invoked a function")
	}
	w := e.byType["AWS::ApiGateway::Method"].(stacks.Warner)
	if got := w.Warnings(static); len(got) != 0 {
		t.Errorf("static mock warned: %q", got)
	}
	if got := w.Warnings(vtl); len(got) != 0 {
		t.Errorf("VTL mock warned: %q", got)
	}
}
