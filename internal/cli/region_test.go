package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/smithy-go"
)

// TestDeployInARegionAndReset: `nubo deploy --region` creates the stack's
// resources in that region only; `nubo reset ssm` drops them, and `nubo
// reset` refuses a service nubo does not have.
func TestDeployInARegionAndReset(t *testing.T) {
	p := serveInProcess(t)
	dir := t.TempDir()
	tpl := filepath.Join(dir, "template.yaml")
	if err := os.WriteFile(tpl, []byte(`Resources:
  P:
    Type: AWS::SSM::Parameter
    Properties: {Name: /cli/region, Type: String, Value: here}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (int, string) {
		var out bytes.Buffer
		code := Run(context.Background(), args, &out, &out)
		return code, out.String()
	}
	if code, out := run("deploy", tpl, "--stack", "regional", "--region", "eu-west-1", "--yes"); code != 0 {
		t.Fatalf("deploy: %d %s", code, out)
	}
	client := func(region string) *ssm.Client {
		return ssm.New(ssm.Options{Region: region, BaseEndpoint: aws.String(p.EndpointURL()), RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	}
	got, err := client("eu-west-1").GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/cli/region")})
	if err != nil || !strings.Contains(aws.ToString(got.Parameter.ARN), ":eu-west-1:") {
		t.Fatalf("the stack's parameter in eu-west-1: %v %v", got, err)
	}
	notFound := func(region string) bool {
		_, err := client(region).GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/cli/region")})
		var ae smithy.APIError
		return errors.As(err, &ae) && ae.ErrorCode() == "ParameterNotFound"
	}
	if !notFound("us-east-1") {
		t.Error("the stack's parameter is in us-east-1 too")
	}
	if code, out := run("stacks"); code != 0 || strings.Contains(out, "regional") {
		t.Errorf("us-east-1's stacks list eu-west-1's stack: %d %s", code, out)
	}
	// The CloudFormation API is regional too.
	cfn := func(region string) *cloudformation.Client {
		return cloudformation.New(cloudformation.Options{Region: region, BaseEndpoint: aws.String(p.EndpointURL()), RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	}
	st, err := cfn("eu-west-1").DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String("regional")})
	if err != nil || len(st.Stacks) != 1 || !strings.HasPrefix(aws.ToString(st.Stacks[0].StackId), "arn:aws:cloudformation:eu-west-1:") {
		t.Errorf("DescribeStacks in eu-west-1: %+v %v", st, err)
	}
	if _, err := cfn("us-east-1").DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String("regional")}); err == nil {
		t.Error("us-east-1's CloudFormation describes eu-west-1's stack")
	}

	if code, out := run("reset", "s3"); code == 0 || !strings.Contains(out, "lambda") {
		t.Errorf("reset s3: %d %s", code, out)
	}
	if code, out := run("reset", "ssm"); code != 0 || !strings.Contains(out, "Reset ssm") {
		t.Fatalf("reset ssm: %d %s", code, out)
	}
	if !notFound("eu-west-1") {
		t.Error("the parameter survived nubo reset ssm")
	}
}
