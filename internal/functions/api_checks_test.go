package functions

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
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

// CreateFunction refuses architectures as Lambda's model does: a
// ValidationException naming the member, before anything is created.
func TestCreateFunctionArchitecturesValidation(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	for _, tc := range []struct {
		archs []lambdatypes.Architecture
		want  string
	}{
		{[]lambdatypes.Architecture{"arm"}, "Member must satisfy enum value set: [x86_64, arm64]"},
		{[]lambdatypes.Architecture{"x86_64", "arm64"}, "Member must have length less than or equal to 1"},
	} {
		_, err := h.client.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
			FunctionName: aws.String("arch"), Runtime: "provided.al2023", Handler: aws.String("echo"),
			Role: aws.String("arn:aws:iam::000000000000:role/test-role"), Architectures: tc.archs,
			Code: &lambdatypes.FunctionCode{ZipFile: bootstrapZip(t, "arch")},
		})
		var ve *smithy.GenericAPIError
		if !errors.As(err, &ve) || ve.Code != "ValidationException" || !strings.Contains(ve.Message, tc.want) {
			t.Fatalf("%v: %v, want ValidationException %q", tc.archs, err, tc.want)
		}
	}
	if _, err := h.client.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String("arch")}); err == nil {
		t.Fatal("a refused function was created")
	}
}

// TracingConfig is kept as given (nubo sends no traces): created Active,
// read back Active, updated to PassThrough; a mode Lambda lacks is refused.
func TestTracingConfigKeptAsGiven(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	_, err := h.client.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("traced"), Runtime: "provided.al2023", Handler: aws.String("echo"),
		Role:          aws.String("arn:aws:iam::000000000000:role/test-role"),
		TracingConfig: &lambdatypes.TracingConfig{Mode: lambdatypes.TracingModeActive},
		Code:          &lambdatypes.FunctionCode{ZipFile: bootstrapZip(t, "traced")},
	})
	if err != nil {
		t.Fatal(err)
	}
	mode := func() lambdatypes.TracingMode {
		t.Helper()
		out, err := h.client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("traced")})
		if err != nil {
			t.Fatal(err)
		}
		return out.TracingConfig.Mode
	}
	if m := mode(); m != lambdatypes.TracingModeActive {
		t.Fatalf("created Active, reads %q", m)
	}
	if _, err := h.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("traced"),
		TracingConfig: &lambdatypes.TracingConfig{Mode: lambdatypes.TracingModePassThrough}}); err != nil {
		t.Fatal(err)
	}
	if m := mode(); m != lambdatypes.TracingModePassThrough {
		t.Fatalf("updated to PassThrough, reads %q", m)
	}
	_, err = h.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("traced"),
		TracingConfig: &lambdatypes.TracingConfig{Mode: "Sometimes"}})
	var ve *smithy.GenericAPIError
	if !errors.As(err, &ve) || ve.Code != "ValidationException" || !strings.Contains(ve.Message, "tracingConfig.mode") {
		t.Fatalf("mode Sometimes: %v", err)
	}
}

// ListFunctionEventInvokeConfigs lists the configs of $LATEST, a version
// and an alias, each with its own ARN, in pages.
func TestListFunctionEventInvokeConfigs(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	h.createFn(t, "eicl", "echo")
	if _, err := h.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("eicl")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("eicl"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"", "1", "live"} {
		in := &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("eicl"), MaximumRetryAttempts: aws.Int32(1)}
		if q != "" {
			in.Qualifier = aws.String(q)
		}
		if _, err := h.client.PutFunctionEventInvokeConfig(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	var arns []string
	p := lambda.NewListFunctionEventInvokeConfigsPaginator(h.client, &lambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String("eicl"), MaxItems: aws.Int32(2)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, c := range out.FunctionEventInvokeConfigs {
			if aws.ToInt32(c.MaximumRetryAttempts) != 1 {
				t.Fatalf("config %s: retries %d", aws.ToString(c.FunctionArn), aws.ToInt32(c.MaximumRetryAttempts))
			}
			arns = append(arns, aws.ToString(c.FunctionArn))
		}
	}
	const fn = "arn:aws:lambda:us-east-1:000000000000:function:eicl"
	if pages != 2 || strings.Join(arns, " ") != fn+":$LATEST "+fn+":1 "+fn+":live" {
		t.Fatalf("%d pages: %v", pages, arns)
	}
	_, err := h.client.ListFunctionEventInvokeConfigs(ctx, &lambda.ListFunctionEventInvokeConfigsInput{FunctionName: aws.String("nosuch")})
	var nf *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("unknown function: %v", err)
	}
}
