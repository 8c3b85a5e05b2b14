package platform

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/nubo-run/nubo/internal/queues"
	"github.com/nubo-run/nubo/internal/stacks"
)

const queueStackTemplate = `
Nubo: {Class: stateful}
Parameters:
  Name: {Type: String, Default: jobs}
Resources:
  Dead:
    Type: AWS::SQS::Queue
    Properties:
      MessageRetentionPeriod: 1209600
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Ref Name
      VisibilityTimeout: 60
      DelaySeconds: "0"
      RedrivePolicy:
        deadLetterTargetArn: !GetAtt Dead.Arn
        maxReceiveCount: 3
      Tags: [{Key: team, Value: pay}]
  Policy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Jobs]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: sns.amazonaws.com}
            Action: sqs:SendMessage
            Resource: !GetAtt Jobs.Arn
            Condition: {ArnEquals: {"aws:SourceArn": "arn:aws:sns:us-east-1:000000000000:payments"}}
Outputs:
  Url: {Value: !Ref Jobs}
  Arn: {Value: !GetAtt Jobs.Arn}
  QueueName: {Value: !GetAtt Jobs.QueueName}
  QueueUrl: {Value: !GetAtt Jobs.QueueUrl}
  Dead: {Value: !GetAtt Dead.QueueName}
`

// TestSQSStack: AWS::SQS::Queue (properties as attributes, Ref the URL,
// GetAtt Arn/QueueName/QueueUrl, a generated name) and AWS::SQS::QueuePolicy
// (enforced on a service's sends through Sender); the queue is stateful: a
// replacement in a stateful stack needs --allow-data-loss.
func TestSQSStack(t *testing.T) {
	p := startPlatform(t, Options{})
	ctx := context.Background()
	deploy := func(params map[string]string, allow bool) (*stacks.DeployResult, error) {
		return p.Stacks.Deploy(ctx, stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "q", Template: queueStackTemplate,
			Parameters: params, AllowDataLoss: allow}}, nil)
	}
	res, err := deploy(nil, false)
	if err != nil {
		t.Fatal(err)
	}
	o := res.Outputs
	if o["QueueName"] != "jobs" || o["Arn"] != "arn:aws:sqs:us-east-1:000000000000:jobs" || !strings.HasSuffix(o["Url"], "/000000000000/jobs") || o["QueueUrl"] != o["Url"] {
		t.Fatalf("outputs = %v", o)
	}
	if !strings.HasPrefix(o["Dead"], "q-Dead-") {
		t.Fatalf("generated name = %q", o["Dead"])
	}
	c := sqsClientFor(p.EndpointURL())
	url, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("jobs")})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Attributes["VisibilityTimeout"] != "60" || !strings.Contains(a.Attributes["RedrivePolicy"], o["Dead"]) || !strings.Contains(a.Attributes["Policy"], "sns.amazonaws.com") {
		t.Fatalf("attributes = %v", a.Attributes)
	}
	msg := queues.Outgoing{Body: "paid"}
	if _, err := p.Queues.SendFrom(ctx, queues.Source{Principal: "sns.amazonaws.com", ARN: "arn:aws:sns:us-east-1:000000000000:payments"}, o["Arn"], msg); err != nil {
		t.Fatalf("a send the queue policy allows: %v", err)
	}
	if _, err := p.Queues.SendFrom(ctx, queues.Source{Principal: "sns.amazonaws.com", ARN: "arn:aws:sns:us-east-1:000000000000:other"}, o["Arn"], msg); err == nil {
		t.Fatal("a send from a topic the queue policy does not name was allowed")
	}
	if _, err := p.Queues.SendFrom(ctx, queues.Source{Principal: "events.amazonaws.com"}, o["Arn"], msg); err == nil {
		t.Fatal("a send from a service the queue policy does not name was allowed")
	}
	// Renaming replaces the queue: its messages would be lost.
	if _, err := deploy(map[string]string{"Name": "jobs2"}, false); err == nil || !strings.Contains(err.Error(), "allow-data-loss") {
		t.Fatalf("replacing a queue in a stateful stack: %v", err)
	}
	if _, err := deploy(map[string]string{"Name": "jobs2"}, true); err != nil {
		t.Fatalf("with --allow-data-loss: %v", err)
	}
	if _, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("jobs2")}); err != nil {
		t.Fatal(err)
	}
	arn2 := "arn:aws:sqs:us-east-1:000000000000:jobs2"
	if _, err := p.Queues.SendFrom(ctx, queues.Source{Principal: "sns.amazonaws.com", ARN: "arn:aws:sns:us-east-1:000000000000:payments"}, arn2, msg); err != nil {
		t.Fatalf("the policy did not follow the replaced queue: %v", err)
	}
	// Without the QueuePolicy resource, the queue has no policy left.
	noPolicy := strings.Replace(queueStackTemplate, "  Policy:\n    Type: AWS::SQS::QueuePolicy", "  Policy:\n    Condition: Never\n    Type: AWS::SQS::QueuePolicy", 1)
	noPolicy = strings.Replace(noPolicy, "Resources:", "Conditions:\n  Never: !Equals [a, b]\nResources:", 1)
	if _, err := p.Stacks.Deploy(ctx, stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "q", Template: noPolicy,
		Parameters: map[string]string{"Name": "jobs2"}}}, nil); err != nil {
		t.Fatal(err)
	}
	url2, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("jobs2")})
	if err != nil {
		t.Fatal(err)
	}
	a, err = c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url2.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{"Policy"}})
	if err != nil || a.Attributes["Policy"] != "" {
		t.Fatalf("policy after the QueuePolicy was removed: %v, %v", a, err)
	}
	if _, err := p.Queues.SendFrom(ctx, queues.Source{Principal: "sns.amazonaws.com", ARN: "arn:aws:sns:us-east-1:000000000000:payments"}, arn2, msg); err == nil {
		t.Fatal("a service's send was allowed after the queue policy was removed")
	}
}
