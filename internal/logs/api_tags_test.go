package logs

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// Tags given to CreateLogGroup, TagResource (by ARN, with or without
// ":*") and TagLogGroup (by name) are listed by both list operations and
// removed by both untag operations; a function's group is tagged too.
func TestLogGroupTagsWithSDK(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	if _, err := h.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/t/app"), Tags: map[string]string{"team": "a"}}); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:logs:us-east-1:000000000000:log-group:/t/app"
	list := func(how string) map[string]string {
		t.Helper()
		if how == "arn" {
			out, err := h.client.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(arn)})
			if err != nil {
				t.Fatal(err)
			}
			return out.Tags
		}
		out, err := h.client.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: aws.String("/t/app")})
		if err != nil {
			t.Fatal(err)
		}
		return out.Tags
	}
	if got := list("arn"); !reflect.DeepEqual(got, map[string]string{"team": "a"}) {
		t.Errorf("tags from CreateLogGroup: %v", got)
	}
	if _, err := h.client.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn + ":*"), Tags: map[string]string{"env": "prod", "team": "b"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.TagLogGroup(ctx, &cloudwatchlogs.TagLogGroupInput{LogGroupName: aws.String("/t/app"), Tags: map[string]string{"cost": "1"}}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"team": "b", "env": "prod", "cost": "1"}
	if got := list("name"); !reflect.DeepEqual(got, want) {
		t.Errorf("tags after tagging: %v, want %v", got, want)
	}
	if _, err := h.client.UntagResource(ctx, &cloudwatchlogs.UntagResourceInput{ResourceArn: aws.String(arn), TagKeys: []string{"team", "nope"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.UntagLogGroup(ctx, &cloudwatchlogs.UntagLogGroupInput{LogGroupName: aws.String("/t/app"), Tags: []string{"cost"}}); err != nil {
		t.Fatal(err)
	}
	if got := list("arn"); !reflect.DeepEqual(got, map[string]string{"env": "prod"}) {
		t.Errorf("tags after untagging: %v", got)
	}

	many := map[string]string{}
	for i := range 50 {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	var tooMany *types.TooManyTagsException
	if _, err := h.client.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: many}); !errors.As(err, &tooMany) {
		t.Errorf("51 tags: %v, want TooManyTagsException", err)
	}
	var notFound *types.ResourceNotFoundException
	if _, err := h.client.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn + "-none"), Tags: map[string]string{"a": "b"}}); !errors.As(err, &notFound) {
		t.Errorf("tag a missing group: %v, want ResourceNotFoundException", err)
	}
	if _, err := h.client.ListTagsLogGroup(ctx, &cloudwatchlogs.ListTagsLogGroupInput{LogGroupName: aws.String("/t/none")}); !errors.As(err, &notFound) {
		t.Errorf("list tags of a missing group: %v, want ResourceNotFoundException", err)
	}
	var invalid *types.InvalidParameterException
	if _, err := h.client.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(arn), Tags: map[string]string{"aws:x": "b"}}); !errors.As(err, &invalid) {
		t.Errorf("an aws: tag: %v, want InvalidParameterException", err)
	}

	// A function's group, which has no settings until tagged.
	h.createFn(t, "fn")
	fnARN := "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/fn"
	out, err := h.client.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(fnARN)})
	if err != nil || len(out.Tags) != 0 {
		t.Fatalf("a function group's tags: %v %v", err, out)
	}
	if _, err := h.client.TagResource(ctx, &cloudwatchlogs.TagResourceInput{ResourceArn: aws.String(fnARN), Tags: map[string]string{"fn": "yes"}}); err != nil {
		t.Fatal(err)
	}
	out, err = h.client.ListTagsForResource(ctx, &cloudwatchlogs.ListTagsForResourceInput{ResourceArn: aws.String(fnARN)})
	if err != nil || out.Tags["fn"] != "yes" {
		t.Errorf("a function group's tags after tagging: %v %v", err, out)
	}
}
