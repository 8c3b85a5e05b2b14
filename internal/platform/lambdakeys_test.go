package platform

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/nubo-run/nubo/internal/iam"
)

// Lambda's condition keys whose values are in the request body
// (lambda:FunctionUrlAuthType, lambda:Principal) are in the request context:
// an Allow conditioned on them holds only for the requests it names.
func TestIAMLambdaBodyConditionKeys(t *testing.T) {
	p := startPlatform(t, Options{})
	root := clientsFor(p.EndpointURL())
	ctx := context.Background()
	fnRole := root.role(t, "fn-role", lambdaTrust)
	if _, err := root.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("f"), Runtime: lambdatypes.RuntimePython312,
		Handler: aws.String("index.handler"), Role: aws.String(fnRole), Code: &lambdatypes.FunctionCode{ZipFile: pyZip(t, "def handler(e, c):\n    return 1\n")}}); err != nil {
		t.Fatal(err)
	}
	admin := root.role(t, "url-admin", lambdaTrust)
	if _, err := root.iam.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("url-admin"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[
			{"Effect":"Allow","Action":["lambda:CreateFunctionUrlConfig","lambda:UpdateFunctionUrlConfig"],"Resource":"*","Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"AWS_IAM"}}},
			{"Effect":"Allow","Action":"lambda:AddPermission","Resource":"*","Condition":{"StringEquals":{"lambda:Principal":"apigateway.amazonaws.com"}}}]}`)}); err != nil {
		t.Fatal(err)
	}
	lc := sessionLambda(t, p, admin, "s")
	denied := func(what string, err error) {
		t.Helper()
		var ae smithy.APIError
		if err == nil || !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
			t.Fatalf("%s: %v, want AccessDeniedException", what, err)
		}
	}

	_, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("f"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	denied("a public URL", err)
	if _, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("f"), AuthType: lambdatypes.FunctionUrlAuthTypeAwsIam}); err != nil {
		t.Fatalf("an AWS_IAM URL: %v", err)
	}
	_, err = lc.UpdateFunctionUrlConfig(ctx, &lambda.UpdateFunctionUrlConfigInput{FunctionName: aws.String("f"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	denied("making it public", err)

	_, err = lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("f"), StatementId: aws.String("any"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("*")})
	denied("a permission for everyone", err)
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("f"), StatementId: aws.String("gw"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("apigateway.amazonaws.com")}); err != nil {
		t.Fatalf("a permission for API Gateway: %v", err)
	}
}

// sessionLambda is a Lambda client signing with a session of role, as a
// function or an assumed role would.
func sessionLambda(t *testing.T, p *Platform, role, session string) *lambda.Client {
	t.Helper()
	keys, err := p.Keys.Issue(iam.SessionPrincipal(role, session), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.EndpointURL()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(keys.AccessKeyID, keys.SecretAccessKey, keys.SessionToken)})
}
