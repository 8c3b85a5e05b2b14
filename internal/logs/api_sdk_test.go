package logs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// writeLines writes n lines of source and waits until they are stored.
func writeLines(t *testing.T, h *harness, source string, n int) {
	t.Helper()
	for i := range n {
		h.logs.Line(source, fmt.Sprintf("r%d", i), time.Now(), []byte(fmt.Sprintf("line %d of %s", i, source)))
	}
	waitFor(t, fmt.Sprintf("%d lines of %s", n, source), func() bool {
		got := 0
		if err := h.logs.Read(context.Background(), source, Query{}, func(Event) error { got++; return nil }); err != nil {
			t.Fatal(err)
		}
		return got == n
	})
}

// The table's operations answer aws-sdk-go-v2's CloudWatch Logs client:
// pages follow their tokens to the end, each event once, and errors come
// back as the SDK's types.
func TestLogsAPIWithSDK(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	h.createFn(t, "a")
	h.createFn(t, "b")
	if err := h.logs.PutGroup(ctx, Group{Name: "/aws/lambda/a", RetentionDays: 7}); err != nil {
		t.Fatal(err)
	}
	writeLines(t, h, "a", 7)

	// FilterLogEvents, three lines a page, by the group's ARN.
	var filtered []string
	pages := cloudwatchlogs.NewFilterLogEventsPaginator(h.client, &cloudwatchlogs.FilterLogEventsInput{
		LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/a:*"), Limit: aws.Int32(3)})
	for n := 0; pages.HasMorePages(); n++ {
		if n == 10 {
			t.Fatal("FilterLogEvents pages do not end")
		}
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if tok := aws.ToString(page.NextToken); tok != "" && !strings.HasPrefix(tok, "s/") {
			t.Fatalf("FilterLogEvents token %q is not a sequence token", tok)
		}
		for _, e := range page.Events {
			filtered = append(filtered, aws.ToString(e.Message))
		}
	}
	if len(filtered) != 7 || filtered[0] != "line 0 of a" || filtered[6] != "line 6 of a" {
		t.Fatalf("FilterLogEvents pages: %q", filtered)
	}

	// GetLogEvents, forward from the head of today's stream.
	var got []string
	gpages := cloudwatchlogs.NewGetLogEventsPaginator(h.client, &cloudwatchlogs.GetLogEventsInput{
		LogGroupName: aws.String("/aws/lambda/a"), LogStreamName: aws.String(logStreamName(time.Now())), Limit: aws.Int32(4), StartFromHead: aws.Bool(true)},
		// As on AWS, the stream's end is the forward token coming back unchanged.
		func(o *cloudwatchlogs.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for n := 0; gpages.HasMorePages(); n++ {
		if n == 10 {
			t.Fatal("GetLogEvents pages do not end")
		}
		page, err := gpages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(aws.ToString(page.NextForwardToken), "f/") || !strings.HasPrefix(aws.ToString(page.NextBackwardToken), "b/") {
			t.Fatalf("GetLogEvents tokens %q %q", aws.ToString(page.NextForwardToken), aws.ToString(page.NextBackwardToken))
		}
		for _, e := range page.Events {
			got = append(got, aws.ToString(e.Message))
		}
	}
	if len(got) != 7 || got[3] != "line 3 of a" {
		t.Fatalf("GetLogEvents pages: %q", got)
	}

	// DescribeLogGroups, one group a page, with the group's retention.
	var groups []types.LogGroup
	dpages := cloudwatchlogs.NewDescribeLogGroupsPaginator(h.client, &cloudwatchlogs.DescribeLogGroupsInput{
		LogGroupNamePrefix: aws.String("/aws/lambda/"), Limit: aws.Int32(1)})
	for n := 0; dpages.HasMorePages(); n++ {
		if n == 10 {
			t.Fatal("DescribeLogGroups pages do not end")
		}
		page, err := dpages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		groups = append(groups, page.LogGroups...)
	}
	if len(groups) != 2 || aws.ToString(groups[0].LogGroupName) != "/aws/lambda/a" || aws.ToString(groups[1].LogGroupName) != "/aws/lambda/b" {
		t.Fatalf("DescribeLogGroups: %+v", groups)
	}
	if aws.ToInt32(groups[0].RetentionInDays) != 7 || groups[1].RetentionInDays != nil ||
		aws.ToString(groups[0].Arn) != "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/a:*" {
		t.Fatalf("DescribeLogGroups: retention %v %v, arn %s", groups[0].RetentionInDays, groups[1].RetentionInDays, aws.ToString(groups[0].Arn))
	}

	var notFound *types.ResourceNotFoundException
	if _, err := h.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/nope")}); !errors.As(err, &notFound) {
		t.Fatalf("missing group: %v, want ResourceNotFoundException", err)
	}
	if _, err := h.client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/aws/lambda/a"), LogStreamName: aws.String("not-a-day")}); !errors.As(err, &notFound) {
		t.Fatalf("missing stream: %v, want ResourceNotFoundException", err)
	}
	var ae smithy.APIError
	if _, err := h.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/a"), NextToken: aws.String("3")}); !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValueException" {
		t.Fatalf("offset token: %v, want InvalidParameterValueException", err)
	}
	if _, err := h.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{}); !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValueException" {
		t.Fatalf("no group: %v, want InvalidParameterValueException", err)
	}
}

// Each operation is authorized as its IAM action on the log group (or
// stream) it reads, before anything is read: a denied caller learns
// nothing, not even whether the group exists.
func TestLogsAPIAuthorizesEachOperation(t *testing.T) {
	authz := &recordingAuthz{deny: func(r awsapi.AuthzRequest) bool { return strings.Contains(r.Resource, "/secret") }}
	h := newHarness(t, authz)
	ctx := context.Background()
	h.createFn(t, "open")
	stream := logStreamName(time.Now())
	group := "arn:aws:logs:us-east-1:000000000000:log-group:"
	for _, c := range []struct {
		action, resource string
		call             func() error
	}{
		{"logs:FilterLogEvents", group + "/aws/lambda/open:log-stream:", func() error {
			_, err := h.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/open")})
			return err
		}},
		{"logs:FilterLogEvents", group + "/aws/lambda/open:log-stream:", func() error {
			_, err := h.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupIdentifier: aws.String(group + "/aws/lambda/open:*")})
			return err
		}},
		{"logs:GetLogEvents", group + "/aws/lambda/open:log-stream:" + stream, func() error {
			_, err := h.client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/aws/lambda/open"), LogStreamName: aws.String(stream)})
			return err
		}},
		{"logs:DescribeLogGroups", "*", func() error {
			_, err := h.client.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{})
			return err
		}},
	} {
		before := len(authz.asked())
		if err := c.call(); err != nil {
			t.Fatalf("%s: %v", c.action, err)
		}
		asked := authz.asked()[before:]
		if len(asked) != 1 || asked[0].Service != "logs" || asked[0].Action != c.action || asked[0].Resource != c.resource {
			t.Fatalf("%s asked %+v, want %s on %s", c.action, asked, c.action, c.resource)
		}
	}
	// Denied on a group that does not exist: AccessDenied, not ResourceNotFound.
	var denied *types.AccessDeniedException
	if _, err := h.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/secret")}); !errors.As(err, &denied) {
		t.Fatalf("denied FilterLogEvents: %v, want AccessDeniedException", err)
	}
	if _, err := h.client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/secret"), LogStreamName: aws.String(stream)}); !errors.As(err, &denied) {
		t.Fatalf("denied GetLogEvents: %v, want AccessDeniedException", err)
	}
}

// What the table does not declare, and bodies it will not read, are
// refused in the JSON envelope.
func TestLogsAPIRefusals(t *testing.T) {
	h := newHarness(t, nil)
	if code, body := logsCall(t, h, "StartLiveTail", map[string]any{"logGroupIdentifiers": []string{"/aws/lambda/f"}}, nil); code != http.StatusBadRequest || !strings.HasPrefix(body, "UnknownOperationException") {
		t.Fatalf("undeclared operation: %d %s", code, body)
	}
	big := map[string]any{"logGroupName": "/aws/lambda/f", "filterPattern": string(bytes.Repeat([]byte("x"), maxRequestBody))}
	if code, body := logsCall(t, h, "FilterLogEvents", big, nil); code != http.StatusBadRequest || !strings.HasPrefix(body, "SerializationException") {
		t.Fatalf("oversized body: %d %s", code, body)
	}
	if code, body := logsCall(t, h, "FilterLogEvents", map[string]any{"logGroupName": 7}, nil); code != http.StatusBadRequest || !strings.HasPrefix(body, "SerializationException") {
		t.Fatalf("mistyped body: %d %s", code, body)
	}
}
