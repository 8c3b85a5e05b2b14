package platform

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/stacks"
)

// End to end: stacks deployed by the engine configure the gateway, and real
// functions built from testdata/gateway-stack/api answer through the
// --http-addr listener.

type gwEnv struct {
	p   *Platform
	dir string
	c   *http.Client
}

func newGWEnv(t *testing.T) *gwEnv {
	t.Helper()
	return newGWEnvWith(t, Options{})
}

// newGWEnvWith is newGWEnv with platform options (--iam, a logger).
func newGWEnvWith(t *testing.T, o Options) *gwEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs function processes")
	}
	if os.Getenv("NUBO_TEST_LOG") != "" {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	p := startPlatform(t, o)
	// The templates name execution roles made outside the stack, as a team's
	// shared roles are: they must exist, as on AWS.
	lambdaRole(t, p.EndpointURL(), "api-role")
	lambdaRole(t, p.EndpointURL(), "courses-role")
	dir := copyDir(t, "testdata/gateway-stack")
	goModule(t, filepath.Join(dir, "api"))
	t.Setenv("GOFLAGS", "-mod=mod")
	return &gwEnv{p: p, dir: dir, c: &http.Client{Timeout: 30 * time.Second}}
}

// deploy deploys file as stack. Parameters not given keep their previous
// values (as CloudFormation's UsePreviousValue): tests pass them all.
func (e *gwEnv) deploy(t *testing.T, stack, file string, params map[string]string) *stacks.DeployResult {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(e.dir, file))
	if err != nil {
		t.Fatal(err)
	}
	req := stacks.PlanRequest{Stack: stack, Template: string(src), BaseDir: e.dir, Parameters: params}
	res, err := e.p.Stacks.Deploy(context.Background(), stacks.DeployRequest{PlanRequest: req}, nil)
	if err != nil {
		t.Fatalf("deploy %s: %v", file, err)
	}
	return res
}

type gwAnswer struct {
	status int
	header http.Header
	body   string
}

// get sends a request to the listener with the given Host (empty: the
// listener's own address).
func (e *gwEnv) send(t *testing.T, method, host, path string) gwAnswer {
	t.Helper()
	a, err := e.try(method, host, path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (e *gwEnv) try(method, host, path string) (gwAnswer, error) {
	r, err := http.NewRequest(method, "http://"+e.p.HTTPAddr()+path, nil)
	if err != nil {
		return gwAnswer{}, err
	}
	if host != "" {
		_, port, _ := net.SplitHostPort(e.p.HTTPAddr())
		r.Host = host + ":" + port
	}
	res, err := e.c.Do(r)
	if err != nil {
		return gwAnswer{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return gwAnswer{res.StatusCode, res.Header, string(b)}, err
}

// fetch GETs an absolute URL (a stack output), dialling the listener.
func (e *gwEnv) fetch(t *testing.T, url string) gwAnswer {
	t.Helper()
	rest, ok := strings.CutPrefix(url, "http://")
	if !ok {
		t.Fatalf("url %q", url)
	}
	hostport, path, _ := strings.Cut(rest, "/")
	host, _, _ := net.SplitHostPort(hostport)
	return e.send(t, http.MethodGet, host, "/"+path)
}

type fnSummary struct {
	Function, Version, RouteKey, Resource, Path, Method, Stage, DomainName, Tag string
	FunctionVersion, CodeTag                                                    string
	Params                                                                      map[string]string
}

func summaryOf(t *testing.T, a gwAnswer) fnSummary {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	var s fnSummary
	if err := json.Unmarshal([]byte(a.body), &s); err != nil {
		t.Fatalf("body %q: %v", a.body, err)
	}
	return s
}

func TestHTTPAPIStack(t *testing.T) {
	e := newGWEnv(t)
	params := func(kv ...string) map[string]string {
		m := map[string]string{"Permitted": "true", "Tag": "one", "WithSecondRoute": "false", "Reserved": "-1", "IntegrationTimeout": "30000"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	res := e.deploy(t, "items", "http.yaml", params())
	id := res.Outputs["ApiId"]
	_, port, _ := net.SplitHostPort(e.p.HTTPAddr())
	if want := "http://" + id + ".execute-api.localhost:" + port; res.Outputs["Endpoint"] != want {
		t.Fatalf("Endpoint output %q, want %q", res.Outputs["Endpoint"], want)
	}

	// Both URL forms: the Host form (the output) and /_api/{id}/.
	s := summaryOf(t, e.fetch(t, res.Outputs["Endpoint"]+"/items/42"))
	if s.RouteKey != "GET /items/{id}" || s.Params["id"] != "42" || s.Version != "2.0" || s.Stage != "$default" || s.Tag != "one" {
		t.Fatalf("GET /items/42: %+v", s)
	}
	s = summaryOf(t, e.send(t, http.MethodPost, "", "/_api/"+id+"/some/where"))
	if s.RouteKey != "ANY /{proxy+}" || s.Params["proxy"] != "some/where" || s.Path != "/some/where" {
		t.Fatalf("POST /_api/%s/some/where: %+v", id, s)
	}
	// CORS preflight answered by the gateway.
	r, _ := http.NewRequest(http.MethodOptions, "http://"+e.p.HTTPAddr()+"/_api/"+id+"/items/1", nil)
	r.Header.Set("Origin", "https://app.example.test")
	r.Header.Set("Access-Control-Request-Method", "POST")
	pre, err := e.c.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	pre.Body.Close()
	if pre.Header.Get("Access-Control-Allow-Origin") != "https://app.example.test" {
		t.Fatalf("preflight: %d %v", pre.StatusCode, pre.Header)
	}

	// Without the Lambda::Permission the route may not invoke the function:
	// 500, as API Gateway answers an integration it has no permission for.
	e.deploy(t, "items", "http.yaml", params("Permitted", "false"))
	a := e.send(t, http.MethodGet, "", "/_api/"+id+"/items/42")
	if a.status != http.StatusInternalServerError || a.body != `{"message":"Internal Server Error"}` {
		t.Fatalf("without permission: %d %s", a.status, a.body)
	}
	e.deploy(t, "items", "http.yaml", params())
	summaryOf(t, e.send(t, http.MethodGet, "", "/_api/"+id+"/items/42"))

	// Reserved concurrency 0: every invocation is throttled, 429.
	e.deploy(t, "items", "http.yaml", params("Reserved", "0"))
	a = e.send(t, http.MethodGet, "", "/_api/"+id+"/items/1")
	if a.status != http.StatusTooManyRequests {
		t.Fatalf("reserved concurrency 0: %d %s", a.status, a.body)
	}
	// Reserved concurrency 1: a second request while one runs is throttled.
	e.deploy(t, "items", "http.yaml", params("Reserved", "1"))
	summaryOf(t, e.send(t, http.MethodGet, "", "/_api/"+id+"/items/1")) // warm
	slow := make(chan gwAnswer, 1)
	go func() {
		a, _ := e.try(http.MethodGet, "", "/_api/"+id+"/items/1?sleep=2000")
		slow <- a
	}()
	fn := res.Outputs["FunctionName"]
	waitUntil(t, "the slow request to run", 10*time.Second, func() bool { _, busy := e.p.Functions.Instances(fn); return busy == 1 })
	if a = e.send(t, http.MethodGet, "", "/_api/"+id+"/items/2"); a.status != http.StatusTooManyRequests || a.body != `{"message":"Too Many Requests"}` {
		t.Fatalf("a second request while the only instance allowed is busy: %d %s", a.status, a.body)
	}
	if a := <-slow; a.status != http.StatusOK {
		t.Fatalf("the slow request: %d %s", a.status, a.body)
	}

	// An integration timeout (1 s) shorter than the function's run: 503 on
	// HTTP APIs.
	e.deploy(t, "items", "http.yaml", params("IntegrationTimeout", "1000"))
	if a := e.send(t, http.MethodGet, "", "/_api/"+id+"/items/1?sleep=3000"); a.status != http.StatusServiceUnavailable {
		t.Fatalf("integration timeout: %d %s", a.status, a.body)
	}

	// Hot change: redeploy with a new route and a new environment while
	// requests are in flight; none fails, and the new route answers after.
	e.deploy(t, "items", "http.yaml", params())
	var failures, done atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				a, err := e.try(http.MethodGet, "", "/_api/"+id+"/items/7?sleep=50")
				if err != nil || a.status != http.StatusOK {
					failures.Add(1)
					t.Logf("in-flight request: %v %d %s", err, a.status, a.body)
				}
				done.Add(1)
			}
		}()
	}
	e.deploy(t, "items", "http.yaml", params("WithSecondRoute", "true", "Tag", "two"))
	s = summaryOf(t, e.send(t, http.MethodPost, "", "/_api/"+id+"/orders"))
	close(stop)
	wg.Wait()
	if failures.Load() > 0 || done.Load() == 0 {
		t.Fatalf("%d of %d requests failed during the redeploy", failures.Load(), done.Load())
	}
	if s.RouteKey != "POST /orders" || s.Tag != "two" {
		t.Fatalf("after the redeploy: %+v", s)
	}

	// Destroy: the API is gone, and the function's policy with the function
	// (a statement added outside the stack included).
	if err := e.p.Policies.AddPermission(context.Background(), fn, functions.Permission{Sid: "extra", Action: "lambda:InvokeFunction", Principal: "events.amazonaws.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.Stacks.Destroy(context.Background(), stacks.DestroyRequest{Stack: "items"}, nil); err != nil {
		t.Fatal(err)
	}
	if doc, err := e.p.Policies.Policy(fn); !errors.Is(err, functions.ErrPolicyNotFound) {
		t.Fatalf("policy after the function was destroyed: %s %v", doc, err)
	}
	if a := e.send(t, http.MethodGet, "", "/_api/"+id+"/items/1"); a.status != http.StatusNotFound {
		t.Fatalf("after destroy: %d %s", a.status, a.body)
	}
}

func TestRESTAPIStack(t *testing.T) {
	e := newGWEnv(t)
	res := e.deploy(t, "pets", "rest.yaml", nil)
	id := res.Outputs["ApiId"]
	s := summaryOf(t, e.send(t, http.MethodGet, "", "/_api/"+id+"/Prod/pets/9"))
	if s.Resource != "/pets/{id}" || s.Method != "GET" || s.Params["id"] != "9" || s.Stage != "Prod" || s.Version != "" {
		t.Fatalf("GET /Prod/pets/9: %+v", s)
	}
	s = summaryOf(t, e.send(t, http.MethodDelete, id+".execute-api.localhost", "/Prod/any/thing"))
	if s.Resource != "/{proxy+}" || s.Params["proxy"] != "any/thing" {
		t.Fatalf("DELETE /Prod/any/thing: %+v", s)
	}
	s = summaryOf(t, e.send(t, http.MethodGet, "", "/_api/"+id+"/Prod/things"))
	if s.Resource != "/things" {
		t.Fatalf("GET /Prod/things (an explicit Method): %+v", s)
	}
	// The deployment's own stage (SAM's "Stage") serves too.
	summaryOf(t, e.send(t, http.MethodGet, "", "/_api/"+id+"/Stage/pets/1"))
	// A REST API's unknown route: 403 Missing Authentication Token.
	if a := e.send(t, http.MethodGet, "", "/_api/"+id+"/Nope/pets/1"); a.status != http.StatusForbidden {
		t.Fatalf("unknown stage: %d %s", a.status, a.body)
	}
	// The function's 1 s timeout: 504 on REST APIs.
	a := e.send(t, http.MethodGet, "", "/_api/"+id+"/Prod/pets/1?sleep=3000")
	if a.status != http.StatusGatewayTimeout {
		t.Fatalf("timeout: %d %s", a.status, a.body)
	}
}

func TestFunctionURLAndDomainStack(t *testing.T) {
	e := newGWEnv(t)
	res := e.deploy(t, "urls", "url.yaml", nil)
	u := res.Outputs["FunctionUrl"]
	if !strings.Contains(u, ".lambda-url.localhost:") {
		t.Fatalf("FunctionUrl output %q", u)
	}
	s := summaryOf(t, e.fetch(t, u+"hello"))
	if s.Path != "/hello" || s.Version != "2.0" {
		t.Fatalf("function URL: %+v", s)
	}
	// The custom domain maps /courses to the quick-create API's $default stage.
	if res.Outputs["DomainHost"] != "api.learning.test" {
		t.Fatalf("DomainHost output %q", res.Outputs["DomainHost"])
	}
	s = summaryOf(t, e.send(t, http.MethodGet, "api.learning.test", "/courses/intro"))
	if s.RouteKey != "$default" || s.Path != "/intro" || s.DomainName != "api.learning.test" {
		t.Fatalf("custom domain: %+v", s)
	}
	summaryOf(t, e.fetch(t, res.Outputs["QuickEndpoint"]+"/anything"))

	// The stack's URL is the Lambda API's: GetFunctionUrlConfig and
	// ListFunctionUrlConfigs show it, by the function's name.
	lc := lambdaClientFor("http://" + e.p.EdgeAddr())
	fns, err := lc.ListFunctions(context.Background(), &lambda.ListFunctionsInput{})
	if err != nil || len(fns.Functions) != 1 {
		t.Fatalf("ListFunctions: %+v %v", fns, err)
	}
	cfg, err := lc.GetFunctionUrlConfig(context.Background(), &lambda.GetFunctionUrlConfigInput{FunctionName: fns.Functions[0].FunctionName})
	if err != nil || aws.ToString(cfg.FunctionUrl) != u || cfg.AuthType != lambdatypes.FunctionUrlAuthTypeNone || aws.ToString(cfg.CreationTime) == "" {
		t.Fatalf("GetFunctionUrlConfig of the stack's URL: %+v %v", cfg, err)
	}

	// Without the public permission a NONE URL answers 403.
	e.deploy(t, "urls", "url.yaml", map[string]string{"Public": "false"})
	a := e.fetch(t, u+"hello")
	if a.status != http.StatusForbidden {
		t.Fatalf("URL without permission: %d %s", a.status, a.body)
	}
}

// TestSAMTemplate deploys AWS::Serverless::Function with HttpApi and Api
// events and a FunctionUrlConfig, built from Go source (BuildMethod go1.x),
// through the transform: the permissions SAM generates let each invoke.
func TestSAMTemplate(t *testing.T) {
	e := newGWEnv(t)
	res := e.deploy(t, "sam", "sam.yaml", nil)
	s := summaryOf(t, e.fetch(t, res.Outputs["HttpApiUrl"]+"/courses/7"))
	if s.RouteKey != "GET /courses/{id}" || s.Params["id"] != "7" {
		t.Fatalf("HttpApi event: %+v", s)
	}
	s = summaryOf(t, e.fetch(t, res.Outputs["CoursesUrl"]+"catalog"))
	if s.Path != "/catalog" {
		t.Fatalf("FunctionUrlConfig: %+v", s)
	}
	// SAM's Domain on an HttpApi: the DomainName and ApiMapping it generates.
	s = summaryOf(t, e.send(t, http.MethodGet, "learn.example.test", "/v1/courses"))
	if s.RouteKey != "GET /courses" || s.DomainName != "learn.example.test" {
		t.Fatalf("custom domain of an HttpApi: %+v", s)
	}
	// An Api with ApiKeyRequired and a usage plan: the key SAM generates.
	keyed := "/_api/" + res.Outputs["KeyedApiId"] + "/live/keyed"
	if a := e.send(t, http.MethodGet, "", keyed); a.status != http.StatusForbidden {
		t.Fatalf("keyed route without a key: %d %s", a.status, a.body)
	}
	key, ok := e.p.Gateway.GetAPIKey(res.Outputs["KeyedApiKey"])
	if !ok || !key.Enabled {
		t.Fatalf("the generated API key %q: %+v", res.Outputs["KeyedApiKey"], key)
	}
	r, _ := http.NewRequest(http.MethodGet, "http://"+e.p.HTTPAddr()+keyed, nil)
	r.Header.Set("X-Api-Key", key.Value)
	kres, err := e.c.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	kres.Body.Close()
	if kres.StatusCode != http.StatusOK {
		t.Fatalf("keyed route with the key: %d", kres.StatusCode)
	}
	rest := res.Outputs["RestApiId"]
	s = summaryOf(t, e.send(t, http.MethodGet, "", "/_api/"+rest+"/Prod/enrol"))
	if s.Resource != "/enrol" || s.Stage != "Prod" || s.Method != "GET" {
		t.Fatalf("Api event: %+v", s)
	}
	// The AWS-shaped URL of the usual SAM output works as a Host header
	// sent to the listener.
	awsURL := res.Outputs["RestApiUrl"]
	host := strings.TrimSuffix(strings.TrimPrefix(awsURL, "https://"), "/Prod/")
	if host != rest+".execute-api.us-east-1.amazonaws.com" {
		t.Fatalf("RestApiUrl output %q", awsURL)
	}
	summaryOf(t, e.send(t, http.MethodGet, host, "/Prod/enrol"))
	if a := e.send(t, http.MethodGet, "", "/_api/"+rest+"/Prod/other"); a.status != http.StatusForbidden {
		t.Fatalf("unrouted REST path: %d %s", a.status, a.body)
	}
}

// TestLambdaPermissionAPI: AddPermission, GetPolicy and RemovePermission on
// the Lambda API write the policy the gateway enforces.
func TestLambdaPermissionAPI(t *testing.T) {
	fnZip(t, "echo") // built inside nubo's module: before newGWEnv sets GOFLAGS=-mod=mod
	e := newGWEnv(t)
	ctx := context.Background()
	lc := lambdaClientFor("http://" + e.p.EdgeAddr())
	createFunction(t, lc, "echo", "echo")
	const tmpl = `
Parameters:
  Target: {Type: String}
Resources:
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: quick, ProtocolType: HTTP, Target: !Ref Target, RouteKey: GET /hello}
Outputs:
  ApiId: {Value: !Ref Api}
`
	arn := "arn:aws:lambda:us-east-1:000000000000:function:echo"
	res, err := e.p.Stacks.Deploy(ctx, stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "quick", Template: tmpl,
		Parameters: map[string]string{"Target": arn}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := "/_api/" + res.Outputs["ApiId"] + "/hello"
	if a := e.send(t, http.MethodGet, "", path); a.status != http.StatusInternalServerError {
		t.Fatalf("before AddPermission: %d %s", a.status, a.body)
	}

	add := &lambda.AddPermissionInput{FunctionName: aws.String("echo"), StatementId: aws.String("api"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"),
		SourceArn: aws.String("arn:aws:execute-api:us-east-1:000000000000:" + res.Outputs["ApiId"] + "/*/GET/hello")}
	out, err := lc.AddPermission(ctx, add)
	if err != nil || !strings.Contains(aws.ToString(out.Statement), `"ArnLike"`) {
		t.Fatalf("AddPermission: %+v %v", out, err)
	}
	var conflict *lambdatypes.ResourceConflictException
	if _, err := lc.AddPermission(ctx, add); !errors.As(err, &conflict) {
		t.Fatalf("AddPermission with the same statement id: %v", err)
	}
	pol, err := lc.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(arn)})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), `"Sid":"api"`) {
		t.Fatalf("GetPolicy: %+v %v", pol, err)
	}
	if a := e.send(t, http.MethodGet, "", path); a.status != http.StatusOK || !strings.Contains(a.body, `"routeKey":"GET /hello"`) {
		t.Fatalf("after AddPermission: %d %s", a.status, a.body)
	}
	if _, err := lc.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("echo"), StatementId: aws.String("api")}); err != nil {
		t.Fatal(err)
	}
	var nf *lambdatypes.ResourceNotFoundException
	if _, err := lc.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("echo")}); !errors.As(err, &nf) {
		t.Fatalf("GetPolicy without statements: %v", err)
	}
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("nope"), StatementId: aws.String("x"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")}); !errors.As(err, &nf) {
		t.Fatalf("AddPermission on a missing function: %v", err)
	}
	if a := e.send(t, http.MethodGet, "", path); a.status != http.StatusInternalServerError {
		t.Fatalf("after RemovePermission: %d %s", a.status, a.body)
	}

	// DeleteFunction deletes the policy: a new function of the same name
	// starts without one.
	if _, err := lc.AddPermission(ctx, add); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("echo")}); err != nil {
		t.Fatal(err)
	}
	createFunction(t, lc, "echo", "echo")
	if _, err := lc.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("echo")}); !errors.As(err, &nf) {
		t.Fatalf("GetPolicy of a recreated function: %v", err)
	}
}
