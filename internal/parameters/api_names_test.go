package parameters_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
)

func TestSSMNamesARNsAndDataType_WithSDK(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	put := func(name, value string) {
		t.Helper()
		if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: types.ParameterTypeString}); err != nil {
			t.Fatalf("put %s: %v", name, err)
		}
	}
	put("/with-slash", "slashed")
	put("with-slash", "plain")
	put("/only-slashed", "only")
	put("/a/b", "nested")
	for ref, want := range map[string]string{
		"/with-slash": "slashed",
		"with-slash":  "plain",
		"arn:aws:ssm:us-east-1:000000000000:parameter/with-slash":   "plain",
		"arn:aws:ssm:us-east-1:000000000000:parameter/only-slashed": "only",
		"arn:aws:ssm:us-east-1:000000000000:parameter/a/b":          "nested",
		"arn:aws:ssm:us-east-1:000000000000:parameter/a/b:1":        "nested",
	} {
		got, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(ref)})
		if err != nil || aws.ToString(got.Parameter.Value) != want {
			t.Errorf("get %s: %v %+v, want %s", ref, err, got, want)
		}
	}
	for _, dt := range []string{"text", "aws:ec2:image", "aws:ssm:integration"} {
		if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/dt/" + dt[len(dt)-4:]), Value: aws.String("ami-12345678"), Type: types.ParameterTypeString, DataType: aws.String(dt)}); err != nil {
			t.Errorf("data type %s: %v", dt, err)
		}
	}
	_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/dt/bad"), Value: aws.String("v"), Type: types.ParameterTypeString, DataType: aws.String("Text")})
	validation(t, "data type Text", err, "The following data type is not supported: Text (Data type names are all lowercase.)")

	only, err := c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("arn:aws:ssm:us-east-1:000000000000:parameter/only-slashed")})
	if err != nil || len(only.Parameters) != 1 || aws.ToString(only.Parameters[0].Name) != "/only-slashed" {
		t.Errorf("history by the ARN of /only-slashed: %v %+v", err, only)
	}
	hist, err := c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("/a/b")})
	if err != nil || len(hist.Parameters) != 1 || aws.ToString(hist.Parameters[0].LastModifiedUser) != "arn:aws:iam::000000000000:root" {
		t.Errorf("history LastModifiedUser: %v %+v", err, hist)
	}
}
