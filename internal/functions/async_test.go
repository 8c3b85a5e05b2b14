package functions

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/nats-io/nats.go"
)

func fnARN(name string) string { return "arn:aws:lambda:us-east-1:000000000000:function:" + name }

func (h *harness) putEIC(t *testing.T, name string, retries int32, onSuccess, onFailure string, maxAge int32) {
	t.Helper()
	in := &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String(name), MaximumRetryAttempts: aws.Int32(retries), DestinationConfig: &lambdatypes.DestinationConfig{}}
	if maxAge > 0 {
		in.MaximumEventAgeInSeconds = aws.Int32(maxAge)
	}
	if onSuccess != "" {
		in.DestinationConfig.OnSuccess = &lambdatypes.OnSuccess{Destination: aws.String(fnARN(onSuccess))}
	}
	if onFailure != "" {
		in.DestinationConfig.OnFailure = &lambdatypes.OnFailure{Destination: aws.String(fnARN(onFailure))}
	}
	if _, err := h.client.PutFunctionEventInvokeConfig(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

func (h *harness) invokeEvent(t *testing.T, name, payload string) string {
	t.Helper()
	out, err := h.client.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name), InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(payload)})
	if err != nil {
		t.Fatal(err)
	}
	if out.StatusCode != 202 || len(out.Payload) != 0 {
		t.Fatalf("event invoke: status %d payload %q", out.StatusCode, out.Payload)
	}
	rid, _ := awsmiddlewareRequestID(out.ResultMetadata)
	return rid
}

// record waits for one destination record delivered to fn.
func (h *harness) record(t *testing.T, fn string) destinationRecord {
	t.Helper()
	waitFor(t, "a destination record for "+fn, func() bool { return len(h.exec.payloadsOf(fn)) > 0 })
	var rec destinationRecord
	if err := json.Unmarshal(h.exec.payloadsOf(fn)[0], &rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestAsyncRetriesThenOnFailure(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.createFn(t, "always-fails", "fail")
	h.createFn(t, "dlq", "echo")
	h.putEIC(t, "always-fails", 2, "", "dlq", 0)
	rid := h.invokeEvent(t, "always-fails", `{"n":1}`)
	rec := h.record(t, "dlq")
	if got := h.exec.callsOf("always-fails"); len(got) != 3 || got[0] != rid || got[2] != rid {
		t.Fatalf("attempts %v, want 3 of %s", got, rid)
	}
	if rec.Version != "1.0" || rec.RequestContext.RequestID != rid || rec.RequestContext.Condition != "RetriesExhausted" ||
		rec.RequestContext.ApproximateInvokeCount != 3 || rec.RequestContext.FunctionARN != fnARN("always-fails")+":$LATEST" {
		t.Fatalf("record context: %+v", rec.RequestContext)
	}
	if string(rec.RequestPayload) != `{"n":1}` || rec.ResponseContext == nil || rec.ResponseContext.FunctionError != "Unhandled" ||
		rec.ResponseContext.StatusCode != 200 || rec.ResponseContext.ExecutedVersion != "$LATEST" {
		t.Fatalf("record: %+v %+v", rec, rec.ResponseContext)
	}
	var resp map[string]string
	if err := json.Unmarshal(rec.ResponsePayload, &resp); err != nil || resp["errorMessage"] != "boom" {
		t.Fatalf("response payload %s", rec.ResponsePayload)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", rec.Timestamp); err != nil {
		t.Fatalf("timestamp %q: %v", rec.Timestamp, err)
	}
}

func TestAsyncOnSuccessAfterRetry(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.createFn(t, "flaky", "flaky")
	h.createFn(t, "ok-dest", "echo")
	h.createFn(t, "fail-dest", "echo")
	h.putEIC(t, "flaky", 2, "ok-dest", "fail-dest", 0)
	h.invokeEvent(t, "flaky", `{"OkAfter":2}`)
	rec := h.record(t, "ok-dest")
	if rec.RequestContext.Condition != "Success" || rec.RequestContext.ApproximateInvokeCount != 2 || string(rec.ResponsePayload) != `"ok"` || rec.ResponseContext.FunctionError != "" {
		t.Fatalf("success record: %+v %+v %s", rec.RequestContext, rec.ResponseContext, rec.ResponsePayload)
	}
	if n := len(h.exec.payloadsOf("fail-dest")); n != 0 {
		t.Fatalf("failure destination got %d records", n)
	}
}

func TestAsyncNoRetries(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.createFn(t, "fails-once", "fail")
	h.createFn(t, "dlq", "echo")
	h.putEIC(t, "fails-once", 0, "", "dlq", 0)
	h.invokeEvent(t, "fails-once", `{}`)
	rec := h.record(t, "dlq")
	if rec.RequestContext.ApproximateInvokeCount != 1 || len(h.exec.callsOf("fails-once")) != 1 {
		t.Fatalf("with zero retries: count %d calls %d", rec.RequestContext.ApproximateInvokeCount, len(h.exec.callsOf("fails-once")))
	}
}

func TestAsyncThrottlesDoNotUseAttempts(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	h.createFn(t, "stopped", "flaky")
	h.createFn(t, "ok-dest", "echo")
	h.putEIC(t, "stopped", 0, "ok-dest", "", 0)
	if _, err := h.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("stopped"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	h.invokeEvent(t, "stopped", `{"OkAfter":1}`)
	waitFor(t, "three throttles", func() bool {
		return metricValue(t, h, `nubo_function_throttles_total{function="stopped"}`) >= 3
	})
	if _, err := h.client.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String("stopped")}); err != nil {
		t.Fatal(err)
	}
	rec := h.record(t, "ok-dest")
	if rec.RequestContext.Condition != "Success" || rec.RequestContext.ApproximateInvokeCount != 1 {
		t.Fatalf("after throttles: %+v", rec.RequestContext)
	}
}

func TestAsyncEventAgeExceeded(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.createFn(t, "old", "echo")
	h.createFn(t, "dlq", "echo")
	h.putEIC(t, "old", 2, "", "dlq", 60)
	// An event accepted two minutes ago, as if it had waited out throttles.
	msg := nats.NewMsg(asyncSubject + "old")
	msg.Data = []byte(`{"stale":true}`)
	msg.Header.Set(evFunctionHdr, "old")
	msg.Header.Set(evRequestIDHdr, "11111111-2222-4333-8444-555555555555")
	msg.Header.Set(evEnqueuedHdr, strconv.FormatInt(time.Now().Add(-2*time.Minute).UnixNano(), 10))
	msg.Header.Set(evAttemptsHdr, "0")
	if _, err := h.svc.opts.Backbone.JetStream().PublishMsg(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	rec := h.record(t, "dlq")
	if rec.RequestContext.Condition != "EventAgeExceeded" || rec.RequestContext.ApproximateInvokeCount != 0 || rec.ResponseContext != nil || string(rec.RequestPayload) != `{"stale":true}` {
		t.Fatalf("age record: %+v %+v %s", rec.RequestContext, rec.ResponseContext, rec.RequestPayload)
	}
	if n := len(h.exec.callsOf("old")); n != 0 {
		t.Fatalf("a too-old event ran %d times", n)
	}
}

func TestRestartKeepsFunctionsAndPendingEvents(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, harnessOpts{dataDir: dir})
	ctx := context.Background()
	created := h.createFn(t, "later", "echo")
	if _, err := h.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("later"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	var rids []string
	for i := 0; i < 3; i++ {
		rids = append(rids, h.invokeEvent(t, "later", `{"i":`+strconv.Itoa(i)+`}`))
	}
	h.close()
	// A node with an empty code cache rebuilds the code from JetStream.
	if err := os.RemoveAll(filepath.Join(dir, "functions", "code")); err != nil {
		t.Fatal(err)
	}

	h2 := newHarness(t, harnessOpts{dataDir: dir})
	got, err := h2.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("later")})
	if err != nil || aws.ToString(got.Configuration.CodeSha256) != aws.ToString(created.CodeSha256) {
		t.Fatalf("function after restart: %v", err)
	}
	if _, err := h2.client.DeleteFunctionConcurrency(ctx, &lambda.DeleteFunctionConcurrencyInput{FunctionName: aws.String("later")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the three pending events to run", func() bool { return len(h2.exec.callsOf("later")) >= 3 })
	ran := map[string]bool{}
	for _, r := range h2.exec.callsOf("later") {
		ran[r] = true
	}
	for _, r := range rids {
		if !ran[r] {
			t.Fatalf("event %s lost across the restart (ran %v)", r, h2.exec.callsOf("later"))
		}
	}
}

// A function throttled for good (reserved concurrency 0) with more waiting
// events than there are workers must not hold up the events of other
// functions: waiting events stay pending in JetStream without a slot.
func TestAsyncThrottledBacklogDoesNotBlockOthers(t *testing.T) {
	h := newHarness(t, harnessOpts{async: AsyncOptions{
		RetryBaseDelay: 20 * time.Millisecond, ThrottleBaseDelay: time.Hour, ThrottleMaxDelay: time.Hour,
		AckWait: 2 * time.Second, Workers: 4,
	}})
	ctx := context.Background()
	h.createFn(t, "stopped", "echo")
	h.createFn(t, "bystander", "echo")
	if _, err := h.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("stopped"), ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	const backlog = 12 // three times the workers
	for i := 0; i < backlog; i++ {
		h.invokeEvent(t, "stopped", `{"i":`+strconv.Itoa(i)+`}`)
	}
	waitFor(t, "every backlog event to be throttled once", func() bool {
		return metricValue(t, h, `nubo_function_throttles_total{function="stopped"}`) >= backlog
	})
	rid := h.invokeEvent(t, "bystander", `{"hello":1}`)
	waitFor(t, "the other function's event to run", func() bool { return len(h.exec.callsOf("bystander")) == 1 })
	if got := h.exec.callsOf("bystander"); got[0] != rid {
		t.Fatalf("bystander ran %v, want %s", got, rid)
	}
}

func TestThrottleDelay(t *testing.T) {
	const base, max = time.Second, 5 * time.Minute
	tests := []struct {
		delivered uint64
		full      time.Duration
	}{
		{0, time.Second}, {1, time.Second}, {2, 2 * time.Second}, {4, 8 * time.Second},
		{9, 256 * time.Second}, {10, max}, {1000, max},
	}
	for _, tt := range tests {
		seen := map[time.Duration]bool{}
		for range 50 {
			d := throttleDelay(base, max, tt.delivered)
			if d < tt.full/2 || d > tt.full {
				t.Fatalf("delivery %d: delay %s outside [%s, %s]", tt.delivered, d, tt.full/2, tt.full)
			}
			seen[d] = true
		}
		// Events throttled together must not all come back together.
		if len(seen) < 2 {
			t.Errorf("delivery %d: 50 delays were all %v", tt.delivered, seen)
		}
	}
}
