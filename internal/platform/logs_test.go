package platform

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/nats-io/nats.go/jetstream"
)

// TestLogGroupRetentionThroughTheStack: an AWS::Logs::LogGroup deployed
// with a stack sets the retention of the lines its function writes (the
// logs context's store, written to by the instance pool), and the Logs API
// reports it.
func TestLogGroupRetentionThroughTheStack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	url := "http://" + p.EdgeAddr()
	ctx := context.Background()
	dir := t.TempDir()
	tmpl := `Transform: AWS::Serverless-2016-10-31
Resources:
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /aws/lambda/kept
      RetentionInDays: 3
  Fn:
    Type: AWS::Serverless::Function
    DependsOn: Logs
    Properties:
      FunctionName: kept
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(event, context):\n    print('kept three days')\n    return 'ok'\n"
Outputs:
  Group: {Value: !Ref Logs}
  GroupArn: {Value: !GetAtt Logs.Arn}
`
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	_, res := deployStack(t, p, dir, nil)
	if res.Outputs["Group"] != "/aws/lambda/kept" || res.Outputs["GroupArn"] != "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/kept:*" {
		t.Fatalf("outputs %v", res.Outputs)
	}
	if got := invokeString(t, lambdaClientFor(url), "kept", `{}`); got != `"ok"` {
		t.Fatalf("answered %s", got)
	}
	waitUntil(t, "the function's line", 20*time.Second, func() bool { return countLines(t, p, "kept", "kept three days") == 1 })

	// The store's messages (stream NUBO_FN_LOGS, a subject per function)
	// carry the group's retention as their TTL.
	s, err := p.Backbone.JetStream().Stream(ctx, "NUBO_FN_LOGS")
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.GetLastMsgForSubject(ctx, "nubo.fn.logs.kept")
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Header.Get(jetstream.MsgTTLHeader); got != "259200" {
		t.Fatalf("TTL of the function's lines = %q, want 259200 (3 days)", got)
	}

	cw := cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	groups, err := cw.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/kept")})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups.LogGroups) != 1 || aws.ToInt32(groups.LogGroups[0].RetentionInDays) != 3 {
		t.Fatalf("DescribeLogGroups: %+v", groups.LogGroups)
	}
	out, err := cw.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/kept"), FilterPattern: aws.String("three")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 1 || !strings.Contains(aws.ToString(out.Events[0].Message), "kept three days") {
		t.Fatalf("FilterLogEvents: %+v", out.Events)
	}
}
