package platform

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/nubo-run/nubo/internal/iam"
)

// awsCLIv2 is Debian's AWS CLI v2 (the aws on PATH may be CLI v1).
const awsCLIv2 = "/usr/bin/aws"

// inlineTemplate is a plain CloudFormation template whose function's code
// is inline (ZipFile): aws cloudformation deploy sends it as it is.
const inlineTemplate = `AWSTemplateFormatVersion: "2010-09-09"
Description: inline code deployed by the AWS CLI
Parameters:
  Greeting:
    Type: String
    Default: hello
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: lambda.amazonaws.com}
            Action: sts:AssumeRole
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Environment:
        Variables:
          GREETING: !Ref Greeting
      Code:
        ZipFile: |
          import os
          def handler(event, context):
              return os.environ["GREETING"]
Outputs:
  FunctionName:
    Value: !Ref Fn
`

// TestAWSCLIDeployUpdateDelete: aws cloudformation deploy (AWS CLI v2),
// unchanged, creates a stack with inline code through nubo's CloudFormation
// API (change set, waiters), updates it, finds nothing to do the third
// time, and delete-stack with wait stack-delete-complete removes it.
func TestAWSCLIDeployUpdateDelete(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the AWS CLI, whose waiters poll every 30 seconds, and function processes")
	}
	if _, err := os.Stat(awsCLIv2); err != nil {
		t.Skipf("%s (Debian's awscli, AWS CLI v2) is not installed", awsCLIv2)
	}
	p := startPlatform(t, Options{})
	url := p.EndpointURL()
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(tmpl, []byte(inlineTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	aws2 := func(args ...string) (string, error) {
		t.Helper()
		cmd := exec.Command(awsCLIv2, append([]string{"--endpoint-url", url, "--region", "us-east-1", "--output", "json"}, args...)...)
		for _, kv := range os.Environ() { // none of the machine's AWS settings
			if !strings.HasPrefix(kv, "AWS_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID="+DefaultAccessKey, "AWS_SECRET_ACCESS_KEY="+DefaultSecretKey,
			"AWS_CONFIG_FILE="+filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
			"AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	mustAWS := func(args ...string) string {
		t.Helper()
		out, err := aws2(args...)
		if err != nil {
			t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	lc := lambdaClientFor(url)
	answer := func() string {
		t.Helper()
		out := mustAWS("cloudformation", "describe-stacks", "--stack-name", "cli", "--query", "Stacks[0].Outputs[?OutputKey=='FunctionName'].OutputValue", "--output", "text")
		return invokeString(t, lc, strings.TrimSpace(out), `{}`)
	}

	// Without the capability the role needs, CloudFormation's refusal.
	out, err := aws2("cloudformation", "deploy", "--stack-name", "cli", "--template-file", tmpl)
	if err == nil || !strings.Contains(out, "InsufficientCapabilities") || !strings.Contains(out, "CAPABILITY_IAM") {
		t.Fatalf("deploy without CAPABILITY_IAM: %v\n%s", err, out)
	}

	out = mustAWS("cloudformation", "deploy", "--stack-name", "cli", "--template-file", tmpl, "--capabilities", "CAPABILITY_IAM")
	if !strings.Contains(out, "Successfully created/updated stack - cli") {
		t.Fatalf("deploy: %s", out)
	}
	if got := answer(); got != `"hello"` {
		t.Fatalf("the function answered %s", got)
	}

	out = mustAWS("cloudformation", "deploy", "--stack-name", "cli", "--template-file", tmpl, "--capabilities", "CAPABILITY_IAM",
		"--parameter-overrides", "Greeting=bonjour")
	if !strings.Contains(out, "Successfully created/updated stack - cli") {
		t.Fatalf("update: %s", out)
	}
	if got := answer(); got != `"bonjour"` {
		t.Fatalf("after the update the function answered %s", got)
	}

	out = mustAWS("cloudformation", "deploy", "--stack-name", "cli", "--template-file", tmpl, "--capabilities", "CAPABILITY_IAM",
		"--no-fail-on-empty-changeset")
	if !strings.Contains(out, "No changes to deploy") {
		t.Fatalf("deploy with nothing to change: %s", out)
	}
	if got := answer(); got != `"bonjour"` {
		t.Fatalf("the previous parameter value was not kept: %s", got)
	}
	fn := strings.TrimSpace(mustAWS("cloudformation", "describe-stack-resource", "--stack-name", "cli", "--logical-resource-id", "Fn",
		"--query", "StackResourceDetail.PhysicalResourceId", "--output", "text"))

	mustAWS("cloudformation", "delete-stack", "--stack-name", "cli")
	mustAWS("cloudformation", "wait", "stack-delete-complete", "--stack-name", "cli")
	_, err = lc.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(fn)})
	var nf *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("the function after delete-stack: %v", err)
	}
}

// TestCloudFormationAPICreateStackSAMInline: CreateStack (aws-sdk-go-v2)
// of a SAM template with inline code: its transform and the role it makes
// need CAPABILITY_AUTO_EXPAND and CAPABILITY_IAM as on AWS; acknowledged,
// the stack is created, the function answers, and DeleteStack removes it.
func TestCloudFormationAPICreateStackSAMInline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	url := p.EndpointURL()
	ctx := context.Background()
	c := cloudformation.New(cloudformation.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(DefaultAccessKey, DefaultSecretKey, "")})
	tmpl := `Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            return "inline"
Outputs:
  Name: {Value: !Ref Hello}
`
	in := &cloudformation.CreateStackInput{StackName: aws.String("sam"), TemplateBody: aws.String(tmpl)}
	_, err := c.CreateStack(ctx, in)
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "InsufficientCapabilitiesException" || ae.ErrorMessage() != "Requires capabilities : [CAPABILITY_IAM, CAPABILITY_AUTO_EXPAND]" {
		t.Fatalf("CreateStack without capabilities: %v", err)
	}
	in.Capabilities = []cfntypes.Capability{cfntypes.CapabilityCapabilityIam, cfntypes.CapabilityCapabilityAutoExpand}
	if _, err := c.CreateStack(ctx, in); err != nil {
		t.Fatal(err)
	}
	created := cloudformation.NewStackCreateCompleteWaiter(c, func(o *cloudformation.StackCreateCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, 500*time.Millisecond
	})
	if err := created.Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("sam")}, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	out, err := c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("sam")})
	if err != nil || len(out.Stacks) != 1 || len(out.Stacks[0].Outputs) != 1 {
		t.Fatalf("DescribeStacks: %v %+v", err, out)
	}
	name := aws.ToString(out.Stacks[0].Outputs[0].OutputValue)
	if got := invokeString(t, lambdaClientFor(url), name, `{}`); got != `"inline"` {
		t.Fatalf("the function answered %s", got)
	}
	if _, err := c.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("sam")}); err != nil {
		t.Fatal(err)
	}
	deleted := cloudformation.NewStackDeleteCompleteWaiter(c, func(o *cloudformation.StackDeleteCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, 500*time.Millisecond
	})
	if err := deleted.Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("sam")}, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	_, err = lambdaClientFor(url).GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	var nf *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("the function after DeleteStack: %v", err)
	}
}

// TestCloudFormationAPICreateStackNeedsPassRole: the work CreateStack
// queues runs with the caller's permissions, as the request would: a role
// session without iam:PassRole on a function's role gets a stack that
// rolls back, naming the action.
func TestCloudFormationAPICreateStackNeedsPassRole(t *testing.T) {
	p := startPlatform(t, Options{})
	root := clientsFor(p.EndpointURL())
	ctx := context.Background()
	fnRole := root.role(t, "fn-role", lambdaTrust)
	deployer := root.role(t, "deployer", lambdaTrust)
	if _, err := root.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("deployer"), PolicyName: aws.String("deploy"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["cloudformation:*","lambda:*"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	keys, err := p.Keys.Issue(iam.SessionPrincipal(deployer, "ci"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c := cloudformation.New(cloudformation.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.EndpointURL()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(keys.AccessKeyID, keys.SecretAccessKey, keys.SessionToken)})
	template := `Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: nodejs20.x
      Handler: index.handler
      Role: ` + fnRole + `
      Code: {ZipFile: "exports.handler = async () => 1;"}
`
	if _, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("app"), TemplateBody: aws.String(template)}); err != nil {
		t.Fatal(err)
	}
	w := cloudformation.NewStackCreateCompleteWaiter(c, func(o *cloudformation.StackCreateCompleteWaiterOptions) {
		o.MinDelay, o.MaxDelay = 50*time.Millisecond, 500*time.Millisecond
	})
	if err := w.Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("app")}, time.Minute); err == nil {
		t.Fatal("created without iam:PassRole")
	}
	out, err := c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("app")})
	if err != nil || len(out.Stacks) != 1 {
		t.Fatal(err)
	}
	st := out.Stacks[0]
	if want := "is not authorized to perform: iam:PassRole on resource: " + fnRole; st.StackStatus != cfntypes.StackStatusRollbackComplete ||
		!strings.Contains(aws.ToString(st.StackStatusReason), want) {
		t.Fatalf("without iam:PassRole: %s %q, want ROLLBACK_COMPLETE naming %q", st.StackStatus, aws.ToString(st.StackStatusReason), want)
	}
}
