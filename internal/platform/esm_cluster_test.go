package platform

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// TestEventSourceMappingOnEveryNode: two nodes on one backbone both poll a
// mapping created on one of them; the queue's messages reach the function
// once each; Enabled=false set on the other node stops the pollers on
// both, and a message sent then stays in the queue.
func TestEventSourceMappingOnEveryNode(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	url := backbonetest.Server(t)
	a := startPlatform(t, Options{NATSURL: url})
	b := startPlatform(t, Options{NATSURL: url})
	ctx := context.Background()
	lc, qc := lambdaClientFor(a.EndpointURL()), sqsClientFor(a.EndpointURL())
	workURL := createQueue(t, qc, "nodes-work", nil)
	seenURL := createQueue(t, qc, "nodes-seen", nil)
	role := lambdaRole(t, a.EndpointURL(), "nodes-role")
	if _, err := clientsFor(a.EndpointURL()).iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("nodes-role"),
		PolicyName: aws.String("sqs"), PolicyDocument: aws.String(allowDoc("Allow", "sqs:*", "*"))}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("nodes-consumer"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"),
		Role: aws.String(role), Timeout: aws.Int32(30), Code: &lambdatypes.FunctionCode{ZipFile: pyZip(t, esmHandler)},
		Environment: &lambdatypes.Environment{Variables: map[string]string{"SEEN_URL": seenURL}},
	}); err != nil {
		t.Fatal(err)
	}
	m, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("nodes-consumer"),
		EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:nodes-work"), BatchSize: aws.Int32(1)})
	if err != nil {
		t.Fatal(err)
	}
	uuid := aws.ToString(m.UUID)
	waitUntil(t, "both nodes poll the mapping", 20*time.Second, func() bool {
		return a.EventSources.Pollers(uuid) > 0 && b.EventSources.Pollers(uuid) > 0
	})
	const n = 6
	for i := range n {
		if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(workURL), MessageBody: aws.String("m" + string(rune('0'+i)))}); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int{}
	for _, r := range drainSeen(t, qc, seenURL, func(s []seenRecord) bool { return len(s) >= n }) {
		got[r.Body]++
	}
	if len(got) != n {
		t.Fatalf("bodies seen: %v", got)
	}

	if _, err := lambdaClientFor(b.EndpointURL()).UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid), Enabled: aws.Bool(false)}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "every node stops polling", 10*time.Second, func() bool {
		return a.EventSources.Pollers(uuid) == 0 && b.EventSources.Pollers(uuid) == 0
	})
	if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(workURL), MessageBody: aws.String("paused")}); err != nil {
		t.Fatal(err)
	}
	if ms := receiveN(t, qc, workURL, sqs.ReceiveMessageInput{WaitTimeSeconds: 5}); len(ms) != 1 || aws.ToString(ms[0].Body) != "paused" {
		t.Fatalf("paused mapping: the queue holds %+v", ms)
	}
}
