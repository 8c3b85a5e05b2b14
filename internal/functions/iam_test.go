package functions

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// recordingAuthz allows everything but what deny names, and records what
// it was asked.
type recordingAuthz struct {
	mu   sync.Mutex
	reqs []awsapi.AuthzRequest
	deny map[string]bool // by action
}

func (r *recordingAuthz) Authorize(_ context.Context, req awsapi.AuthzRequest) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req)
	if r.deny[req.Action] {
		return awsapi.AccessDenied(req.Service, "denied: "+req.Action)
	}
	return nil
}

func (r *recordingAuthz) last(action string) (awsapi.AuthzRequest, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.reqs) - 1; i >= 0; i-- {
		if r.reqs[i].Action == action {
			return r.reqs[i], true
		}
	}
	return awsapi.AuthzRequest{}, false
}

// roleTable answers TrustsService from a table of role ARN -> trusted.
type roleTable map[string]bool

func (t roleTable) TrustsService(_ context.Context, role, service string) (bool, bool, error) {
	if role == "arn:aws:iam::000000000000:role/broken" {
		return false, false, errors.New("store unavailable")
	}
	trusted, ok := t[role]
	return ok, trusted && service == "lambda.amazonaws.com", nil
}

func TestAPIAuthorizesAsTheOperationsAction(t *testing.T) {
	az := &recordingAuthz{deny: map[string]bool{"lambda:DeleteFunction": true}}
	h := newHarness(t, harnessOpts{authz: az, roles: roleTable{"arn:aws:iam::000000000000:role/lambda": true, "arn:aws:iam::000000000000:role/ec2": false},
		resourcePolicy: func(fn string) string { return `{"policy-of":"` + fn + `"}` }})
	ctx := context.Background()
	create := func(name, role string) error {
		_, err := h.client.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023,
			Handler: aws.String("bootstrap"), Role: aws.String(role), Code: &lambdatypes.FunctionCode{ZipFile: makeZip(t, zipEntry{name: "bootstrap", mode: 0o755, body: "#!/bin/sh\n"})}})
		return err
	}
	if err := create("f", "arn:aws:iam::000000000000:role/lambda"); err != nil {
		t.Fatal(err)
	}
	for action, want := range map[string]string{
		"lambda:CreateFunction": "arn:aws:lambda:us-east-1:000000000000:function:f",
		"iam:PassRole":          "arn:aws:iam::000000000000:role/lambda",
	} {
		req, ok := az.last(action)
		if !ok || req.Resource != want || req.Service != "lambda" {
			t.Errorf("%s: asked %+v, want resource %s", action, req, want)
		}
	}
	if req, _ := az.last("iam:PassRole"); req.Context["iam:PassedToService"][0] != "lambda.amazonaws.com" {
		t.Errorf("PassRole context = %v", req.Context)
	}

	if _, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f:$LATEST")}); err != nil {
		t.Fatal(err)
	}
	if req, ok := az.last("lambda:InvokeFunction"); !ok || req.Resource != "arn:aws:lambda:us-east-1:000000000000:function:f" || req.ResourcePolicy != `{"policy-of":"f"}` {
		t.Errorf("invoke asked %+v", req)
	}

	var ae smithy.APIError
	_, err := h.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("f")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" || ae.ErrorMessage() != "denied: lambda:DeleteFunction" {
		t.Fatalf("denied DeleteFunction: %v", err)
	}
	if _, err := h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("f")}); err != nil {
		t.Fatalf("the denied delete deleted: %v", err)
	}

	t.Run("roles", func(t *testing.T) {
		err := create("g", "arn:aws:iam::000000000000:role/ec2")
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValueException" || ae.ErrorMessage() != "The role defined for the function cannot be assumed by Lambda." {
			t.Errorf("untrusted role: %v", err)
		}
		err = create("h", "arn:aws:iam::000000000000:role/made-up")
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValueException" || ae.ErrorMessage() != "The role defined for the function cannot be assumed by Lambda." {
			t.Errorf("a role that does not exist: %v", err)
		}
		if _, err := h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("h")}); err == nil {
			t.Error("a function refused for its role was created")
		}
		if err := create("i", "arn:aws:iam::000000000000:role/broken"); err == nil {
			t.Error("a role the store cannot check was accepted")
		}
		_, err = h.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("f"), Role: aws.String("arn:aws:iam::000000000000:role/ec2")})
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValueException" {
			t.Errorf("update to an untrusted role: %v", err)
		}
		_, err = h.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("f"), Role: aws.String("arn:aws:iam::000000000000:role/made-up")})
		if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidParameterValueException" || ae.ErrorMessage() != "The role defined for the function cannot be assumed by Lambda." {
			t.Errorf("update to a role that does not exist: %v", err)
		}
		if got, err := h.client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("f")}); err != nil || aws.ToString(got.Role) != "arn:aws:iam::000000000000:role/lambda" {
			t.Errorf("after refused updates the role is %v (%v)", aws.ToString(got.Role), err)
		}
	})
}

// A FunctionName ARN of another account or region is never this account's
// function: CreateFunction is refused (not created here instead) and other
// operations find nothing.
func TestForeignFunctionARNs(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	h.createFn(t, "mine", "echo")
	create := func(name string) error {
		_, err := h.client.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Runtime: lambdatypes.RuntimeProvidedal2023,
			Handler: aws.String("echo"), Role: aws.String("arn:aws:iam::000000000000:role/test-role"),
			Code: &lambdatypes.FunctionCode{ZipFile: bootstrapZip(t, name)}})
		return err
	}
	var ae smithy.APIError
	for ref, want := range map[string]struct{ code, msg string }{
		"arn:aws:lambda:us-east-1:111111111111:function:theirs": {"AccessDeniedException", "is not authorized to perform: lambda:CreateFunction on resource: arn:aws:lambda:us-east-1:111111111111:function:theirs because no resource-based policy allows the lambda:CreateFunction action"},
		"111111111111:function:theirs":                          {"AccessDeniedException", "on resource: arn:aws:lambda:us-east-1:111111111111:function:theirs"},
		"arn:aws:lambda:eu-west-1:000000000000:function:theirs": {"InvalidParameterValueException", "is in region eu-west-1: this endpoint creates functions in us-east-1"},
	} {
		err := create(ref)
		if !errors.As(err, &ae) || ae.ErrorCode() != want.code || !strings.Contains(ae.ErrorMessage(), want.msg) {
			t.Errorf("create %s: %v, want %s %q", ref, err, want.code, want.msg)
		}
	}
	if _, err := h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("theirs")}); err == nil {
		t.Error("a foreign ARN created a function in this account")
	}
	if err := create("arn:aws:lambda:us-east-1:000000000000:function:ours"); err != nil {
		t.Errorf("create by this account's ARN: %v", err)
	}
	_, err := h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:111111111111:function:mine")})
	if !errors.As(err, &ae) || ae.ErrorCode() != "ResourceNotFoundException" || !strings.Contains(ae.ErrorMessage(), "arn:aws:lambda:us-east-1:111111111111:function:mine") {
		t.Errorf("get of another account's ARN: %v", err)
	}
}
