package parameters_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

// validation asserts err is SSM's ValidationException with message msg.
func validation(t *testing.T, what string, err error, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" || ae.ErrorMessage() != msg {
		t.Errorf("%s: %v, want ValidationException %q", what, err, msg)
	}
}

func TestSSMPutParameterTypeRequiredForNew(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/typed/new"), Value: aws.String("v")})
	validation(t, "new parameter without Type", err, "A parameter type is required when you create a parameter.")
	if _, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/typed/new")}); err == nil {
		t.Error("a parameter refused for its missing type was stored")
	}
	// Overwrite without Type keeps the type the parameter has.
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/typed/s"), Value: aws.String("secret"), Type: types.ParameterTypeSecureString}); err != nil {
		t.Fatal(err)
	}
	out, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/typed/s"), Value: aws.String("secret2"), Overwrite: aws.Bool(true)})
	if err != nil || out.Version != 2 {
		t.Fatalf("overwrite without Type: %v %+v", err, out)
	}
	got, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/typed/s"), WithDecryption: aws.Bool(true)})
	if err != nil || got.Parameter.Type != types.ParameterTypeSecureString || aws.ToString(got.Parameter.Value) != "secret2" {
		t.Errorf("after overwrite without Type: %v %+v", err, got)
	}
	// Overwrite with a Type changes it.
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/typed/s"), Value: aws.String("a,b"), Type: types.ParameterTypeStringList, Overwrite: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/typed/s")})
	if err != nil || got.Parameter.Type != types.ParameterTypeStringList {
		t.Errorf("after overwrite with Type StringList: %v %+v", err, got)
	}
}

func TestSSMGetParametersDuplicateNameOnce(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/dup/a"), Value: aws.String("v"), Type: types.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/dup/a", "/dup/missing", "/dup/a", "/dup/missing"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Parameters) != 1 || aws.ToString(out.Parameters[0].Name) != "/dup/a" {
		t.Errorf("parameters: %+v, want /dup/a once", out.Parameters)
	}
	if len(out.InvalidParameters) != 1 || out.InvalidParameters[0] != "/dup/missing" {
		t.Errorf("invalid parameters: %v, want [/dup/missing]", out.InvalidParameters)
	}
}

func TestSSMDescribeParametersFiltersAndParameterFiltersRefused(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/f/a"), Value: aws.String("v"), Type: types.ParameterTypeString}); err != nil {
		t.Fatal(err)
	}
	_, err := c.DescribeParameters(ctx, &ssm.DescribeParametersInput{
		Filters:          []types.ParametersFilter{{Key: types.ParametersFilterKeyName, Values: []string{"/f/a"}}},
		ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Name"), Values: []string{"/f/a"}}},
	})
	validation(t, "Filters with ParameterFilters", err, "You can use either Filters or ParameterFilters in a single request.")
	out, err := c.DescribeParameters(ctx, &ssm.DescribeParametersInput{
		ParameterFilters: []types.ParameterStringFilter{{Key: aws.String("Name"), Values: []string{"/f/a"}}},
	})
	if err != nil || len(out.Parameters) != 1 {
		t.Errorf("ParameterFilters alone: %v %+v", err, out)
	}
}
