package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nubo-run/nubo/internal/stacks"
)

// nubo iam report: a stack's role, the function running as it, the
// permission the function used and the statement it never needed.
func TestIAMReportCommand(t *testing.T) {
	p := server(t)
	ctx := context.Background()
	template := `{"Resources": {"Reporter": {"Type": "AWS::IAM::Role", "Properties": {
		"RoleName": "reporter",
		"AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
		"Policies": [
			{"PolicyName": "used", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:GetFunction", "Resource": {"Fn::Sub": "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:caller"}}]}},
			{"PolicyName": "unused", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": "*"}]}}
		]}}}}`
	if _, err := p.Stacks.Deploy(ctx, stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "app", Template: template}}, func(stacks.Event) {}); err != nil {
		t.Fatal(err)
	}
	c := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.EndpointURL()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("caller"), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::000000000000:role/reporter"), Code: &lambdatypes.FunctionCode{ZipFile: buildProbe(t)},
	}); err != nil {
		t.Fatal(err)
	}
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("caller"), Payload: []byte(`{"id":"r","callBack":"caller"}`)})
	if err != nil || out.FunctionError != nil {
		t.Fatalf("invoke: %v %s", err, out.Payload)
	}

	code, stdout, stderr := run(ctx, "iam", "report", "app")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"role arn:aws:iam::000000000000:role/reporter (functions: caller)",
		"    lambda:GetFunction on arn:aws:lambda:us-east-1:000000000000:function:caller (1 times, last ",
		`    reporter/unused statement 0: {"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*"}`,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "reporter/used") {
		t.Errorf("the used statement is reported unused:\n%s", stdout)
	}

	code, stdout, _ = run(ctx, "iam", "report", "app", "--json")
	var reports []roleReport
	if code != 0 || json.Unmarshal([]byte(stdout), &reports) != nil || len(reports) != 1 || len(reports[0].Usage.Used) != 1 || len(reports[0].Usage.Unused) != 1 {
		t.Fatalf("--json: exit %d, %s", code, stdout)
	}
	if code, _, stderr := run(ctx, "iam", "report", "nope"); code == 0 || !strings.Contains(stderr, "nope") {
		t.Fatalf("report on a missing stack: exit %d, %s", code, stderr)
	}
}

func TestLogDeliveryStatements(t *testing.T) {
	for stmt, want := range map[string]bool{
		`{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}`: true,
		`{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}`:                                                true,
		`{"Effect":"Allow","Action":["logs:PutLogEvents","logs:FilterLogEvents"],"Resource":"*"}`:                       false,
		`{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*"}`:                                                 false,
		`{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}`:                                                         false,
		`not json`: false,
	} {
		if got := logDelivery(json.RawMessage(stmt)); got != want {
			t.Errorf("logDelivery(%s) = %v, want %v", stmt, got, want)
		}
	}
}
