package platform

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// esmHandler forwards what it sees of each record to the queue SEEN_URL
// and fails the records whose body starts with "fail"
// (ReportBatchItemFailures).
const esmHandler = `import json, os, boto3
sqs = boto3.client('sqs')
def handler(event, context):
    fails = []
    for r in event['Records']:
        sqs.send_message(QueueUrl=os.environ['SEEN_URL'], MessageBody=json.dumps({
            'body': r['body'], 'batch': len(event['Records']), 'source': r['eventSource'], 'arn': r['eventSourceARN'],
            'region': r['awsRegion'], 'count': r['attributes']['ApproximateReceiveCount'], 'md5': r['md5OfBody'],
            'sent': r['attributes'].get('SentTimestamp', ''), 'color': r['messageAttributes'].get('color', {}).get('stringValue', '')}))
        if r['body'].startswith('fail'):
            fails.append({'itemIdentifier': r['messageId']})
    return {'batchItemFailures': fails}
`

type seenRecord struct {
	Body, Source, Arn, Region, Count, MD5, Sent, Color string
	Batch                                              int
}

// drainSeen reads the seen queue until stop says enough, or fails at the
// deadline.
func drainSeen(t *testing.T, c *sqs.Client, url string, stop func([]seenRecord) bool) []seenRecord {
	t.Helper()
	var seen []seenRecord
	deadline := time.Now().Add(60 * time.Second)
	for !stop(seen) {
		if time.Now().After(deadline) {
			t.Fatalf("seen so far: %+v", seen)
		}
		for _, m := range receiveN(t, c, url, sqs.ReceiveMessageInput{MaxNumberOfMessages: 10, WaitTimeSeconds: 1}) {
			var r seenRecord
			if err := json.Unmarshal([]byte(aws.ToString(m.Body)), &r); err != nil {
				t.Fatalf("seen %s: %v", aws.ToString(m.Body), err)
			}
			seen = append(seen, r)
			if _, err := c.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	return seen
}

// TestEventSourceMappingSQS: the five operations through aws-sdk-go-v2's
// lambda client (the execution role's SQS permissions checked at create,
// filters, paging, errors), then a Python function fed by a queue in
// batches: the SQS event's fields, successful records deleted, a record
// reported in batchItemFailures coming back until maxReceiveCount sends it
// to the dead-letter queue, and Enabled=false pausing the pollers.
func TestEventSourceMappingSQS(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed")
	}
	p := startPlatform(t, Options{})
	url := p.EndpointURL()
	ctx := context.Background()
	lc, qc, ic := lambdaClientFor(url), sqsClientFor(url), clientsFor(url).iam

	deadURL := createQueue(t, qc, "esm-dead", nil)
	workURL := createQueue(t, qc, "esm-work", map[string]string{"VisibilityTimeout": "3",
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:esm-dead","maxReceiveCount":"2"}`})
	seenURL := createQueue(t, qc, "esm-seen", nil)
	createQueue(t, qc, "esm-other", nil)
	createQueue(t, qc, "esm-short", map[string]string{"VisibilityTimeout": "2"})
	workARN, otherARN := "arn:aws:sqs:us-east-1:000000000000:esm-work", "arn:aws:sqs:us-east-1:000000000000:esm-other"

	role := lambdaRole(t, url, "esm-role")
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("consumer"), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"),
		Role: aws.String(role), Timeout: aws.Int32(3), Code: &lambdatypes.FunctionCode{ZipFile: pyZip(t, esmHandler)},
		Environment: &lambdatypes.Environment{Variables: map[string]string{"SEEN_URL": seenURL}},
	}); err != nil {
		t.Fatal(err)
	}

	// The role may not receive from the queue yet.
	_, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("consumer"), EventSourceArn: aws.String(workARN)})
	var ipv *lambdatypes.InvalidParameterValueException
	if !errors.As(err, &ipv) || !strings.Contains(err.Error(), "ReceiveMessage") {
		t.Fatalf("create without SQS permissions: %v", err)
	}
	if _, err := ic.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("esm-role"), PolicyName: aws.String("sqs"),
		PolicyDocument: aws.String(allowDoc("Allow", "sqs:*", "*"))}); err != nil {
		t.Fatal(err)
	}
	for name, in := range map[string]*lambda.CreateEventSourceMappingInput{
		"batch size":  {BatchSize: aws.Int32(10001)},
		"window":      {BatchSize: aws.Int32(50)},
		"concurrency": {ScalingConfig: &lambdatypes.ScalingConfig{MaximumConcurrency: aws.Int32(1)}},
		"filter":      {FilterCriteria: &lambdatypes.FilterCriteria{Filters: []lambdatypes.Filter{{Pattern: aws.String("{")}}}},
		"queue":       {EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:nope")},
		"visibility":  {EventSourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:esm-short")},
	} {
		in.FunctionName = aws.String("consumer")
		if in.EventSourceArn == nil {
			in.EventSourceArn = aws.String(workARN)
		}
		_, err := lc.CreateEventSourceMapping(ctx, in)
		if !errors.As(err, &ipv) {
			t.Errorf("%s: %v, want InvalidParameterValueException", name, err)
		}
		if name == "visibility" && !strings.Contains(err.Error(), "Queue visibility timeout: 2 seconds is less than Function timeout: 3 seconds") {
			t.Errorf("visibility: %v", err)
		}
	}
	var nf *lambdatypes.ResourceNotFoundException
	if _, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("nobody"), EventSourceArn: aws.String(workARN)}); !errors.As(err, &nf) {
		t.Errorf("unknown function: %v", err)
	}

	// A disabled mapping on another queue, for the list's filters and paging.
	other, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("consumer"),
		EventSourceArn: aws.String(otherARN), Enabled: aws.Bool(false)})
	if err != nil {
		t.Fatal(err)
	}
	created, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{
		FunctionName: aws.String("consumer"), EventSourceArn: aws.String(workARN), BatchSize: aws.Int32(10),
		MaximumBatchingWindowInSeconds: aws.Int32(1), FunctionResponseTypes: []lambdatypes.FunctionResponseType{lambdatypes.FunctionResponseTypeReportBatchItemFailures},
		FilterCriteria: &lambdatypes.FilterCriteria{Filters: []lambdatypes.Filter{{Pattern: aws.String(`{"body":[{"anything-but":{"prefix":"skip"}}]}`)}}},
		ScalingConfig:  &lambdatypes.ScalingConfig{MaximumConcurrency: aws.Int32(2)},
	})
	if err != nil {
		t.Fatal(err)
	}
	uuid := aws.ToString(created.UUID)
	if aws.ToString(created.State) != "Creating" || aws.ToString(created.FunctionArn) != "arn:aws:lambda:us-east-1:000000000000:function:consumer" ||
		aws.ToString(created.EventSourceMappingArn) != "arn:aws:lambda:us-east-1:000000000000:event-source-mapping:"+uuid || aws.ToInt32(created.BatchSize) != 10 {
		t.Fatalf("created = %+v", created)
	}
	var conflict *lambdatypes.ResourceConflictException
	if _, err := lc.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("consumer"), EventSourceArn: aws.String(workARN)}); !errors.As(err, &conflict) {
		t.Errorf("second mapping of the same pair: %v", err)
	}
	got, err := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)})
	if err != nil || aws.ToString(got.State) != "Enabled" || got.LastModified == nil || len(got.FunctionResponseTypes) != 1 ||
		aws.ToInt32(got.ScalingConfig.MaximumConcurrency) != 2 || len(got.FilterCriteria.Filters) != 1 {
		t.Fatalf("get = %+v, %v", got, err)
	}
	list := func(in *lambda.ListEventSourceMappingsInput) []string {
		t.Helper()
		var ids []string
		pg := lambda.NewListEventSourceMappingsPaginator(lc, in)
		for pg.HasMorePages() {
			out, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range out.EventSourceMappings {
				ids = append(ids, aws.ToString(m.UUID))
			}
		}
		sort.Strings(ids)
		return ids
	}
	both := []string{uuid, aws.ToString(other.UUID)}
	sort.Strings(both)
	if ids := list(&lambda.ListEventSourceMappingsInput{MaxItems: aws.Int32(1)}); strings.Join(ids, ",") != strings.Join(both, ",") {
		t.Errorf("list paged = %v, want %v", ids, both)
	}
	if ids := list(&lambda.ListEventSourceMappingsInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:000000000000:function:consumer"), EventSourceArn: aws.String(workARN)}); len(ids) != 1 || ids[0] != uuid {
		t.Errorf("list by function and source = %v", ids)
	}
	if ids := list(&lambda.ListEventSourceMappingsInput{FunctionName: aws.String("nobody")}); len(ids) != 0 {
		t.Errorf("list of another function = %v", ids)
	}
	del, err := lc.DeleteEventSourceMapping(ctx, &lambda.DeleteEventSourceMappingInput{UUID: other.UUID})
	if err != nil || aws.ToString(del.State) != "Deleting" {
		t.Fatalf("delete = %+v, %v", del, err)
	}
	if _, err := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: other.UUID}); !errors.As(err, &nf) {
		t.Fatalf("get deleted: %v", err)
	}

	// Six messages, one failing and one filtered out.
	entries := []sqstypes.SendMessageBatchRequestEntry{{Id: aws.String("f"), MessageBody: aws.String("fail-1")},
		{Id: aws.String("s"), MessageBody: aws.String("skip-1")}}
	for i := range 4 {
		entries = append(entries, sqstypes.SendMessageBatchRequestEntry{Id: aws.String("ok" + string(rune('0'+i))), MessageBody: aws.String("ok-" + string(rune('0'+i))),
			MessageAttributes: map[string]sqstypes.MessageAttributeValue{"color": {DataType: aws.String("String"), StringValue: aws.String("blue")}}})
	}
	if out, err := qc.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(workURL), Entries: entries}); err != nil || len(out.Failed) > 0 {
		t.Fatalf("send: %v %v", out, err)
	}
	fails := 0
	seen := drainSeen(t, qc, seenURL, func(s []seenRecord) bool {
		fails, oks := 0, 0
		for _, r := range s {
			if r.Body == "fail-1" {
				fails++
			} else {
				oks++
			}
		}
		return fails == 2 && oks >= 4
	})
	oks := map[string]bool{}
	for _, r := range seen {
		if r.Source != "aws:sqs" || r.Arn != workARN || r.Region != "us-east-1" || r.MD5 == "" || r.Sent == "" || r.Batch < 1 {
			t.Errorf("record = %+v", r)
		}
		switch {
		case strings.HasPrefix(r.Body, "ok-"):
			if r.Color != "blue" || r.Count != "1" {
				t.Errorf("ok record = %+v", r)
			}
			oks[r.Body] = true
		case r.Body == "fail-1":
			fails++
		default:
			t.Errorf("the filter let through %+v", r)
		}
	}
	if fails != 2 {
		t.Errorf("the failed record was seen %d times, want 2 (maxReceiveCount)", fails)
	}
	if len(oks) != 4 {
		t.Errorf("ok records seen: %v", oks)
	}
	// The failed record reaches the dead-letter queue after its second
	// receive; the others are gone from the work queue.
	var dead []sqstypes.Message
	for deadline := time.Now().Add(30 * time.Second); len(dead) == 0 && time.Now().Before(deadline); {
		dead = receiveN(t, qc, deadURL, sqs.ReceiveMessageInput{WaitTimeSeconds: 1})
	}
	if len(dead) != 1 || aws.ToString(dead[0].Body) != "fail-1" {
		t.Fatalf("dead-letter queue: %+v", dead)
	}
	attrs, err := qc.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(workURL), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil || attrs.Attributes["ApproximateNumberOfMessages"] != "0" || attrs.Attributes["ApproximateNumberOfMessagesNotVisible"] != "0" {
		t.Fatalf("work queue after the batch: %v %v", attrs.Attributes, err)
	}

	// Enabled=false: every poller stops, a message sent now stays.
	up, err := lc.UpdateEventSourceMapping(ctx, &lambda.UpdateEventSourceMappingInput{UUID: aws.String(uuid), Enabled: aws.Bool(false)})
	if err != nil || aws.ToString(up.State) != "Disabling" {
		t.Fatalf("disable = %+v, %v", up, err)
	}
	waitUntil(t, "the pollers stop", 10*time.Second, func() bool { return p.EventSources.Pollers(uuid) == 0 })
	if _, err := qc.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(workURL), MessageBody: aws.String("paused")}); err != nil {
		t.Fatal(err)
	}
	if ms := receiveN(t, qc, workURL, sqs.ReceiveMessageInput{WaitTimeSeconds: 5}); len(ms) != 1 || aws.ToString(ms[0].Body) != "paused" {
		t.Fatalf("paused mapping: the queue holds %+v", ms)
	}
	if got, _ := lc.GetEventSourceMapping(ctx, &lambda.GetEventSourceMappingInput{UUID: aws.String(uuid)}); aws.ToString(got.State) != "Disabled" {
		t.Fatalf("state after disable = %s", aws.ToString(got.State))
	}
}
