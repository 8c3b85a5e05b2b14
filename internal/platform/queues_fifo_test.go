package platform

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// TestSQSFIFO: a FIFO queue needs MessageGroupId, drops a repeated
// deduplication id (given, or the body's with ContentBasedDeduplication),
// numbers messages, and hands them out in order to concurrent consumers,
// a message made visible again (a consumer giving up) before any later one.
func TestSQSFIFO(t *testing.T) {
	p := startPlatform(t, Options{})
	c := sqsClientFor(p.EndpointURL())
	ctx := context.Background()
	_, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("orders.fifo")})
	if apiCode(err) != "InvalidParameterValue" {
		t.Fatalf("a .fifo name without FifoQueue: %v", err)
	}
	url := createQueue(t, c, "orders.fifo", map[string]string{"FifoQueue": "true", "ContentBasedDeduplication": "true"})
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("x")})
	if apiCode(err) != "InvalidParameterValue" && apiCode(err) != "MissingParameter" {
		t.Fatalf("a send without MessageGroupId: %v", err)
	}
	const n = 20
	var seqs []string
	for i := range n {
		out, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(fmt.Sprint(i)),
			MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String(fmt.Sprint("d", i))})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, aws.ToString(out.SequenceNumber))
	}
	if len(seqs[0]) != 20 || seqs[0] >= seqs[1] {
		t.Fatalf("sequence numbers %v", seqs[:2])
	}
	// Repeats: the same deduplication id, and the same body by content.
	if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("again"),
		MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d3")}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("content"), MessageGroupId: aws.String("g")}); err != nil {
			t.Fatal(err)
		}
	}
	q, err := p.Queues.Get(ctx, "orders.fifo")
	if err != nil {
		t.Fatal(err)
	}
	if c, err := p.Queues.Count(ctx, q); err != nil || c.Visible+c.NotVisible > n+1 {
		t.Fatalf("after repeats: %+v, %v", c, err)
	}
	// (The consumer's count catches up asynchronously: the stream holds
	// what was stored.)
	st, err := p.Backbone.JetStream().Stream(ctx, queueStream(t, p, "orders.fifo"))
	if err != nil {
		t.Fatal(err)
	}
	if info, err := st.Info(ctx); err != nil || info.State.Msgs != n+1 {
		t.Fatalf("stored messages after repeats: %+v, %v", info, err)
	}

	// Four consumers; the first consumer to get message 0 gives it back.
	var mu sync.Mutex
	var order []string
	timedOut := false
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	deadline := time.Now().Add(60 * time.Second)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				mu.Lock()
				done := len(order) >= n+1
				mu.Unlock()
				if done {
					return
				}
				out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 1,
					MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{"All"}})
				if err != nil {
					errs <- err
					return
				}
				for _, m := range out.Messages {
					mu.Lock()
					skip := aws.ToString(m.Body) == "0" && !timedOut
					if skip {
						timedOut = true
					} else {
						order = append(order, aws.ToString(m.Body))
					}
					mu.Unlock()
					if m.Attributes["MessageGroupId"] != "g" || m.Attributes["SequenceNumber"] == "" {
						errs <- fmt.Errorf("system attributes %v", m.Attributes)
						return
					}
					if skip {
						if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
							errs <- err
							return
						}
						continue
					}
					if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	want := []string{}
	for i := range n {
		want = append(want, fmt.Sprint(i))
	}
	want = append(want, "content")
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Fatalf("order = %v, want %v", order, want)
	}
	var dne *sqstypes.InvalidAttributeValue
	_, err = c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("std"), Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:orders.fifo","maxReceiveCount":1}`}})
	if !errors.As(err, &dne) {
		t.Fatalf("a standard queue with a FIFO dead-letter queue: %v", err)
	}
}
