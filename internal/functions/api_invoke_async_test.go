package functions

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestInvokeAsyncDeprecated: the deprecated InvokeAsync queues an event
// invocation and answers 202 with Status 202.
func TestInvokeAsyncDeprecated(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	h.createFn(t, "old-async", "echo")
	out, err := h.client.InvokeAsync(ctx, &lambda.InvokeAsyncInput{FunctionName: aws.String("old-async"), InvokeArgs: strings.NewReader(`{"n":7}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.Status != 202 {
		t.Fatalf("status %d", out.Status)
	}
	waitFor(t, "the queued invocation", func() bool { return len(h.exec.payloadsOf("old-async")) == 1 })
	if got := string(h.exec.payloadsOf("old-async")[0]); got != `{"n":7}` {
		t.Fatalf("payload %s", got)
	}
	var nf *lambdatypes.ResourceNotFoundException
	if _, err := h.client.InvokeAsync(ctx, &lambda.InvokeAsyncInput{FunctionName: aws.String("nope"), InvokeArgs: strings.NewReader(`{}`)}); !errors.As(err, &nf) {
		t.Fatalf("missing function: %v", err)
	}
	var bad *lambdatypes.InvalidRequestContentException
	if _, err := h.client.InvokeAsync(ctx, &lambda.InvokeAsyncInput{FunctionName: aws.String("old-async"), InvokeArgs: strings.NewReader(`{nope`)}); !errors.As(err, &bad) {
		t.Fatalf("not JSON: %v", err)
	}
}
