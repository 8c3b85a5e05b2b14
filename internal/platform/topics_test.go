package platform

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
)

func snsClientFor(url string) *sns.Client {
	return sns.New(sns.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(DefaultAccessKey, DefaultSecretKey, ""),
	})
}

func createTopic(t *testing.T, c *sns.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateTopic(context.Background(), &sns.CreateTopicInput{Name: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("create topic %s: %v", name, err)
	}
	return aws.ToString(out.TopicArn)
}

// TestSNSTopicLifecycle: create (idempotent), attributes, list with
// paging, tags, subscriptions and their attributes, delete; errors carry
// the SDK's types.
func TestSNSTopicLifecycle(t *testing.T) {
	p := startPlatform(t, Options{})
	c := snsClientFor(p.EndpointURL())
	ctx := context.Background()
	arn := createTopic(t, c, "orders", map[string]string{"DisplayName": "Orders"})
	if arn != "arn:aws:sns:us-east-1:000000000000:orders" {
		t.Fatalf("topic arn = %s", arn)
	}
	if again := createTopic(t, c, "orders", map[string]string{"DisplayName": "Orders"}); again != arn {
		t.Fatalf("idempotent create gave %s", again)
	}
	var ip *snstypes.InvalidParameterException
	if _, err := c.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String("orders"), Attributes: map[string]string{"DisplayName": "Other"}}); !errors.As(err, &ip) {
		t.Fatalf("create with other attributes: %v, want InvalidParameterException", err)
	}
	for _, bad := range []*sns.CreateTopicInput{
		{Name: aws.String("bad name")},
		{Name: aws.String("plain"), Attributes: map[string]string{"FifoTopic": "true"}},
		{Name: aws.String("plain"), Attributes: map[string]string{"Colour": "red"}},
		{Name: aws.String("plain"), Attributes: map[string]string{"ContentBasedDeduplication": "true"}},
	} {
		if _, err := c.CreateTopic(ctx, bad); !errors.As(err, &ip) {
			t.Errorf("create %s %v: %v, want InvalidParameterException", aws.ToString(bad.Name), bad.Attributes, err)
		}
	}
	for i := range 120 {
		createTopic(t, c, fmt.Sprintf("t%03d", i), nil)
	}
	var all []string
	var token *string
	for pages := 0; ; pages++ {
		out, err := c.ListTopics(ctx, &sns.ListTopicsInput{NextToken: token})
		if err != nil {
			t.Fatalf("list topics: %v", err)
		}
		for _, tp := range out.Topics {
			all = append(all, aws.ToString(tp.TopicArn))
		}
		if token = out.NextToken; token == nil {
			if pages != 1 {
				t.Errorf("listed in %d pages, want 2", pages+1)
			}
			break
		}
	}
	if len(all) != 121 {
		t.Fatalf("listed %d topics, want 121", len(all))
	}

	if _, err := c.SetTopicAttributes(ctx, &sns.SetTopicAttributesInput{TopicArn: aws.String(arn), AttributeName: aws.String("DisplayName"), AttributeValue: aws.String("New")}); err != nil {
		t.Fatalf("set topic attributes: %v", err)
	}
	qarn := "arn:aws:sqs:us-east-1:000000000000:q1"
	sub, err := c.Subscribe(ctx, &sns.SubscribeInput{TopicArn: aws.String(arn), Protocol: aws.String("sqs"), Endpoint: aws.String(qarn),
		Attributes: map[string]string{"RawMessageDelivery": "true"}, ReturnSubscriptionArn: true})
	if err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	subArn := aws.ToString(sub.SubscriptionArn)
	if !strings.HasPrefix(subArn, arn+":") {
		t.Fatalf("subscription arn = %s", subArn)
	}
	attrs, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)})
	if err != nil {
		t.Fatalf("get topic attributes: %v", err)
	}
	for k, want := range map[string]string{"DisplayName": "New", "SubscriptionsConfirmed": "1", "SubscriptionsPending": "0", "TopicArn": arn, "Owner": "000000000000"} {
		if attrs.Attributes[k] != want {
			t.Errorf("topic attribute %s = %q, want %q", k, attrs.Attributes[k], want)
		}
	}
	if _, err := c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(subArn),
		AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"kind":["a"]}`)}); err != nil {
		t.Fatalf("set filter policy: %v", err)
	}
	if _, err := c.SetSubscriptionAttributes(ctx, &sns.SetSubscriptionAttributesInput{SubscriptionArn: aws.String(subArn),
		AttributeName: aws.String("FilterPolicy"), AttributeValue: aws.String(`{"kind":[{"nope":1}]}`)}); !errors.As(err, &ip) {
		t.Fatalf("bad filter policy: %v, want InvalidParameterException", err)
	}
	sattrs, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(subArn)})
	if err != nil {
		t.Fatalf("get subscription attributes: %v", err)
	}
	for k, want := range map[string]string{"RawMessageDelivery": "true", "FilterPolicy": `{"kind":["a"]}`, "FilterPolicyScope": "MessageAttributes",
		"Protocol": "sqs", "Endpoint": qarn, "TopicArn": arn, "PendingConfirmation": "false"} {
		if sattrs.Attributes[k] != want {
			t.Errorf("subscription attribute %s = %q, want %q", k, sattrs.Attributes[k], want)
		}
	}
	subs, err := c.ListSubscriptionsByTopic(ctx, &sns.ListSubscriptionsByTopicInput{TopicArn: aws.String(arn)})
	if err != nil || len(subs.Subscriptions) != 1 || aws.ToString(subs.Subscriptions[0].SubscriptionArn) != subArn {
		t.Fatalf("list subscriptions by topic = %+v, %v", subs, err)
	}
	allSubs, err := c.ListSubscriptions(ctx, &sns.ListSubscriptionsInput{})
	if err != nil || len(allSubs.Subscriptions) != 1 {
		t.Fatalf("list subscriptions = %+v, %v", allSubs, err)
	}

	if _, err := c.TagResource(ctx, &sns.TagResourceInput{ResourceArn: aws.String(arn), Tags: []snstypes.Tag{{Key: aws.String("team"), Value: aws.String("pay")}, {Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatalf("tag: %v", err)
	}
	if _, err := c.UntagResource(ctx, &sns.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"env"}}); err != nil {
		t.Fatalf("untag: %v", err)
	}
	tags, err := c.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Fatalf("tags = %+v, %v", tags, err)
	}

	var nf *snstypes.NotFoundException
	missing := "arn:aws:sns:us-east-1:000000000000:missing"
	if _, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(missing)}); !errors.As(err, &nf) {
		t.Errorf("missing topic: %v, want NotFoundException", err)
	}
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(missing), Message: aws.String("x")}); !errors.As(err, &nf) {
		t.Errorf("publish to missing topic: %v, want NotFoundException", err)
	}
	if _, err := c.Publish(ctx, &sns.PublishInput{TopicArn: aws.String(arn), Message: aws.String("x"),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{"n": {DataType: aws.String("Number"), StringValue: aws.String("abc")}}}); err == nil {
		t.Errorf("publish with a bad Number attribute succeeded")
	}
	if _, err := c.Unsubscribe(ctx, &sns.UnsubscribeInput{SubscriptionArn: aws.String(subArn)}); err != nil {
		t.Fatalf("unsubscribe: %v", err)
	}
	if _, err := c.GetSubscriptionAttributes(ctx, &sns.GetSubscriptionAttributesInput{SubscriptionArn: aws.String(subArn)}); !errors.As(err, &nf) {
		t.Errorf("unsubscribed: %v, want NotFoundException", err)
	}
	if _, err := c.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(arn)}); err != nil {
		t.Fatalf("delete: %v", err)
	}
	if _, err := c.GetTopicAttributes(ctx, &sns.GetTopicAttributesInput{TopicArn: aws.String(arn)}); !errors.As(err, &nf) {
		t.Errorf("deleted topic: %v, want NotFoundException", err)
	}
}
