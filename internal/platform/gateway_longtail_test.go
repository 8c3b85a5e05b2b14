package platform

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/stacks"
)

// sendWith sends method path with a body and headers to the listener.
func (e *gwEnv) sendWith(t *testing.T, method, path, body string, header map[string]string) gwAnswer {
	t.Helper()
	r, err := http.NewRequest(method, "http://"+e.p.HTTPAddr()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	res, err := e.c.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return gwAnswer{res.StatusCode, res.Header, string(b)}
}

// TestRESTLongTailStack deploys testdata/gateway-stack/longtail.yaml: the
// Account, ClientCertificate, VpcLink and DocumentationPart are accepted
// (VpcLink warned), the RequestValidator refuses a request that lacks a
// required parameter or whose body breaks the method's Model (a model that
// $refs another), and the GatewayResponses change those answers.
func TestRESTLongTailStack(t *testing.T) {
	e := newGWEnv(t)
	res := e.deploy(t, "orders", "longtail.yaml", nil)
	if !strings.Contains(strings.Join(res.Plan.Warnings, "\n"), "Link (AWS::ApiGateway::VpcLink): VpcLink is accepted but has no effect here") {
		t.Errorf("no VpcLink warning: %q", res.Plan.Warnings)
	}
	for _, k := range []string{"AccountId", "CertificateId", "LinkId", "ValidatorId", "DocsId"} {
		if res.Outputs[k] == "" {
			t.Errorf("output %s empty: %v", k, res.Outputs)
		}
	}
	if res.Outputs["ModelName"] != "Item" {
		t.Errorf("Ref of a Model: %q, want its name", res.Outputs["ModelName"])
	}
	path := "/_api/" + res.Outputs["ApiId"] + "/Prod/orders"
	good := `{"items": [{"sku": "ABC-1", "quantity": 2}]}`
	tenant := map[string]string{"Content-Type": "application/json", "X-Tenant": "t1"}

	cases := []struct {
		name, query, body string
		header            map[string]string
		status            int
		body1             string // a substring of the answer
		hdr, hdrVal       string
	}{
		{"valid", "?store=5", good, tenant, 200, `"resource":"/orders"`, "", ""},
		{"no content type: application/json", "?store=5", good, map[string]string{"X-Tenant": "t1"}, 200, `"method":"POST"`, "", ""},
		{"missing query and header", "", good, map[string]string{"Content-Type": "application/json"}, 400,
			`{"message": "Missing required request parameters: [X-Tenant, store]"}`, "Access-Control-Allow-Origin", "*"},
		{"missing header", "?store=5", good, map[string]string{"Content-Type": "application/json"}, 400,
			`Missing required request parameters: [X-Tenant]`, "X-Amzn-Errortype", "BadRequestException"},
		{"bad body: custom 422", "?store=5", `{"items": [{"sku": "abc", "quantity": 0}]}`, tenant, 422,
			`{"error": "Invalid request body", "type": "BAD_REQUEST_BODY"}`, "X-Refused-By", "validator"},
		{"empty body: validated as {}", "?store=5", ``, tenant, 422, `Invalid request body`, "X-Refused-By", "validator"},
		{"not JSON: BAD_REQUEST_BODY wins over DEFAULT_4XX", "?store=5", `items=1`, tenant, 422, `Invalid request body`, "Access-Control-Allow-Origin", ""},
		{"DEFAULT_4XX on a missing route, header from the request", "", "", tenant, 403,
			`Missing Authentication Token`, "X-Tenant-Echo", "t1"},
	}
	for _, c := range cases {
		p := path + c.query
		if strings.HasPrefix(c.name, "DEFAULT_4XX") {
			p = "/_api/" + res.Outputs["ApiId"] + "/Prod/nothing"
		}
		a := e.sendWith(t, http.MethodPost, p, c.body, c.header)
		if a.status != c.status || !strings.Contains(a.body, c.body1) {
			t.Errorf("%s: %d %s, want %d with %s", c.name, a.status, a.body, c.status, c.body1)
		}
		if c.hdr != "" && a.header.Get(c.hdr) != c.hdrVal {
			t.Errorf("%s: header %s = %q, want %q", c.name, c.hdr, a.header.Get(c.hdr), c.hdrVal)
		}
	}

	// Every resource reads back as declared: no drift.
	drift, err := e.p.Stacks.Drift(context.Background(), "orders")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range drift.Resources {
		if strings.HasPrefix(r.Type, "AWS::ApiGateway::") && r.Status != stacks.DriftInSync {
			t.Errorf("drift of %s (%s): %s %s %+v", r.LogicalID, r.Type, r.Status, r.Reason, r.Props)
		}
	}
	// And every one deletes.
	if _, err := e.p.Stacks.Destroy(context.Background(), stacks.DestroyRequest{Stack: "orders"}, nil); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if a := e.sendWith(t, http.MethodPost, path+"?store=5", good, tenant); a.status != http.StatusNotFound {
		t.Errorf("after destroy: %d %s", a.status, a.body)
	}
}

// TestSAMRequestModelStack: SAM's RequestModel, RequestParameters, Models
// and GatewayResponses (which the transform writes into the API's Body)
// are enforced.
func TestSAMRequestModelStack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	dir := t.TempDir()
	tmpl := `Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      Models:
        Item:
          type: object
          required: [sku]
          properties: {sku: {type: string, minLength: 3}}
      GatewayResponses:
        BAD_REQUEST_BODY:
          StatusCode: 422
          ResponseParameters:
            Headers: {X-Why: "'bad'"}
          ResponseTemplates:
            application/json: '{"why": $context.error.messageString}'
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(e, c):\n    return {'statusCode': 200, 'body': 'stored ' + e['body']}\n"
      Events:
        Post:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /items
            Method: post
            RequestModel: {Model: Item, Required: true, ValidateBody: true, ValidateParameters: true}
            RequestParameters:
              - method.request.querystring.store: {Required: true}
Outputs:
  ApiId: {Value: !Ref Api}
`
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	_, res := deployStack(t, p, dir, nil)
	e := &gwEnv{p: p, c: &http.Client{Timeout: 30 * time.Second}}
	path := "/_api/" + res.Outputs["ApiId"] + "/Prod/items"
	ct := map[string]string{"Content-Type": "application/json"}
	if a := e.sendWith(t, http.MethodPost, path+"?store=1", `{"sku":"abc"}`, ct); a.status != 200 || a.body != `stored {"sku":"abc"}` {
		t.Errorf("valid: %d %s", a.status, a.body)
	}
	if a := e.sendWith(t, http.MethodPost, path, `{"sku":"abc"}`, ct); a.status != 400 || a.body != `{"message": "Missing required request parameters: [store]"}` {
		t.Errorf("missing store: %d %s", a.status, a.body)
	}
	if a := e.sendWith(t, http.MethodPost, path+"?store=1", `{"sku":"a"}`, ct); a.status != 422 || a.body != `{"why": "Invalid request body"}` || a.header.Get("X-Why") != "bad" {
		t.Errorf("bad body: %d %s %v", a.status, a.body, a.header)
	}
}
