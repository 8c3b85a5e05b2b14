package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func subscribeQueue(t *testing.T, c *sns.Client, topic, queueARN string, attrs map[string]string) string {
	t.Helper()
	out, err := c.Subscribe(context.Background(), &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("sqs"),
		Endpoint: aws.String(queueARN), Attributes: attrs, ReturnSubscriptionArn: true})
	if err != nil {
		t.Fatalf("subscribe %s: %v", queueARN, err)
	}
	return aws.ToString(out.SubscriptionArn)
}

// topicQueue creates a queue whose policy lets SNS send from topic, as
// SNS requires of a subscribed queue.
func topicQueue(t *testing.T, c *sqs.Client, name, topic string, attrs map[string]string) string {
	t.Helper()
	if attrs == nil {
		attrs = map[string]string{}
	}
	attrs["Policy"] = fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:000000000000:%s","Condition":{"ArnEquals":{"aws:SourceArn":%q}}}]}`, name, topic)
	return createQueue(t, c, name, attrs)
}

// receiveAll long-polls url until want messages arrived or 10 s passed.
func receiveAll(t *testing.T, c *sqs.Client, url string, want int) []sqstypes.Message {
	t.Helper()
	var got []sqstypes.Message
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < want && time.Now().Before(deadline) {
		ms := receiveN(t, c, url, sqs.ReceiveMessageInput{MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: []string{"All"}})
		for _, m := range ms {
			got = append(got, m)
			if _, err := c.DeleteMessage(context.Background(), &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatalf("delete: %v", err)
			}
		}
	}
	return got
}

// TestSNSFanOutToQueues: an enveloped and a raw subscription, each with a
// filter policy (attributes scope and body scope), receive what passes.
func TestSNSFanOutToQueues(t *testing.T) {
	p := startPlatform(t, Options{})
	c := snsClientFor(p.EndpointURL())
	q := sqsClientFor(p.EndpointURL())
	ctx := context.Background()
	topic := createTopic(t, c, "payments", nil)
	envURL := topicQueue(t, q, "enveloped", topic, nil)
	rawURL := topicQueue(t, q, "raw", topic, nil)
	subscribeQueue(t, c, topic, "arn:aws:sqs:us-east-1:000000000000:enveloped", map[string]string{
		"FilterPolicy": `{"kind":["paid"],"amount":[{"numeric":[">",10]}],"tags":["vip"]}`})
	subscribeQueue(t, c, topic, "arn:aws:sqs:us-east-1:000000000000:raw", map[string]string{
		"RawMessageDelivery": "true", "FilterPolicyScope": "MessageBody",
		"FilterPolicy": `{"order":{"currency":[{"prefix":"EU"}]}}`})

	attrs := func(kind, amount string) map[string]snstypes.MessageAttributeValue {
		return map[string]snstypes.MessageAttributeValue{
			"kind":   {DataType: aws.String("String"), StringValue: aws.String(kind)},
			"amount": {DataType: aws.String("Number"), StringValue: aws.String(amount)},
			"tags":   {DataType: aws.String("String.Array"), StringValue: aws.String(`["new","vip"]`)},
		}
	}
	publishes := []sns.PublishInput{
		{Message: aws.String(`{"order":{"currency":"EUR"}}`), Subject: aws.String("s1"), MessageAttributes: attrs("paid", "25")},
		{Message: aws.String(`{"order":{"currency":"USD"}}`), MessageAttributes: attrs("paid", "5")},
		{Message: aws.String(`{"order":{"currency":"EUR"}}`), MessageAttributes: attrs("refunded", "50")},
	}
	var firstID string
	for i, in := range publishes {
		in.TopicArn = aws.String(topic)
		out, err := c.Publish(ctx, &in)
		if err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
		if i == 0 {
			firstID = aws.ToString(out.MessageId)
		}
	}
	env := receiveAll(t, q, envURL, 1)
	if len(env) != 1 {
		t.Fatalf("enveloped queue got %d messages, want 1", len(env))
	}
	var n struct {
		Type, MessageId, TopicArn, Subject, Message, Timestamp, SignatureVersion, Signature, SigningCertURL, UnsubscribeURL string
		MessageAttributes                                                                                                   map[string]struct{ Type, Value string }
	}
	if err := json.Unmarshal([]byte(aws.ToString(env[0].Body)), &n); err != nil {
		t.Fatalf("envelope %s: %v", aws.ToString(env[0].Body), err)
	}
	if n.Type != "Notification" || n.MessageId != firstID || n.TopicArn != topic || n.Subject != "s1" || n.Message != `{"order":{"currency":"EUR"}}` ||
		n.Signature == "" || n.SigningCertURL == "" || !strings.Contains(n.UnsubscribeURL, "Action=Unsubscribe") {
		t.Errorf("envelope = %+v", n)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", n.Timestamp); err != nil {
		t.Errorf("timestamp %q: %v", n.Timestamp, err)
	}
	if a := n.MessageAttributes["amount"]; a.Type != "Number" || a.Value != "25" {
		t.Errorf("envelope attribute amount = %+v", a)
	}
	raw := receiveAll(t, q, rawURL, 2)
	if len(raw) != 2 {
		t.Fatalf("raw queue got %d messages, want 2", len(raw))
	}
	for _, m := range raw {
		if aws.ToString(m.Body) != `{"order":{"currency":"EUR"}}` {
			t.Errorf("raw body = %s", aws.ToString(m.Body))
		}
		if a := m.MessageAttributes["kind"]; a.StringValue == nil {
			t.Errorf("raw delivery lost the message attributes: %+v", m.MessageAttributes)
		}
	}
	// Nothing else arrives: the filtered-out messages were dropped, not late.
	if extra := receiveN(t, q, envURL, sqs.ReceiveMessageInput{WaitTimeSeconds: 1}); len(extra) != 0 {
		t.Errorf("enveloped queue got extra messages: %d", len(extra))
	}
}

// TestSNSFifoTopicToFifoQueue: group id and dedup pass through; the queue
// receives the topic's messages once each, in publish order.
func TestSNSFifoTopicToFifoQueue(t *testing.T) {
	p := startPlatform(t, Options{})
	c := snsClientFor(p.EndpointURL())
	q := sqsClientFor(p.EndpointURL())
	ctx := context.Background()
	topic := createTopic(t, c, "ledger.fifo", map[string]string{"FifoTopic": "true", "ContentBasedDeduplication": "true"})
	url := topicQueue(t, q, "ledger.fifo", topic, map[string]string{"FifoQueue": "true"})
	subscribeQueue(t, c, topic, "arn:aws:sqs:us-east-1:000000000000:ledger.fifo", map[string]string{"RawMessageDelivery": "true"})
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("x")}); err == nil {
		t.Fatalf("publish to a FIFO topic without MessageGroupId succeeded")
	}
	var want []string
	for i := range 20 {
		body := "entry-" + string(rune('a'+i))
		want = append(want, body)
		out, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String(body), MessageGroupId: aws.String("g")})
		if err != nil {
			t.Fatalf("publish %d: %v", i, err)
		}
		if aws.ToString(out.SequenceNumber) == "" {
			t.Fatalf("publish %d: no sequence number", i)
		}
	}
	// A duplicate (same content) is dropped.
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("entry-a"), MessageGroupId: aws.String("g")}); err != nil {
		t.Fatalf("duplicate publish: %v", err)
	}
	got := receiveAll(t, q, url, len(want))
	var bodies []string
	for _, m := range got {
		bodies = append(bodies, aws.ToString(m.Body))
	}
	if strings.Join(bodies, ",") != strings.Join(want, ",") {
		t.Fatalf("fifo queue got %v, want %v", bodies, want)
	}
	if extra := receiveN(t, q, url, sqs.ReceiveMessageInput{WaitTimeSeconds: 1}); len(extra) != 0 {
		t.Errorf("duplicate delivered: %d extra", len(extra))
	}
}

// TestSNSHTTPEndpoint: the subscription is pending until the endpoint
// visits the SubscribeURL it was posted; then notifications arrive with
// SNS's headers, filtered by the policy.
func TestSNSHTTPEndpoint(t *testing.T) {
	p := startPlatform(t, Options{})
	c := snsClientFor(p.EndpointURL())
	ctx := context.Background()
	topic := createTopic(t, c, "hooks", nil)
	var mu sync.Mutex
	var notes []map[string]string
	confirmed := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var m map[string]string
		_ = json.Unmarshal(body, &m)
		switch r.Header.Get("x-amz-sns-message-type") {
		case "SubscriptionConfirmation":
			resp, err := http.Get(m["SubscribeURL"])
			if err == nil {
				resp.Body.Close()
				if resp.StatusCode != 200 {
					err = &http.ProtocolError{ErrorString: resp.Status}
				}
			}
			confirmed <- err
		case "Notification":
			m["topic-header"] = r.Header.Get("x-amz-sns-topic-arn")
			mu.Lock()
			notes = append(notes, m)
			mu.Unlock()
		}
	}))
	defer srv.Close()
	out, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(srv.URL + "/hook"),
		Attributes: map[string]string{"FilterPolicy": `{"level":[{"anything-but":"debug"}]}`}})
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	if aws.ToString(out.SubscriptionArn) != "pending confirmation" {
		t.Fatalf("subscription arn = %s, want pending confirmation", aws.ToString(out.SubscriptionArn))
	}
	if _, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String("http://example.com/x")}); err == nil {
		t.Errorf("a non-loopback endpoint was accepted")
	}
	select {
	case err := <-confirmed:
		if err != nil {
			t.Fatalf("visit SubscribeURL: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("no SubscriptionConfirmation within 10 s")
	}
	attrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(topic)})
	if err != nil || attrs.Attributes["SubscriptionsConfirmed"] != "1" {
		t.Fatalf("after confirmation: %v, %v", attrs, err)
	}
	for _, level := range []string{"debug", "error"} {
		if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("at " + level),
			MessageAttributes: map[string]snstypes.MessageAttributeValue{"level": {DataType: aws.String("String"), StringValue: aws.String(level)}}}); err != nil {
			t.Fatalf("publish: %v", err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(notes)
		mu.Unlock()
		if n >= 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(notes) != 1 || notes[0]["Message"] != "at error" || notes[0]["topic-header"] != topic {
		t.Fatalf("notifications = %v", notes)
	}
}

// TestSNSRedrivePolicy: a subscription whose endpoint keeps failing is
// retried a bounded number of times, then its message goes to the
// subscription's dead-letter queue.
func TestSNSRedrivePolicy(t *testing.T) {
	p := startPlatform(t, Options{})
	c := snsClientFor(p.EndpointURL())
	q := sqsClientFor(p.EndpointURL())
	ctx := context.Background()
	topic := createTopic(t, c, "flaky", nil)
	dlq := topicQueue(t, q, "flaky-dlq", topic, nil)
	var mu sync.Mutex
	attempts := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("x-amz-sns-message-type") == "Notification" {
			mu.Lock()
			attempts++
			mu.Unlock()
		}
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	out, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(topic), Protocol: aws.String("http"), Endpoint: aws.String(srv.URL),
		ReturnSubscriptionArn: true, Attributes: map[string]string{
			"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:flaky-dlq"}`}})
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	// The endpoint fails the handshake too; confirm with the token as an
	// operator would, read from the subscription's record.
	sub, err := p.Topics.Subscription(ctx, aws.ToString(out.SubscriptionArn))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ConfirmSubscription(ctx, &sns.ConfirmSubscriptionInput{TopicArn: aws.String(topic), Token: aws.String(sub.Token)}); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("lost?")}); err != nil {
		t.Fatalf("publish: %v", err)
	}
	got := receiveAll(t, q, dlq, 1)
	if len(got) != 1 {
		t.Fatalf("dead-letter queue got %d messages, want 1", len(got))
	}
	var n struct{ Type, Message string }
	if err := json.Unmarshal([]byte(aws.ToString(got[0].Body)), &n); err != nil || n.Message != "lost?" || n.Type != "Notification" {
		t.Errorf("dead letter = %s (%v)", aws.ToString(got[0].Body), err)
	}
	mu.Lock()
	defer mu.Unlock()
	if attempts != 4 {
		t.Errorf("endpoint saw %d attempts, want 4", attempts)
	}
}

// TestSNSQueuePolicyEnforced: a queue whose policy does not let the topic
// send gets nothing (SNS's delivery is refused by SQS), while one that
// does gets the message.
func TestSNSQueuePolicyEnforced(t *testing.T) {
	p := startPlatform(t, Options{})
	c := snsClientFor(p.EndpointURL())
	q := sqsClientFor(p.EndpointURL())
	ctx := context.Background()
	topic := createTopic(t, c, "guarded", nil)
	other := createTopic(t, c, "other", nil)
	open := topicQueue(t, q, "open", topic, nil)
	closed := topicQueue(t, q, "closed", other, nil) // allows only the other topic
	subscribeQueue(t, c, topic, "arn:aws:sqs:us-east-1:000000000000:open", nil)
	subscribeQueue(t, c, topic, "arn:aws:sqs:us-east-1:000000000000:closed", nil)
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("hello")}); err != nil {
		t.Fatalf("publish: %v", err)
	}
	if got := receiveAll(t, q, open, 1); len(got) != 1 {
		t.Fatalf("open queue got %d, want 1", len(got))
	}
	if got := receiveN(t, q, closed, sqs.ReceiveMessageInput{WaitTimeSeconds: 2}); len(got) != 0 {
		t.Fatalf("closed queue got %d messages", len(got))
	}
}

// TestSNSPublishBatchAndStructure: PublishBatch answers per entry (a bad
// entry fails alone); MessageStructure json gives the sqs body to queues.
func TestSNSPublishBatchAndStructure(t *testing.T) {
	p := startPlatform(t, Options{})
	c := snsClientFor(p.EndpointURL())
	q := sqsClientFor(p.EndpointURL())
	ctx := context.Background()
	topic := createTopic(t, c, "batch", nil)
	url := topicQueue(t, q, "batch-q", topic, nil)
	subscribeQueue(t, c, topic, "arn:aws:sqs:us-east-1:000000000000:batch-q", map[string]string{"RawMessageDelivery": "true"})
	out, err := c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(topic), PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{
		{Id: aws.String("a"), Message: aws.String("one")},
		{Id: aws.String("b"), Message: aws.String(`{"default":"two","sqs":"two for queues"}`), MessageStructure: aws.String("json")},
		{Id: aws.String("c"), Message: aws.String(`{"sqs":"no default"}`), MessageStructure: aws.String("json")},
	}})
	if err != nil {
		t.Fatalf("publish batch: %v", err)
	}
	if len(out.Successful) != 2 || len(out.Failed) != 1 || aws.ToString(out.Failed[0].Id) != "c" || aws.ToString(out.Failed[0].Code) != "InvalidParameter" {
		t.Fatalf("publish batch = %d ok, failed %+v", len(out.Successful), out.Failed)
	}
	got := map[string]bool{}
	for _, m := range receiveAll(t, q, url, 2) {
		got[aws.ToString(m.Body)] = true
	}
	if !got["one"] || !got["two for queues"] || len(got) != 2 {
		t.Fatalf("queue got %v", got)
	}
	if _, err := c.PublishBatch(ctx, &sns.PublishBatchInput{TopicArn: aws.String(topic), PublishBatchRequestEntries: []snstypes.PublishBatchRequestEntry{
		{Id: aws.String("a"), Message: aws.String("x")}, {Id: aws.String("a"), Message: aws.String("y")}}}); err == nil {
		t.Fatalf("repeated batch ids accepted")
	}
}
