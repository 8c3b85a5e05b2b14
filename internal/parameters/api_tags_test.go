package parameters_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

func TestSSMTagsToResource_WithSDK(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/tagged/p"), Value: aws.String("v"), Type: types.ParameterTypeString,
		Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	list := func(id string) []types.Tag {
		t.Helper()
		out, err := c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String(id)})
		if err != nil {
			t.Fatalf("list tags of %s: %v", id, err)
		}
		return out.TagList
	}
	if got := fmt.Sprint(tagPairs(list("/tagged/p"))); got != "[env=dev]" {
		t.Errorf("tags after put: %s", got)
	}
	if _, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/tagged/p"),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}, {Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(tagPairs(list("/tagged/p"))); got != "[env=prod team=core]" {
		t.Errorf("tags after add: %s", got)
	}
	// Tagging leaves the parameter's version and value alone.
	got, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/tagged/p")})
	if err != nil || got.Parameter.Version != 1 || aws.ToString(got.Parameter.Value) != "v" {
		t.Errorf("after tagging: %v %+v", err, got)
	}
	if _, err := c.RemoveTagsFromResource(ctx, &ssm.RemoveTagsFromResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/tagged/p"),
		TagKeys: []string{"env", "absent"}}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(tagPairs(list("/tagged/p"))); got != "[team=core]" {
		t.Errorf("tags after remove: %s", got)
	}
	if _, err := c.RemoveTagsFromResource(ctx, &ssm.RemoveTagsFromResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/tagged/p"),
		TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	if tags := list("/tagged/p"); tags == nil || len(tags) != 0 {
		t.Errorf("tags after removing all: %#v, want an empty list", tags)
	}
	// An overwrite keeps the tags.
	if _, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/tagged/p"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/tagged/p"), Value: aws.String("w"), Overwrite: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(tagPairs(list("/tagged/p"))); got != "[k=]" {
		t.Errorf("tags after overwrite: %s", got)
	}

	code := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode()
		}
		return fmt.Sprint(err)
	}
	_, err = c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingMaintenanceWindow, ResourceId: aws.String("mw-0123456789abcdef0"),
		Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	var badType *types.InvalidResourceType
	if !errors.As(err, &badType) {
		t.Errorf("tag a maintenance window: %v, want InvalidResourceType", err)
	}
	if _, err := c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: types.ResourceTypeForTaggingManagedInstance, ResourceId: aws.String("mi-1")}); !errors.As(err, &badType) {
		t.Errorf("list tags of an instance: %v, want InvalidResourceType", err)
	}
	if _, err := c.RemoveTagsFromResource(ctx, &ssm.RemoveTagsFromResourceInput{ResourceType: types.ResourceTypeForTaggingOpsItem, ResourceId: aws.String("oi-1"), TagKeys: []string{"a"}}); !errors.As(err, &badType) {
		t.Errorf("untag an OpsItem: %v, want InvalidResourceType", err)
	}
	var badID *types.InvalidResourceId
	if _, err := c.ListTagsForResource(ctx, &ssm.ListTagsForResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/missing")}); !errors.As(err, &badID) {
		t.Errorf("list tags of a missing parameter: %v, want InvalidResourceId", err)
	}
	if _, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/missing"),
		Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}); !errors.As(err, &badID) {
		t.Errorf("tag a missing parameter: %v, want InvalidResourceId", err)
	}
	many := make([]types.Tag, 51)
	for i := range many {
		many[i] = types.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")}
	}
	var tooMany *types.TooManyTagsError
	if _, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/tagged/p"), Tags: many}); !errors.As(err, &tooMany) {
		t.Errorf("51 tags: %v, want TooManyTagsError", err)
	}
	if got := fmt.Sprint(tagPairs(list("/tagged/p"))); got != "[k=]" {
		t.Errorf("tags after a refused tagging: %s", got)
	}
	long := make([]byte, 129)
	for i := range long {
		long[i] = 'k'
	}
	if _, err := c.AddTagsToResource(ctx, &ssm.AddTagsToResourceInput{ResourceType: types.ResourceTypeForTaggingParameter, ResourceId: aws.String("/tagged/p"),
		Tags: []types.Tag{{Key: aws.String(string(long)), Value: aws.String("v")}}}); code(err) != "ValidationException" {
		t.Errorf("a 129-character key: %v, want ValidationException", err)
	}
}

func tagPairs(tags []types.Tag) []string {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		out = append(out, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
	}
	return out
}
