package functions

import (
	"context"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// noURLs is a URLStore with no URLs: the table test only routes to the URL
// operations (the platform's tests serve them over the gateway's store).
type noURLs struct{}

func (noURLs) GetURL(string, string) (FunctionURLConfig, bool) { return FunctionURLConfig{}, false }
func (noURLs) ListURLs(string) []FunctionURLConfig             { return nil }
func (noURLs) PutURL(context.Context, FunctionURLConfig) (FunctionURLConfig, error) {
	return FunctionURLConfig{}, ErrURLNotFound
}
func (noURLs) DeleteURL(context.Context, string, string) error { return ErrURLNotFound }

// sampleRoute is a request target for an operation's route: each path
// wildcard filled in, with the query the route requires.
func sampleRoute(op *awsapi.Operation) string {
	samples := map[string]string{"FunctionName": "fn", "Name": "live", "LayerName": "lib", "VersionNumber": "1",
		"StatementId": "s1", "Resource": "arn:aws:lambda:us-east-1:000000000000:function:fn"}
	path := op.Path()
	for k, v := range samples {
		path = strings.ReplaceAll(path, "{"+k+"}", v)
	}
	if q := op.Query(); len(q) > 0 {
		path += "?" + q.Encode()
	}
	return path
}

// TestLambdaOperationTable: every operation of the Lambda API is named as
// aws-sdk-go-v2's client names it, has a route and a lambda: action, and a
// request to its route is authorized as that action before anything else
// (with an authorizer that denies everything, each answers
// AccessDeniedException having asked exactly its action).
func TestLambdaOperationTable(t *testing.T) {
	az := &recordingAuthz{deny: map[string]bool{}}
	h := newHarness(t, harnessOpts{authz: az})
	ps, err := NewPolicyStore(PolicyStoreOptions{Backbone: backbonetest.New(t)})
	if err != nil {
		t.Fatal(err)
	}
	api := mustLambdaAPI(t, APIOptions{Service: h.svc, Policies: ps, URLs: noURLs{}})
	if api.Name() != "lambda" || api.SDKID() != "lambda" || api.Protocol() != awsapi.RestJSON {
		t.Fatalf("spec: %s %s %v", api.Name(), api.SDKID(), api.Protocol())
	}
	client := reflect.TypeFor[*lambda.Client]()
	ops := api.Operations()
	for _, op := range ops {
		az.deny[op.Action] = true
	}
	for _, op := range ops {
		if _, ok := client.MethodByName(op.Name); !ok {
			t.Errorf("%s: aws-sdk-go-v2's Lambda client has no such operation", op.Name)
		}
		if !strings.HasPrefix(op.Action, "lambda:") {
			t.Errorf("%s: action %q", op.Name, op.Action)
		}
		if op.Method() == "" || !strings.HasPrefix(op.Path(), "/20") {
			t.Errorf("%s: route %q %q", op.Name, op.Method(), op.Path())
		}
		body := strings.NewReader(`{"FunctionName":"fn"}`) // CreateFunction authorizes the name in its body
		req := httptest.NewRequest(op.Method(), sampleRoute(op), body)
		az.reqs = nil
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden || rec.Header().Get("X-Amzn-ErrorType") != "AccessDeniedException" {
			t.Errorf("%s %s: %d %s %s, want AccessDeniedException", op.Name, req.URL, rec.Code, rec.Header().Get("X-Amzn-ErrorType"), rec.Body)
			continue
		}
		if len(az.reqs) != 1 || az.reqs[0].Action != op.Action || az.reqs[0].Service != "lambda" {
			t.Errorf("%s: asked %+v, want exactly %s", op.Name, az.reqs, op.Action)
		}
	}
	if len(ops) < 45 {
		t.Errorf("%d operations: the table lost some", len(ops))
	}
}

// TestLambdaCatchAll: a request no operation's route matches, or one with
// the method of none on a known path, is Lambda's 404
// UnknownOperationException, asked of no authorizer; an API built without
// policies or URLs does not serve their operations.
func TestLambdaCatchAll(t *testing.T) {
	az := &recordingAuthz{}
	h := newHarness(t, harnessOpts{authz: az})
	api := mustLambdaAPI(t, APIOptions{Service: h.svc})
	for _, c := range []struct{ method, target string }{
		{http.MethodGet, "/2015-03-31/nothing"},
		{http.MethodGet, "/"},
		{http.MethodPatch, "/2015-03-31/functions/fn"},
		{http.MethodPost, "/2015-03-31/functions/fn/configuration"},
		{http.MethodDelete, "/2015-03-31/functions/fn/invocations"},
		{http.MethodPut, "/2018-10-31/layers"},
		{http.MethodPost, "/2015-03-31/functions/fn/policy"}, // no policy store
		{http.MethodGet, "/2021-10-31/functions/fn/url"},     // no URL store
	} {
		az.reqs = nil
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest(c.method, c.target, nil))
		if rec.Code != http.StatusNotFound || rec.Header().Get("X-Amzn-ErrorType") != "UnknownOperationException" ||
			!strings.Contains(rec.Body.String(), `"Type":"User"`) {
			t.Errorf("%s %s: %d %v %s", c.method, c.target, rec.Code, rec.Header(), rec.Body)
		}
		if len(az.reqs) != 0 {
			t.Errorf("%s %s: asked the authorizer %+v", c.method, c.target, az.reqs)
		}
	}
	for _, name := range []string{"AddPermission", "GetPolicy", "RemovePermission", "CreateFunctionUrlConfig", "ListFunctionUrlConfigs"} {
		if _, ok := api.Operation(name); ok {
			t.Errorf("%s is served without its store", name)
		}
	}
	// Both spellings of the list routes: the SDKs and CLIs differ on the
	// trailing slash.
	for _, target := range []string{"/2015-03-31/functions", "/2015-03-31/functions/"} {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"Functions":[]`) {
			t.Errorf("GET %s: %d %s", target, rec.Code, rec.Body)
		}
	}
}
