package platform

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/nubo-run/nubo/internal/iam"
	"github.com/nubo-run/nubo/internal/stacks"
	"github.com/nubo-run/nubo/internal/stacks/sam"
)

const (
	ssmProbe    = "../iam/testdata/ssmprobe"
	lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	paramARN    = "arn:aws:ssm:us-east-1:000000000000:parameter/"
)

// iamClients are the SDK clients of the IAM tests, signed with the server's
// own key pair (the account's administrator).
type iamClients struct {
	iam    *awsiam.Client
	sts    *sts.Client
	ssm    *ssm.Client
	lambda *lambda.Client
}

func clientsFor(url string) iamClients {
	creds := credentials.NewStaticCredentialsProvider("test", "test", "")
	return iamClients{
		iam:    awsiam.New(awsiam.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: creds, RetryMaxAttempts: 1}),
		sts:    sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: creds, RetryMaxAttempts: 1}),
		ssm:    ssm.New(ssm.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: creds, RetryMaxAttempts: 1}),
		lambda: lambdaClientFor(url),
	}
}

func allowDoc(effect, action, resource string) string {
	b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{
		map[string]any{"Effect": effect, "Action": action, "Resource": resource}}})
	return string(b)
}

func (c iamClients) role(t *testing.T, name, trust string) string {
	t.Helper()
	out, err := c.iam.CreateRole(context.Background(), &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatalf("create role %s: %v", name, err)
	}
	return aws.ToString(out.Role.Arn)
}

func (c iamClients) param(t *testing.T, name, value string) {
	t.Helper()
	if _, err := c.ssm.PutParameter(context.Background(), &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: "String"}); err != nil {
		t.Fatalf("put parameter %s: %v", name, err)
	}
}

func (c iamClients) function(t *testing.T, name, role string) error {
	t.Helper()
	_, err := c.lambda.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String(role), Timeout: aws.Int32(10), Code: &lambdatypes.FunctionCode{ZipFile: fnZip(t, ssmProbe)},
	})
	return err
}

type probeOut struct {
	Value string `json:"value"`
	Error string `json:"error"`
}

// read invokes the ssmprobe function fn, which reads the parameter name.
func (c iamClients) read(t *testing.T, fn, name string) probeOut {
	t.Helper()
	payload, _ := json.Marshal(map[string]string{"name": name})
	out, err := c.lambda.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(fn), Payload: payload})
	if err != nil {
		t.Fatalf("invoke %s: %v", fn, err)
	}
	if out.FunctionError != nil {
		t.Fatalf("invoke %s: function error %s", fn, out.Payload)
	}
	var po probeOut
	if err := json.Unmarshal(out.Payload, &po); err != nil {
		t.Fatalf("invoke %s: %v: %s", fn, err, out.Payload)
	}
	return po
}

// eventually polls read until want says yes (policy changes reach the
// authorizer's cache through the store's watch).
func (c iamClients) eventually(t *testing.T, what, fn, name string, want func(probeOut) bool) probeOut {
	t.Helper()
	var last probeOut
	waitUntil(t, what, 15*time.Second, func() bool {
		last = c.read(t, fn, name)
		return want(last)
	})
	return last
}

func allowed(value string) func(probeOut) bool {
	return func(o probeOut) bool { return o.Error == "" && o.Value == value }
}

func denied(o probeOut) bool { return strings.Contains(o.Error, "AccessDeniedException") }

func denial(session, action, resource, why string) string {
	return "AccessDeniedException: User: arn:aws:sts::000000000000:assumed-role/" + session +
		" is not authorized to perform: " + action + " on resource: " + resource + " " + why
}

func TestIAMEnforcedEndToEnd(t *testing.T) {
	p := startPlatform(t, Options{})
	c := clientsFor(p.EndpointURL())
	ctx := context.Background()

	id, err := c.sts.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != "000000000000" {
		t.Fatalf("GetCallerIdentity = %v, %v", id, err)
	}
	c.param(t, "/app/secret", "s3cret")
	c.param(t, "/app/other", "other")
	c.param(t, "plain", "flat")

	roleARN := c.role(t, "reader-role", lambdaTrust)
	if _, err := c.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("reader-role"), PolicyName: aws.String("read-secret"),
		PolicyDocument: aws.String(allowDoc("Allow", "ssm:GetParameter", paramARN+"app/secret"))}); err != nil {
		t.Fatal(err)
	}
	if err := c.function(t, "reader", roleARN); err != nil {
		t.Fatal(err)
	}

	t.Run("inline policy allows", func(t *testing.T) {
		if got := c.read(t, "reader", "/app/secret"); got.Value != "s3cret" || got.Error != "" {
			t.Fatalf("read /app/secret = %+v", got)
		}
	})
	t.Run("what no policy allows is denied with AWS's message", func(t *testing.T) {
		got := c.read(t, "reader", "/app/other")
		want := denial("reader-role/reader", "ssm:GetParameter", paramARN+"app/other", "because no identity-based policy allows the ssm:GetParameter action")
		if !strings.Contains(got.Error, want) {
			t.Fatalf("read /app/other error:\n%s\nwant it to contain:\n%s", got.Error, want)
		}
		// A name without a leading slash has the same ARN form.
		got = c.read(t, "reader", "plain")
		if !strings.Contains(got.Error, "on resource: "+paramARN+"plain because") {
			t.Fatalf("read plain error: %s", got.Error)
		}
	})
	t.Run("managed policy allows", func(t *testing.T) {
		mp, err := c.iam.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("read-other"),
			PolicyDocument: aws.String(allowDoc("Allow", "ssm:GetParameter*", paramARN+"app/*"))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.iam.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("reader-role"), PolicyArn: mp.Policy.Arn}); err != nil {
			t.Fatal(err)
		}
		c.eventually(t, "the managed policy to allow /app/other", "reader", "/app/other", allowed("other"))
	})
	t.Run("explicit deny wins over allow", func(t *testing.T) {
		if _, err := c.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("reader-role"), PolicyName: aws.String("deny-other"),
			PolicyDocument: aws.String(allowDoc("Deny", "ssm:*", paramARN+"app/other"))}); err != nil {
			t.Fatal(err)
		}
		got := c.eventually(t, "the deny to apply", "reader", "/app/other", denied)
		want := denial("reader-role/reader", "ssm:GetParameter", paramARN+"app/other", "with an explicit deny in an identity-based policy")
		if !strings.Contains(got.Error, want) {
			t.Fatalf("error:\n%s\nwant it to contain:\n%s", got.Error, want)
		}
		if got := c.read(t, "reader", "/app/secret"); got.Value != "s3cret" {
			t.Fatalf("read /app/secret after the deny = %+v", got)
		}
	})
	t.Run("a role that does not trust Lambda is refused", func(t *testing.T) {
		ec2 := c.role(t, "ec2-role", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
		err := c.function(t, "untrusted", ec2)
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValueException" || ae.ErrorMessage() != "The role defined for the function cannot be assumed by Lambda." {
			t.Fatalf("CreateFunction with an EC2 role: %v", err)
		}
	})
	t.Run("a role that does not exist is refused", func(t *testing.T) {
		err := c.function(t, "ghost", "arn:aws:iam::000000000000:role/ghost-role")
		var ae smithy.APIError
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValueException" || ae.ErrorMessage() != "The role defined for the function cannot be assumed by Lambda." {
			t.Fatalf("CreateFunction with a role that does not exist: %v", err)
		}
		c.role(t, "ghost-role", lambdaTrust)
		if err := c.function(t, "ghost", "arn:aws:iam::000000000000:role/ghost-role"); err != nil {
			t.Fatalf("CreateFunction once the role exists: %v", err)
		}
		got := c.read(t, "ghost", "/app/secret")
		if !strings.Contains(got.Error, denial("ghost-role/ghost", "ssm:GetParameter", paramARN+"app/secret", "because no identity-based policy allows")) {
			t.Fatalf("read as a missing role: %+v", got)
		}
		if _, err := c.iam.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("ghost-role"),
			PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess")}); err != nil {
			t.Fatal(err)
		}
		c.eventually(t, "the new role to allow", "ghost", "/app/secret", allowed("s3cret"))
	})
	t.Run("SAM policy template on a stack's role", func(t *testing.T) {
		tmpl, ok := sam.LookupPolicyTemplate("SSMParameterReadPolicy")
		if !ok {
			t.Fatal("no SSMParameterReadPolicy template")
		}
		stmts, err := tmpl.Expand(map[string]any{"ParameterName": "app/tmpl"})
		if err != nil {
			t.Fatal(err)
		}
		c.param(t, "/app/tmpl", "templated")
		template, _ := json.Marshal(map[string]any{"Resources": map[string]any{
			"TmplRole": map[string]any{"Type": "AWS::IAM::Role", "Properties": map[string]any{
				"AssumeRolePolicyDocument": json.RawMessage(lambdaTrust),
				"Policies": []any{map[string]any{"PolicyName": "SSMParameterReadPolicy",
					"PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": stmts}}},
			}},
		}, "Outputs": map[string]any{"RoleArn": map[string]any{"Value": map[string]any{"Fn::GetAtt": []any{"TmplRole", "Arn"}}}}})
		res, err := p.Stacks.Deploy(ctx, stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "tmpl", Template: string(template)}}, func(stacks.Event) {})
		if err != nil {
			t.Fatalf("deploy: %v", err)
		}
		st, err := p.Stacks.Describe(ctx, "tmpl")
		if err != nil {
			t.Fatal(err)
		}
		arn := st.Outputs["RoleArn"].Value
		if !strings.HasPrefix(arn, "arn:aws:iam::000000000000:role/tmpl-TmplRole-") {
			t.Fatalf("deployed role ARN %q (result %+v)", arn, res)
		}
		if err := c.function(t, "templated", arn); err != nil {
			t.Fatal(err)
		}
		if got := c.read(t, "templated", "/app/tmpl"); got.Value != "templated" {
			t.Fatalf("read /app/tmpl = %+v", got)
		}
		if got := c.read(t, "templated", "/app/secret"); !denied(got) {
			t.Fatalf("read /app/secret through the template = %+v, want denied", got)
		}
	})
	t.Run("function credentials reach only what the role allows on Lambda too", func(t *testing.T) {
		keys, err := p.Keys.Issue(iam.SessionPrincipal(roleARN, "reader"), time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		lc := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.EndpointURL()), RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider(keys.AccessKeyID, keys.SecretAccessKey, keys.SessionToken)})
		_, err = lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("reader")})
		var ae smithy.APIError
		want := "User: arn:aws:sts::000000000000:assumed-role/reader-role/reader is not authorized to perform: lambda:GetFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:reader because no identity-based policy allows the lambda:GetFunction action"
		if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" || ae.ErrorMessage() != want {
			t.Fatalf("GetFunction as the function's role: %v\nwant AccessDeniedException: %s", err, want)
		}
	})
}

// syncBuffer is a log sink tests read while the server writes.
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

func TestIAMAuditAllowsAndLogs(t *testing.T) {
	var logs syncBuffer
	p := startPlatform(t, Options{IAM: iam.Audit, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	c := clientsFor(p.EndpointURL())
	c.param(t, "/audit/x", "seen")
	role := c.role(t, "audited", lambdaTrust)
	if err := c.function(t, "audited", role); err != nil {
		t.Fatal(err)
	}
	if got := c.read(t, "audited", "/audit/x"); got.Value != "seen" || got.Error != "" {
		t.Fatalf("read under audit = %+v, want allowed", got)
	}
	ec2 := c.role(t, "ec2-role", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	if err := c.function(t, "ec2", ec2); err != nil {
		t.Fatalf("audit refused a role that does not trust Lambda: %v", err)
	}
	if !strings.Contains(logs.String(), `msg="iam audit: would refuse the role: it does not trust lambda.amazonaws.com" part=iam role=`+ec2) {
		t.Errorf("no audit line for the untrusted role:\n%s", logs.String())
	}
	if err := c.function(t, "ghost", "arn:aws:iam::000000000000:role/ghost"); err != nil {
		t.Fatalf("audit refused a role that does not exist: %v", err)
	}
	if !strings.Contains(logs.String(), `msg="iam audit: would refuse the role: it does not exist" part=iam role=arn:aws:iam::000000000000:role/ghost`) {
		t.Errorf("no audit line for the missing role:\n%s", logs.String())
	}
	waitUntil(t, "the audit log line", 5*time.Second, func() bool {
		out := logs.String()
		return strings.Contains(out, `msg="iam audit: would deny"`) && strings.Contains(out, "action=ssm:GetParameter") &&
			strings.Contains(out, `statement="{\"Effect\":\"Allow\",\"Action\":\"ssm:GetParameter\",\"Resource\":\"`+paramARN+`audit/x\"}"`)
	})
}

func TestIAMOffAllows(t *testing.T) {
	p := startPlatform(t, Options{IAM: iam.Off})
	c := clientsFor(p.EndpointURL())
	c.param(t, "/off/x", "open")
	if err := c.function(t, "open", "arn:aws:iam::000000000000:role/made-up"); err != nil {
		t.Fatal(err)
	}
	if got := c.read(t, "open", "/off/x"); got.Value != "open" {
		t.Fatalf("read with --iam off = %+v", got)
	}
	ec2 := c.role(t, "ec2-role", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	if err := c.function(t, "ec2", ec2); err != nil {
		t.Fatalf("--iam off checks no execution role: %v", err)
	}
}

// An async destination is invoked as the source function's role: Lambda
// needs lambda:InvokeFunction on the destination in that role's policies.
func TestIAMAsyncDestinationNeedsTheSourceRole(t *testing.T) {
	var logs syncBuffer
	p := startPlatform(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	c := clientsFor(p.EndpointURL())
	ctx := context.Background()
	role := c.role(t, "src-role", lambdaTrust)
	for _, fn := range []string{"src", "sink"} {
		if err := c.function(t, fn, role); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.lambda.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("src"),
		DestinationConfig: &lambdatypes.DestinationConfig{OnSuccess: &lambdatypes.OnSuccess{Destination: aws.String("arn:aws:lambda:us-east-1:000000000000:function:sink")}}}); err != nil {
		t.Fatal(err)
	}
	invokeAsync := func() {
		t.Helper()
		if _, err := c.lambda.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("src"), InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(`{"name":"x"}`)}); err != nil {
			t.Fatal(err)
		}
	}
	invokeAsync()
	waitUntil(t, "the denied delivery", 15*time.Second, func() bool {
		return strings.Contains(logs.String(), "is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:sink")
	})
	wantFix := `level=WARN msg="iam: access denied" part=iam principal=arn:aws:sts::000000000000:assumed-role/src-role/src action=lambda:InvokeFunction`
	wantStmt := `statement="{\"Effect\":\"Allow\",\"Action\":\"lambda:InvokeFunction\",\"Resource\":\"arn:aws:lambda:us-east-1:000000000000:function:sink\"}"`
	if out := logs.String(); !strings.Contains(out, wantFix) || !strings.Contains(out, wantStmt) {
		t.Errorf("the denial's log line lacks the principal or the fix:\n%s", out)
	}
	if n := countLines(t, p, "sink", "START RequestId"); n != 0 {
		t.Fatalf("sink ran %d times without the permission", n)
	}
	if _, err := c.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("src-role"), PolicyName: aws.String("dest"),
		PolicyDocument: aws.String(allowDoc("Allow", "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:000000000000:function:sink"))}); err != nil {
		t.Fatal(err)
	}
	invokeAsync()
	waitUntil(t, "the sink to run", 15*time.Second, func() bool { return countLines(t, p, "sink", "START RequestId") == 1 })
}

// Each operation of each API is authorized as its AWS action on its
// resource: a session whose role allows nothing is denied every one, with
// the action and resource named.
func TestIAMEveryOperationIsAuthorized(t *testing.T) {
	p := startPlatform(t, Options{})
	root := clientsFor(p.EndpointURL())
	ctx := context.Background()
	role := root.role(t, "nothing", lambdaTrust)
	root.param(t, "/p/x", "v")
	keys, err := p.Keys.Issue(iam.SessionPrincipal(role, "s"), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	creds := credentials.NewStaticCredentialsProvider(keys.AccessKeyID, keys.SecretAccessKey, keys.SessionToken)
	url := aws.String(p.EndpointURL())
	lc := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: url, Credentials: creds, RetryMaxAttempts: 1})
	sc := ssm.New(ssm.Options{Region: "us-east-1", BaseEndpoint: url, Credentials: creds, RetryMaxAttempts: 1})
	fn := aws.String("f")
	const fnARN = "arn:aws:lambda:us-east-1:000000000000:function:f"
	zip := []byte("PK") // never read: authorization comes first
	cases := []struct {
		action, resource string
		call             func() error
	}{
		{"lambda:CreateFunction", fnARN, func() error {
			_, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: fn, Runtime: lambdatypes.RuntimeProvidedal2023,
				Role: aws.String(role), Code: &lambdatypes.FunctionCode{ZipFile: zip}})
			return err
		}},
		{"lambda:ListFunctions", "*", func() error { _, err := lc.ListFunctions(ctx, &lambda.ListFunctionsInput{}); return err }},
		{"lambda:GetFunction", fnARN, func() error { _, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: fn}); return err }},
		{"lambda:GetFunctionConfiguration", fnARN, func() error {
			_, err := lc.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: fn})
			return err
		}},
		{"lambda:UpdateFunctionConfiguration", fnARN, func() error {
			_, err := lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: fn, Timeout: aws.Int32(5)})
			return err
		}},
		{"lambda:UpdateFunctionCode", fnARN, func() error {
			_, err := lc.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: fn, ZipFile: zip})
			return err
		}},
		{"lambda:DeleteFunction", fnARN, func() error {
			_, err := lc.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: fn})
			return err
		}},
		{"lambda:InvokeFunction", fnARN, func() error { _, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: fn}); return err }},
		{"lambda:PutFunctionConcurrency", fnARN, func() error {
			_, err := lc.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: fn, ReservedConcurrentExecutions: aws.Int32(1)})
			return err
		}},
		{"lambda:GetFunctionConcurrency", fnARN, func() error {
			_, err := lc.GetFunctionConcurrency(ctx, &lambda.GetFunctionConcurrencyInput{FunctionName: fn})
			return err
		}},
		{"lambda:DeleteFunctionConcurrency", fnARN, func() error {
			_, err := lc.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: fn})
			return err
		}},
		{"lambda:PutFunctionEventInvokeConfig", fnARN, func() error {
			_, err := lc.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: fn})
			return err
		}},
		{"lambda:GetFunctionEventInvokeConfig", fnARN, func() error {
			_, err := lc.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: fn})
			return err
		}},
		{"lambda:UpdateFunctionEventInvokeConfig", fnARN, func() error {
			_, err := lc.UpdateFunctionEventInvokeConfig(ctx, &lambda.UpdateFunctionEventInvokeConfigInput{FunctionName: fn})
			return err
		}},
		{"lambda:DeleteFunctionEventInvokeConfig", fnARN, func() error {
			_, err := lc.DeleteFunctionEventInvokeConfig(ctx, &lambda.DeleteFunctionEventInvokeConfigInput{FunctionName: fn})
			return err
		}},
		{"lambda:CreateFunctionUrlConfig", fnARN, func() error {
			_, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: fn, AuthType: lambdatypes.FunctionUrlAuthTypeNone})
			return err
		}},
		{"lambda:GetFunctionUrlConfig", fnARN, func() error {
			_, err := lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: fn})
			return err
		}},
		{"lambda:UpdateFunctionUrlConfig", fnARN, func() error {
			_, err := lc.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: fn, AuthType: lambdatypes.FunctionUrlAuthTypeNone})
			return err
		}},
		{"lambda:DeleteFunctionUrlConfig", fnARN, func() error {
			_, err := lc.DeleteFunctionUrlConfig(ctx, &lambda.DeleteFunctionUrlConfigInput{FunctionName: fn})
			return err
		}},
		{"lambda:ListFunctionUrlConfigs", fnARN, func() error {
			_, err := lc.ListFunctionUrlConfigs(ctx, &lambda.ListFunctionUrlConfigsInput{FunctionName: fn})
			return err
		}},
		{"lambda:PublishVersion", fnARN, func() error {
			_, err := lc.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: fn})
			return err
		}},
		{"lambda:ListVersionsByFunction", fnARN, func() error {
			_, err := lc.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: fn})
			return err
		}},
		{"lambda:InvokeFunction", fnARN + ":live", func() error {
			_, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("f:live")})
			return err
		}},
		{"lambda:GetFunction", fnARN + ":1", func() error {
			_, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: fn, Qualifier: aws.String("1")})
			return err
		}},
		{"lambda:DeleteFunction", fnARN + ":1", func() error {
			_, err := lc.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: fn, Qualifier: aws.String("1")})
			return err
		}},
		{"lambda:CreateAlias", fnARN, func() error {
			_, err := lc.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: fn, Name: aws.String("live"), FunctionVersion: aws.String("1")})
			return err
		}},
		{"lambda:GetAlias", fnARN + ":live", func() error {
			_, err := lc.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: fn, Name: aws.String("live")})
			return err
		}},
		{"lambda:UpdateAlias", fnARN + ":live", func() error {
			_, err := lc.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: fn, Name: aws.String("live")})
			return err
		}},
		{"lambda:DeleteAlias", fnARN + ":live", func() error {
			_, err := lc.DeleteAlias(ctx, &lambda.DeleteAliasInput{FunctionName: fn, Name: aws.String("live")})
			return err
		}},
		{"lambda:ListAliases", fnARN, func() error {
			_, err := lc.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: fn})
			return err
		}},
		{"lambda:PutProvisionedConcurrencyConfig", fnARN + ":live", func() error {
			_, err := lc.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{FunctionName: fn, Qualifier: aws.String("live"), ProvisionedConcurrentExecutions: aws.Int32(1)})
			return err
		}},
		{"lambda:GetProvisionedConcurrencyConfig", fnARN + ":live", func() error {
			_, err := lc.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: fn, Qualifier: aws.String("live")})
			return err
		}},
		{"lambda:DeleteProvisionedConcurrencyConfig", fnARN + ":live", func() error {
			_, err := lc.DeleteProvisionedConcurrencyConfig(ctx, &lambda.DeleteProvisionedConcurrencyConfigInput{FunctionName: fn, Qualifier: aws.String("live")})
			return err
		}},
		{"lambda:ListProvisionedConcurrencyConfigs", fnARN, func() error {
			_, err := lc.ListProvisionedConcurrencyConfigs(ctx, &lambda.ListProvisionedConcurrencyConfigsInput{FunctionName: fn})
			return err
		}},
		{"ssm:GetParameter", paramARN + "p/x", func() error {
			_, err := sc.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/p/x")})
			return err
		}},
		{"ssm:GetParameter", paramARN + "p/x", func() error {
			_, err := sc.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(paramARN + "p/x:1")})
			return err
		}},
		{"ssm:GetParameters", paramARN + "p/x", func() error {
			_, err := sc.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/p/x"}})
			return err
		}},
		{"ssm:GetParametersByPath", paramARN + "p", func() error {
			_, err := sc.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/p")})
			return err
		}},
		{"ssm:PutParameter", paramARN + "p/y", func() error {
			_, err := sc.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/p/y"), Value: aws.String("v"), Type: "String"})
			return err
		}},
		{"ssm:DeleteParameter", paramARN + "p/x", func() error {
			_, err := sc.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("/p/x")})
			return err
		}},
		{"ssm:DeleteParameters", paramARN + "p/x", func() error {
			_, err := sc.DeleteParameters(ctx, &ssm.DeleteParametersInput{Names: []string{"/p/x"}})
			return err
		}},
		{"ssm:DescribeParameters", "*", func() error { _, err := sc.DescribeParameters(ctx, &ssm.DescribeParametersInput{}); return err }},
	}
	for _, c := range cases {
		t.Run(c.action, func(t *testing.T) {
			err := c.call()
			var ae smithy.APIError
			on := " on resource: " + c.resource
			if c.resource == "*" {
				on = "" // AWS names no resource for actions without one
			}
			want := "User: arn:aws:sts::000000000000:assumed-role/nothing/s is not authorized to perform: " + c.action +
				on + " because no identity-based policy allows the " + c.action + " action"
			if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" || ae.ErrorMessage() != want {
				t.Fatalf("got %v\nwant AccessDeniedException: %s", err, want)
			}
		})
	}
	// The JSON APIs without an SDK client here: CloudWatch Logs, the stacks
	// admin API, and CloudFormation's query API.
	session := aws.Credentials{AccessKeyID: keys.AccessKeyID, SecretAccessKey: keys.SecretAccessKey, SessionToken: keys.SessionToken}
	for _, c := range []struct {
		service, target, contentType, body, action, resource string
	}{
		{"logs", "Logs_20140328.FilterLogEvents", "application/x-amz-json-1.1", `{"logGroupName":"/aws/lambda/f"}`,
			"logs:FilterLogEvents", "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:log-stream:"},
		{"logs", "Logs_20140328.GetLogEvents", "application/x-amz-json-1.1", `{"logGroupName":"/aws/lambda/f","logStreamName":"2026/01/02/[$LATEST]nubo"}`,
			"logs:GetLogEvents", "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/f:log-stream:2026/01/02/[$LATEST]nubo"},
		{"logs", "Logs_20140328.DescribeLogGroups", "application/x-amz-json-1.1", `{}`, "logs:DescribeLogGroups", "*"},
		{"nubo", "NuboStacks.DescribeStack", "application/x-amz-json-1.1", `{"stack":"app"}`,
			"cloudformation:DescribeStacks", "arn:aws:cloudformation:us-east-1:000000000000:stack/app/*"},
		{"nubo", "NuboStacks.ListStacks", "application/x-amz-json-1.1", `{}`, "cloudformation:ListStacks", "*"},
		{"nubo", "NuboStacks.Deploy", "application/x-amz-json-1.1", `{"stack":"app","template":"{}"}`,
			"cloudformation:CreateStack", "arn:aws:cloudformation:us-east-1:000000000000:stack/app/*"},
		{"cloudformation", "", "application/x-www-form-urlencoded", "Action=DescribeStacks&Version=2010-05-15&StackName=app",
			"cloudformation:DescribeStacks", "arn:aws:cloudformation:us-east-1:000000000000:stack/app/*"},
	} {
		t.Run(c.action, func(t *testing.T) {
			req, _ := http.NewRequest("POST", p.EndpointURL()+"/", strings.NewReader(c.body))
			req.Header.Set("Content-Type", c.contentType)
			if c.target != "" {
				req.Header.Set("X-Amz-Target", c.target)
			}
			sum := sha256.Sum256([]byte(c.body))
			if err := v4.NewSigner().SignHTTP(ctx, session, req, hex.EncodeToString(sum[:]), c.service, "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			on := " on resource: " + c.resource
			if c.resource == "*" {
				on = ""
			}
			want := "is not authorized to perform: " + c.action + on + " because no identity-based policy allows"
			if resp.StatusCode < 400 || !strings.Contains(string(b), want) {
				t.Fatalf("%d %s\nwant a denial containing %q", resp.StatusCode, b, want)
			}
		})
	}
	if v, err := root.ssm.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/p/x")}); err != nil || aws.ToString(v.Parameter.Value) != "v" {
		t.Fatalf("/p/x after the denied calls: %v %v", v, err)
	}

	t.Run("iam:PassRole", func(t *testing.T) {
		if _, err := root.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("nothing"), PolicyName: aws.String("create"),
			PolicyDocument: aws.String(allowDoc("Allow", "lambda:CreateFunction", "*"))}); err != nil {
			t.Fatal(err)
		}
		want := "is not authorized to perform: iam:PassRole on resource: " + role
		waitUntil(t, "the PassRole denial", 10*time.Second, func() bool {
			_, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: fn, Runtime: lambdatypes.RuntimeProvidedal2023,
				Role: aws.String(role), Code: &lambdatypes.FunctionCode{ZipFile: zip}})
			return err != nil && strings.Contains(err.Error(), want)
		})
	})
}

// A SAM function's Policies: a policy template on the generated
// <Function>Role allows what it names and nothing else; an inline Deny
// statement wins over the managed policy that would allow.
func TestIAMSAMPolicies(t *testing.T) {
	p := startPlatform(t, Options{})
	c := clientsFor(p.EndpointURL())
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "probe.zip"), fnZip(t, ssmProbe), 0o644); err != nil {
		t.Fatal(err)
	}
	c.param(t, "/sam/allowed", "yes")
	c.param(t, "/sam/other", "no")
	c.param(t, "/sam/denied", "never")
	template := `Transform: AWS::Serverless-2016-10-31
Resources:
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: probe.zip
      Runtime: provided.al2023
      Handler: bootstrap
      Timeout: 10
      Policies:
        - SSMParameterReadPolicy:
            ParameterName: sam/allowed
  Wide:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: probe.zip
      Runtime: provided.al2023
      Handler: bootstrap
      Timeout: 10
      Policies:
        - AmazonSSMReadOnlyAccess
        - Statement:
            - Effect: Deny
              Action: ssm:GetParameter
              Resource: !Sub arn:aws:ssm:${AWS::Region}:${AWS::AccountId}:parameter/sam/denied
Outputs:
  Reader: {Value: !Ref Reader}
  ReaderRole: {Value: !GetAtt ReaderRole.Arn}
  Wide: {Value: !Ref Wide}
`
	res, err := p.Stacks.Deploy(context.Background(), stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "sam", Template: template, BaseDir: dir}}, nil)
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	reader, wide := res.Outputs["Reader"], res.Outputs["Wide"]
	if !strings.HasPrefix(res.Outputs["ReaderRole"], "arn:aws:iam::000000000000:role/sam-ReaderRole-") {
		t.Fatalf("outputs %v", res.Outputs)
	}
	if got := c.read(t, reader, "/sam/allowed"); got.Value != "yes" {
		t.Fatalf("%s reads /sam/allowed: %+v", reader, got)
	}
	role, _ := iam.RoleNameFromARN(res.Outputs["ReaderRole"])
	want := denial(role+"/"+reader, "ssm:GetParameter", paramARN+"sam/other", "because no identity-based policy allows the ssm:GetParameter action")
	if got := c.read(t, reader, "/sam/other"); !strings.Contains(got.Error, want) {
		t.Fatalf("%s reads /sam/other: %+v\nwant %s", reader, got, want)
	}
	if got := c.read(t, wide, "/sam/other"); got.Value != "no" {
		t.Fatalf("%s reads /sam/other: %+v", wide, got)
	}
	if got := c.read(t, wide, "/sam/denied"); !strings.Contains(got.Error, "with an explicit deny in an identity-based policy") {
		t.Fatalf("%s reads /sam/denied: %+v", wide, got)
	}
}

// A function's resource-based policy (AddPermission) allows a role its
// identity policies do not: the Invoke API evaluates both, as Lambda does.
func TestIAMFunctionResourcePolicyAllows(t *testing.T) {
	p := startPlatform(t, Options{})
	c := clientsFor(p.EndpointURL())
	ctx := context.Background()
	fnRole := c.role(t, "fn-role", lambdaTrust)
	if err := c.function(t, "target", fnRole); err != nil {
		t.Fatal(err)
	}
	caller := c.role(t, "caller", lambdaTrust)
	keys, err := p.Keys.Issue(iam.SessionPrincipal(caller, "s"), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	lc := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.EndpointURL()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(keys.AccessKeyID, keys.SecretAccessKey, keys.SessionToken)})
	invoke := func() error {
		_, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("target"), Payload: []byte(`{"name":"/none"}`)})
		return err
	}
	if err := invoke(); err == nil || !strings.Contains(err.Error(), "is not authorized to perform: lambda:InvokeFunction") {
		t.Fatalf("invoke without any policy: %v", err)
	}
	if _, err := c.lambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("target"), StatementId: aws.String("caller"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String(caller)}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the resource policy to allow", 10*time.Second, func() bool { return invoke() == nil })
	if _, err := lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("target")}); err == nil {
		t.Fatal("the policy allows lambda:InvokeFunction only, GetFunction was allowed")
	}
}

// The gateway invokes as apigateway.amazonaws.com through the same check:
// without the route's AWS::Lambda::Permission, enforce denies (500, the
// fix in the log), audit allows and logs, off allows.
func TestIAMGatewayModes(t *testing.T) {
	params := map[string]string{"Permitted": "false", "Tag": "one", "WithSecondRoute": "false", "Reserved": "-1", "IntegrationTimeout": "30000"}
	for _, c := range []struct {
		mode   iam.Mode
		status int
		log    string
	}{
		{iam.Enforce, http.StatusInternalServerError, `msg="iam: access denied" part=iam principal=apigateway.amazonaws.com action=lambda:InvokeFunction`},
		{iam.Audit, http.StatusOK, `msg="iam audit: would deny" part=iam principal=apigateway.amazonaws.com action=lambda:InvokeFunction`},
		{iam.Off, http.StatusOK, ""},
	} {
		t.Run(c.mode.String(), func(t *testing.T) {
			var logs syncBuffer
			e := newGWEnvWith(t, Options{IAM: c.mode, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			res := e.deploy(t, "items", "http.yaml", params)
			a := e.send(t, http.MethodGet, "", "/_api/"+res.Outputs["ApiId"]+"/items/42")
			if a.status != c.status {
				t.Fatalf("status %d %s, want %d", a.status, a.body, c.status)
			}
			if !strings.Contains(logs.String(), c.log) {
				t.Fatalf("log lacks %q:\n%s", c.log, logs.String())
			}
			if c.mode == iam.Enforce && !strings.Contains(logs.String(), `statement="{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"apigateway.amazonaws.com\"}`) {
				t.Fatalf("the denial names no statement to add:\n%s", logs.String())
			}
		})
	}
}
