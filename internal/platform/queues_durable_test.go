package platform

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// TestSQSSurvivesKill9: `nubo serve` is killed with SIGKILL during a stream
// of sends; after a restart on the same data directory every message whose
// SendMessage was answered is received, with its body intact.
func TestSQSSurvivesKill9(t *testing.T) {
	n := newNuboProcess(t)
	cmd := n.start()
	c := sqsClientFor(n.url())
	ctx := context.Background()
	url := createQueue(t, c, "durable", nil)

	var mu sync.Mutex
	acked := map[string][32]byte{} // message id -> body digest
	var wg sync.WaitGroup
	killed := make(chan struct{})
	var once sync.Once
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				body := fmt.Sprintf("worker %d message %d", w, i)
				out, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String(body)})
				if err != nil {
					return // the server is gone
				}
				mu.Lock()
				acked[aws.ToString(out.MessageId)] = sha256.Sum256([]byte(body))
				enough := len(acked) >= 200
				mu.Unlock()
				if enough {
					once.Do(func() { n.kill9(cmd); close(killed) })
				}
			}
		}()
	}
	<-killed
	wg.Wait()

	n.start()
	got := map[string][32]byte{}
	for len(got) < len(acked) {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), MaxNumberOfMessages: 10, WaitTimeSeconds: 2})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			break
		}
		for _, m := range out.Messages {
			got[aws.ToString(m.MessageId)] = sha256.Sum256([]byte(aws.ToString(m.Body)))
		}
	}
	for id, sum := range acked {
		if g, ok := got[id]; !ok {
			t.Errorf("acknowledged message %s was lost", id)
		} else if g != sum {
			t.Errorf("message %s came back with another body", id)
		}
	}
	t.Logf("%d acknowledged sends, %d received after kill -9", len(acked), len(got))
}
