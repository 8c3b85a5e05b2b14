package platform

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/nubo-run/nubo/internal/iam"
)

// TestSNSTopicPolicyAllowsAPrincipal: a role with no identity policy may
// publish to a topic whose policy names it, and only publish: the topic's
// Policy is the resource-based policy of every SNS call on the topic.
func TestSNSTopicPolicyAllowsAPrincipal(t *testing.T) {
	p := startPlatform(t, Options{})
	ctx := context.Background()
	root := clientsFor(p.EndpointURL())
	role := root.role(t, "publisher", lambdaTrust)
	c := snsClientFor(p.EndpointURL())
	topic := createTopic(t, c, "alerts", nil)
	keys, err := p.Keys.Issue(iam.SessionPrincipal(role, "s"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	session := sns.New(sns.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.EndpointURL()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(keys.AccessKeyID, keys.SecretAccessKey, keys.SessionToken)})
	publish := func() error {
		_, err := session.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(topic), Message: aws.String("hi")})
		return err
	}
	if err := publish(); apiCode(err) != "AuthorizationError" {
		t.Fatalf("publish without any policy: %v, want a denial", err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + role + `"},"Action":"sns:Publish","Resource":"` + topic + `"}]}`
	if _, err := c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(topic), AttributeName: aws.String("Policy"), AttributeValue: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the topic policy to allow the publish", 5*time.Second, func() bool { return publish() == nil })
	_, err = session.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(topic)})
	if code := apiCode(err); code != "AuthorizationError" {
		t.Fatalf("delete, which the policy does not allow: %v", err)
	}
}
