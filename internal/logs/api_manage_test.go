package logs

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// describeGroup returns the one group DescribeLogGroups lists under name.
func describeGroup(t *testing.T, h *harness, name string) (types.LogGroup, bool) {
	t.Helper()
	out, err := h.client.DescribeLogGroups(context.Background(), &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range out.LogGroups {
		if aws.ToString(g.LogGroupName) == name {
			return g, true
		}
	}
	return types.LogGroup{}, false
}

// CreateLogGroup stores a group DescribeLogGroups lists with its ARNs,
// creation time and retention; a second create, a bad name and a bad
// retention are refused as AWS refuses them; DeleteLogGroup forgets it.
func TestLogGroupLifecycleWithSDK(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	name := "/my.app/svc#1"
	if _, err := h.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name), Tags: map[string]string{"team": "a"}}); err != nil {
		t.Fatal(err)
	}
	var exists *types.ResourceAlreadyExistsException
	if _, err := h.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}); !errors.As(err, &exists) {
		t.Fatalf("second CreateLogGroup: %v, want ResourceAlreadyExistsException", err)
	}
	h.createFn(t, "fn")
	if _, err := h.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/aws/lambda/fn")}); !errors.As(err, &exists) {
		t.Fatalf("CreateLogGroup of a function's group: %v, want ResourceAlreadyExistsException", err)
	}
	var invalid *types.InvalidParameterException
	for _, bad := range []string{"", "has space", "colon:", strings.Repeat("x", 513)} {
		if _, err := h.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(bad)}); !errors.As(err, &invalid) {
			t.Fatalf("CreateLogGroup %q: %v, want InvalidParameterException", bad, err)
		}
	}
	if _, err := h.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/ia"), LogGroupClass: types.LogGroupClassInfrequentAccess}); err != nil {
		t.Fatal(err)
	}
	if g, _ := describeGroup(t, h, "/ia"); g.LogGroupClass != types.LogGroupClassInfrequentAccess {
		t.Fatalf("class %q", g.LogGroupClass)
	}
	g, ok := describeGroup(t, h, name)
	arn := "arn:aws:logs:us-east-1:000000000000:log-group:" + name
	if !ok || aws.ToString(g.Arn) != arn+":*" || aws.ToString(g.LogGroupArn) != arn || aws.ToInt64(g.CreationTime) <= 0 || g.RetentionInDays != nil {
		t.Fatalf("DescribeLogGroups after create: %v %+v", ok, g)
	}

	if _, err := h.client.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(14)}); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []int32{0, 2, 4000, -1} {
		if _, err := h.client.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(name), RetentionInDays: aws.Int32(bad)}); !errors.As(err, &invalid) {
			t.Fatalf("PutRetentionPolicy %d: %v, want InvalidParameterException", bad, err)
		}
	}
	if g2, _ := describeGroup(t, h, name); aws.ToInt32(g2.RetentionInDays) != 14 || aws.ToInt64(g2.CreationTime) != aws.ToInt64(g.CreationTime) {
		t.Fatalf("after PutRetentionPolicy: retention %v, created %v (was %v)", g2.RetentionInDays, g2.CreationTime, g.CreationTime)
	}
	if h.logs.ttl(UserSource(name)) == 0 {
		t.Fatal("the retention does not apply to the group's lines")
	}
	if _, err := h.client.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if g2, _ := describeGroup(t, h, name); g2.RetentionInDays != nil {
		t.Fatalf("after DeleteRetentionPolicy: retention %v", aws.ToInt32(g2.RetentionInDays))
	}
	// A function's group takes a retention without being created first.
	if _, err := h.client.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/aws/lambda/fn"), RetentionInDays: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	if g2, _ := describeGroup(t, h, "/aws/lambda/fn"); aws.ToInt32(g2.RetentionInDays) != 3 {
		t.Fatalf("function group retention %v", g2.RetentionInDays)
	}

	var notFound *types.ResourceNotFoundException
	if _, err := h.client.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String("/nope"), RetentionInDays: aws.Int32(1)}); !errors.As(err, &notFound) {
		t.Fatalf("PutRetentionPolicy on a missing group: %v, want ResourceNotFoundException", err)
	}
	if _, err := h.client.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	if _, ok := describeGroup(t, h, name); ok {
		t.Fatal("DescribeLogGroups lists a deleted group")
	}
	if _, err := h.client.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(name)}); !errors.As(err, &notFound) {
		t.Fatalf("second DeleteLogGroup: %v, want ResourceNotFoundException", err)
	}
	// Created again, it is a new group.
	if _, err := h.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
}

// Deleting a function's log group drops the lines stored for it.
func TestDeleteLogGroupDropsLines(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	h.createFn(t, "gone")
	writeLines(t, h, "gone", 3)
	if _, err := h.client.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/aws/lambda/gone")}); err != nil {
		t.Fatal(err)
	}
	out, err := h.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/gone")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Events) != 0 {
		t.Fatalf("lines left after DeleteLogGroup: %d", len(out.Events))
	}
}

// The group operations are authorized as their IAM actions on
// arn:aws:logs:R:A:log-group:NAME:*, CreateLogGroup with the tags it sets,
// before the group is looked at.
func TestLogGroupOperationsAuthorized(t *testing.T) {
	authz := &recordingAuthz{deny: func(r awsapi.AuthzRequest) bool { return strings.Contains(r.Resource, "/secret") }}
	h := newHarness(t, authz)
	ctx := context.Background()
	arn := "arn:aws:logs:us-east-1:000000000000:log-group:/open:*"
	for _, c := range []struct {
		action string
		call   func(name string) error
	}{
		{"logs:CreateLogGroup", func(n string) error {
			_, err := h.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(n), Tags: map[string]string{"k": "v"}})
			return err
		}},
		{"logs:PutRetentionPolicy", func(n string) error {
			_, err := h.client.PutRetentionPolicy(ctx, &cloudwatchlogs.PutRetentionPolicyInput{LogGroupName: aws.String(n), RetentionInDays: aws.Int32(1)})
			return err
		}},
		{"logs:DeleteRetentionPolicy", func(n string) error {
			_, err := h.client.DeleteRetentionPolicy(ctx, &cloudwatchlogs.DeleteRetentionPolicyInput{LogGroupName: aws.String(n)})
			return err
		}},
		{"logs:DeleteLogGroup", func(n string) error {
			_, err := h.client.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(n)})
			return err
		}},
	} {
		before := len(authz.asked())
		if err := c.call("/open"); err != nil {
			t.Fatalf("%s: %v", c.action, err)
		}
		asked := authz.asked()[before:]
		if len(asked) != 1 || asked[0].Action != c.action || asked[0].Resource != arn {
			t.Fatalf("%s asked %+v, want %s on %s", c.action, asked, c.action, arn)
		}
		if c.action == "logs:CreateLogGroup" && asked[0].RequestTags["k"] != "v" {
			t.Fatalf("CreateLogGroup request tags %v", asked[0].RequestTags)
		}
		var denied *types.AccessDeniedException
		if err := c.call("/secret"); !errors.As(err, &denied) {
			t.Fatalf("denied %s: %v, want AccessDeniedException", c.action, err)
		}
	}
}
