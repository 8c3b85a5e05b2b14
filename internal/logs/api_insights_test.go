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

// StartQuery runs a Logs Insights query over a function's lines and a
// group's own events; GetQueryResults returns its rows and statistics.
func TestInsightsQueriesWithSDK(t *testing.T) {
	h := newHarness(t, nil)
	ctx := context.Background()
	h.createFn(t, "api")
	for i := range 6 {
		level := "info"
		if i%3 == 0 {
			level = "error"
		}
		h.logs.Line("api", fmt.Sprintf("r%d", i), time.Now(), []byte(fmt.Sprintf(`{"level":"%s","n":%d}`, level, i)))
	}
	waitFor(t, "the lines", func() bool {
		n := 0
		_ = h.logs.Read(ctx, "api", Query{}, func(Event) error { n++; return nil })
		return n == 6
	})
	start, end := time.Now().Add(-time.Hour).Unix(), time.Now().Add(time.Minute).Unix()
	run := func(query string, groups ...string) *cloudwatchlogs.GetQueryResultsOutput {
		t.Helper()
		in := &cloudwatchlogs.StartQueryInput{LogGroupNames: groups, StartTime: aws.Int64(start), EndTime: aws.Int64(end), QueryString: aws.String(query)}
		started, err := h.client.StartQuery(ctx, in)
		if err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		out, err := h.client.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: started.QueryId})
		if err != nil {
			t.Fatal(err)
		}
		if out.Status != types.QueryStatusComplete {
			t.Fatalf("status %s", out.Status)
		}
		return out
	}
	out := run(`fields n, level | filter level = "error" | sort n asc`, "/aws/lambda/api")
	var got []string
	for _, row := range out.Results {
		for _, f := range row {
			if aws.ToString(f.Field) == "n" {
				got = append(got, aws.ToString(f.Value))
			}
		}
	}
	if fmt.Sprint(got) != "[0 3]" || out.Statistics == nil || out.Statistics.RecordsScanned != 6 || out.Statistics.RecordsMatched != 2 {
		t.Errorf("filtered: %v, statistics %+v", got, out.Statistics)
	}
	stats := run(`stats count(*) as c by level | sort c desc`, "/aws/lambda/api")
	if len(stats.Results) != 2 || aws.ToString(stats.Results[0][0].Value) != "info" || aws.ToString(stats.Results[0][1].Value) != "4" {
		t.Errorf("stats: %+v", stats.Results)
	}

	var malformed *types.MalformedQueryException
	_, err := h.client.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String("/aws/lambda/api"), StartTime: aws.Int64(start), EndTime: aws.Int64(end), QueryString: aws.String("fields a | bogus")})
	if !errors.As(err, &malformed) {
		t.Errorf("a bad query: %v, want MalformedQueryException", err)
	}
	var notFound *types.ResourceNotFoundException
	_, err = h.client.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String("/none"), StartTime: aws.Int64(start), EndTime: aws.Int64(end), QueryString: aws.String("fields a")})
	if !errors.As(err, &notFound) {
		t.Errorf("a missing group: %v, want ResourceNotFoundException", err)
	}
	var invalid *types.InvalidParameterException
	_, err = h.client.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupName: aws.String("/aws/lambda/api"), StartTime: aws.Int64(end), EndTime: aws.Int64(start), QueryString: aws.String("fields a")})
	if !errors.As(err, &invalid) {
		t.Errorf("end before start: %v, want InvalidParameterException", err)
	}
	if _, err := h.client.GetQueryResults(ctx, &cloudwatchlogs.GetQueryResultsInput{QueryId: aws.String("00000000-0000-0000-0000-000000000000")}); !errors.As(err, &notFound) {
		t.Errorf("an unknown query: %v, want ResourceNotFoundException", err)
	}
	started, err := h.client.StartQuery(ctx, &cloudwatchlogs.StartQueryInput{LogGroupIdentifiers: []string{"arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/api"},
		StartTime: aws.Int64(start), EndTime: aws.Int64(end), QueryString: aws.String("fields @message | limit 1")})
	if err != nil {
		t.Fatal(err)
	}
	listed, err := h.client.DescribeQueries(ctx, &cloudwatchlogs.DescribeQueriesInput{LogGroupName: aws.String("/aws/lambda/api"), Status: types.QueryStatusComplete})
	if err != nil || len(listed.Queries) != 3 || aws.ToString(listed.Queries[0].QueryString) == "" {
		t.Errorf("describe queries: %v %+v", err, listed)
	}
	stop, err := h.client.StopQuery(ctx, &cloudwatchlogs.StopQueryInput{QueryId: started.QueryId})
	if err != nil || stop.Success {
		t.Errorf("stop a complete query: %v %+v", err, stop)
	}
}
