package platform

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func sqsClientFor(url string) *sqs.Client {
	return sqs.New(sqs.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(DefaultAccessKey, DefaultSecretKey, ""),
	})
}

func createQueue(t *testing.T, c *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl)
}

func receiveN(t *testing.T, c *sqs.Client, url string, in sqs.ReceiveMessageInput) []sqstypes.Message {
	t.Helper()
	in.QueueUrl = aws.String(url)
	out, err := c.ReceiveMessage(context.Background(), &in)
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	return out.Messages
}

// TestSQSQueueLifecycle: create (idempotent with the same attributes,
// QueueNameExists with others), URL, attributes, list with prefix and
// paging, tags, permissions, delete; errors carry the SDK's types.
func TestSQSQueueLifecycle(t *testing.T) {
	p := startPlatform(t, Options{})
	c := sqsClientFor(p.EndpointURL())
	ctx := context.Background()
	url := createQueue(t, c, "orders", map[string]string{"VisibilityTimeout": "45"})
	host := strings.TrimPrefix(p.EndpointURL(), "http://")
	if want := "http://" + host + "/000000000000/orders"; url != want && !strings.HasSuffix(url, "/orders") {
		t.Fatalf("queue url = %s, want %s", url, want)
	}
	if again := createQueue(t, c, "orders", map[string]string{"VisibilityTimeout": "45"}); again != url {
		t.Fatalf("idempotent create gave %s", again)
	}
	_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders"), Attributes: map[string]string{"VisibilityTimeout": "46"}})
	var exists *sqstypes.QueueNameExists
	if !errors.As(err, &exists) {
		t.Fatalf("create with other attributes: %v, want QueueNameExists", err)
	}
	for _, bad := range []map[string]string{{"VisibilityTimeout": "43201"}, {"DelaySeconds": "x"}, {"RedrivePolicy": "{"}} {
		_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad"), Attributes: bad})
		var iv *sqstypes.InvalidAttributeValue
		if !errors.As(err, &iv) {
			t.Errorf("create with %v: %v, want InvalidAttributeValue", bad, err)
		}
	}
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("bad"), Attributes: map[string]string{"Colour": "red"}})
	var in *sqstypes.InvalidAttributeName
	if !errors.As(err, &in) {
		t.Errorf("unknown attribute: %v, want InvalidAttributeName", err)
	}
	got, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("orders")})
	if err != nil || aws.ToString(got.QueueUrl) != url {
		t.Fatalf("GetQueueUrl = %v, %v", got, err)
	}
	_, err = c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("nope")})
	var dne *sqstypes.QueueDoesNotExist
	if !errors.As(err, &dne) || apiCode(err) != "AWS.SimpleQueueService.NonExistentQueue" {
		t.Fatalf("GetQueueUrl of a missing queue: %v (code %q)", err, apiCode(err))
	}
	attrs, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"VisibilityTimeout": "45", "DelaySeconds": "0", "MaximumMessageSize": "262144",
		"MessageRetentionPeriod": "345600", "ApproximateNumberOfMessages": "0", "QueueArn": "arn:aws:sqs:us-east-1:000000000000:orders"} {
		if attrs.Attributes[k] != want {
			t.Errorf("attribute %s = %q, want %q", k, attrs.Attributes[k], want)
		}
	}
	if _, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"DelaySeconds": "5"}}); err != nil {
		t.Fatal(err)
	}
	one, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"DelaySeconds"}})
	if err != nil || len(one.Attributes) != 1 || one.Attributes["DelaySeconds"] != "5" {
		t.Fatalf("one attribute = %v, %v", one, err)
	}
	for i := range 5 {
		createQueue(t, c, fmt.Sprintf("batch-%d", i), nil)
	}
	var pages, seen int
	pg := sqs.NewListQueuesPaginator(c, &sqs.ListQueuesInput{QueueNamePrefix: aws.String("batch-"), MaxResults: aws.Int32(2)})
	for pg.HasMorePages() {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		seen += len(out.QueueUrls)
	}
	if pages != 3 || seen != 5 {
		t.Fatalf("ListQueues pages = %d, urls = %d; want 3, 5", pages, seen)
	}
	if _, err := c.TagQueue(ctx, &sqs.TagQueueInput{QueueUrl: aws.String(url), Tags: map[string]string{"team": "pay", "env": "dev"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagQueue(ctx, &sqs.UntagQueueInput{QueueUrl: aws.String(url), TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(url)})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["team"] != "pay" {
		t.Fatalf("tags = %v, %v", tags, err)
	}
	if _, err := c.AddPermission(ctx, &sqs.AddPermissionInput{QueueUrl: aws.String(url), Label: aws.String("peer"),
		AWSAccountIds: []string{"111122223333"}, Actions: []string{"SendMessage"}}); err != nil {
		t.Fatal(err)
	}
	pol, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"Policy"}})
	if err != nil || !strings.Contains(pol.Attributes["Policy"], "arn:aws:iam::111122223333:root") {
		t.Fatalf("policy after AddPermission = %v, %v", pol, err)
	}
	if _, err := c.RemovePermission(ctx, &sqs.RemovePermissionInput{QueueUrl: aws.String(url), Label: aws.String("peer")}); err != nil {
		t.Fatal(err)
	}
	pol, err = c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"Policy"}})
	if err != nil || pol.Attributes["Policy"] != "" {
		t.Fatalf("policy after RemovePermission = %v, %v", pol, err)
	}
	if _, err := c.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url)})
	if !errors.As(err, &dne) {
		t.Fatalf("attributes of a deleted queue: %v", err)
	}
}

// TestSQSMessages: send (single and batch, with attributes: the SDK checks
// the MD5s), receive with attributes, delete (single and batch), purge, and
// the batch rules.
func TestSQSMessages(t *testing.T) {
	p := startPlatform(t, Options{})
	c := sqsClientFor(p.EndpointURL())
	ctx := context.Background()
	url := createQueue(t, c, "work", nil)
	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("héllo"),
		MessageAttributes: map[string]sqstypes.MessageAttributeValue{
			"kind":  {DataType: aws.String("String"), StringValue: aws.String("greeting")},
			"n":     {DataType: aws.String("Number.int"), StringValue: aws.String("7")},
			"bytes": {DataType: aws.String("Binary"), BinaryValue: []byte{0, 1, 2, 255}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	batch, err := c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []sqstypes.SendMessageBatchRequestEntry{
		{Id: aws.String("a"), MessageBody: aws.String("one")},
		{Id: aws.String("b"), MessageBody: aws.String("two")},
		{Id: aws.String("c"), MessageBody: aws.String("bad\x01char")},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(batch.Successful) != 2 || len(batch.Failed) != 1 || aws.ToString(batch.Failed[0].Id) != "c" || !batch.Failed[0].SenderFault {
		t.Fatalf("batch = %+v", batch)
	}
	msgs := receiveN(t, c, url, sqs.ReceiveMessageInput{MaxNumberOfMessages: 10, MessageAttributeNames: []string{"All"},
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
	if len(msgs) != 3 {
		t.Fatalf("received %d messages, want 3", len(msgs))
	}
	var first *sqstypes.Message
	for i := range msgs {
		if aws.ToString(msgs[i].MessageId) == aws.ToString(sent.MessageId) {
			first = &msgs[i]
		}
	}
	if first == nil || aws.ToString(first.Body) != "héllo" || aws.ToString(first.MD5OfMessageAttributes) != aws.ToString(sent.MD5OfMessageAttributes) {
		t.Fatalf("first message = %+v", first)
	}
	if b := first.MessageAttributes["bytes"].BinaryValue; string(b) != "\x00\x01\x02\xff" {
		t.Fatalf("binary attribute = %v", b)
	}
	if first.Attributes["ApproximateReceiveCount"] != "1" || first.Attributes["SenderId"] == "" || first.Attributes["SentTimestamp"] == "" {
		t.Fatalf("system attributes = %v", first.Attributes)
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: first.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	var entries []sqstypes.DeleteMessageBatchRequestEntry
	for i, m := range msgs {
		if m.ReceiptHandle != first.ReceiptHandle {
			entries = append(entries, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), ReceiptHandle: m.ReceiptHandle})
		}
	}
	entries = append(entries, sqstypes.DeleteMessageBatchRequestEntry{Id: aws.String("bogus"), ReceiptHandle: aws.String("bm90LWEtaGFuZGxl")})
	del, err := c.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
	if err != nil || len(del.Successful) != 2 || len(del.Failed) != 1 || aws.ToString(del.Failed[0].Code) != "ReceiptHandleIsInvalid" {
		t.Fatalf("delete batch = %+v, %v", del, err)
	}
	waitUntil(t, "the queue to be empty", 10*time.Second, func() bool {
		a, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"All"}})
		return err == nil && a.Attributes["ApproximateNumberOfMessages"] == "0" && a.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0"
	})
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: []sqstypes.SendMessageBatchRequestEntry{
		{Id: aws.String("x"), MessageBody: aws.String("1")}, {Id: aws.String("x"), MessageBody: aws.String("2")}}})
	var dup *sqstypes.BatchEntryIdsNotDistinct
	if !errors.As(err, &dup) {
		t.Fatalf("repeated ids: %v", err)
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(strings.Repeat("x", 262145))})
	if apiCode(err) != "InvalidParameterValue" {
		t.Fatalf("a 256 KiB + 1 message: %v", err)
	}
	for range 3 {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("p")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.PurgeQueue(ctx, &sqs.PurgeQueueInput{QueueUrl: aws.String(url)}); err != nil {
		t.Fatal(err)
	}
	if got := receiveN(t, c, url, sqs.ReceiveMessageInput{MaxNumberOfMessages: 10}); len(got) != 0 {
		t.Fatalf("after purge: %d messages", len(got))
	}
	_, err = c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 11})
	if apiCode(err) != "InvalidParameterValue" {
		t.Fatalf("MaxNumberOfMessages 11: %v", err)
	}
}

// TestSQSVisibility: a message not deleted comes back after its visibility
// timeout with its receive count up; ChangeMessageVisibility(Batch) with 0
// makes it visible at once; a per-receive VisibilityTimeout of 0 too.
func TestSQSVisibility(t *testing.T) {
	p := startPlatform(t, Options{})
	c := sqsClientFor(p.EndpointURL())
	ctx := context.Background()
	url := createQueue(t, c, "vis", map[string]string{"VisibilityTimeout": "1"})
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("again")}); err != nil {
		t.Fatal(err)
	}
	sys := []sqstypes.MessageSystemAttributeName{"ApproximateReceiveCount"}
	m := receiveN(t, c, url, sqs.ReceiveMessageInput{MessageSystemAttributeNames: sys})
	if len(m) != 1 || m[0].Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("first receive = %+v", m)
	}
	if got := receiveN(t, c, url, sqs.ReceiveMessageInput{}); len(got) != 0 {
		t.Fatalf("an in-flight message was received again at once")
	}
	// Visibility expires: the long poll is woken by the redelivery.
	m = receiveN(t, c, url, sqs.ReceiveMessageInput{WaitTimeSeconds: 20, MessageSystemAttributeNames: sys})
	if len(m) != 1 || m[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("redelivery = %+v", m)
	}
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: m[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
		t.Fatal(err)
	}
	m = receiveN(t, c, url, sqs.ReceiveMessageInput{WaitTimeSeconds: 20, VisibilityTimeout: 600, MessageSystemAttributeNames: sys})
	if len(m) != 1 || m[0].Attributes["ApproximateReceiveCount"] != "3" {
		t.Fatalf("after ChangeMessageVisibility 0 = %+v", m)
	}
	out, err := c.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(url), Entries: []sqstypes.ChangeMessageVisibilityBatchRequestEntry{
		{Id: aws.String("m"), ReceiptHandle: m[0].ReceiptHandle, VisibilityTimeout: 0}}})
	if err != nil || len(out.Successful) != 1 {
		t.Fatalf("ChangeMessageVisibilityBatch = %+v, %v", out, err)
	}
	m = receiveN(t, c, url, sqs.ReceiveMessageInput{WaitTimeSeconds: 20, MessageSystemAttributeNames: sys})
	if len(m) != 1 || m[0].Attributes["ApproximateReceiveCount"] != "4" {
		t.Fatalf("after ChangeMessageVisibilityBatch 0 = %+v", m)
	}
}

// TestSQSLongPollWakeUp: a receive waiting up to 20 s returns with the
// message sent while it waits; the test's own deadline is well below 20 s,
// so it can only pass by the wake-up.
func TestSQSLongPollWakeUp(t *testing.T) {
	p := startPlatform(t, Options{})
	c := sqsClientFor(p.EndpointURL())
	url := createQueue(t, c, "poll", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got := make(chan []sqstypes.Message, 1)
	errc := make(chan error, 1)
	go func() {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 20})
		if err != nil {
			errc <- err
			return
		}
		got <- out.Messages
	}()
	// Send once the receive waits: JetStream counts the waiting pull request.
	waitUntil(t, "the receive to wait", 5*time.Second, func() bool {
		ci, err := p.Backbone.JetStream().Consumer(ctx, queueStream(t, p, "poll"), "receive")
		if err != nil {
			return false
		}
		info, err := ci.Info(ctx)
		return err == nil && info.NumWaiting > 0
	})
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("wake")}); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		if len(m) != 1 || aws.ToString(m[0].Body) != "wake" {
			t.Fatalf("long poll returned %+v", m)
		}
	case err := <-errc:
		t.Fatalf("long poll: %v", err)
	}
}

func queueStream(t *testing.T, p *Platform, name string) string {
	t.Helper()
	q, err := p.Queues.Get(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return "SQS_" + q.ID
}

// TestSQSDeadLetterQueue: after maxReceiveCount receives, the message is in
// the dead-letter queue (same id and body), which lists its source.
func TestSQSDeadLetterQueue(t *testing.T) {
	p := startPlatform(t, Options{})
	c := sqsClientFor(p.EndpointURL())
	ctx := context.Background()
	dlq := createQueue(t, c, "dead", map[string]string{"RedriveAllowPolicy": `{"redrivePermission":"byQueue","sourceQueueArns":["arn:aws:sqs:us-east-1:000000000000:src"]}`})
	_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("intruder"), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":"2"}`}})
	var iv *sqstypes.InvalidAttributeValue
	if !errors.As(err, &iv) {
		t.Fatalf("a source the RedriveAllowPolicy does not name: %v", err)
	}
	src := createQueue(t, c, "src", map[string]string{"VisibilityTimeout": "0",
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dead","maxReceiveCount":"2"}`})
	sent, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(src), MessageBody: aws.String("poison")})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		m := receiveN(t, c, src, sqs.ReceiveMessageInput{WaitTimeSeconds: 20})
		if len(m) != 1 {
			t.Fatalf("receive %d: %d messages", i+1, len(m))
		}
	}
	// The third receive moves it instead of returning it.
	if m := receiveN(t, c, src, sqs.ReceiveMessageInput{WaitTimeSeconds: 3}); len(m) != 0 {
		t.Fatalf("receive past maxReceiveCount returned %+v", m)
	}
	m := receiveN(t, c, dlq, sqs.ReceiveMessageInput{WaitTimeSeconds: 20})
	if len(m) != 1 || aws.ToString(m[0].MessageId) != aws.ToString(sent.MessageId) || aws.ToString(m[0].Body) != "poison" {
		t.Fatalf("dead-letter queue holds %+v", m)
	}
	srcs, err := c.ListDeadLetterSourceQueues(ctx, &sqs.ListDeadLetterSourceQueuesInput{QueueUrl: aws.String(dlq)})
	if err != nil || len(srcs.QueueUrls) != 1 || srcs.QueueUrls[0] != src {
		t.Fatalf("dead-letter sources = %+v, %v", srcs, err)
	}

	// Redrive: a message move task takes it back to its source queue.
	if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(dlq), ReceiptHandle: m[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	dlqARN := "arn:aws:sqs:us-east-1:000000000000:dead"
	task, err := c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String(dlqARN)})
	if err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the move task to complete", 10*time.Second, func() bool {
		out, err := c.ListMessageMoveTasks(ctx, &sqs.ListMessageMoveTasksInput{SourceArn: aws.String(dlqARN)})
		return err == nil && len(out.Results) == 1 && aws.ToString(out.Results[0].Status) == "COMPLETED" && out.Results[0].ApproximateNumberOfMessagesMoved == 1
	})
	back := receiveN(t, c, src, sqs.ReceiveMessageInput{WaitTimeSeconds: 20})
	if len(back) != 1 || aws.ToString(back[0].MessageId) != aws.ToString(sent.MessageId) {
		t.Fatalf("after the move: %+v", back)
	}
	_, err = c.CancelMessageMoveTask(ctx, &sqs.CancelMessageMoveTaskInput{TaskHandle: task.TaskHandle})
	var rnf *sqstypes.ResourceNotFoundException
	if !errors.As(err, &rnf) {
		t.Fatalf("cancel a completed task: %v", err)
	}
	_, err = c.StartMessageMoveTask(ctx, &sqs.StartMessageMoveTaskInput{SourceArn: aws.String("arn:aws:sqs:us-east-1:000000000000:src")})
	if apiCode(err) != "InvalidParameterValue" {
		t.Fatalf("a move from a queue that is no dead-letter queue: %v", err)
	}
}

// TestSQSDelay: a message sent with DelaySeconds is not received before it
// is due, counts as delayed meanwhile, then arrives.
func TestSQSDelay(t *testing.T) {
	p := startPlatform(t, Options{})
	c := sqsClientFor(p.EndpointURL())
	ctx := context.Background()
	url := createQueue(t, c, "later", nil)
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("soon"), DelaySeconds: 2}); err != nil {
		t.Fatal(err)
	}
	a, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessagesDelayed"}})
	if err != nil || a.Attributes["ApproximateNumberOfMessagesDelayed"] != "1" {
		t.Fatalf("delayed count = %v, %v", a, err)
	}
	if m := receiveN(t, c, url, sqs.ReceiveMessageInput{}); len(m) != 0 {
		t.Fatalf("a delayed message was received at once")
	}
	m := receiveN(t, c, url, sqs.ReceiveMessageInput{WaitTimeSeconds: 20})
	if len(m) != 1 || aws.ToString(m[0].Body) != "soon" {
		t.Fatalf("after the delay: %+v", m)
	}
}
