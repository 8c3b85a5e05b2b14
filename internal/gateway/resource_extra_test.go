package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
	"github.com/nubo-run/nubo/internal/stacks/stackstest"
)

// longTailTypes are the types TestLongTailProviderContracts covers.
var longTailTypes = []string{
	"AWS::ApiGateway::Account", "AWS::ApiGateway::ClientCertificate", "AWS::ApiGateway::VpcLink",
	"AWS::ApiGateway::Model", "AWS::ApiGateway::RequestValidator", "AWS::ApiGateway::GatewayResponse",
	"AWS::ApiGateway::DocumentationPart", "AWS::ApiGatewayV2::Deployment", "AWS::ApiGatewayV2::RouteResponse",
	"AWS::ApiGatewayV2::IntegrationResponse",
}

func TestLongTailProviderContracts(t *testing.T) {
	e := newResEnv(t)
	rest, _ := e.create(t, "Rest", "AWS::ApiGateway::RestApi", stacks.Props{"Name": "rest"})
	ws, wattrs := e.create(t, "Ws", "AWS::ApiGatewayV2::Api", stacks.Props{"Name": "ws", "ProtocolType": "WEBSOCKET", "RouteSelectionExpression": "$request.body.action"})
	if ep := wattrs["ApiEndpoint"].(string); !strings.HasPrefix(ep, "ws://"+ws+".execute-api.localhost:") {
		t.Errorf("WebSocket ApiEndpoint %q", ep)
	}
	integ, _ := e.create(t, "Integ", "AWS::ApiGatewayV2::Integration", stacks.Props{"ApiId": ws, "IntegrationType": "AWS_PROXY", "IntegrationUri": lambdaURI(testFnARN)})
	route, _ := e.create(t, "Route", "AWS::ApiGatewayV2::Route", stacks.Props{"ApiId": ws, "RouteKey": "send", "Target": "integrations/" + integ})
	schema := map[string]any{"type": "object", "required": []any{"a"}}

	cases := []struct {
		typ            string
		create, update stacks.Props
	}{
		{"AWS::ApiGateway::Account", stacks.Props{"CloudWatchRoleArn": "arn:aws:iam::000000000000:role/a"},
			stacks.Props{"CloudWatchRoleArn": "arn:aws:iam::000000000000:role/b"}},
		{"AWS::ApiGateway::ClientCertificate", stacks.Props{"Description": "a"}, stacks.Props{"Description": "b"}},
		{"AWS::ApiGateway::VpcLink", stacks.Props{"Name": "l", "TargetArns": []any{"arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/n/1"}},
			stacks.Props{"Name": "m", "TargetArns": []any{"arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/net/n/1"}, "Description": "d"}},
		{"AWS::ApiGateway::Model", stacks.Props{"RestApiId": rest, "Name": "M", "ContentType": "application/json", "Schema": schema},
			stacks.Props{"RestApiId": rest, "Name": "M", "ContentType": "application/json", "Schema": schema, "Description": "d"}},
		{"AWS::ApiGateway::RequestValidator", stacks.Props{"RestApiId": rest, "Name": "v", "ValidateRequestBody": true},
			stacks.Props{"RestApiId": rest, "Name": "v", "ValidateRequestBody": true, "ValidateRequestParameters": true}},
		{"AWS::ApiGateway::GatewayResponse", stacks.Props{"RestApiId": rest, "ResponseType": "DEFAULT_4XX"},
			stacks.Props{"RestApiId": rest, "ResponseType": "DEFAULT_4XX", "StatusCode": "418",
				"ResponseParameters": map[string]any{"gatewayresponse.header.X-A": "'b'"}}},
		{"AWS::ApiGateway::DocumentationPart", stacks.Props{"RestApiId": rest, "Location": map[string]any{"Type": "API"}, "Properties": `{"a":1}`},
			stacks.Props{"RestApiId": rest, "Location": map[string]any{"Type": "API"}, "Properties": `{"a":2}`}},
		{"AWS::ApiGatewayV2::Deployment", stacks.Props{"ApiId": ws}, stacks.Props{"ApiId": ws, "Description": "d"}},
		{"AWS::ApiGatewayV2::RouteResponse", stacks.Props{"ApiId": ws, "RouteId": route, "RouteResponseKey": "$default"},
			stacks.Props{"ApiId": ws, "RouteId": route, "RouteResponseKey": "$default", "ModelSelectionExpression": "x"}},
		{"AWS::ApiGatewayV2::IntegrationResponse", stacks.Props{"ApiId": ws, "IntegrationId": integ, "IntegrationResponseKey": "$default"},
			stacks.Props{"ApiId": ws, "IntegrationId": integ, "IntegrationResponseKey": "/200/"}},
	}
	for _, c := range cases {
		t.Run(c.typ, func(t *testing.T) { stackstest.RunProviderContract(t, e.byType[c.typ], c.create, c.update) })
	}
}

// TestLongTailRefusals: bad properties are refused naming the property.
func TestLongTailRefusals(t *testing.T) {
	e := newResEnv(t)
	rest, _ := e.create(t, "Rest", "AWS::ApiGateway::RestApi", stacks.Props{"Name": "rest"})
	ctx := stacks.WithResource(context.Background(), "test", "X")
	cases := []struct {
		typ   string
		props stacks.Props
		want  string
	}{
		{"AWS::ApiGateway::Model", stacks.Props{"RestApiId": rest, "Name": "Bad", "Schema": `{"type": 12}`}, "Schema"},
		{"AWS::ApiGateway::Model", stacks.Props{"RestApiId": rest, "Name": "Bad", "Schema": `not json`}, "Schema"},
		{"AWS::ApiGateway::Model", stacks.Props{"RestApiId": rest, "Name": "a-b"}, "Name"},
		{"AWS::ApiGateway::GatewayResponse", stacks.Props{"RestApiId": rest, "ResponseType": "NOPE"}, "ResponseType"},
		{"AWS::ApiGateway::GatewayResponse", stacks.Props{"RestApiId": rest, "ResponseType": "DEFAULT_4XX", "StatusCode": "abc"}, "StatusCode"},
		{"AWS::ApiGateway::GatewayResponse", stacks.Props{"RestApiId": rest, "ResponseType": "DEFAULT_4XX",
			"ResponseParameters": map[string]any{"method.response.header.X": "'a'"}}, "ResponseParameters"},
		{"AWS::ApiGateway::DocumentationPart", stacks.Props{"RestApiId": rest, "Location": map[string]any{"Type": "X"}, "Properties": "{}"}, "Location.Type"},
		{"AWS::ApiGateway::Account", stacks.Props{"CloudWatchRoleArn": "role"}, "CloudWatchRoleArn"},
		{"AWS::ApiGatewayV2::Api", stacks.Props{"ProtocolType": "WEBSOCKET"}, "RouteSelectionExpression"},
		{"AWS::ApiGatewayV2::Api", stacks.Props{"ProtocolType": "WEBSOCKET", "RouteSelectionExpression": "$request.header.x"}, "RouteSelectionExpression"},
	}
	for _, c := range cases {
		_, _, err := e.byType[c.typ].Create(ctx, c.props)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %v: %v, want an error naming %s", c.typ, c.props, err, c.want)
		}
	}
}

// TestRequestValidation exercises validation and gateway responses on the
// gateway's own model.
func TestRequestValidation(t *testing.T) {
	e := newEnv(t, &fakeInvoker{})
	models := map[string]json.RawMessage{
		"Pet":  json.RawMessage(`{"type":"object","required":["name"],"properties":{"name":{"type":"string","maxLength":5}}}`),
		"Pets": json.RawMessage(`{"type":"array","items":{"$ref":"https://apigateway.amazonaws.com/restapis/valapi0001/models/Pet"}}`),
	}
	v := &RequestValidation{Body: true, Params: true, Required: []string{"method.request.path.id", "method.request.header.X-Key"},
		Models: map[string]string{"application/json": "Pets", "$default": "Pet"}}
	e.put(t, API{ID: "valapi0001", Type: TypeREST, Models: models,
		Routes: []Route{{Key: "POST /pets/{id}", Integration: Integration{Function: "fn"}, Validation: v}},
		Stages: []Stage{{Name: "Prod"}},
		GatewayResponses: map[string]GatewayResponse{"BAD_REQUEST_PARAMETERS": {Type: "BAD_REQUEST_PARAMETERS", StatusCode: 412,
			Templates: map[string]string{"application/json": `{"m":$context.error.messageString,"id":"$context.requestId"}`}}}})
	key := map[string][]string{"X-Key": {"k"}}
	cases := []struct {
		name   string
		body   string
		ct     string
		hdr    map[string][]string
		status int
		want   string
	}{
		{"valid array", `[{"name":"rex"}]`, "application/json", key, 200, ""},
		{"item breaks the $ref'd model", `[{"name":"toolong"}]`, "application/json", key, 400, `{"message": "Invalid request body"}`},
		{"other content type: $default model", `{"name":"rex"}`, "text/plain", key, 200, ""},
		{"other content type, bad", `{}`, "text/plain", key, 400, `Invalid request body`},
		{"missing header: custom 412", `[]`, "application/json", nil, 412, `{"m":"Missing required request parameters: [X-Key]","id":"`},
	}
	for _, c := range cases {
		h := map[string][]string{"Content-Type": {c.ct}}
		for k, vs := range c.hdr {
			h[k] = vs
		}
		r := e.do(t, req{method: http.MethodPost, path: "/_api/valapi0001/Prod/pets/1", body: []byte(c.body), headers: h})
		if r.status != c.status || !strings.Contains(string(r.body), c.want) {
			t.Errorf("%s: %d %s, want %d %s", c.name, r.status, r.body, c.status, c.want)
		}
	}
	// A model that does not compile, or a validator naming no model, is refused.
	bad := API{ID: "valapi0002", Type: TypeREST, Models: map[string]json.RawMessage{"M": json.RawMessage(`{"type":5}`)}}
	if _, err := e.g.Put(context.Background(), bad); err == nil {
		t.Error("bad model accepted")
	}
	bad = API{ID: "valapi0003", Type: TypeREST, Routes: []Route{{Key: "GET /a", Integration: Integration{Function: "fn"},
		Validation: &RequestValidation{Body: true, Models: map[string]string{"application/json": "None"}}}}}
	if _, err := e.g.Put(context.Background(), bad); err == nil {
		t.Error("validator naming no model accepted")
	}
}

// TestBodyValidation: a REST API Body as SAM's Api writes it (RequestModel,
// RequestParameters, Models, GatewayResponses) validates requests.
func TestBodyValidation(t *testing.T) {
	e := newResEnv(t)
	body := map[string]any{
		"swagger": "2.0",
		"paths": map[string]any{"/items": map[string]any{"post": map[string]any{
			"x-amazon-apigateway-request-validator": "body-and-params",
			"parameters": []any{
				map[string]any{"required": true, "in": "body", "name": "item", "schema": map[string]any{"$ref": "#/definitions/item"}},
				map[string]any{"required": true, "type": "string", "name": "store", "in": "query"},
			},
			"x-amazon-apigateway-integration": map[string]any{"type": "aws_proxy", "httpMethod": "POST", "uri": lambdaURI(testFnARN)},
		}}},
		"definitions": map[string]any{
			"item": map[string]any{"type": "object", "required": []any{"sku"}, "properties": map[string]any{
				"sku": map[string]any{"type": "string"}, "tags": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/definitions/tag"}}}},
			"tag": map[string]any{"type": "string", "maxLength": 3},
		},
		"x-amazon-apigateway-request-validators": map[string]any{"body-and-params": map[string]any{"validateRequestParameters": true, "validateRequestBody": true}},
		"x-amazon-apigateway-gateway-responses": map[string]any{"BAD_REQUEST_BODY": map[string]any{
			"statusCode": "422", "responseParameters": map[string]any{"gatewayresponse.header.X-Why": "'bad'"},
			"responseTemplates": map[string]any{"application/json": `{"why": $context.error.messageString}`}}},
	}
	rest, _ := e.create(t, "Rest", "AWS::ApiGateway::RestApi", stacks.Props{"Body": body})
	e.create(t, "Stage", "AWS::ApiGateway::Stage", stacks.Props{"RestApiId": rest, "StageName": "Prod"})
	cases := []struct {
		query, body string
		status      int
		want, hdr   string
	}{
		{"?store=1", `{"sku":"a","tags":["x"]}`, 200, "", ""},
		{"", `{"sku":"a"}`, 400, `{"message": "Missing required request parameters: [store]"}`, ""},
		{"?store=1", `{"sku":"a","tags":["long"]}`, 422, `{"why": "Invalid request body"}`, "bad"},
		{"?store=1", `{"tags":[]}`, 422, `Invalid request body`, "bad"},
	}
	for _, c := range cases {
		r := e.do(t, req{method: http.MethodPost, path: "/_api/" + rest + "/Prod/items" + c.query, body: []byte(c.body),
			headers: map[string][]string{"Content-Type": {"application/json"}}})
		if r.status != c.status || !strings.Contains(string(r.body), c.want) || r.header.Get("X-Why") != c.hdr {
			t.Errorf("%s %s: %d %s (X-Why %q), want %d %s", c.query, c.body, r.status, r.body, r.header.Get("X-Why"), c.status, c.want)
		}
	}
}

// TestGatewayResponseTypes: each failure answers through its response
// type, else its class default.
func TestGatewayResponseTypes(t *testing.T) {
	e := newEnv(t, &fakeInvoker{})
	e.put(t, API{ID: "grapi00001", Type: TypeREST, Stages: []Stage{{Name: "Prod"}},
		Routes: []Route{{Key: "GET /keyed", Integration: Integration{Function: "fn"}, APIKeyRequired: true}},
		GatewayResponses: map[string]GatewayResponse{
			"INVALID_API_KEY": {Type: "INVALID_API_KEY", StatusCode: 401, Templates: map[string]string{"text/plain": "key: $context.error.message"}},
			"DEFAULT_4XX":     {Type: "DEFAULT_4XX", Headers: map[string]string{"X-Class": "'4xx'"}},
		}})
	r := e.do(t, req{path: "/_api/grapi00001/Prod/keyed"})
	if r.status != 401 || string(r.body) != "key: Forbidden" || r.header.Get("Content-Type") != "text/plain" || r.header.Get("X-Class") != "" {
		t.Errorf("INVALID_API_KEY: %d %q %v", r.status, r.body, r.header)
	}
	r = e.do(t, req{path: "/_api/grapi00001/Prod/none"})
	if r.status != 403 || !strings.Contains(string(r.body), "Missing Authentication Token") || r.header.Get("X-Class") != "4xx" {
		t.Errorf("MISSING_AUTHENTICATION_TOKEN through DEFAULT_4XX: %d %q %v", r.status, r.body, r.header)
	}
}
