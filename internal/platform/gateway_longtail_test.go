package platform

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

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
}
