package parameters_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

func TestSSMDescribeParametersFilters_WithSDK(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	put := func(name string, typ types.ParameterType, tier types.ParameterTier, dataType string, tags ...types.Tag) {
		t.Helper()
		in := &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String("ami-12345678"), Type: typ, Tier: tier, Tags: tags}
		if dataType != "" {
			in.DataType = aws.String(dataType)
		}
		if _, err := c.PutParameter(ctx, in); err != nil {
			t.Fatalf("put %s: %v", name, err)
		}
	}
	put("/d/a", types.ParameterTypeString, "", "", types.Tag{Key: aws.String("env"), Value: aws.String("prod")})
	put("/d/b/c", types.ParameterTypeSecureString, types.ParameterTierAdvanced, "", types.Tag{Key: aws.String("env"), Value: aws.String("dev")})
	put("/d/b/d/e", types.ParameterTypeStringList, "", "aws:ec2:image")
	put("plain", types.ParameterTypeString, "", "", types.Tag{Key: aws.String("team"), Value: aws.String("x")})

	names := func(in *ssm.DescribeParametersInput) []string {
		t.Helper()
		var out []string
		for pg := ssm.NewDescribeParametersPaginator(c, in); pg.HasMorePages(); {
			page, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatalf("describe %+v: %v", in, err)
			}
			for _, p := range page.Parameters {
				out = append(out, aws.ToString(p.Name))
			}
		}
		return out
	}
	pf := func(key, option string, values ...string) []types.ParameterStringFilter {
		f := types.ParameterStringFilter{Key: aws.String(key), Values: values}
		if option != "" {
			f.Option = aws.String(option)
		}
		return []types.ParameterStringFilter{f}
	}
	for _, tc := range []struct {
		name string
		in   ssm.DescribeParametersInput
		want []string
	}{
		{"all", ssm.DescribeParametersInput{}, []string{"/d/a", "/d/b/c", "/d/b/d/e", "plain"}},
		{"Name Equals", ssm.DescribeParametersInput{ParameterFilters: pf("Name", "", "/d/a")}, []string{"/d/a"}},
		{"Name Equals without slash", ssm.DescribeParametersInput{ParameterFilters: pf("Name", "Equals", "d/a", "/plain")}, []string{"/d/a", "plain"}},
		{"Name BeginsWith", ssm.DescribeParametersInput{ParameterFilters: pf("Name", "BeginsWith", "/d/b")}, []string{"/d/b/c", "/d/b/d/e"}},
		{"Name Contains", ssm.DescribeParametersInput{ParameterFilters: pf("Name", "Contains", "d/e", "lai")}, []string{"/d/b/d/e", "plain"}},
		{"Path OneLevel", ssm.DescribeParametersInput{ParameterFilters: pf("Path", "", "/d")}, []string{"/d/a"}},
		{"Path Recursive", ssm.DescribeParametersInput{ParameterFilters: pf("Path", "Recursive", "/d/b")}, []string{"/d/b/c", "/d/b/d/e"}},
		{"Path root", ssm.DescribeParametersInput{ParameterFilters: pf("Path", "OneLevel", "/")}, []string{"plain"}},
		{"Type", ssm.DescribeParametersInput{ParameterFilters: pf("Type", "", "StringList", "SecureString")}, []string{"/d/b/c", "/d/b/d/e"}},
		{"KeyId", ssm.DescribeParametersInput{ParameterFilters: pf("KeyId", "", "alias/aws/ssm")}, []string{"/d/b/c"}},
		{"Tier", ssm.DescribeParametersInput{ParameterFilters: pf("Tier", "", "Advanced")}, []string{"/d/b/c"}},
		{"DataType", ssm.DescribeParametersInput{ParameterFilters: pf("DataType", "", "aws:ec2:image")}, []string{"/d/b/d/e"}},
		{"tag value", ssm.DescribeParametersInput{ParameterFilters: pf("tag:env", "", "prod")}, []string{"/d/a"}},
		{"tag BeginsWith", ssm.DescribeParametersInput{ParameterFilters: pf("tag:env", "BeginsWith", "d")}, []string{"/d/b/c"}},
		{"tag key only", ssm.DescribeParametersInput{ParameterFilters: pf("tag:env", "")}, []string{"/d/a", "/d/b/c"}},
		{"two filters", ssm.DescribeParametersInput{ParameterFilters: append(pf("Path", "Recursive", "/d"), pf("Type", "", "String")...)}, []string{"/d/a"}},
		{"legacy Name", ssm.DescribeParametersInput{Filters: []types.ParametersFilter{{Key: types.ParametersFilterKeyName, Values: []string{"/d/b"}}}}, []string{"/d/b/c", "/d/b/d/e"}},
		{"legacy Type", ssm.DescribeParametersInput{Filters: []types.ParametersFilter{{Key: types.ParametersFilterKeyType, Values: []string{"String"}}}}, []string{"/d/a", "plain"}},
		{"legacy KeyId", ssm.DescribeParametersInput{Filters: []types.ParametersFilter{{Key: types.ParametersFilterKeyKeyId, Values: []string{"alias/aws/ssm"}}}}, []string{"/d/b/c"}},
		{"pages of one", ssm.DescribeParametersInput{MaxResults: aws.Int32(1)}, []string{"/d/a", "/d/b/c", "/d/b/d/e", "plain"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := names(&tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
	out, err := c.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: pf("Name", "", "/d/b/c")})
	if err != nil || len(out.Parameters) != 1 {
		t.Fatalf("describe one: %v %+v", err, out)
	}
	m := out.Parameters[0]
	if aws.ToString(m.KeyId) != "alias/aws/ssm" || m.Tier != types.ParameterTierAdvanced || !strings.HasSuffix(aws.ToString(m.LastModifiedUser), ":root") ||
		aws.ToString(m.ARN) != "arn:aws:ssm:us-east-1:000000000000:parameter/d/b/c" {
		t.Errorf("metadata: %+v", m)
	}
}

func TestSSMDescribeParametersPageSize(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	for i := range 12 {
		if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(fmt.Sprintf("/page/p%02d", i)), Value: aws.String("v"), Type: types.ParameterTypeString}); err != nil {
			t.Fatal(err)
		}
	}
	out, err := c.DescribeParameters(ctx, &ssm.DescribeParametersInput{})
	if err != nil || len(out.Parameters) != 10 || out.NextToken == nil {
		t.Fatalf("default page: %v, %d parameters, token %v", err, len(out.Parameters), out.NextToken)
	}
	out, err = c.DescribeParameters(ctx, &ssm.DescribeParametersInput{MaxResults: aws.Int32(50)})
	if err != nil || len(out.Parameters) != 12 || out.NextToken != nil {
		t.Fatalf("page of 50: %v, %d parameters", err, len(out.Parameters))
	}
	_, err = c.DescribeParameters(ctx, &ssm.DescribeParametersInput{MaxResults: aws.Int32(51)})
	validation(t, "MaxResults 51", err, "1 validation error detected: Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50")
}

func TestSSMDescribeParametersFilterErrors(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		f    types.ParameterStringFilter
		code string
	}{
		{"Label", types.ParameterStringFilter{Key: aws.String("Label"), Values: []string{"x"}}, "InvalidFilterKey"},
		{"unknown key", types.ParameterStringFilter{Key: aws.String("Colour"), Values: []string{"x"}}, "ValidationException"},
		{"tag-key", types.ParameterStringFilter{Key: aws.String("tag-key"), Values: []string{"x"}}, "ValidationException"},
		{"Path option", types.ParameterStringFilter{Key: aws.String("Path"), Option: aws.String("Equals"), Values: []string{"/x"}}, "InvalidFilterOption"},
		{"Type Contains", types.ParameterStringFilter{Key: aws.String("Type"), Option: aws.String("Contains"), Values: []string{"String"}}, "InvalidFilterOption"},
		{"Name Recursive", types.ParameterStringFilter{Key: aws.String("Name"), Option: aws.String("Recursive"), Values: []string{"/x"}}, "InvalidFilterOption"},
		{"Type value", types.ParameterStringFilter{Key: aws.String("Type"), Values: []string{"Number"}}, "InvalidFilterValue"},
		{"Tier value", types.ParameterStringFilter{Key: aws.String("Tier"), Values: []string{"Gold"}}, "InvalidFilterValue"},
		{"Path value", types.ParameterStringFilter{Key: aws.String("Path"), Values: []string{"nope"}}, "InvalidFilterValue"},
		{"no values", types.ParameterStringFilter{Key: aws.String("Name")}, "InvalidFilterValue"},
		{"long option", types.ParameterStringFilter{Key: aws.String("Name"), Option: aws.String("BeginsWithX"), Values: []string{"x"}}, "ValidationException"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{tc.f}})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != tc.code {
				t.Errorf("%v, want %s", err, tc.code)
			}
		})
	}
	dup := types.ParameterStringFilter{Key: aws.String("Name"), Values: []string{"x"}}
	_, err := c.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{dup, dup}})
	var key *types.InvalidFilterKey
	if !errors.As(err, &key) {
		t.Errorf("duplicated filter: %v, want InvalidFilterKey", err)
	}
}
