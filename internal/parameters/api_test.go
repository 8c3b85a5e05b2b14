package parameters_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/nubo-run/nubo/internal/platform"
	"github.com/nubo-run/nubo/internal/stacks"
)

func startPlatform(t *testing.T) (*platform.Platform, *ssm.Client) {
	t.Helper()
	p, err := platform.New(platform.Options{DataDir: t.TempDir(), Addr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = p.Close(ctx)
	})
	client := ssm.New(ssm.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + p.EdgeAddr()),
		Credentials:  credentials.NewStaticCredentialsProvider(platform.DefaultAccessKey, platform.DefaultSecretKey, ""),
	})
	return p, client
}

func TestSSMAPI_WithSDK(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	put, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/db/url"), Value: aws.String("postgres://a"), Type: types.ParameterTypeString})
	if err != nil {
		t.Fatal(err)
	}
	if put.Version != 1 {
		t.Errorf("version %d", put.Version)
	}
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/db/url"), Value: aws.String("x"), Type: types.ParameterTypeString})
	var exists *types.ParameterAlreadyExists
	if !errors.As(err, &exists) {
		t.Errorf("put without overwrite: %v, want ParameterAlreadyExists", err)
	}
	put, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/db/url"), Value: aws.String("postgres://b"), Overwrite: aws.Bool(true)})
	if err != nil || put.Version != 2 {
		t.Fatalf("overwrite: %v, version %v", err, put)
	}
	got, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/db/url")})
	if err != nil {
		t.Fatal(err)
	}
	gp := got.Parameter
	if aws.ToString(gp.Value) != "postgres://b" || gp.Version != 2 || gp.Type != types.ParameterTypeString ||
		aws.ToString(gp.ARN) != "arn:aws:ssm:us-east-1:000000000000:parameter/app/db/url" || gp.LastModifiedDate == nil || time.Since(*gp.LastModifiedDate) > time.Hour {
		t.Errorf("get: %+v", gp)
	}
	byARN, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: gp.ARN})
	if err != nil || aws.ToString(byARN.Parameter.Name) != "/app/db/url" {
		t.Errorf("get by ARN: %v", err)
	}
	if _, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/db/url:2")}); err != nil {
		t.Errorf("get current version: %v", err)
	}
	old, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/db/url:1")})
	if err != nil || old.Parameter.Version != 1 || aws.ToString(old.Parameter.Value) != "postgres://a" {
		t.Errorf("get old version: %v %+v, want version 1 postgres://a", err, old)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/app/db/url:3")})
	var vnf *types.ParameterVersionNotFound
	if !errors.As(err, &vnf) {
		t.Errorf("get a version not yet written: %v, want ParameterVersionNotFound", err)
	}
	_, err = c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/nope")})
	var nf *types.ParameterNotFound
	if !errors.As(err, &nf) {
		t.Errorf("get missing: %v, want ParameterNotFound", err)
	}
	for i := range 12 {
		name := fmt.Sprintf("/app/list/p%02d", i)
		if i >= 10 {
			name = fmt.Sprintf("/app/list/deep/p%02d", i)
		}
		if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String("v"), Type: types.ParameterTypeStringList}); err != nil {
			t.Fatal(err)
		}
	}
	many, err := c.GetParameters(ctx, &ssm.GetParametersInput{Names: []string{"/app/db/url", "/app/list/p01", "/missing"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(many.Parameters) != 2 || len(many.InvalidParameters) != 1 || many.InvalidParameters[0] != "/missing" {
		t.Errorf("get parameters: %d found, invalid %v", len(many.Parameters), many.InvalidParameters)
	}
	count := func(recursive bool) int {
		n := 0
		pg := ssm.NewGetParametersByPathPaginator(c, &ssm.GetParametersByPathInput{Path: aws.String("/app/list"), Recursive: aws.Bool(recursive)})
		for pg.HasMorePages() {
			page, err := pg.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			n += len(page.Parameters)
		}
		return n
	}
	if n := count(false); n != 10 {
		t.Errorf("by path: %d, want 10", n)
	}
	if n := count(true); n != 12 {
		t.Errorf("by path recursive: %d, want 12", n)
	}
	desc, err := c.DescribeParameters(ctx, &ssm.DescribeParametersInput{ParameterFilters: []types.ParameterStringFilter{
		{Key: aws.String("Name"), Option: aws.String("BeginsWith"), Values: []string{"/app/list/deep"}}}})
	if err != nil || len(desc.Parameters) != 2 || aws.ToString(desc.Parameters[0].Name) != "/app/list/deep/p10" || desc.Parameters[0].Type != types.ParameterTypeStringList {
		t.Errorf("describe parameters: %v %+v", err, desc)
	}
	del, err := c.DeleteParameters(ctx, &ssm.DeleteParametersInput{Names: []string{"/app/list/deep/p10", "/nope"}})
	if err != nil || len(del.DeletedParameters) != 1 || len(del.InvalidParameters) != 1 {
		t.Errorf("delete parameters: %v %+v", err, del)
	}
	if _, err := c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("/app/db/url")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String("/app/db/url")}); !errors.As(err, &nf) {
		t.Errorf("second delete: %v", err)
	}
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("bad name!"), Value: aws.String("v")})
	if err == nil || !strings.Contains(err.Error(), "ValidationException") {
		t.Errorf("bad name: %v", err)
	}
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/p"), Value: aws.String("abc"), AllowedPattern: aws.String("^[0-9]+$")})
	if err == nil || !strings.Contains(err.Error(), "failed to satisfy constraint") {
		t.Errorf("pattern: %v", err)
	}
}

func TestSSMAPI_UnsignedRejected(t *testing.T) {
	p, _ := startPlatform(t)
	c := ssm.New(ssm.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + p.EdgeAddr()),
		Credentials: credentials.NewStaticCredentialsProvider("wrong", "wrong", "")})
	if _, err := c.GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String("/x")}); err == nil || !strings.Contains(err.Error(), "UnrecognizedClient") {
		t.Errorf("wrong key: %v", err)
	}
}

const ssmStack = `
Parameters:
  Env: {Type: String, Default: dev}
Resources:
  DbUrl:
    Type: AWS::SSM::Parameter
    Properties:
      Name: !Sub /${Env}/db/url
      Type: String
      Value: postgres://db
  Copy:
    Type: AWS::SSM::Parameter
    Properties:
      Type: String
      Value: !GetAtt DbUrl.Value
Outputs:
  DbUrlName:
    Value: !Ref DbUrl
    Export: {Name: !Sub "${AWS::StackName}-db-url"}
`

func TestStack_DriftAfterChangeThroughSSMAPI(t *testing.T) {
	p, c := startPlatform(t)
	ctx := context.Background()
	res, err := p.Stacks.Deploy(ctx, stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "shared", Template: ssmStack}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outputs["DbUrlName"] != "/dev/db/url" {
		t.Errorf("outputs %v", res.Outputs)
	}
	// Templates read deployed parameters back through the SSM parameter type.
	reader := `
Parameters:
  Url: {Type: "AWS::SSM::Parameter::Value<String>", Default: /dev/db/url}
Resources:
  Seen: {Type: AWS::SSM::Parameter, Properties: {Name: /reader/seen, Type: String, Value: !Ref Url}}
`
	if _, err := p.Stacks.Deploy(ctx, stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "reader", Template: reader}}, nil); err != nil {
		t.Fatal(err)
	}
	seen, err := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/reader/seen")})
	if err != nil || aws.ToString(seen.Parameter.Value) != "postgres://db" {
		t.Fatalf("reader: %v %v", err, seen)
	}

	rep, err := p.Stacks.Drift(ctx, "shared")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != "IN_SYNC" {
		t.Fatalf("drift before any change: %+v", rep)
	}
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/dev/db/url"), Value: aws.String("postgres://elsewhere"), Overwrite: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	rep, err = p.Stacks.Drift(ctx, "shared")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Status != "DRIFTED" {
		t.Fatalf("drift after the change: %+v", rep)
	}
	var db stacks.ResourceDrift
	for _, r := range rep.Resources {
		if r.LogicalID == "DbUrl" {
			db = r
		}
	}
	if db.Status != stacks.DriftModified || len(db.Props) != 1 || db.Props[0].Path != "Value" || db.Props[0].New != `"postgres://elsewhere"` {
		t.Errorf("DbUrl drift: %+v", db)
	}
	// Redeploying the unchanged template does not notice drift (like
	// CloudFormation); a template change puts the value back.
	if _, err := p.Stacks.Deploy(ctx, stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "shared", Template: strings.Replace(ssmStack, "postgres://db", "postgres://db2", 1)}}, nil); err != nil {
		t.Fatal(err)
	}
	got, _ := c.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String("/dev/db/url")})
	if aws.ToString(got.Parameter.Value) != "postgres://db2" {
		t.Errorf("after redeploy: %s", aws.ToString(got.Parameter.Value))
	}
}
