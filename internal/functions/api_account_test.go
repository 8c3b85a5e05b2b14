package functions

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// GetAccountSettings, read by the SDK client: Lambda's default quotas, and
// usage and unreserved concurrency that follow the functions deployed.
func TestGetAccountSettings(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	get := func() *lambda.GetAccountSettingsOutput {
		t.Helper()
		out, err := h.client.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	empty := get()
	l := empty.AccountLimit
	if l.TotalCodeSize != 80530636800 || l.CodeSizeZipped != 52428800 || l.CodeSizeUnzipped != 262144000 ||
		l.ConcurrentExecutions != 1000 || aws.ToInt32(l.UnreservedConcurrentExecutions) != 1000 ||
		empty.AccountUsage.FunctionCount != 0 || empty.AccountUsage.TotalCodeSize != 0 {
		t.Fatalf("empty account: %+v %+v", *l, *empty.AccountUsage)
	}
	created := h.createFn(t, "acct", "echo")
	if _, err := h.client.PutFunctionConcurrency(ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("acct"),
		ReservedConcurrentExecutions: aws.Int32(7)}); err != nil {
		t.Fatal(err)
	}
	after := get()
	if after.AccountUsage.FunctionCount != 1 || after.AccountUsage.TotalCodeSize != created.CodeSize ||
		aws.ToInt32(after.AccountLimit.UnreservedConcurrentExecutions) != 993 {
		t.Fatalf("after one function with 7 reserved: %+v %+v", *after.AccountLimit, *after.AccountUsage)
	}
}
