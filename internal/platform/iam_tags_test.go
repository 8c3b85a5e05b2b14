package platform

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
)

// TestIAMFunctionTagConditions: a function's tags are its
// aws:ResourceTag/*, and the tags a request sets are aws:RequestTag/*, in
// real requests made with a role session (IAM's global condition keys page;
// Lambda's "Using tags for attribute-based access control").
func TestIAMFunctionTagConditions(t *testing.T) {
	p := startPlatform(t, Options{})
	root := clientsFor(p.EndpointURL())
	ctx := context.Background()
	role := root.role(t, "abac", lambdaTrust)
	policy := `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":["lambda:GetFunction","lambda:TagResource","lambda:CreateFunction","iam:PassRole"],"Resource":"*"},
	  {"Effect":"Deny","Action":"lambda:GetFunction","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod"}}},
	  {"Effect":"Deny","Action":["lambda:TagResource","lambda:CreateFunction"],"Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/owner":"mallory"}}}]}`
	if _, err := root.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("abac"), PolicyName: aws.String("abac"), PolicyDocument: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	fnRole := lambdaRole(t, p.EndpointURL(), "fn-role")
	for name, tags := range map[string]map[string]string{"prod-fn": {"env": "prod"}, "dev-fn": {"env": "dev"}} {
		if _, err := root.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Runtime: "python3.12", Handler: aws.String("app.handler"), Role: aws.String(fnRole),
			Code: &lambdatypes.FunctionCode{ZipFile: pyZip(t, "def handler(e, c):\n    return e\n")}, Tags: tags,
		}); err != nil {
			t.Fatal(err)
		}
	}
	session := sessionLambda(t, p, role, "abac-session")
	denied := func(err error) bool {
		var ae smithy.APIError
		return errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException"
	}
	if _, err := session.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("dev-fn")}); err != nil {
		t.Errorf("GetFunction of a dev function: %v", err)
	}
	if _, err := session.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("prod-fn")}); !denied(err) {
		t.Errorf("GetFunction of a function tagged env=prod: %v, want AccessDenied by aws:ResourceTag/env", err)
	}
	arn := "arn:aws:lambda:us-east-1:000000000000:function:dev-fn"
	if _, err := session.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(arn), Tags: map[string]string{"owner": "alice"}}); err != nil {
		t.Errorf("TagResource owner=alice: %v", err)
	}
	if _, err := session.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(arn), Tags: map[string]string{"owner": "mallory"}}); !denied(err) {
		t.Errorf("TagResource owner=mallory: %v, want AccessDenied by aws:RequestTag/owner", err)
	}
	_, err := session.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("mallory-fn"), Runtime: "python3.12", Handler: aws.String("app.handler"), Role: aws.String(fnRole),
		Code: &lambdatypes.FunctionCode{ZipFile: pyZip(t, "def handler(e, c):\n    return e\n")}, Tags: map[string]string{"owner": "mallory"},
	})
	if !denied(err) {
		t.Errorf("CreateFunction tagged owner=mallory: %v, want AccessDenied by aws:RequestTag/owner", err)
	}
}
