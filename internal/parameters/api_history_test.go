package parameters_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/smithy-go"
)

func TestSSMParameterHistory_WithSDK(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	put := func(name, value string, typ types.ParameterType, desc string) {
		t.Helper()
		in := &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String(value), Type: typ, Overwrite: aws.Bool(true)}
		if desc != "" {
			in.Description = aws.String(desc)
		}
		if _, err := c.PutParameter(ctx, in); err != nil {
			t.Fatalf("put %s=%s: %v", name, value, err)
		}
	}
	put("/h/p", "v1", types.ParameterTypeString, "first")
	put("/h/p", "v2", types.ParameterTypeSecureString, "")
	put("/h/p", "v3", "", "third") // keeps SecureString
	put("/h/other", "x", types.ParameterTypeString, "")

	history := func(name string, decrypt bool, max int32) []types.ParameterHistory {
		t.Helper()
		var all []types.ParameterHistory
		in := &ssm.GetParameterHistoryInput{Name: aws.String(name), WithDecryption: aws.Bool(decrypt)}
		if max > 0 {
			in.MaxResults = aws.Int32(max)
		}
		pages := 0
		for pg := ssm.NewGetParameterHistoryPaginator(c, in); pg.HasMorePages(); pages++ {
			out, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatalf("history of %s: %v", name, err)
			}
			if max > 0 && len(out.Parameters) > int(max) {
				t.Fatalf("a page of %d, asked for at most %d", len(out.Parameters), max)
			}
			all = append(all, out.Parameters...)
		}
		if max > 0 && pages != (len(all)+int(max)-1)/int(max) {
			t.Errorf("%d versions in %d pages of %d", len(all), pages, max)
		}
		return all
	}
	hist := history("/h/p", true, 2)
	var got []string
	for _, h := range hist {
		got = append(got, fmt.Sprintf("%d:%s:%s:%s:%s", h.Version, h.Type, aws.ToString(h.Value), aws.ToString(h.Description), aws.ToString(h.KeyId)))
		if aws.ToString(h.Name) != "/h/p" || h.LastModifiedDate == nil || h.Tier != types.ParameterTierStandard || aws.ToString(h.DataType) != "text" {
			t.Errorf("version %d: %+v", h.Version, h)
		}
	}
	want := "[1:String:v1:first: 2:SecureString:v2::alias/aws/ssm 3:SecureString:v3:third:alias/aws/ssm]"
	if fmt.Sprint(got) != want {
		t.Errorf("history:\n got %v\nwant %s", got, want)
	}
	// Without decryption a SecureString version's value is its ciphertext.
	enc := history("/h/p", false, 0)
	if len(enc) != 3 || aws.ToString(enc[0].Value) != "v1" || aws.ToString(enc[1].Value) == "v2" || aws.ToString(enc[2].Value) == "v3" {
		t.Errorf("history without decryption: %+v", enc)
	}

	// name:version selects a kept version, by name or ARN, in GetParameter and GetParameters.
	v1, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/h/p:1")})
	if err != nil || aws.ToString(v1.Parameter.Value) != "v1" || v1.Parameter.Type != types.ParameterTypeString || v1.Parameter.Version != 1 {
		t.Errorf("/h/p:1: %v %+v", err, v1)
	}
	v2, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("arn:aws:ssm:us-east-1:000000000000:parameter/h/p:2"), WithDecryption: aws.Bool(true)})
	if err != nil || aws.ToString(v2.Parameter.Value) != "v2" || v2.Parameter.Version != 2 {
		t.Errorf("ARN:2: %v %+v", err, v2)
	}
	many, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/h/p:1", "/h/p:3", "/h/p:4", "/h/p:0"}, WithDecryption: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	var vals []string
	for _, p := range many.Parameters {
		vals = append(vals, fmt.Sprintf("%s=%d:%s", aws.ToString(p.Name), p.Version, aws.ToString(p.Value)))
	}
	if fmt.Sprint(vals) != "[/h/p=1:v1 /h/p=3:v3]" || fmt.Sprint(many.InvalidParameters) != "[/h/p:4 /h/p:0]" {
		t.Errorf("GetParameters with versions: %v, invalid %v", vals, many.InvalidParameters)
	}
	var vnf *types.ParameterVersionNotFound
	if _, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/h/p:4")}); !errors.As(err, &vnf) {
		t.Errorf("/h/p:4: %v, want ParameterVersionNotFound", err)
	}

	// Errors.
	var nf *types.ParameterNotFound
	if _, err := c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("/h/missing")}); !errors.As(err, &nf) {
		t.Errorf("history of a missing parameter: %v, want ParameterNotFound", err)
	}
	var ae smithy.APIError
	if _, err := c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("/h/p"), MaxResults: aws.Int32(51)}); !errors.As(err, &ae) || ae.ErrorCode() != "ValidationException" || !strings.Contains(ae.ErrorMessage(), "maxResults") {
		t.Errorf("MaxResults 51: %v, want ValidationException", err)
	}
	if _, err := c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("/h/p"), NextToken: aws.String("bogus")}); !errors.As(err, &ae) || ae.ErrorCode() != "InvalidNextToken" {
		t.Errorf("a bogus token: %v, want InvalidNextToken", err)
	}

	// Deleting a parameter deletes its history: one made again under its
	// name starts over at version 1, and its old versions are gone.
	if _, err := c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("/h/p")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetParameterHistory(ctx, &ssm.GetParameterHistoryInput{Name: aws.String("/h/p")}); !errors.As(err, &nf) {
		t.Errorf("history of a deleted parameter: %v, want ParameterNotFound", err)
	}
	put("/h/p", "again", types.ParameterTypeString, "")
	if again := history("/h/p", false, 0); len(again) != 1 || again[0].Version != 1 || aws.ToString(again[0].Value) != "again" {
		t.Errorf("history after delete and put: %+v", again)
	}
	if _, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/h/p:2")}); !errors.As(err, &vnf) {
		t.Errorf("a version of the deleted parameter: %v, want ParameterVersionNotFound", err)
	}
	if other := history("/h/other", false, 0); len(other) != 1 || aws.ToString(other[0].Value) != "x" {
		t.Errorf("another parameter's history: %+v", other)
	}
}

// SSM keeps a parameter's last 100 versions.
func TestSSMParameterHistoryKeepsHundredVersions(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	for i := 1; i <= 102; i++ {
		if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/h/many"), Value: aws.String(fmt.Sprint("v", i)),
			Type: types.ParameterTypeString, Overwrite: aws.Bool(true)}); err != nil {
			t.Fatal(err)
		}
	}
	var versions []int64
	pages := 0
	for pg := ssm.NewGetParameterHistoryPaginator(c, &ssm.GetParameterHistoryInput{Name: aws.String("/h/many")}); pg.HasMorePages(); pages++ {
		out, err := pg.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range out.Parameters {
			versions = append(versions, h.Version)
		}
	}
	if pages != 2 || len(versions) != 100 || versions[0] != 3 || versions[99] != 102 {
		t.Errorf("%d pages, %d versions from %v to %v; want 2 pages, versions 3 to 102", pages, len(versions), versions[:1], versions[len(versions)-1:])
	}
	var vnf *types.ParameterVersionNotFound
	if _, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/h/many:2")}); !errors.As(err, &vnf) {
		t.Errorf("version 2 of 102: %v, want ParameterVersionNotFound", err)
	}
	if got, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/h/many:3")}); err != nil || aws.ToString(got.Parameter.Value) != "v3" {
		t.Errorf("version 3 of 102: %v %+v", err, got)
	}
}
