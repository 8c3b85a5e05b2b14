package functions

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/nubo-run/nubo/internal/stacks"
)

// TestVersionAndAliasProvidersDecode: AWS::Lambda::Version and ::Alias read
// their properties through stacks.Decode (a weight given as a template
// parameter's string is a number), and a property of the wrong shape is
// refused naming its path.
func TestVersionAndAliasProvidersDecode(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := stacks.WithResource(context.Background(), "app", "Res")
	h.createFn(t, "dec", "echo")
	vp, ap := NewVersionProvider(h.svc), NewAliasProvider(h.svc)
	one, attrs, err := vp.Create(ctx, stacks.Props{"FunctionName": "dec", "Description": "first"})
	if err != nil || attrs["Version"] != "1" {
		t.Fatalf("version: %q %v %v", one, attrs, err)
	}
	if _, err := h.client.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("dec"), ZipFile: bootstrapZip(t, "two")}); err != nil {
		t.Fatal(err)
	}
	if _, attrs, err = vp.Create(ctx, stacks.Props{"FunctionName": one[:strings.LastIndex(one, ":")]}); err != nil || attrs["Version"] != "2" {
		t.Fatalf("second version: %v %v", attrs, err)
	}
	arn, _, err := ap.Create(ctx, stacks.Props{"FunctionName": "dec", "Name": "live", "FunctionVersion": float64(1),
		"RoutingConfig": map[string]any{"AdditionalVersionWeights": []any{map[string]any{"FunctionVersion": "2", "FunctionWeight": "0.25"}}}})
	if err != nil || !strings.HasSuffix(arn, ":dec:live") {
		t.Fatalf("alias: %q %v", arn, err)
	}
	a, err := h.svc.GetAlias(ctx, "dec", "live")
	if err != nil || a.FunctionVersion != "1" || a.Weights["2"] != 0.25 {
		t.Fatalf("alias as stored: %+v %v", a, err)
	}
	_, _, err = ap.Create(ctx, stacks.Props{"FunctionName": "dec", "Name": "bad", "FunctionVersion": "1",
		"RoutingConfig": map[string]any{"AdditionalVersionWeights": []any{map[string]any{"FunctionVersion": "2", "FunctionWeight": "half"}}}})
	if err == nil || err.Error() != `property RoutingConfig.AdditionalVersionWeights[0].FunctionWeight: want a Number, got "half"` {
		t.Fatalf("alias with a bad weight: %v", err)
	}
	_, _, err = vp.Create(ctx, stacks.Props{"FunctionName": "dec", "ProvisionedConcurrencyConfig": map[string]any{}})
	if err == nil || !strings.Contains(err.Error(), "ProvisionedConcurrentExecutions: must be 1 or more") {
		t.Fatalf("version with empty provisioned concurrency: %v", err)
	}
}
