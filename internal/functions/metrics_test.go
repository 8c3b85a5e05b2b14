package functions

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// metricValue reads one sample from GET /metrics (-1 when absent).
func metricValue(t *testing.T, h *harness, series string) float64 {
	t.Helper()
	resp, err := http.Get(h.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			return f
		}
	}
	return -1
}

func TestMetricsText(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	h.createFn(t, "m-echo", "echo")
	h.createFn(t, "m-fail", "fail")
	for i := 0; i < 3; i++ {
		if _, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("m-echo")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("m-fail")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("m-fail"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	_, _ = h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("m-fail")})

	resp, err := http.Get(h.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	want := map[string]float64{
		`nubo_function_invocations_total{function="m-echo"}`:           3,
		`nubo_function_errors_total{function="m-fail"}`:                1,
		`nubo_function_throttles_total{function="m-fail"}`:             1,
		`nubo_function_cold_starts_total{function="m-echo"}`:           1,
		`nubo_function_duration_seconds_count{function="m-echo"}`:      3,
		`nubo_function_init_duration_seconds_count{function="m-echo"}`: 1,
		`nubo_function_concurrent_executions{function="m-echo"}`:       0,
	}
	for series, v := range want {
		if got := metricValue(t, h, series); got != v {
			t.Errorf("%s = %v, want %v", series, got, v)
		}
	}
	// A deleted function's series go away.
	if _, err := h.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("m-echo")}); err != nil {
		t.Fatal(err)
	}
	if got := metricValue(t, h, `nubo_function_invocations_total{function="m-echo"}`); got != -1 {
		t.Errorf("deleted function still has invocations %v", got)
	}
}
