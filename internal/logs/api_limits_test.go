package logs

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// Each operation's limit above AWS's maximum is InvalidParameterException;
// GetLogEvents reads the stream's last page unless startFromHead is set.
func TestLogsLimitsAndStartFromHeadWithSDK(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	group, stream := "/lim/app", "s1"
	if _, err := h.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	var events []types.InputLogEvent
	for i := range 5 {
		events = append(events, types.InputLogEvent{Timestamp: aws.Int64(now + int64(i)), Message: aws.String(fmt.Sprintf("m%d", i))})
	}
	if _, err := h.client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), LogEvents: events}); err != nil {
		t.Fatal(err)
	}
	var invalid *types.InvalidParameterException
	for name, call := range map[string]func() error{
		"FilterLogEvents 10001": func() error {
			_, err := h.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), Limit: aws.Int32(10001)})
			return err
		},
		"GetLogEvents 10001": func() error {
			_, err := h.client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), Limit: aws.Int32(10001)})
			return err
		},
		"DescribeLogStreams 51": func() error {
			_, err := h.client.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(group), Limit: aws.Int32(51)})
			return err
		},
		"FilterLogEvents with an open quote": func() error {
			_, err := h.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), FilterPattern: aws.String(`"open`)})
			return err
		},
		"DescribeLogGroups 51": func() error {
			_, err := h.client.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(51)})
			return err
		},
	} {
		if err := call(); !errors.As(err, &invalid) {
			t.Errorf("%s: %v, want InvalidParameterException", name, err)
		}
	}
	// At the maximum, accepted.
	if _, err := h.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), Limit: aws.Int32(10000)}); err != nil {
		t.Errorf("FilterLogEvents 10000: %v", err)
	}
	if _, err := h.client.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(50)}); err != nil {
		t.Errorf("DescribeLogGroups 50: %v", err)
	}
	read := func(head *bool) []string {
		t.Helper()
		var got []string
		waitFor(t, "events", func() bool {
			out, err := h.client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream), Limit: aws.Int32(2), StartFromHead: head})
			if err != nil {
				t.Fatal(err)
			}
			got = got[:0]
			for _, e := range out.Events {
				got = append(got, aws.ToString(e.Message))
			}
			return len(got) == 2
		})
		return got
	}
	if got := read(nil); fmt.Sprint(got) != "[m3 m4]" {
		t.Errorf("default (the tail): %v, want [m3 m4]", got)
	}
	if got := read(aws.Bool(false)); fmt.Sprint(got) != "[m3 m4]" {
		t.Errorf("startFromHead false: %v, want [m3 m4]", got)
	}
	if got := read(aws.Bool(true)); fmt.Sprint(got) != "[m0 m1]" {
		t.Errorf("startFromHead true: %v, want [m0 m1]", got)
	}
}
