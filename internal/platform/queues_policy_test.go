package platform

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/nubo-run/nubo/internal/iam"
)

// TestSQSQueuePolicyAllowsAPrincipal: a role with no identity policy may
// send to a queue whose policy names it, and only send: the queue policy is
// the resource-based policy of every SQS call on the queue.
func TestSQSQueuePolicyAllowsAPrincipal(t *testing.T) {
	p := startPlatform(t, Options{})
	ctx := context.Background()
	root := clientsFor(p.EndpointURL())
	role := root.role(t, "sender", lambdaTrust)
	c := sqsClientFor(p.EndpointURL())
	url := createQueue(t, c, "inbox", nil)
	keys, err := p.Keys.Issue(iam.SessionPrincipal(role, "s"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	session := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.EndpointURL()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(keys.AccessKeyID, keys.SecretAccessKey, keys.SessionToken)})
	send := func() error {
		_, err := session.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("hi")})
		return err
	}
	if err := send(); apiCode(err) != "AccessDenied" {
		t.Fatalf("send without any policy: %v, want AccessDenied", err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + role + `"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:000000000000:inbox"}]}`
	if _, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: aws.String(url), Attributes: map[string]string{"Policy": policy}}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the queue policy to allow the send", 5*time.Second, func() bool { return send() == nil })
	_, err = session.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url)})
	if apiCode(err) != "AccessDenied" {
		t.Fatalf("receive, which the policy does not allow: %v", err)
	}
}
