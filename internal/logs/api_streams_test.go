package logs

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/nubo-run/nubo/internal/awsapi"
)

func events(base time.Time, msgs ...string) []types.InputLogEvent {
	var out []types.InputLogEvent
	for i, m := range msgs {
		out = append(out, types.InputLogEvent{Timestamp: aws.Int64(base.Add(time.Duration(i) * time.Millisecond).UnixMilli()), Message: aws.String(m)})
	}
	return out
}

// A group's own streams: CreateLogStream, PutLogEvents (stored before it
// answers), then GetLogEvents per stream, FilterLogEvents across them,
// and DescribeLogStreams with their times, in order and by page.
func TestLogStreamsWithSDK(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	group := "/app.v1/api"
	if _, err := h.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"b/2", "a/1"} {
		if _, err := h.client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(s)}); err != nil {
			t.Fatal(err)
		}
	}
	var exists *types.ResourceAlreadyExistsException
	if _, err := h.client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("a/1")}); !errors.As(err, &exists) {
		t.Fatalf("second CreateLogStream: %v, want ResourceAlreadyExistsException", err)
	}
	var notFound *types.ResourceNotFoundException
	if _, err := h.client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("/nope"), LogStreamName: aws.String("s")}); !errors.As(err, &notFound) {
		t.Fatalf("CreateLogStream in a missing group: %v, want ResourceNotFoundException", err)
	}

	base := time.Now().Add(-time.Minute)
	if _, err := h.client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("a/1"), LogEvents: events(base, "a0", "a1", "a2")}); err != nil {
		t.Fatal(err)
	}
	// Older than what a/1 holds: stored with its own time.
	if _, err := h.client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("b/2"), LogEvents: events(base.Add(-time.Second), "b0", "b1")}); err != nil {
		t.Fatal(err)
	}
	// Too old and too new events are reported, not stored.
	old, soon := time.Now().Add(-15*24*time.Hour).UnixMilli(), time.Now().Add(3*time.Hour).UnixMilli()
	out, err := h.client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("b/2"), LogEvents: []types.InputLogEvent{
		{Timestamp: aws.Int64(old), Message: aws.String("old")}, {Timestamp: aws.Int64(old + 1), Message: aws.String("new")}}})
	if err != nil || out.RejectedLogEventsInfo == nil || aws.ToInt32(out.RejectedLogEventsInfo.TooOldLogEventEndIndex) != 1 {
		t.Fatalf("too old events: %v %+v", err, out)
	}
	out, err = h.client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("b/2"), LogEvents: []types.InputLogEvent{
		{Timestamp: aws.Int64(soon), Message: aws.String("soon")}}})
	if err != nil || out.RejectedLogEventsInfo == nil || aws.ToInt32(out.RejectedLogEventsInfo.TooNewLogEventStartIndex) != 0 {
		t.Fatalf("too new events: %v %+v", err, out)
	}

	got, err := h.client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("a/1"), StartFromHead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []string
	for _, e := range got.Events {
		msgs = append(msgs, aws.ToString(e.Message))
	}
	if strings.Join(msgs, ",") != "a0,a1,a2" || aws.ToInt64(got.Events[1].Timestamp) != base.Add(time.Millisecond).UnixMilli() {
		t.Fatalf("GetLogEvents a/1: %q", msgs)
	}
	if _, err := h.client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("c")}); !errors.As(err, &notFound) {
		t.Fatalf("GetLogEvents of a missing stream: %v, want ResourceNotFoundException", err)
	}

	f, err := h.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), FilterPattern: aws.String("0")})
	if err != nil {
		t.Fatal(err)
	}
	var fs []string
	for _, e := range f.Events {
		fs = append(fs, aws.ToString(e.LogStreamName)+"="+aws.ToString(e.Message))
	}
	if strings.Join(fs, ",") != "a/1=a0,b/2=b0" {
		t.Fatalf("FilterLogEvents: %q", fs)
	}
	f, err = h.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group), LogStreamNames: []string{"b/2"}})
	if err != nil || len(f.Events) != 2 {
		t.Fatalf("FilterLogEvents of b/2: %v %d events", err, len(f.Events))
	}

	d, err := h.client.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(group)})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.LogStreams) != 2 || aws.ToString(d.LogStreams[0].LogStreamName) != "a/1" ||
		aws.ToInt64(d.LogStreams[0].FirstEventTimestamp) != base.UnixMilli() || aws.ToInt64(d.LogStreams[0].LastEventTimestamp) != base.Add(2*time.Millisecond).UnixMilli() ||
		aws.ToInt64(d.LogStreams[0].CreationTime) <= 0 || aws.ToInt64(d.LogStreams[0].LastIngestionTime) <= 0 ||
		aws.ToString(d.LogStreams[0].Arn) != "arn:aws:logs:us-east-1:000000000000:log-group:"+group+":log-stream:a/1" {
		t.Fatalf("DescribeLogStreams: %+v", d.LogStreams)
	}
	var names []string
	pages := cloudwatchlogs.NewDescribeLogStreamsPaginator(h.client, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(group), OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true), Limit: aws.Int32(1)})
	for n := 0; pages.HasMorePages(); n++ {
		if n == 5 {
			t.Fatal("DescribeLogStreams pages do not end")
		}
		p, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range p.LogStreams {
			names = append(names, aws.ToString(s.LogStreamName))
		}
	}
	if strings.Join(names, ",") != "a/1,b/2" {
		t.Fatalf("DescribeLogStreams by last event, descending: %q", names)
	}

	// Deleting the group drops its streams and events.
	if _, err := h.client.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if d, err := h.client.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(group)}); err != nil || len(d.LogStreams) != 0 {
		t.Fatalf("streams after the group was deleted: %v %+v", err, d)
	}
	if f, err := h.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)}); err != nil || len(f.Events) != 0 {
		t.Fatalf("events after the group was deleted: %v %+v", err, f)
	}
}

// PutLogEvents refuses what AWS refuses, before storing anything.
func TestPutLogEventsRefusals(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	group := "g"
	if _, err := h.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s")}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	many := make([]string, maxPutEvents+1)
	for i := range many {
		many[i] = "x"
	}
	big := []string{strings.Repeat("x", 600<<10), strings.Repeat("y", 600<<10)}
	var invalid *types.InvalidParameterException
	var notFound *types.ResourceNotFoundException
	for _, c := range []struct {
		name   string
		in     cloudwatchlogs.PutLogEventsInput
		target any
	}{
		{"no events", cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), LogEvents: []types.InputLogEvent{}}, &invalid},
		{"10001 events", cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), LogEvents: events(now.Add(-time.Hour), many...)}, &invalid},
		{"over 1 MiB", cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), LogEvents: events(now, big...)}, &invalid},
		{"out of order", cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), LogEvents: []types.InputLogEvent{
			{Timestamp: aws.Int64(now.UnixMilli()), Message: aws.String("b")}, {Timestamp: aws.Int64(now.UnixMilli() - 1), Message: aws.String("a")}}}, &invalid},
		{"over 24 hours", cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), LogEvents: []types.InputLogEvent{
			{Timestamp: aws.Int64(now.Add(-25 * time.Hour).UnixMilli()), Message: aws.String("a")}, {Timestamp: aws.Int64(now.UnixMilli()), Message: aws.String("b")}}}, &invalid},
		{"missing stream", cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("t"), LogEvents: events(now, "a")}, &notFound},
		{"missing group", cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("h"), LogStreamName: aws.String("s"), LogEvents: events(now, "a")}, &notFound},
	} {
		_, err := h.client.PutLogEvents(ctx, &c.in)
		if !errors.As(err, c.target) {
			t.Fatalf("%s: %v, want %T", c.name, err, c.target)
		}
	}
	if f, err := h.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)}); err != nil || len(f.Events) != 0 {
		t.Fatalf("refused events were stored: %v %+v", err, f)
	}
	// The most AWS takes in one call is taken: 10,000 events, in two hundred messages.
	full := make([]string, maxPutEvents)
	for i := range full {
		full[i] = fmt.Sprintf("e%d", i)
	}
	if _, err := h.client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("s"), LogEvents: events(now.Add(-time.Hour), full...)}); err != nil {
		t.Fatal(err)
	}
	f, err := h.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
	if err != nil || len(f.Events) != maxPutEvents || aws.ToString(f.Events[maxPutEvents-1].Message) != "e9999" {
		t.Fatalf("10,000 events: %v, %d read", err, len(f.Events))
	}
}

// A function's own SDK calls put events in its group's stream, which
// GetLogEvents reads back and FilterLogEvents reads with the function's
// lines; the function's day-streams stay as they are.
func TestPutLogEventsInFunctionGroup(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	h.createFn(t, "fn")
	writeLines(t, h, "fn", 2)
	group := "/aws/lambda/fn"
	if _, err := h.client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String("mine")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("mine"), LogEvents: events(time.Now(), "own")}); err != nil {
		t.Fatal(err)
	}
	got, err := h.client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String("mine")})
	if err != nil || len(got.Events) != 1 || aws.ToString(got.Events[0].Message) != "own" {
		t.Fatalf("GetLogEvents of mine: %v %+v", err, got)
	}
	f, err := h.client.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
	if err != nil || len(f.Events) != 3 || aws.ToString(f.Events[2].LogStreamName) != "mine" || aws.ToString(f.Events[2].Message) != "own" ||
		aws.ToString(f.Events[0].LogStreamName) != logStreamName(time.Now()) {
		t.Fatalf("FilterLogEvents of the function's group: %v %+v", err, f)
	}
	day, err := h.client.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String(group), LogStreamName: aws.String(logStreamName(time.Now()))})
	if err != nil || len(day.Events) != 2 {
		t.Fatalf("GetLogEvents of the day-stream: %v %+v", err, day)
	}
}

// The stream operations are authorized as their IAM actions on the
// stream (DescribeLogStreams on all of the group's), before the group is
// looked at.
func TestLogStreamOperationsAuthorized(t *testing.T) {
	authz := &recordingAuthz{deny: func(r awsapi.AuthzRequest) bool { return strings.Contains(r.Resource, "/secret") }}
	h := newHarness(t, authz)
	ctx := context.Background()
	if _, err := h.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/open")}); err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws:logs:us-east-1:000000000000:log-group:"
	for _, c := range []struct {
		action, resource string
		call             func(group string) error
	}{
		{"logs:CreateLogStream", arn + "/open:log-stream:s", func(g string) error {
			_, err := h.client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(g), LogStreamName: aws.String("s")})
			return err
		}},
		{"logs:PutLogEvents", arn + "/open:log-stream:s", func(g string) error {
			_, err := h.client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String(g), LogStreamName: aws.String("s"), LogEvents: events(time.Now(), "x")})
			return err
		}},
		{"logs:DescribeLogStreams", arn + "/open:log-stream:*", func(g string) error {
			_, err := h.client.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String(g)})
			return err
		}},
	} {
		before := len(authz.asked())
		if err := c.call("/open"); err != nil {
			t.Fatalf("%s: %v", c.action, err)
		}
		asked := authz.asked()[before:]
		if len(asked) != 1 || asked[0].Action != c.action || asked[0].Resource != c.resource {
			t.Fatalf("%s asked %+v, want %s on %s", c.action, asked, c.action, c.resource)
		}
		var denied *types.AccessDeniedException
		if err := c.call("/secret"); !errors.As(err, &denied) {
			t.Fatalf("denied %s: %v, want AccessDeniedException", c.action, err)
		}
	}
}
