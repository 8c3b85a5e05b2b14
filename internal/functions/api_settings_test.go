package functions

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestRecursionAndRuntimeManagementConfigs: the stored settings with
// aws-sdk-go-v2, their defaults and their validation.
func TestRecursionAndRuntimeManagementConfigs(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	h.createFn(t, "settings", "echo")
	fn := aws.String("settings")

	rc, err := h.client.GetFunctionRecursionConfig(ctx, &lambda.GetFunctionRecursionConfigInput{FunctionName: fn})
	if err != nil || rc.RecursiveLoop != lambdatypes.RecursiveLoopTerminate {
		t.Fatalf("default recursion: %+v %v", rc, err)
	}
	put, err := h.client.PutFunctionRecursionConfig(ctx, &lambda.PutFunctionRecursionConfigInput{FunctionName: fn, RecursiveLoop: lambdatypes.RecursiveLoopAllow})
	if err != nil || put.RecursiveLoop != lambdatypes.RecursiveLoopAllow {
		t.Fatalf("put recursion: %+v %v", put, err)
	}
	if rc, err := h.client.GetFunctionRecursionConfig(ctx, &lambda.GetFunctionRecursionConfigInput{FunctionName: fn}); err != nil || rc.RecursiveLoop != lambdatypes.RecursiveLoopAllow {
		t.Fatalf("stored recursion: %+v %v", rc, err)
	}
	_, err = h.client.PutFunctionRecursionConfig(ctx, &lambda.PutFunctionRecursionConfigInput{FunctionName: fn, RecursiveLoop: "Sometimes"})
	wantCode(t, "bad recursive loop", err, "ValidationException")
	_, err = h.client.GetFunctionRecursionConfig(ctx, &lambda.GetFunctionRecursionConfigInput{FunctionName: aws.String("nope")})
	wantCode(t, "recursion of a missing function", err, "ResourceNotFoundException")

	arn := "arn:aws:lambda:us-east-1:000000000000:function:settings"
	rm, err := h.client.GetRuntimeManagementConfig(ctx, &lambda.GetRuntimeManagementConfigInput{FunctionName: fn})
	if err != nil || rm.UpdateRuntimeOn != lambdatypes.UpdateRuntimeOnAuto || aws.ToString(rm.FunctionArn) != arn || rm.RuntimeVersionArn != nil {
		t.Fatalf("default runtime management: %+v %v", rm, err)
	}
	rv := "arn:aws:lambda:us-east-1::runtime:0123456789abcdef"
	prm, err := h.client.PutRuntimeManagementConfig(ctx, &lambda.PutRuntimeManagementConfigInput{FunctionName: fn, UpdateRuntimeOn: lambdatypes.UpdateRuntimeOnManual, RuntimeVersionArn: aws.String(rv)})
	if err != nil || prm.UpdateRuntimeOn != lambdatypes.UpdateRuntimeOnManual || aws.ToString(prm.RuntimeVersionArn) != rv || aws.ToString(prm.FunctionArn) != arn {
		t.Fatalf("put runtime management: %+v %v", prm, err)
	}
	if rm, err := h.client.GetRuntimeManagementConfig(ctx, &lambda.GetRuntimeManagementConfigInput{FunctionName: fn}); err != nil || aws.ToString(rm.RuntimeVersionArn) != rv {
		t.Fatalf("stored runtime management: %+v %v", rm, err)
	}
	cases := map[string]struct {
		in   lambda.PutRuntimeManagementConfigInput
		code string
	}{
		"manual without arn":   {lambda.PutRuntimeManagementConfigInput{FunctionName: fn, UpdateRuntimeOn: lambdatypes.UpdateRuntimeOnManual}, "InvalidParameterValueException"},
		"auto with arn":        {lambda.PutRuntimeManagementConfigInput{FunctionName: fn, UpdateRuntimeOn: lambdatypes.UpdateRuntimeOnAuto, RuntimeVersionArn: aws.String(rv)}, "InvalidParameterValueException"},
		"not a runtime arn":    {lambda.PutRuntimeManagementConfigInput{FunctionName: fn, UpdateRuntimeOn: lambdatypes.UpdateRuntimeOnManual, RuntimeVersionArn: aws.String("runtime-1")}, "ValidationException"},
		"unknown mode":         {lambda.PutRuntimeManagementConfigInput{FunctionName: fn, UpdateRuntimeOn: "Never"}, "ValidationException"},
		"missing version":      {lambda.PutRuntimeManagementConfigInput{FunctionName: fn, Qualifier: aws.String("9"), UpdateRuntimeOn: lambdatypes.UpdateRuntimeOnAuto}, "ResourceNotFoundException"},
		"missing function":     {lambda.PutRuntimeManagementConfigInput{FunctionName: aws.String("nope"), UpdateRuntimeOn: lambdatypes.UpdateRuntimeOnAuto}, "ResourceNotFoundException"},
		"function update mode": {lambda.PutRuntimeManagementConfigInput{FunctionName: fn, UpdateRuntimeOn: lambdatypes.UpdateRuntimeOnFunctionUpdate}, ""},
	}
	for name, c := range cases {
		_, err := h.client.PutRuntimeManagementConfig(ctx, &c.in)
		if c.code == "" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		wantCode(t, name, err, c.code)
	}

	// A function deleted and created again starts with the defaults.
	if _, err := h.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: fn}); err != nil {
		t.Fatal(err)
	}
	h.createFn(t, "settings", "echo")
	if rc, err := h.client.GetFunctionRecursionConfig(ctx, &lambda.GetFunctionRecursionConfigInput{FunctionName: fn}); err != nil || rc.RecursiveLoop != lambdatypes.RecursiveLoopTerminate {
		t.Fatalf("recursion after recreate: %+v %v", rc, err)
	}
	if rm, err := h.client.GetRuntimeManagementConfig(ctx, &lambda.GetRuntimeManagementConfigInput{FunctionName: fn}); err != nil || rm.UpdateRuntimeOn != lambdatypes.UpdateRuntimeOnAuto {
		t.Fatalf("runtime management after recreate: %+v %v", rm, err)
	}
}

// TestCodeSigningConfigs: code signing configs' CRUD, tags, and the
// functions that use them, with aws-sdk-go-v2 (stored, not enforced).
func TestCodeSigningConfigs(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	h.createFn(t, "signed", "echo")
	profile := "arn:aws:signer:us-east-1:000000000000:/signing-profiles/p/abc"
	created, err := h.client.CreateCodeSigningConfig(ctx, &lambda.CreateCodeSigningConfigInput{
		Description:       aws.String("ours"),
		AllowedPublishers: &lambdatypes.AllowedPublishers{SigningProfileVersionArns: []string{profile}},
		Tags:              map[string]string{"team": "a"},
	})
	if err != nil {
		t.Fatal(err)
	}
	csc := created.CodeSigningConfig
	arn := aws.ToString(csc.CodeSigningConfigArn)
	if !strings.HasPrefix(arn, "arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-") || len(aws.ToString(csc.CodeSigningConfigId)) != 21 ||
		csc.CodeSigningPolicies.UntrustedArtifactOnDeployment != lambdatypes.CodeSigningPolicyWarn || aws.ToString(csc.LastModified) == "" {
		t.Fatalf("created %+v", csc)
	}
	got, err := h.client.GetCodeSigningConfig(ctx, &lambda.GetCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn)})
	if err != nil || aws.ToString(got.CodeSigningConfig.Description) != "ours" {
		t.Fatalf("get: %+v %v", got, err)
	}
	up, err := h.client.UpdateCodeSigningConfig(ctx, &lambda.UpdateCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn),
		CodeSigningPolicies: &lambdatypes.CodeSigningPolicies{UntrustedArtifactOnDeployment: lambdatypes.CodeSigningPolicyEnforce}})
	if err != nil || up.CodeSigningConfig.CodeSigningPolicies.UntrustedArtifactOnDeployment != lambdatypes.CodeSigningPolicyEnforce || aws.ToString(up.CodeSigningConfig.Description) != "ours" {
		t.Fatalf("update: %+v %v", up, err)
	}
	list, err := h.client.ListCodeSigningConfigs(ctx, &lambda.ListCodeSigningConfigsInput{})
	if err != nil || len(list.CodeSigningConfigs) != 1 || aws.ToString(list.CodeSigningConfigs[0].CodeSigningConfigArn) != arn {
		t.Fatalf("list: %+v %v", list, err)
	}

	// Tags on the config.
	if _, err := h.client.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(arn), Tags: map[string]string{"env": "dev"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.UntagResource(ctx, &lambda.UntagResourceInput{Resource: aws.String(arn), TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := h.client.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(arn)})
	if err != nil || len(tags.Tags) != 1 || tags.Tags["env"] != "dev" {
		t.Fatalf("tags: %+v %v", tags, err)
	}

	_, err = h.client.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(arn), Tags: map[string]string{"aws:reserved": "x"}})
	wantCode(t, "a reserved tag key", err, "InvalidParameterValueException")

	// A function uses it.
	if fc, err := h.client.GetFunctionCodeSigningConfig(ctx, &lambda.GetFunctionCodeSigningConfigInput{FunctionName: aws.String("signed")}); err != nil || aws.ToString(fc.CodeSigningConfigArn) != "" {
		t.Fatalf("no config yet: %+v %v", fc, err)
	}
	pf, err := h.client.PutFunctionCodeSigningConfig(ctx, &lambda.PutFunctionCodeSigningConfigInput{FunctionName: aws.String("signed"), CodeSigningConfigArn: aws.String(arn)})
	if err != nil || aws.ToString(pf.CodeSigningConfigArn) != arn || aws.ToString(pf.FunctionName) != "signed" {
		t.Fatalf("put function config: %+v %v", pf, err)
	}
	if fc, err := h.client.GetFunctionCodeSigningConfig(ctx, &lambda.GetFunctionCodeSigningConfigInput{FunctionName: aws.String("signed")}); err != nil || aws.ToString(fc.CodeSigningConfigArn) != arn {
		t.Fatalf("function config: %+v %v", fc, err)
	}
	fns, err := h.client.ListFunctionsByCodeSigningConfig(ctx, &lambda.ListFunctionsByCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn)})
	if err != nil || len(fns.FunctionArns) != 1 || fns.FunctionArns[0] != "arn:aws:lambda:us-east-1:000000000000:function:signed" {
		t.Fatalf("functions by config: %+v %v", fns, err)
	}
	_, err = h.client.DeleteCodeSigningConfig(ctx, &lambda.DeleteCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn)})
	wantCode(t, "delete a config in use", err, "ResourceConflictException")
	if _, err := h.client.DeleteFunctionCodeSigningConfig(ctx, &lambda.DeleteFunctionCodeSigningConfigInput{FunctionName: aws.String("signed")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.DeleteCodeSigningConfig(ctx, &lambda.DeleteCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}

	missing := aws.String("arn:aws:lambda:us-east-1:000000000000:code-signing-config:csc-0123456789abcdefg")
	_, err = h.client.GetCodeSigningConfig(ctx, &lambda.GetCodeSigningConfigInput{CodeSigningConfigArn: aws.String(arn)})
	wantCode(t, "get a deleted config", err, "ResourceNotFoundException")
	_, err = h.client.PutFunctionCodeSigningConfig(ctx, &lambda.PutFunctionCodeSigningConfigInput{FunctionName: aws.String("signed"), CodeSigningConfigArn: missing})
	wantCode(t, "use a missing config", err, "CodeSigningConfigNotFoundException")
	_, err = h.client.GetCodeSigningConfig(ctx, &lambda.GetCodeSigningConfigInput{CodeSigningConfigArn: aws.String("csc-1")})
	wantCode(t, "not an ARN", err, "ValidationException")
	_, err = h.client.CreateCodeSigningConfig(ctx, &lambda.CreateCodeSigningConfigInput{AllowedPublishers: &lambdatypes.AllowedPublishers{SigningProfileVersionArns: []string{}}})
	wantCode(t, "no publishers", err, "ValidationException")
	_, err = h.client.CreateCodeSigningConfig(ctx, &lambda.CreateCodeSigningConfigInput{AllowedPublishers: &lambdatypes.AllowedPublishers{SigningProfileVersionArns: []string{profile}},
		CodeSigningPolicies: &lambdatypes.CodeSigningPolicies{UntrustedArtifactOnDeployment: "Maybe"}})
	wantCode(t, "bad policy", err, "ValidationException")
	_, err = h.client.PutFunctionCodeSigningConfig(ctx, &lambda.PutFunctionCodeSigningConfigInput{FunctionName: aws.String("nope"), CodeSigningConfigArn: missing})
	wantCode(t, "a missing function", err, "ResourceNotFoundException")
}
