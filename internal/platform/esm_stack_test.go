package platform

import (
	"context"
	"os/exec"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/stacks"
	"github.com/nubo-run/nubo/internal/stacks/stackstest"
)

const esmSAMTemplate = `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Batch: {Type: Number, Default: 5}
Resources:
  Seen:
    Type: AWS::SQS::Queue
    Properties: {QueueName: sam-seen}
  Jobs:
    Type: AWS::SQS::Queue
    Properties: {QueueName: sam-jobs}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Environment: {Variables: {SEEN_URL: !Ref Seen}}
      Policies:
        - SQSSendMessagePolicy: {QueueName: !GetAtt Seen.QueueName}
      InlineCode: |
        import json, os, boto3
        sqs = boto3.client('sqs')
        def handler(event, context):
            for r in event['Records']:
                sqs.send_message(QueueUrl=os.environ['SEEN_URL'], MessageBody=json.dumps({'body': r['body'], 'batch': len(event['Records']), 'source': r['eventSource'], 'arn': r['eventSourceARN']}))
      Events:
        FromJobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            BatchSize: !Ref Batch
            FunctionResponseTypes: [ReportBatchItemFailures]
Outputs:
  Mapping: {Value: !Ref WorkerFromJobs}
`

// TestEventSourceMappingSAM deploys a SAM function with an SQS event
// through a real stack: the translator's AWS::Lambda::EventSourceMapping
// and role (AWSLambdaSQSQueueExecutionRole) let the queue feed the
// function; an update changes the mapping in place; deleting the stack
// deletes the mapping.
func TestEventSourceMappingSAM(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	p := startPlatform(t, Options{})
	ctx := context.Background()
	deploy := func(params map[string]string) *stacks.DeployResult {
		t.Helper()
		res, err := p.Stacks.Deploy(ctx, stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "esm", Template: esmSAMTemplate, Parameters: params}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := deploy(nil)
	uuid := res.Outputs["Mapping"]
	lc, qc := lambdaClientFor(p.EndpointURL()), sqsClientFor(p.EndpointURL())
	m, err := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	if err != nil || aws.ToInt32(m.BatchSize) != 5 || aws.ToString(m.EventSourceArn) != "arn:aws:sqs:us-east-1:000000000000:sam-jobs" || aws.ToString(m.State) != "Enabled" {
		t.Fatalf("mapping %q = %+v, %v", uuid, m, err)
	}
	jobs, err := qc.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("sam-jobs")})
	if err != nil {
		t.Fatal(err)
	}
	seen, err := qc.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("sam-seen")})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"a", "b", "c"} {
		if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: jobs.QueueUrl, MessageBody: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]bool{}
	for _, r := range drainSeen(t, qc, aws.ToString(seen.QueueUrl), func(s []seenRecord) bool { return len(s) >= 3 }) {
		if r.Source != "aws:sqs" || r.Arn != "arn:aws:sqs:us-east-1:000000000000:sam-jobs" {
			t.Errorf("record = %+v", r)
		}
		got[r.Body] = true
	}
	if len(got) != 3 {
		t.Fatalf("bodies seen: %v", got)
	}

	res = deploy(map[string]string{"Batch": "7"})
	if res.Outputs["Mapping"] != uuid {
		t.Fatalf("the update replaced the mapping: %s -> %s", uuid, res.Outputs["Mapping"])
	}
	if m, err := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)}); err != nil || aws.ToInt32(m.BatchSize) != 7 {
		t.Fatalf("after update: %+v, %v", m, err)
	}
	if _, err := p.Stacks.Destroy(ctx, stacks.DestroyRequest{Stack: "esm", AllowDataLoss: true}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)}); err == nil {
		t.Fatal("the mapping outlived its stack")
	}
}

// TestEventSourceMappingProviderContract runs the provider contract on
// AWS::Lambda::EventSourceMapping.
func TestEventSourceMappingProviderContract(t *testing.T) {
	p := startPlatform(t, Options{})
	ctx := context.Background()
	createQueue(t, sqsClientFor(p.EndpointURL()), "contract-q", nil)
	role := lambdaRole(t, p.EndpointURL(), "esm-contract")
	if _, err := clientsFor(p.EndpointURL()).iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("esm-contract"),
		PolicyName: aws.String("sqs"), PolicyDocument: aws.String(allowDoc("Allow", "sqs:*", "*"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := lambdaClientFor(p.EndpointURL()).CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("contract-esm"),
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"), Role: aws.String(role),
		Code: &lambdatypes.FunctionCode{ZipFile: pyZip(t, "def handler(e, c):\n    return e\n")}}); err != nil {
		t.Fatal(err)
	}
	stackstest.RunProviderContract(t, functions.NewEventSourceMappingProvider(p.EventSources),
		stacks.Props{"FunctionName": "contract-esm", "EventSourceArn": "arn:aws:sqs:us-east-1:000000000000:contract-q", "BatchSize": float64(5), "Enabled": false},
		stacks.Props{"FunctionName": "contract-esm", "EventSourceArn": "arn:aws:sqs:us-east-1:000000000000:contract-q", "BatchSize": float64(8), "Enabled": false,
			"FunctionResponseTypes": []any{"ReportBatchItemFailures"}})
}
