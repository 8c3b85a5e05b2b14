package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// fakeFunctions has the functions named and records what is invoked.
type fakeFunctions struct {
	mu       sync.Mutex
	names    map[string]bool
	payloads map[string][][]byte
}

func (f *fakeFunctions) FunctionExists(_ context.Context, arn string) error {
	name, _ := LambdaName(arn)
	if !f.names[name] {
		return fmt.Errorf("%s: %w", arn, ErrFunctionNotFound)
	}
	return nil
}

func (f *fakeFunctions) InvokeAsync(ctx context.Context, arn string, payload []byte) error {
	if err := f.FunctionExists(ctx, arn); err != nil {
		return err
	}
	name, _ := LambdaName(arn)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.payloads[name] = append(f.payloads[name], payload)
	return nil
}

func (f *fakeFunctions) received(name string) []logsMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []logsMessage
	for _, p := range f.payloads[name] {
		var ev struct {
			AWSLogs struct {
				Data string `json:"data"`
			} `json:"awslogs"`
		}
		if json.Unmarshal(p, &ev) != nil {
			continue
		}
		raw, err := base64.StdEncoding.DecodeString(ev.AWSLogs.Data)
		if err != nil {
			continue
		}
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(zr)
		var m logsMessage
		if json.Unmarshal(b, &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

func TestMetricFiltersWithSDK(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	if _, err := h.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/mf/app")}); err != nil {
		t.Fatal(err)
	}
	tr := func(name string) []types.MetricTransformation {
		return []types.MetricTransformation{{MetricName: aws.String(name), MetricNamespace: aws.String("App"), MetricValue: aws.String("1"), DefaultValue: aws.Float64(0)}}
	}
	for _, f := range []struct{ name, pattern, metric string }{{"errors", "ERROR", "Errors"}, {"json", `{ $.level = "warn" }`, "Warnings"}, {"errors-2", `"fatal error"`, "Fatal"}} {
		if _, err := h.client.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String("/mf/app"), FilterName: aws.String(f.name),
			FilterPattern: aws.String(f.pattern), MetricTransformations: tr(f.metric)}); err != nil {
			t.Fatalf("put %s: %v", f.name, err)
		}
	}
	// A put with a name already used replaces the filter.
	if _, err := h.client.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String("/mf/app"), FilterName: aws.String("errors"),
		FilterPattern: aws.String("ERROR -retry"), MetricTransformations: tr("Errors")}); err != nil {
		t.Fatal(err)
	}
	names := func(in *cloudwatchlogs.DescribeMetricFiltersInput) []string {
		t.Helper()
		var out []string
		for pg := cloudwatchlogs.NewDescribeMetricFiltersPaginator(h.client, in); pg.HasMorePages(); {
			page, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range page.MetricFilters {
				out = append(out, aws.ToString(f.FilterName)+"="+aws.ToString(f.FilterPattern))
			}
		}
		return out
	}
	if got := fmt.Sprint(names(&cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("/mf/app"), Limit: aws.Int32(1)})); got != `[errors=ERROR -retry errors-2="fatal error" json={ $.level = "warn" }]` {
		t.Errorf("describe: %s", got)
	}
	if got := fmt.Sprint(names(&cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: aws.String("/mf/app"), FilterNamePrefix: aws.String("errors-")})); got != `[errors-2="fatal error"]` {
		t.Errorf("describe by prefix: %s", got)
	}
	if got := fmt.Sprint(names(&cloudwatchlogs.DescribeMetricFiltersInput{MetricName: aws.String("Warnings"), MetricNamespace: aws.String("App")})); got != `[json={ $.level = "warn" }]` {
		t.Errorf("describe by metric: %s", got)
	}
	if g, _ := describeGroup(t, h, "/mf/app"); g.MetricFilterCount == nil || *g.MetricFilterCount != 3 {
		t.Errorf("metricFilterCount %v", g.MetricFilterCount)
	}
	var invalid *types.InvalidParameterException
	var notFound *types.ResourceNotFoundException
	for name, err := range map[string]error{
		"bad pattern": func() error {
			_, err := h.client.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String("/mf/app"), FilterName: aws.String("x"), FilterPattern: aws.String(`{ $.a = 1`), MetricTransformations: tr("X")})
			return err
		}(),
		"two transformations": func() error {
			_, err := h.client.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String("/mf/app"), FilterName: aws.String("x"), FilterPattern: aws.String(""), MetricTransformations: append(tr("A"), tr("B")...)})
			return err
		}(),
		"prefix without group": func() error {
			_, err := h.client.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{FilterNamePrefix: aws.String("e")})
			return err
		}(),
		"limit 51": func() error {
			_, err := h.client.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{Limit: aws.Int32(51)})
			return err
		}(),
	} {
		if !errors.As(err, &invalid) {
			t.Errorf("%s: %v, want InvalidParameterException", name, err)
		}
	}
	if _, err := h.client.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String("/mf/none"), FilterName: aws.String("x"), FilterPattern: aws.String(""), MetricTransformations: tr("X")}); !errors.As(err, &notFound) {
		t.Errorf("put on a missing group: %v, want ResourceNotFoundException", err)
	}
	if _, err := h.client.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String("/mf/app"), FilterName: aws.String("errors")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: aws.String("/mf/app"), FilterName: aws.String("errors")}); !errors.As(err, &notFound) {
		t.Errorf("second delete: %v, want ResourceNotFoundException", err)
	}
	// Deleting the group drops its filters.
	if _, err := h.client.DeleteLogGroup(ctx, &cloudwatchlogs.DeleteLogGroupInput{LogGroupName: aws.String("/mf/app")}); err != nil {
		t.Fatal(err)
	}
	if got := names(&cloudwatchlogs.DescribeMetricFiltersInput{}); len(got) != 0 {
		t.Errorf("filters of a deleted group: %v", got)
	}
}

// Subscription filters are stored (two a group at most), and a function's
// lines and PutLogEvents' events that match are delivered as Logs
// delivers them to Lambda: awslogs.data, base64 of gzip of a DATA_MESSAGE.
func TestSubscriptionFiltersDeliverWithSDK(t *testing.T) {
	fns := &fakeFunctions{names: map[string]bool{"sink": true, "other": true}, payloads: map[string][][]byte{}}
	h := newHarnessWith(t, nil, fns)
	sub := NewSubscriber(h.logs, fns, testAccount, nil)
	if err := sub.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sub.Close(context.Background()) })
	ctx := context.Background()
	h.createFn(t, "talker")
	sink := "arn:aws:lambda:us-east-1:000000000000:function:sink"
	put := func(group, name, pattern, dest string) error {
		_, err := h.client.PutSubscriptionFilter(ctx, &cloudwatchlogs.PutSubscriptionFilterInput{LogGroupName: aws.String(group), FilterName: aws.String(name),
			FilterPattern: aws.String(pattern), DestinationArn: aws.String(dest)})
		return err
	}
	if err := put("/aws/lambda/talker", "errors", "ERROR", sink); err != nil {
		t.Fatal(err)
	}
	if err := put("/aws/lambda/talker", "all", "", "arn:aws:lambda:us-east-1:000000000000:function:other"); err != nil {
		t.Fatal(err)
	}
	var limit *types.LimitExceededException
	if err := put("/aws/lambda/talker", "third", "", sink); !errors.As(err, &limit) {
		t.Errorf("a third filter: %v, want LimitExceededException", err)
	}
	var invalid *types.InvalidParameterException
	if err := put("/aws/lambda/talker", "errors", "", "arn:aws:lambda:us-east-1:000000000000:function:missing"); !errors.As(err, &invalid) {
		t.Errorf("a missing function: %v, want InvalidParameterException", err)
	}
	if err := put("/aws/lambda/talker", "errors", "", "arn:aws:kinesis:us-east-1:000000000000:stream/s"); !errors.As(err, &invalid) {
		t.Errorf("a Kinesis destination: %v, want InvalidParameterException", err)
	}
	desc, err := h.client.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String("/aws/lambda/talker")})
	if err != nil || len(desc.SubscriptionFilters) != 2 || aws.ToString(desc.SubscriptionFilters[1].DestinationArn) != sink ||
		desc.SubscriptionFilters[1].Distribution != types.DistributionByLogStream || aws.ToString(desc.SubscriptionFilters[1].FilterPattern) != "ERROR" {
		t.Fatalf("describe: %v %+v", err, desc)
	}

	h.logs.Line("talker", "r1", time.Now(), []byte("ERROR disk full"))
	h.logs.Line("talker", "r1", time.Now(), []byte("all is well"))
	waitFor(t, "the sink's delivery", func() bool { return len(fns.received("sink")) == 1 && len(fns.received("other")) == 1 })
	got := fns.received("sink")[0]
	if got.MessageType != "DATA_MESSAGE" || got.Owner != "000000000000" || got.LogGroup != "/aws/lambda/talker" || got.LogStream != logStreamName(time.Now()) ||
		fmt.Sprint(got.SubscriptionFilters) != "[errors]" || len(got.LogEvents) != 1 || got.LogEvents[0].Message != "ERROR disk full" || got.LogEvents[0].ID == "" {
		t.Errorf("delivered to sink: %+v", got)
	}
	if all := fns.received("other")[0]; len(all.LogEvents) != 2 {
		t.Errorf("delivered to other: %+v", all)
	}

	// A group of one's own, written with PutLogEvents.
	if _, err := h.client.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String("/own")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String("/own"), LogStreamName: aws.String("s1")}); err != nil {
		t.Fatal(err)
	}
	if err := put("/own", "errors", "ERROR", sink); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	if _, err := h.client.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("/own"), LogStreamName: aws.String("s1"), LogEvents: []types.InputLogEvent{
		{Timestamp: aws.Int64(now), Message: aws.String("ERROR one")}, {Timestamp: aws.Int64(now + 1), Message: aws.String("fine")}, {Timestamp: aws.Int64(now + 2), Message: aws.String("ERROR two")}}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the PutLogEvents delivery", func() bool { return len(fns.received("sink")) == 2 })
	own := fns.received("sink")[1]
	if own.LogGroup != "/own" || own.LogStream != "s1" || len(own.LogEvents) != 2 || own.LogEvents[1].Message != "ERROR two" || own.LogEvents[1].Timestamp != now+2 {
		t.Errorf("delivered from /own: %+v", own)
	}

	if _, err := h.client.DeleteSubscriptionFilter(ctx, &cloudwatchlogs.DeleteSubscriptionFilterInput{LogGroupName: aws.String("/own"), FilterName: aws.String("errors")}); err != nil {
		t.Fatal(err)
	}
	var notFound *types.ResourceNotFoundException
	if _, err := h.client.DeleteSubscriptionFilter(ctx, &cloudwatchlogs.DeleteSubscriptionFilterInput{LogGroupName: aws.String("/own"), FilterName: aws.String("errors")}); !errors.As(err, &notFound) {
		t.Errorf("second delete: %v, want ResourceNotFoundException", err)
	}
	if _, err := h.client.DescribeSubscriptionFilters(ctx, &cloudwatchlogs.DescribeSubscriptionFiltersInput{LogGroupName: aws.String("/none")}); !errors.As(err, &notFound) {
		t.Errorf("describe a missing group: %v, want ResourceNotFoundException", err)
	}
	if strings.Contains(fmt.Sprint(fns.received("sink")), "fine") {
		t.Error("an event the pattern does not match was delivered")
	}
}
