package parameters_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

func TestSSMLabels_WithSDK(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/l/p"), Value: aws.String(fmt.Sprintf("v%d", i)),
			Type: types.ParameterTypeString, Overwrite: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
	// Without a version the labels go on the current one; invalid labels
	// are returned and not attached.
	out, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/l/p"),
		Labels: []string{"prod", "1bad", "awsx", "SSMy", "bad label", "ok.x-y_z"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.ParameterVersion != 3 || !reflect.DeepEqual(out.InvalidLabels, []string{"1bad", "awsx", "SSMy", "bad label"}) {
		t.Errorf("label current: version %d invalid %v", out.ParameterVersion, out.InvalidLabels)
	}
	// A label moves from version 3 to version 1.
	if _, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/l/p"), ParameterVersion: aws.Int64(1), Labels: []string{"prod"}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/l/p:prod")})
	if err != nil || aws.ToString(got.Parameter.Value) != "v1" || got.Parameter.Version != 1 || aws.ToString(got.Parameter.Selector) != ":prod" || aws.ToString(got.Parameter.Name) != "/l/p" {
		t.Errorf("get by label: %v %+v", err, got)
	}
	many, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/l/p:ok.x-y_z", "/l/p:nolabel", "/l/p:2"}})
	if err != nil || len(many.Parameters) != 2 || !reflect.DeepEqual(many.InvalidParameters, []string{"/l/p:nolabel"}) {
		t.Fatalf("get parameters by label: %v %+v", err, many)
	}
	if aws.ToString(many.Parameters[0].Value) != "v3" || aws.ToString(many.Parameters[1].Value) != "v2" {
		t.Errorf("get parameters by label and version: %+v", many.Parameters)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/l/p:nolabel")})
	var vnf *types.ParameterVersionNotFound
	if !errors.As(err, &vnf) {
		t.Errorf("get by missing label: %v, want ParameterVersionNotFound", err)
	}
	hist, err := c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("/l/p")})
	if err != nil {
		t.Fatal(err)
	}
	var labels [][]string
	for _, h := range hist.Parameters {
		labels = append(labels, h.Labels)
	}
	if !reflect.DeepEqual(labels, [][]string{{"prod"}, {}, {"ok.x-y_z"}}) {
		t.Errorf("history labels: %v", labels)
	}
	// Ten labels on a version at most: an eleventh refuses the request.
	ten := make([]string, 10)
	for i := range ten {
		ten[i] = fmt.Sprintf("l%d", i)
	}
	if _, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/l/p"), ParameterVersion: aws.Int64(2), Labels: ten}); err != nil {
		t.Fatal(err)
	}
	_, err = c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/l/p"), ParameterVersion: aws.Int64(2), Labels: []string{"eleventh"}})
	var limit *types.ParameterVersionLabelLimitExceeded
	if !errors.As(err, &limit) {
		t.Errorf("eleventh label: %v, want ParameterVersionLabelLimitExceeded", err)
	}
	if _, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/l/p:eleventh")}); err == nil {
		t.Error("a refused label was attached")
	}
	_, err = c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/l/p"), ParameterVersion: aws.Int64(9), Labels: []string{"x"}})
	if !errors.As(err, &vnf) {
		t.Errorf("label a missing version: %v, want ParameterVersionNotFound", err)
	}
	_, err = c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/l/none"), Labels: []string{"x"}})
	var nf *types.ParameterNotFound
	if !errors.As(err, &nf) {
		t.Errorf("label a missing parameter: %v, want ParameterNotFound", err)
	}
	_, err = c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/l/p"), Labels: append(ten, "x")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" {
		t.Errorf("eleven labels in one request: %v, want ValidationException", err)
	}

	un, err := c.UnlabelParameterVersion(ctx, &ssm.UnlabelParameterVersionInput{Name: aws.String("/l/p"), ParameterVersion: aws.Int64(1), Labels: []string{"prod", "l1"}})
	if err != nil || !reflect.DeepEqual(un.RemovedLabels, []string{"prod"}) || !reflect.DeepEqual(un.InvalidLabels, []string{"l1"}) {
		t.Errorf("unlabel: %v %+v", err, un)
	}
	if _, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/l/p:prod")}); !errors.As(err, &vnf) {
		t.Errorf("get by a removed label: %v", err)
	}
	// An overwrite keeps the labels where they are.
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/l/p"), Value: aws.String("v4"), Overwrite: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/l/p:l0")})
	if err != nil || got.Parameter.Version != 2 {
		t.Errorf("label after overwrite: %v %+v", err, got)
	}
}

func TestSSMGetParametersByPathFilters_WithSDK(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	for _, p := range []struct {
		name string
		typ  types.ParameterType
	}{{"/bp/a", types.ParameterTypeString}, {"/bp/b", types.ParameterTypeSecureString}, {"/bp/c", types.ParameterTypeString}} {
		for i := 1; i <= 2; i++ {
			if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(p.name), Value: aws.String(fmt.Sprintf("%s-v%d", p.name, i)), Type: p.typ, Overwrite: aws.Bool(true)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := c.LabelParameterVersion(ctx, &ssm.LabelParameterVersionInput{Name: aws.String("/bp/a"), ParameterVersion: aws.Int64(1), Labels: []string{"stable"}}); err != nil {
		t.Fatal(err)
	}
	byPath := func(filters ...types.ParameterStringFilter) ([]string, error) {
		out, err := c.GetParametersByPath(ctx, &ssm.GetParametersByPathInput{Path: aws.String("/bp"), ParameterFilters: filters, WithDecryption: aws.Bool(true)})
		if err != nil {
			return nil, err
		}
		var got []string
		for _, p := range out.Parameters {
			got = append(got, aws.ToString(p.Value))
		}
		return got, nil
	}
	got, err := byPath(types.ParameterStringFilter{Key: aws.String("Label"), Values: []string{"stable"}})
	if err != nil || !reflect.DeepEqual(got, []string{"/bp/a-v1"}) {
		t.Errorf("by label: %v %v", err, got)
	}
	got, err = byPath(types.ParameterStringFilter{Key: aws.String("Type"), Values: []string{"SecureString"}})
	if err != nil || !reflect.DeepEqual(got, []string{"/bp/b-v2"}) {
		t.Errorf("by type: %v %v", err, got)
	}
	_, err = byPath(types.ParameterStringFilter{Key: aws.String("Tier"), Values: []string{"Standard"}})
	var key *types.InvalidFilterKey
	if !errors.As(err, &key) {
		t.Errorf("Tier on GetParametersByPath: %v, want InvalidFilterKey", err)
	}
}
