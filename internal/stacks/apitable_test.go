package stacks_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/smithy-go"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/stacks"
)

// askLog is an authorizer that allows the actions it is set to and records
// every question as "action on resource".
type askLog struct {
	mu    sync.Mutex
	allow map[string]bool
	asked []string
}

func (a *askLog) Authorize(_ context.Context, req awsapi.AuthzRequest) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.asked = append(a.asked, req.Action+" on "+req.Resource)
	if req.Service != "cloudformation" {
		return awsapi.InternalError(errors.New("asked as service " + req.Service))
	}
	if a.allow[req.Action] {
		return nil
	}
	return awsapi.AccessDenied(req.Service, "denied "+req.Action+" on "+req.Resource)
}

// set allows exactly actions and forgets the questions asked so far.
func (a *askLog) set(actions ...string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.allow = map[string]bool{}
	for _, x := range actions {
		a.allow[x] = true
	}
	a.asked = nil
}

func (a *askLog) questions() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.asked)
}

const testAccount = "123456789012"

// servedStacks is an engine whose admin and CloudFormation APIs are served
// by a real edge (SigV4) on a real listener.
type servedStacks struct {
	f     *fixture
	authz *askLog
	url   string
	creds aws.Credentials
}

func serveStacks(t *testing.T) *servedStacks {
	t.Helper()
	authz := &askLog{}
	account := awsapi.Account{Region: "us-east-1", ID: testAccount}
	f := newFixtureWith(t, func(o *stacks.Options) { o.Authorizer, o.Account = authz, account })
	admin, err := f.e.AdminAPI()
	if err != nil {
		t.Fatal(err)
	}
	cfn, err := f.e.CloudFormationAPI()
	if err != nil {
		t.Fatal(err)
	}
	keys, err := awsapi.NewKeyring(account, "AKIDSTACKSTEST", "stacks-test-secret")
	if err != nil {
		t.Fatal(err)
	}
	edge, err := awsapi.NewEdge(keys, nil, admin.Service(), cfn.Service())
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(edge)
	t.Cleanup(srv.Close)
	root := keys.Root()
	return &servedStacks{f: f, authz: authz, url: srv.URL, creds: aws.Credentials{AccessKeyID: root.AccessKeyID, SecretAccessKey: root.SecretAccessKey}}
}

func (s *servedStacks) cloudFormation() *cloudformation.Client {
	return cloudformation.New(cloudformation.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(s.creds.AccessKeyID, s.creds.SecretAccessKey, "")})
}

// admin sends one signed admin API request and returns its status and body.
func (s *servedStacks) admin(t *testing.T, op, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", stacks.TargetPrefix+op)
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), s.creds, req, hex.EncodeToString(sum[:]), stacks.ServiceName, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// lastLine is the final line of a streamed answer.
func lastLine(t *testing.T, body string) stacks.StreamLine {
	t.Helper()
	var last stacks.StreamLine
	sc := bufio.NewScanner(strings.NewReader(body))
	for sc.Scan() {
		last = stacks.StreamLine{}
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatalf("stream line %q: %v", sc.Text(), err)
		}
	}
	return last
}

func stackARNPattern(name string) string {
	return "arn:aws:cloudformation:us-east-1:" + testAccount + ":stack/" + name + "/*"
}

func wantAsked(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("asked %q\nwant %q", got, want)
	}
}

// The CloudFormation query API, read by aws-sdk-go-v2's client through the
// edge: each operation answers as CloudFormation does and is authorized as
// its action on the stack StackName names, or on "*".
func TestCloudFormationAPI_SDKClientThroughTheEdge(t *testing.T) {
	s := serveStacks(t)
	ctx := context.Background()
	shared := s.f.mustDeploy(t, "shared", `
Resources:
  Bus: {Type: Test::Thing, Properties: {Name: bus}}
Outputs:
  BusName: {Value: !Ref Bus, Description: the bus, Export: {Name: shared-bus}}
`, nil)
	s.f.mustDeploy(t, "user", `
Resources:
  Sub: {Type: Test::Thing, Properties: {Name: sub, Value: !ImportValue shared-bus}}
`, nil)
	sharedState, err := s.f.e.Describe(ctx, "shared")
	if err != nil || shared.Status != stacks.StatusCreateComplete {
		t.Fatalf("shared: %v %+v", err, shared)
	}
	userState, err := s.f.e.Describe(ctx, "user")
	if err != nil {
		t.Fatal(err)
	}
	cfn := s.cloudFormation()
	reads := []string{"cloudformation:DescribeStacks", "cloudformation:ListStacks", "cloudformation:ListExports",
		"cloudformation:ListImports", "cloudformation:DescribeStackEvents", "cloudformation:DescribeStackResources"}

	s.authz.set(reads...)
	one, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("shared")})
	if err != nil {
		t.Fatal(err)
	}
	if len(one.Stacks) != 1 || aws.ToString(one.Stacks[0].StackId) != sharedState.ID || one.Stacks[0].StackStatus != "CREATE_COMPLETE" ||
		len(one.Stacks[0].Outputs) != 1 || aws.ToString(one.Stacks[0].Outputs[0].ExportName) != "shared-bus" || aws.ToString(one.Stacks[0].Outputs[0].OutputValue) != "bus" {
		t.Fatalf("DescribeStacks shared: %+v", one.Stacks)
	}
	wantAsked(t, s.authz.questions(), "cloudformation:DescribeStacks on "+sharedState.ID)

	s.authz.set(reads...)
	all, err := cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{})
	if err != nil || len(all.Stacks) != 2 {
		t.Fatalf("DescribeStacks: %v %+v", err, all)
	}
	list, err := cfn.ListStacks(ctx, &cloudformation.ListStacksInput{})
	if err != nil || len(list.StackSummaries) != 2 {
		t.Fatalf("ListStacks: %v %+v", err, list)
	}
	exports, err := cfn.ListExports(ctx, &cloudformation.ListExportsInput{})
	if err != nil || len(exports.Exports) != 1 || aws.ToString(exports.Exports[0].ExportingStackId) != sharedState.ID ||
		aws.ToString(exports.Exports[0].Name) != "shared-bus" || aws.ToString(exports.Exports[0].Value) != "bus" {
		t.Fatalf("ListExports: %v %+v", err, exports)
	}
	imports, err := cfn.ListImports(ctx, &cloudformation.ListImportsInput{ExportName: aws.String("shared-bus")})
	if err != nil || !slices.Equal(imports.Imports, []string{"user"}) {
		t.Fatalf("ListImports: %v %+v", err, imports)
	}
	wantAsked(t, s.authz.questions(), "cloudformation:DescribeStacks on *", "cloudformation:ListStacks on *",
		"cloudformation:ListExports on *", "cloudformation:ListImports on *")

	s.authz.set(reads...)
	events, err := cfn.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("user")})
	if err != nil || len(events.StackEvents) == 0 {
		t.Fatalf("DescribeStackEvents: %v %+v", err, events)
	}
	for i, ev := range events.StackEvents {
		if aws.ToString(ev.StackId) != userState.ID || i > 0 && ev.Timestamp.After(*events.StackEvents[i-1].Timestamp) {
			t.Fatalf("event %d %+v: not of the stack, or not newest first", i, ev)
		}
	}
	resources, err := cfn.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String("user")})
	if err != nil || len(resources.StackResources) != 1 || aws.ToString(resources.StackResources[0].LogicalResourceId) != "Sub" ||
		aws.ToString(resources.StackResources[0].PhysicalResourceId) != "sub" || resources.StackResources[0].ResourceStatus != "CREATE_COMPLETE" {
		t.Fatalf("DescribeStackResources: %v %+v", err, resources)
	}
	wantAsked(t, s.authz.questions(), "cloudformation:DescribeStackEvents on "+userState.ID, "cloudformation:DescribeStackResources on "+userState.ID)

	// Errors in CloudFormation's codes, a missing stack authorized on its
	// name's pattern first.
	var ae smithy.APIError
	s.authz.set(reads...)
	_, err = cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("nope")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" || ae.ErrorMessage() != "Stack with id nope does not exist" {
		t.Fatalf("missing stack: %v", err)
	}
	wantAsked(t, s.authz.questions(), "cloudformation:DescribeStacks on "+stackARNPattern("nope"))
	_, err = cfn.ListImports(ctx, &cloudformation.ListImportsInput{ExportName: aws.String("nobody-imports")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationError" || ae.ErrorMessage() != "Export 'nobody-imports' is not imported by any stack." {
		t.Fatalf("ListImports of an unused export: %v", err)
	}

	// Without the action, the stack is not read.
	s.authz.set()
	_, err = cfn.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("shared")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" || !strings.Contains(ae.ErrorMessage(), "denied cloudformation:DescribeStacks on "+sharedState.ID) {
		t.Fatalf("denied DescribeStacks: %v", err)
	}
}

// Every admin operation is authorized as its CloudFormation action on its
// stack (or "*") before it acts: denied without it, served with it.
func TestAdminAPI_EachOperationIsAuthorizedAsItsAction(t *testing.T) {
	s := serveStacks(t)
	tmpl, _ := json.Marshal(threeThings)
	freshTmpl, _ := json.Marshal("Resources: {F: {Type: Test::Thing, Properties: {Name: f}}}")
	s.f.mustDeploy(t, "app", threeThings, nil)
	st, err := s.f.e.Describe(context.Background(), "app")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		op, body, action, resource string
	}{
		{"Plan", `{"stack":"app","template":` + string(tmpl) + `}`, "cloudformation:CreateChangeSet", st.ID},
		{"Plan", `{"stack":"fresh","template":` + string(tmpl) + `}`, "cloudformation:CreateChangeSet", stackARNPattern("fresh")},
		{"DescribeStack", `{"stack":"app"}`, "cloudformation:DescribeStacks", st.ID},
		{"History", `{"stack":"app"}`, "cloudformation:DescribeStacks", st.ID},
		{"Events", `{"stack":"app"}`, "cloudformation:DescribeStackEvents", st.ID},
		{"Drift", `{"stack":"app"}`, "cloudformation:DetectStackDrift", st.ID},
		{"ListStacks", `{}`, "cloudformation:ListStacks", "*"},
		{"ListExports", ``, "cloudformation:ListExports", "*"},
		{"Deploy", `{"stack":"app","template":` + string(tmpl) + `}`, "cloudformation:UpdateStack", st.ID},
		{"Deploy", `{"stack":"fresh","template":` + string(freshTmpl) + `}`, "cloudformation:CreateStack", stackARNPattern("fresh")},
	} {
		t.Run(tc.op+" "+tc.action, func(t *testing.T) {
			s.authz.set()
			code, body := s.admin(t, tc.op, tc.body)
			if code != http.StatusForbidden || !strings.Contains(body, `"__type":"AccessDeniedException"`) {
				t.Fatalf("no policy: %d %s", code, body)
			}
			wantAsked(t, s.authz.questions(), tc.action+" on "+tc.resource)
			s.authz.set(tc.action)
			code, body = s.admin(t, tc.op, tc.body)
			if code != http.StatusOK {
				t.Fatalf("allowed %s: %d %s", tc.action, code, body)
			}
			if tc.op == "Deploy" {
				if l := lastLine(t, body); l.Error != nil || l.Result == nil {
					t.Fatalf("deploy stream ended with %+v", l)
				}
			}
		})
	}
	// Destroy last: it removes the stack.
	s.authz.set()
	if code, body := s.admin(t, "Destroy", `{"stack":"app"}`); code != http.StatusForbidden {
		t.Fatalf("Destroy without a policy: %d %s", code, body)
	}
	wantAsked(t, s.authz.questions(), "cloudformation:DeleteStack on "+st.ID)
	s.authz.set("cloudformation:DeleteStack")
	code, body := s.admin(t, "Destroy", `{"stack":"app"}`)
	if l := lastLine(t, body); code != http.StatusOK || l.Error != nil || l.Result == nil {
		t.Fatalf("Destroy: %d %s", code, body)
	}
	if _, err := s.f.e.Describe(context.Background(), "app"); !errors.Is(err, stacks.ErrStackNotFound) {
		t.Fatalf("after Destroy: %v", err)
	}
}

// Deploy needs cloudformation:CreateStack for a new stack and
// cloudformation:UpdateStack once it exists: CreateStack alone cannot
// change a deployed stack.
func TestAdminAPI_DeployNeedsUpdateStackOnceTheStackExists(t *testing.T) {
	s := serveStacks(t)
	tmpl, _ := json.Marshal(threeThings)
	body := `{"stack":"app","template":` + string(tmpl) + `}`
	s.authz.set("cloudformation:CreateStack")
	code, out := s.admin(t, "Deploy", body)
	if l := lastLine(t, out); code != http.StatusOK || l.Error != nil || l.Result == nil || l.Result.Status != stacks.StatusCreateComplete {
		t.Fatalf("first deploy: %d %s", code, out)
	}
	st, err := s.f.e.Describe(context.Background(), "app")
	if err != nil {
		t.Fatal(err)
	}
	s.authz.set("cloudformation:CreateStack")
	code, out = s.admin(t, "Deploy", body)
	if code != http.StatusForbidden || !strings.Contains(out, "denied cloudformation:UpdateStack on "+st.ID) {
		t.Fatalf("second deploy with CreateStack only: %d %s", code, out)
	}
}

// ListStacks and ListExports read no body, so a malformed one is ignored as
// it always was; the operations that read one refuse it.
func TestAdminAPI_Bodies(t *testing.T) {
	s := serveStacks(t)
	s.authz.set("cloudformation:ListStacks", "cloudformation:ListExports", "cloudformation:CreateChangeSet")
	for _, tc := range []struct {
		op, body string
		status   int
		want     string
	}{
		{"ListStacks", `{`, 200, `[]`},
		{"ListExports", `not json`, 200, `[]`},
		{"Plan", `{`, 400, `"message":"bad request body: unexpected end of JSON input"`},
		{"Plan", `{"stack":7}`, 400, `"__type":"ValidationException"`},
	} {
		code, out := s.admin(t, tc.op, tc.body)
		if code != tc.status || !strings.Contains(out, tc.want) {
			t.Errorf("%s %s: %d %s, want %d with %s", tc.op, tc.body, code, out, tc.status, tc.want)
		}
	}
	// A body over the API's 64 MiB is refused as a bad body too (straight
	// to the handler: signing 64 MiB proves nothing more).
	api, err := s.f.e.AdminAPI()
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/", io.LimitReader(spaces{}, 64<<20+1))
	req.Header.Set("X-Amz-Target", stacks.TargetPrefix+"Plan")
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, req)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), `"message":"bad request body: larger than 67108864 bytes"`) {
		t.Errorf("oversized body: %d %s", rec.Code, rec.Body)
	}
}

// spaces reads as an endless run of blanks.
type spaces struct{}

func (spaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}
