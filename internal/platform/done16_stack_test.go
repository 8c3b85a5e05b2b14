package platform

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/nubo-run/nubo/internal/stacks"
)

// TestIssue16DoneStack is issue 16's "done when": testdata/done16, a SAM
// application whose OpenAPI document comes through AWS::Include, with a
// traced function (Tracing: Active), a MOCK route, a route mapped by VTL
// templates to a non-proxy Lambda integration and a request validator,
// deploys unchanged and answers as API Gateway documents it.
func TestIssue16DoneStack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	dir := copyDir(t, "testdata/done16")
	src, err := os.ReadFile(filepath.Join(dir, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := p.Stacks.Deploy(ctx, stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "orders", Template: string(src), BaseDir: dir}}, nil)
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	base := "http://" + p.HTTPAddr() + "/_api/" + res.Outputs["ApiId"] + "/prod"
	hc := &http.Client{Timeout: 60 * time.Second}
	call := func(method, path, body string, hdr map[string]string) (int, http.Header, string) {
		t.Helper()
		r, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		resp, err := hc.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, resp.Header, string(b)
	}
	jsonCT := map[string]string{"Content-Type": "application/json"}
	for _, tc := range []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		want, errType            string
	}{
		// MOCK: the response template's text, verbatim.
		{"MOCK health check", "GET", "/health", "", nil, 200,
			`{"status": "ok", "stage": "prod", "path": "/health"}`, ""},
		// AWS: request template -> event -> function (boto3 reads SSM) ->
		// response template.
		{"mapped order", "POST", "/orders", `{"customer": "Ada O'Hara", "items": [{"sku": "ABC-1", "quantity": 2}, {"sku": "XYZ-9", "quantity": 1}]}`,
			map[string]string{"Content-Type": "application/json", "X-Channel": "web"}, 200,
			`{"orderId": "ord-` + orderID("Ada O'Hara|ABC-1*2,XYZ-9*1") + `", "message": "Thank you, Ada O'Hara (web, prod)", "items": 3}`, ""},
		// The function raises: its errorMessage selects the 400 response.
		{"unknown product", "POST", "/orders", `{"customer": "Bo", "items": [{"sku": "QQQ-7", "quantity": 1}]}`, jsonCT, 400,
			`{"error": "Unknown product: QQQ-7"}`, ""},
		// The validator: API Gateway's BAD_REQUEST_BODY answer.
		{"body breaks the model", "POST", "/orders", `{"customer": "Bo", "items": [{"sku": "abc", "quantity": 0}]}`, jsonCT, 400,
			`{"message": "Invalid request body"}`, "BadRequestException"},
		{"body without items", "POST", "/orders", `{"customer": "Bo"}`, jsonCT, 400,
			`{"message": "Invalid request body"}`, "BadRequestException"},
		// No route: API Gateway's MISSING_AUTHENTICATION_TOKEN.
		{"no such route", "GET", "/orders", "", nil, 403,
			`{"message":"Missing Authentication Token"}`, "MissingAuthenticationTokenException"},
	} {
		status, h, body := call(tc.method, tc.path, tc.body, tc.header)
		if status != tc.status || body != tc.want {
			t.Errorf("%s: %d %s\nwant %d %s", tc.name, status, body, tc.status, tc.want)
		}
		if ct := h.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", tc.name, ct)
		}
		if got := h.Get("X-Amzn-Errortype"); got != tc.errType {
			t.Errorf("%s: x-amzn-ErrorType %q, want %q", tc.name, got, tc.errType)
		}
		if h.Get("X-Amzn-Requestid") == "" {
			t.Errorf("%s: no x-amzn-RequestId", tc.name)
		}
	}

	// Tracing: Active attaches AWSXrayWriteOnlyAccess to the function's
	// role, and IAM enforces it: X-Ray writes allowed, reads denied; the
	// SSM policy template allows the one parameter and nothing else.
	c := clientsFor(p.EndpointURL())
	roleARN := res.Outputs["OrderFunctionRoleArn"]
	out, err := c.iam.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String(roleARN[strings.LastIndexByte(roleARN, '/')+1:])})
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for _, ap := range out.AttachedPolicies {
		arns = append(arns, aws.ToString(ap.PolicyArn))
	}
	if !slices.Contains(arns, "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess") {
		t.Errorf("the traced function's role attaches %v", arns)
	}
	param := "arn:aws:ssm:us-east-1:000000000000:parameter/orders/greeting"
	for _, tc := range []struct{ action, resource, want string }{
		{"xray:PutTraceSegments", "*", "allowed"},
		{"xray:PutTelemetryRecords", "*", "allowed"},
		{"xray:GetTraceSummaries", "*", "implicitDeny"},
		{"ssm:GetParameter", param, "allowed"},
		{"ssm:PutParameter", param, "implicitDeny"},
		{"ssm:GetParameter", "arn:aws:ssm:us-east-1:000000000000:parameter/other", "implicitDeny"},
	} {
		sim, err := c.iam.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
			PolicySourceArn: aws.String(roleARN), ActionNames: []string{tc.action}, ResourceArns: []string{tc.resource},
		})
		if err != nil {
			t.Fatalf("%s: %v", tc.action, err)
		}
		if got := sim.EvaluationResults[0].EvalDecision; got != types.PolicyEvaluationDecisionType(tc.want) {
			t.Errorf("%s on %s: %s, want %s", tc.action, tc.resource, got, tc.want)
		}
	}
}

// orderID is the id src/app.py derives from an order's customer and lines.
func orderID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])[:8]
}
