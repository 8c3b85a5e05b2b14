package platform

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// TestSubscriptionFilterDeliversToAFunction: a subscription filter on a
// function's log group delivers the lines that match to another, real
// function, which decodes awslogs.data (base64, gzip, JSON) as a
// function subscribed on AWS does.
func TestSubscriptionFilterDeliversToAFunction(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	url := "http://" + p.EdgeAddr()
	ctx := context.Background()
	dir := t.TempDir()
	tmpl := `Transform: AWS::Serverless-2016-10-31
Resources:
  Talker:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: talker
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(event, context):\n    print('ERROR disk full')\n    print('all is well')\n    return 'ok'\n"
  Sink:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: sink
      Runtime: python3.12
      Handler: index.handler
      InlineCode: |
        import base64, gzip, json
        def handler(event, context):
            msg = json.loads(gzip.decompress(base64.b64decode(event['awslogs']['data'])))
            for e in msg['logEvents']:
                print('GOT %s %s %s %s' % (msg['messageType'], msg['logGroup'], ','.join(msg['subscriptionFilters']), e['message'].strip()))
`
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	deployStack(t, p, dir, nil)
	cw := cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	if _, err := cw.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: aws.String("/aws/lambda/talker"),
		FilterName: aws.String("errors"), FilterPattern: aws.String("ERROR"),
		DestinationArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:sink")}); err != nil {
		t.Fatal(err)
	}
	if got := invokeString(t, lambdaClientFor(url), "talker", `{}`); got != `"ok"` {
		t.Fatalf("talker answered %s", got)
	}
	waitUntil(t, "the sink's line", 30*time.Second, func() bool {
		return countLines(t, p, "sink", "GOT DATA_MESSAGE /aws/lambda/talker errors ERROR disk full") == 1
	})
	if n := countLines(t, p, "sink", "all is well"); n != 0 {
		t.Errorf("a line the pattern does not match was delivered (%d)", n)
	}
}
