package iam

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/nubo-run/nubo/internal/awsapi"
)

func invoke(h *harness, c awsapi.Credentials, fn string) error {
	_, err := h.lambda(c).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(fn)})
	return err
}

func mustRole(t *testing.T, h *harness, name, trust string) {
	t.Helper()
	if _, err := h.iam(h.root()).CreateRole(context.Background(), &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}); err != nil {
		t.Fatal(err)
	}
}

func putInline(t *testing.T, h *harness, role, name, doc string) {
	t.Helper()
	if _, err := h.iam(h.root()).PutRolePolicy(context.Background(), &awsiam.PutRolePolicyInput{RoleName: aws.String(role), PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
}

func TestEnforce_InlineManagedAndDeny(t *testing.T) {
	h := newHarness(t, Enforce)
	mustRole(t, h, "fn-role", lambdaTrust)
	sess := h.session("fn-role", "caller")

	// No policy yet: AWS's message, with Lambda's code.
	err := invoke(h, sess, "orders")
	msg := apiError(t, err, "AccessDeniedException")
	want := "User: arn:aws:sts::000000000000:assumed-role/fn-role/caller is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:orders because no identity-based policy allows the lambda:InvokeFunction action"
	if msg != want {
		t.Fatalf("message:\n got %s\nwant %s", msg, want)
	}

	// An inline policy allows one function; the cache is invalidated on change.
	putInline(t, h, "fn-role", "invoke-orders", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:000000000000:function:orders"}]}`)
	if err := invoke(h, sess, "orders"); err != nil {
		t.Fatalf("allowed by inline policy: %v", err)
	}
	apiError(t, invoke(h, sess, "billing"), "AccessDeniedException")

	// A managed policy allows every function.
	if _, err := h.iam(h.root()).AttachRolePolicy(context.Background(), &awsiam.AttachRolePolicyInput{RoleName: aws.String("fn-role"), PolicyArn: aws.String("arn:aws:iam::aws:policy/service-role/AWSLambdaRole")}); err != nil {
		t.Fatal(err)
	}
	if err := invoke(h, sess, "billing"); err != nil {
		t.Fatalf("allowed by AWSLambdaRole: %v", err)
	}

	// An explicit deny wins over both.
	putInline(t, h, "fn-role", "no-billing", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"lambda:*","Resource":"arn:aws:lambda:*:*:function:billing"}]}`)
	msg = apiError(t, invoke(h, sess, "billing"), "AccessDeniedException")
	mustContain(t, msg, "with an explicit deny in an identity-based policy")
	if err := invoke(h, sess, "orders"); err != nil {
		t.Fatalf("orders still allowed: %v", err)
	}

	// Root is the administrator.
	if err := invoke(h, h.root(), "billing"); err != nil {
		t.Fatalf("root: %v", err)
	}
}

func TestEnforce_MissingRoleAndBoundary(t *testing.T) {
	h := newHarness(t, Enforce)
	ghost := h.session("not-yet", "fn")
	apiError(t, invoke(h, ghost, "orders"), "AccessDeniedException")

	// Once the role exists with a permission, the same credentials work.
	mustRole(t, h, "not-yet", lambdaTrust)
	putInline(t, h, "not-yet", "all", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:*","Resource":"*"}]}`)
	if err := invoke(h, ghost, "orders"); err != nil {
		t.Fatal(err)
	}

	// A permissions boundary that does not allow Lambda denies.
	ctx := context.Background()
	c := h.iam(h.root())
	if _, err := c.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("not-yet"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	mustContain(t, apiError(t, invoke(h, ghost, "orders"), "AccessDeniedException"), "because no permissions boundary allows the lambda:InvokeFunction action")
	if _, err := c.DeleteRolePermissionsBoundary(ctx, &awsiam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("not-yet")}); err != nil {
		t.Fatal(err)
	}
	if err := invoke(h, ghost, "orders"); err != nil {
		t.Fatal(err)
	}
}

func TestEnforce_ResourcePolicyOnFunction(t *testing.T) {
	h := newHarness(t, Enforce)
	mustRole(t, h, "caller", lambdaTrust)
	sess := h.session("caller", "s")
	apiError(t, invoke(h, sess, "shared"), "AccessDeniedException")
	h.setFunctionPolicy("shared", `{"Version":"2012-10-17","Statement":[{"Sid":"AllowCaller","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/caller"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:000000000000:function:shared"}]}`)
	if err := invoke(h, sess, "shared"); err != nil {
		t.Fatalf("allowed by the function's policy: %v", err)
	}

	// A service principal (API Gateway) is allowed only through the function's policy.
	ctx := context.Background()
	gw := awsapi.AuthzRequest{Service: "lambda", Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:000000000000:function:shared",
		ServicePrincipal: "apigateway.amazonaws.com", Context: map[string][]string{"aws:SourceArn": {"arn:aws:execute-api:us-east-1:000000000000:api1/$default/GET/orders"}}}
	gw.ResourcePolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:000000000000:function:shared","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:execute-api:us-east-1:000000000000:api1/*"}}}]}`
	if err := h.authz.Authorize(ctx, gw); err != nil {
		t.Fatalf("gateway: %v", err)
	}
	gw.Context = map[string][]string{"aws:SourceArn": {"arn:aws:execute-api:us-east-1:000000000000:api2/$default/GET/orders"}}
	err := h.authz.Authorize(ctx, gw)
	if err == nil || !strings.Contains(err.Error(), "because no resource-based policy allows the lambda:InvokeFunction action") {
		t.Fatalf("gateway from another API: %v", err)
	}
}

func TestEnforce_AuditAndOff(t *testing.T) {
	for _, mode := range []Mode{Audit, Off} {
		t.Run(mode.String(), func(t *testing.T) {
			h := newHarness(t, mode)
			mustRole(t, h, "r", lambdaTrust)
			if err := invoke(h, h.session("r", "s"), "anything"); err != nil {
				t.Fatalf("%s mode denied: %v", mode, err)
			}
		})
	}
}

func TestEnforce_TokensRefused(t *testing.T) {
	h := newHarness(t, Enforce)
	mustRole(t, h, "r", lambdaTrust)
	good := h.session("r", "s")
	forged := good
	forged.SessionToken = good.SessionToken[:len(good.SessionToken)-4] + "AAAA"
	apiError(t, invoke(h, forged, "f"), "UnrecognizedClientException")
	expired, err := h.keys.Issue(SessionPrincipal(RoleARN(testAccount, "/", "r"), "s"), -time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	apiError(t, invoke(h, expired, "f"), "ExpiredTokenException")
}

func TestSTS_AssumeRoleAndCallerIdentity(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	mustRole(t, h, "lambda-only", lambdaTrust)
	mustRole(t, h, "ops", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`)
	mustRole(t, h, "worker", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/ops"},"Action":"sts:AssumeRole"}]}`)

	id, err := h.sts(h.root()).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::000000000000:root" || aws.ToString(id.Account) != testAccount {
		t.Fatalf("root identity = %+v, %v", id, err)
	}

	_, err = h.sts(h.root()).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/lambda-only"), RoleSessionName: aws.String("me")})
	mustContain(t, apiError(t, err, "AccessDenied"), "is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role/lambda-only")
	_, err = h.sts(h.root()).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/missing"), RoleSessionName: aws.String("me")})
	apiError(t, err, "AccessDenied")

	out, err := h.sts(h.root()).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/ops"), RoleSessionName: aws.String("alice"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.AssumedRoleUser.Arn); got != "arn:aws:sts::000000000000:assumed-role/ops/alice" {
		t.Fatalf("assumed role arn %s", got)
	}
	if out.Credentials.Expiration == nil || time.Until(*out.Credentials.Expiration) > 16*time.Minute {
		t.Fatalf("expiration %v", out.Credentials.Expiration)
	}
	ops := awsapi.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey), SessionToken: aws.ToString(out.Credentials.SessionToken)}
	id, err = h.sts(ops).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::000000000000:assumed-role/ops/alice" || !strings.HasSuffix(aws.ToString(id.UserId), ":alice") || !strings.HasPrefix(aws.ToString(id.UserId), "AROA") {
		t.Fatalf("session identity = %+v, %v", id, err)
	}

	// ops's session may assume worker: the trust policy names the role itself.
	if _, err := h.sts(ops).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/worker"), RoleSessionName: aws.String("wk")}); err != nil {
		t.Fatalf("ops -> worker: %v", err)
	}
	// but ops trusting the account is not enough for a session whose own
	// policies do not allow sts:AssumeRole.
	_, err = h.sts(ops).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/ops"), RoleSessionName: aws.String("again")})
	mustContain(t, apiError(t, err, "AccessDenied"), "because no identity-based policy allows the sts:AssumeRole action")
	putInline(t, h, "ops", "assume", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`)
	if _, err := h.sts(ops).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/ops"), RoleSessionName: aws.String("again")}); err != nil {
		t.Fatalf("with an identity policy: %v", err)
	}

	// IAM calls by a session are authorized too.
	_, err = h.iam(ops).ListRoles(ctx, &awsiam.ListRolesInput{})
	mustContain(t, apiError(t, err, "AccessDenied"), "iam:ListRoles")
}

func TestAuthorizer_Report(t *testing.T) {
	h := newHarness(t, Enforce)
	mustRole(t, h, "fn", lambdaTrust)
	putInline(t, h, "fn", "p", `{"Version":"2012-10-17","Statement":[
		{"Sid":"Used","Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:000000000000:function:a"},
		{"Sid":"Unused","Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}`)
	sess := h.session("fn", "fn")
	for i := 0; i < 3; i++ {
		if err := invoke(h, sess, "a"); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := h.authz.Report(context.Background(), "fn")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Used) != 1 || rep.Used[0].Action != "lambda:InvokeFunction" || rep.Used[0].Count != 3 {
		t.Fatalf("used = %+v", rep.Used)
	}
	if len(rep.Unused) != 1 || rep.Unused[0].Statement.Sid != "Unused" {
		t.Fatalf("unused = %+v", rep.Unused)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestEnforce_LogSuggestsStatement: a denial (enforce) and a would-be denial
// (audit) are logged with the smallest statement that would allow them.
func TestEnforce_LogSuggestsStatement(t *testing.T) {
	for _, mode := range []Mode{Enforce, Audit} {
		t.Run(mode.String(), func(t *testing.T) {
			var buf syncBuffer
			h := newHarnessLog(t, mode, slog.New(slog.NewJSONHandler(&buf, nil)))
			mustRole(t, h, "r", lambdaTrust)
			err := invoke(h, h.session("r", "s"), "orders")
			if (err != nil) != (mode == Enforce) {
				t.Fatalf("%s: err = %v", mode, err)
			}
			var entry map[string]any
			for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				var e map[string]any
				if json.Unmarshal([]byte(line), &e) == nil && e["statement"] != nil {
					entry = e
				}
			}
			if entry == nil {
				t.Fatalf("no denial logged:\n%s", buf.String())
			}
			want := `{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:000000000000:function:orders"}`
			if entry["statement"] != want || entry["fix"] != "add to the identity-based policy" {
				t.Fatalf("logged %v", entry)
			}
		})
	}
}

func TestSTS_SessionPolicies(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	mustRole(t, h, "wide", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`)
	putInline(t, h, "wide", "all-lambda", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:*","Resource":"*"}]}`)
	out, err := h.sts(h.root()).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::000000000000:role/wide"), RoleSessionName: aws.String("narrow"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:000000000000:function:only-this"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	c := awsapi.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey), SessionToken: aws.ToString(out.Credentials.SessionToken)}
	if err := invoke(h, c, "only-this"); err != nil {
		t.Fatalf("inside the session policy: %v", err)
	}
	mustContain(t, apiError(t, invoke(h, c, "other"), "AccessDeniedException"), "because no session policy allows the lambda:InvokeFunction action")

	_, err = h.sts(h.root()).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/wide"), RoleSessionName: aws.String("bad"), Policy: aws.String(`{"Statement":[{"Effect":"Allow"}]}`)})
	apiError(t, err, "MalformedPolicyDocument")
}
