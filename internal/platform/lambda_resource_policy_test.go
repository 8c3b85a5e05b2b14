package platform

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

// TestLambdaResourcePolicy: Get/Put/DeleteResourcePolicy with
// aws-sdk-go-v2 act on the policy AddPermission writes and nubo enforces.
func TestLambdaResourcePolicy(t *testing.T) {
	p := startPlatform(t, Options{})
	url := "http://" + p.EdgeAddr()
	c := lambdaClientFor(url)
	ctx := context.Background()
	role := lambdaRole(t, url, "policy-role")
	if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("guarded"), Runtime: "python3.12", Handler: aws.String("index.handler"),
		Role: aws.String(role), Code: &lambdatypes.FunctionCode{ZipFile: pyZip(t, "def handler(e, c):\n    return e\n")}}); err != nil {
		t.Fatal(err)
	}
	arn := aws.String("arn:aws:lambda:us-east-1:000000000000:function:guarded")
	code := func(err error) string {
		var ae smithy.APIError
		if errors.As(err, &ae) {
			return ae.ErrorCode()
		}
		return ""
	}
	if _, err := c.GetResourcePolicy(ctx, &lambda.GetResourcePolicyInput{ResourceArn: arn}); code(err) != "ResourceNotFoundException" {
		t.Fatalf("no policy yet: %v", err)
	}
	doc := `{"Version":"2012-10-17","Statement":[
	 {"Sid":"apigw","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:000000000000:function:guarded",
	  "Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:000000000000:abc/*"}}},
	 {"Sid":"acct","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":["lambda:GetFunction"],"Resource":"*"}]}`
	put, err := c.PutResourcePolicy(ctx, &lambda.PutResourcePolicyInput{ResourceArn: arn, Policy: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(aws.ToString(put.Policy), `"apigw"`) || aws.ToString(put.RevisionId) == "" {
		t.Fatalf("put: %+v", put)
	}
	// The same policy as GetPolicy shows and the gateway's checks use.
	if !p.Policies.Allows("guarded", "apigateway.amazonaws.com", "lambda:InvokeFunction", map[string][]string{"aws:SourceArn": {"arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/"}}) {
		t.Error("the put policy does not allow API Gateway")
	}
	gp, err := c.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("guarded")})
	if err != nil || !strings.Contains(aws.ToString(gp.Policy), "111111111111") {
		t.Fatalf("GetPolicy: %+v %v", gp, err)
	}
	got, err := c.GetResourcePolicy(ctx, &lambda.GetResourcePolicyInput{ResourceArn: aws.String(aws.ToString(arn) + ":$LATEST")})
	if err != nil || aws.ToString(got.RevisionId) != aws.ToString(put.RevisionId) || aws.ToString(got.Policy) != aws.ToString(put.Policy) {
		t.Fatalf("get: %+v %v", got, err)
	}

	cases := map[string]struct {
		in   lambda.PutResourcePolicyInput
		code string
	}{
		"deny":              {lambda.PutResourcePolicyInput{ResourceArn: arn, Policy: aws.String(`{"Statement":[{"Sid":"d","Effect":"Deny","Principal":"*","Action":"lambda:InvokeFunction"}]}`)}, "InvalidParameterValueException"},
		"not json":          {lambda.PutResourcePolicyInput{ResourceArn: arn, Policy: aws.String(`{`)}, "InvalidParameterValueException"},
		"unknown condition": {lambda.PutResourcePolicyInput{ResourceArn: arn, Policy: aws.String(`{"Statement":[{"Sid":"c","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`)}, "InvalidParameterValueException"},
		"stale revision":    {lambda.PutResourcePolicyInput{ResourceArn: arn, Policy: aws.String(doc), RevisionId: aws.String("stale")}, "PreconditionFailedException"},
		"not an arn":        {lambda.PutResourcePolicyInput{ResourceArn: aws.String("guarded"), Policy: aws.String(doc)}, "ValidationException"},
		"missing function":  {lambda.PutResourcePolicyInput{ResourceArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:nope"), Policy: aws.String(doc)}, "ResourceNotFoundException"},
	}
	for name, cs := range cases {
		if _, err := c.PutResourcePolicy(ctx, &cs.in); code(err) != cs.code {
			t.Errorf("%s: %v, want %s", name, err, cs.code)
		}
	}
	if _, err := c.DeleteResourcePolicy(ctx, &lambda.DeleteResourcePolicyInput{ResourceArn: arn, RevisionId: put.RevisionId}); err != nil {
		t.Fatal(err)
	}
	if p.Policies.Allows("guarded", "apigateway.amazonaws.com", "lambda:InvokeFunction", map[string][]string{"aws:SourceArn": {"arn:aws:execute-api:us-east-1:000000000000:abc/prod/GET/"}}) {
		t.Error("a deleted policy still allows")
	}
	if _, err := c.DeleteResourcePolicy(ctx, &lambda.DeleteResourcePolicyInput{ResourceArn: arn}); code(err) != "ResourceNotFoundException" {
		t.Errorf("delete twice: %v", err)
	}
}
