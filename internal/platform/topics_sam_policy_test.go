package platform

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestSNSPublishPolicyTemplate: a function with SAM's
// SNSPublishMessagePolicy publishes to its topic with boto3 (botocore's
// query serializer and XML parsing), and is denied another topic: the
// policy template is enforced by IAM. The message reaches a subscribed
// function.
func TestSNSPublishPolicyTemplate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		t.Skip("python3 with boto3 is not installed")
	}
	p := startPlatform(t, Options{})
	dir := t.TempDir()
	tmpl := `Transform: AWS::Serverless-2016-10-31
Resources:
  Events:
    Type: AWS::SNS::Topic
    Properties: {TopicName: events}
  Other:
    Type: AWS::SNS::Topic
    Properties: {TopicName: other}
  Publisher:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: publisher
      Runtime: python3.12
      Handler: index.handler
      Policies:
        - SNSPublishMessagePolicy: {TopicName: !GetAtt Events.TopicName}
      InlineCode: |
        import boto3
        def handler(event, context):
            sns = boto3.client('sns')
            out = sns.publish(TopicArn=event['ok'], Message='from a function', MessageAttributes={'n': {'DataType': 'Number', 'StringValue': '7'}})
            try:
                sns.publish(TopicArn=event['denied'], Message='x')
                denied = 'allowed'
            except Exception as e:
                denied = e.response['Error']['Code']
            return {'id': out['MessageId'], 'denied': denied}
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: reader
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        def handler(event, context):
            r = event['Records'][0]['Sns']
            print('READ %s %s' % (r['Message'], r['MessageAttributes']['n']['Value']))
      Events:
        All:
          Type: SNS
          Properties: {Topic: !Ref Events}
`
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	deployStack(t, p, dir, nil)
	got := invokeString(t, lambdaClientFor(p.EndpointURL()), "publisher",
		`{"ok":"arn:aws:sns:us-east-1:000000000000:events","denied":"arn:aws:sns:us-east-1:000000000000:other"}`)
	if !strings.Contains(got, `"denied": "AuthorizationError"`) || !strings.Contains(got, `"id": "`) {
		t.Fatalf("publisher answered %s", got)
	}
	waitUntil(t, "the reader's line", 60*time.Second, func() bool {
		return countLines(t, p, "reader", "READ from a function 7") == 1
	})
}
