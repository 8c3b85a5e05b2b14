package platform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/nubo-run/nubo/internal/iam"
	"github.com/nubo-run/nubo/internal/stacks"
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
	t.Run("a made-up role is accepted and denied until it exists", func(t *testing.T) {
		if err := c.function(t, "ghost", "arn:aws:iam::000000000000:role/ghost-role"); err != nil {
			t.Fatalf("CreateFunction with a role that does not exist: %v", err)
		}
		got := c.read(t, "ghost", "/app/secret")
		if !strings.Contains(got.Error, denial("ghost-role/ghost", "ssm:GetParameter", paramARN+"app/secret", "because no identity-based policy allows")) {
			t.Fatalf("read as a missing role: %+v", got)
		}
		c.role(t, "ghost-role", lambdaTrust)
		if _, err := c.iam.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("ghost-role"),
			PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess")}); err != nil {
			t.Fatal(err)
		}
		c.eventually(t, "the new role to allow", "ghost", "/app/secret", allowed("s3cret"))
	})
	t.Run("SAM policy template on a stack's role", func(t *testing.T) {
		tmpl, ok := iam.SAMPolicyTemplate("SSMParameterReadPolicy")
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
