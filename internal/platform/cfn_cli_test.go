package platform

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
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
