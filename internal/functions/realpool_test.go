package functions

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nubo-run/nubo/internal/logs"
)

// testFnZip zips a testdata/fn function built by TestMain.
func testFnZip(t *testing.T, name string) []byte {
	t.Helper()
	needProcesses(t)
	b, err := os.ReadFile(filepath.Join(testFnDir, name, "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	return makeZip(t, zipEntry{name: "bootstrap", mode: 0o755, body: string(b)})
}

func (h *harness) createReal(t *testing.T, name, code string) {
	t.Helper()
	_, err := h.client.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::000000000000:role/test-role"), Timeout: aws.Int32(10),
		Code: &lambdatypes.FunctionCode{ZipFile: testFnZip(t, code)},
	})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
}

// logCount counts a function's stored log lines containing s.
func (h *harness) logCount(t *testing.T, fn, s string) int {
	t.Helper()
	n := 0
	if err := h.logs.Read(context.Background(), fn, logs.Query{}, func(e logs.Event) error {
		if strings.Contains(e.Message, s) {
			n++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRealPoolThroughAPI drives real aws-lambda-go functions in the
// instance pool through the Lambda API: sync, tail, function errors,
// reserved concurrency, async retries and destinations.
func TestRealPoolThroughAPI(t *testing.T) {
	h := newHarness(t, harnessOpts{realPool: true})
	ctx := context.Background()
	h.createReal(t, "echo", "echo")
	h.createReal(t, "error", "error")
	h.createReal(t, "sleep", "sleep")
	h.createReal(t, "probe", "probe")

	out, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"a":[1,2]}`), LogType: lambdatypes.LogTypeTail})
	if err != nil {
		t.Fatal(err)
	}
	tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if string(out.Payload) != `{"a":[1,2]}` || !strings.Contains(string(tail), "REPORT RequestId:") {
		t.Fatalf("echo: %s, tail %q", out.Payload, tail)
	}
	warm, _ := h.svc.Instances("echo")
	if warm != 1 {
		t.Fatalf("warm instances after one invoke: %d", warm)
	}

	out, err = h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("error")})
	if err != nil || aws.ToString(out.FunctionError) != "Unhandled" || !strings.Contains(string(out.Payload), "something went wrong") {
		t.Fatalf("error function: %v %s", err, out.Payload)
	}

	// Function code reaches the API with the credentials it was given.
	out, err = h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("probe"), Payload: []byte(`{"id":"cb","callBack":"echo"}`)})
	if err != nil || !strings.Contains(string(out.Payload), `"calledBack":"arn:aws:lambda:us-east-1:000000000000:function:echo"`) {
		t.Fatalf("call back: %v %s %s", err, out.Payload, aws.ToString(out.FunctionError))
	}

	// Reserved concurrency 1: a second concurrent invocation is throttled.
	if _, err := h.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("sleep"), ReservedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("sleep"), Payload: []byte(`3000`)})
		done <- err
	}()
	waitFor(t, "the first sleep to run", func() bool { _, busy := h.svc.Instances("sleep"); return busy == 1 })
	_, err = h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("sleep"), Payload: []byte(`1`)})
	var tm *lambdatypes.TooManyRequestsException
	if !errors.As(err, &tm) || tm.Reason != lambdatypes.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded {
		t.Fatalf("concurrent invoke: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	// Async: one retry, then the record reaches the on-failure function.
	h.putEIC(t, "probe", 1, "", "echo-dlq", 0)
	h.createReal(t, "echo-dlq", "probe")
	h.invokeEvent(t, "probe", `{"id":"a1","fail":true}`)
	waitFor(t, "the failure record", func() bool { return h.logCount(t, "echo-dlq", "record RetriesExhausted 2 a1") == 1 })
	if n := h.logCount(t, "probe", "probe a1"); n != 2 {
		t.Fatalf("attempts logged: %d, want 2", n)
	}
	if got := metricValue(t, h, `nubo_function_throttles_total{function="sleep"}`); got != 1 {
		t.Fatalf("throttles metric %v", got)
	}
}

// TestRealPoolRestartRunsPendingEvents queues events a stopped function
// cannot run, restarts on the same data dir and lets them run.
func TestRealPoolRestartRunsPendingEvents(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, harnessOpts{dataDir: dir, realPool: true})
	ctx := context.Background()
	h.createReal(t, "probe", "probe")
	if _, err := h.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("probe"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		h.invokeEvent(t, "probe", fmt.Sprintf(`{"id":"p%d"}`, i))
	}
	h.close()

	h2 := newHarness(t, harnessOpts{dataDir: dir, realPool: true})
	if _, err := h2.client.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String("probe")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the pending events to run", func() bool {
		for i := 0; i < 3; i++ {
			if h2.logCount(t, "probe", fmt.Sprintf("probe p%d done", i)) == 0 {
				return false
			}
		}
		return true
	})
}
