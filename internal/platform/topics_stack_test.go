package platform

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

const topicStackTemplate = `Transform: AWS::Serverless-2016-10-31
Resources:
  Payments:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: payments
      DisplayName: Payments
      Subscription:
        - Protocol: sqs
          Endpoint: !GetAtt Inbox.Arn
      Tags: [{Key: team, Value: pay}]
  Inbox:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: inbox
  InboxPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Inbox]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: sns.amazonaws.com}
            Action: sqs:SendMessage
            Resource: !GetAtt Inbox.Arn
            Condition: {ArnEquals: {"aws:SourceArn": !Ref Payments}}
  Audit:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: audit
  AuditPolicy:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: [!Ref Audit]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {Service: sns.amazonaws.com}
            Action: sqs:SendMessage
            Resource: !GetAtt Audit.Arn
  AuditSubscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Payments
      Protocol: sqs
      Endpoint: !GetAtt Audit.Arn
      RawMessageDelivery: true
      FilterPolicyScope: MessageBody
      FilterPolicy: {amount: [{numeric: [">=", 100]}]}
  PaymentsPolicy:
    Type: AWS::SNS::TopicPolicy
    Properties:
      Topics: [!Ref Payments]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: {AWS: "000000000000"}
            Action: sns:Publish
            Resource: !Ref Payments
  Subscriber:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: subscriber
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            for r in event['Records']:
                print('GOT %s %s %s' % (r['EventSource'], r['Sns']['Message'], r['Sns']['MessageAttributes']['kind']['Value']))
      Events:
        Paid:
          Type: SNS
          Properties:
            Topic: !Ref Payments
            FilterPolicy: {kind: [paid]}
Outputs:
  TopicArn: {Value: !Ref Payments}
  TopicName: {Value: !GetAtt Payments.TopicName}
`

// TestSNSStack: AWS::SNS::Topic with a Subscription property,
// AWS::SNS::Subscription (raw, body-scope filter), AWS::SNS::TopicPolicy
// (stored as the topic's Policy) and a SAM function's SNS event deploy, and
// a publish reaches the queues and the real function as they filter.
func TestSNSStack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(topicStackTemplate), 0o644); err != nil {
		t.Fatal(err)
	}
	_, res := deployStack(t, p, dir, nil)
	topic := "arn:aws:sns:us-east-1:000000000000:payments"
	if res.Outputs["TopicArn"] != topic || res.Outputs["TopicName"] != "payments" {
		t.Fatalf("outputs = %v", res.Outputs)
	}
	c := snsClientFor(p.EndpointURL())
	q := sqsClientFor(p.EndpointURL())
	ctx := context.Background()
	attrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	if err != nil {
		t.Fatal(err)
	}
	if attrs.Attributes["SubscriptionsConfirmed"] != "3" || attrs.Attributes["DisplayName"] != "Payments" {
		t.Errorf("topic attributes = %v", attrs.Attributes)
	}
	var pol struct{ Statement []struct{ Action string } }
	if err := json.Unmarshal([]byte(attrs.Attributes["Policy"]), &pol); err != nil || len(pol.Statement) != 1 || pol.Statement[0].Action != "sns:Publish" {
		t.Errorf("topic policy = %s (%v)", attrs.Attributes["Policy"], err)
	}
	for _, m := range []struct{ body, kind string }{{`{"amount":150}`, "paid"}, {`{"amount":5}`, "refund"}} {
		if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(m.body),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{"kind": {DataType: aws.String("String"), StringValue: aws.String(m.kind)}}}); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	waitUntil(t, "the subscriber's line", 60*time.Second, func() bool {
		return countLines(t, p, "subscriber", `GOT aws:sns {"amount":150} paid`) == 1
	})
	inbox := receiveAll(t, q, p.EndpointURL()+"/000000000000/inbox", 2)
	if len(inbox) != 2 {
		t.Errorf("inbox got %d messages, want 2", len(inbox))
	}
	audit := receiveAll(t, q, p.EndpointURL()+"/000000000000/audit", 1)
	if len(audit) != 1 || aws.ToString(audit[0].Body) != `{"amount":150}` {
		t.Errorf("audit got %d messages", len(audit))
	}
	if n := countLines(t, p, "subscriber", "GOT aws:sns"); n != 1 {
		t.Errorf("subscriber got %d messages, want 1 (the filter policy)", n)
	}
}

// TestSNSStackHTTPSubscription: an http subscription a stack creates is
// sent its SubscriptionConfirmation, and visiting SubscribeURL confirms it.
func TestSNSStackHTTPSubscription(t *testing.T) {
	p := startPlatform(t, Options{})
	confirmed := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]string
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil || m["Type"] != "SubscriptionConfirmation" {
			return
		}
		resp, err := http.Get(m["SubscribeURL"])
		if err == nil {
			resp.Body.Close()
		}
		confirmed <- err
	}))
	defer srv.Close()
	dir := t.TempDir()
	tmpl := `Resources:
  Hooks:
    Type: AWS::SNS::Topic
    Properties: {TopicName: hooks}
  Hook:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Hooks
      Protocol: http
      Endpoint: ` + srv.URL + `/in
`
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	deployStack(t, p, dir, nil)
	select {
	case err := <-confirmed:
		if err != nil {
			t.Fatalf("visit SubscribeURL: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no SubscriptionConfirmation within 10 s")
	}
	attrs, err := snsClientFor(p.EndpointURL()).GetTopicAttributes(context.Background(), &sns.GetTopicAttributesInput{TopicArn: aws.String("arn:aws:sns:us-east-1:000000000000:hooks")})
	if err != nil || attrs.Attributes["SubscriptionsConfirmed"] != "1" || attrs.Attributes["SubscriptionsPending"] != "0" {
		t.Fatalf("topic attributes = %v, %v", attrs, err)
	}
}
