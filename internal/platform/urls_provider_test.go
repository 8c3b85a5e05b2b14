package platform

import (
	"context"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
	"github.com/nubo-run/nubo/internal/stacks/stackstest"
)

// TestURLProviderContract runs the provider contract on AWS::Lambda::Url as
// the platform registers it (internal/functions' provider over the
// gateway's function URLs), and checks a URL it creates is the one the
// Lambda API's URL operations see. (Moved from the gateway's
// TestProviderContracts with the provider.)
func TestURLProviderContract(t *testing.T) {
	p := startPlatform(t, Options{})
	reg, err := p.providers()
	if err != nil {
		t.Fatal(err)
	}
	up, ok := reg.Provider("AWS::Lambda::Url")
	if !ok {
		t.Fatal("AWS::Lambda::Url is not registered")
	}
	const fnARN = "arn:aws:lambda:us-east-1:000000000000:function:fn"
	stackstest.RunProviderContract(t, up,
		stacks.Props{"TargetFunctionArn": fnARN, "AuthType": "NONE"},
		stacks.Props{"TargetFunctionArn": fnARN, "AuthType": "AWS_IAM", "InvokeMode": "RESPONSE_STREAM",
			"Cors": map[string]any{"AllowOrigins": []any{"https://example.test"}, "MaxAge": float64(60)}})

	ctx := stacks.WithResource(context.Background(), "app", "Url")
	phys, attrs, err := up.Create(ctx, stacks.Props{"TargetFunctionArn": "fn", "Qualifier": "live", "AuthType": "NONE"})
	if err != nil {
		t.Fatal(err)
	}
	if phys != "fn#live" || attrs["FunctionArn"] != fnARN+":live" || !strings.HasPrefix(attrs["FunctionUrl"].(string), "http://") {
		t.Fatalf("created %q %v", phys, attrs)
	}
	c, ok := functionURLs{g: p.Gateway, addr: p.HTTPAddr}.GetURL("fn", "live")
	if !ok || c.Address != attrs["FunctionUrl"] || c.AuthType != "NONE" {
		t.Fatalf("the Lambda API's view: %+v %v", c, ok)
	}
	if err := up.Delete(ctx, phys); err != nil {
		t.Fatal(err)
	}
	if _, err := up.Read(ctx, phys); err == nil {
		t.Fatal("read a deleted URL")
	}
}

// TestPermissionProviderRegistered: AWS::Lambda::Permission is
// internal/functions' provider over the platform's policy store.
func TestPermissionProviderRegistered(t *testing.T) {
	p := startPlatform(t, Options{})
	reg, err := p.providers()
	if err != nil {
		t.Fatal(err)
	}
	pp, ok := reg.Provider("AWS::Lambda::Permission")
	if !ok {
		t.Fatal("AWS::Lambda::Permission is not registered")
	}
	ctx := stacks.WithResource(context.Background(), "app", "Perm")
	phys, _, err := pp.Create(ctx, stacks.Props{"FunctionName": "fn", "Action": "lambda:InvokeFunctionUrl", "Principal": "*", "FunctionUrlAuthType": "NONE"})
	if err != nil {
		t.Fatal(err)
	}
	if !p.Policies.Allows("fn", "*", "lambda:InvokeFunctionUrl", map[string][]string{"lambda:FunctionUrlAuthType": {"NONE"}}) {
		t.Fatalf("%s: the platform's policy store does not allow it", phys)
	}
}
