package platform

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestSAMAutoPublishAlias deploys a SAM function with AutoPublishAlias and
// an HttpApi event: the transform's Version (hash-suffixed logical id) and
// Alias are created, the HTTP API invokes the alias, a redeploy of the
// same code publishes nothing, and a code change publishes version 2 and
// moves the alias while version 1 keeps its code.
func TestSAMAutoPublishAlias(t *testing.T) {
	e := newGWEnv(t)
	ctx := context.Background()
	c := lambdaClientFor(e.p.EndpointURL())
	// The version's logical id hashes the source: settle the module files
	// the test writes (go -mod=mod rewrites go.mod and go.sum on its first
	// build; a real project has them committed as the build wants them).
	build := exec.Command("go", "build", "-o", os.DevNull, ".")
	build.Dir = filepath.Join(e.dir, "api")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	res := e.deploy(t, "aliased", "alias.yaml", map[string]string{"Tag": "one"})
	fn := res.Outputs["FunctionName"]
	arn := "arn:aws:lambda:us-east-1:000000000000:function:" + fn
	if res.Outputs["AliasArn"] != arn+":live" || res.Outputs["VersionArn"] != arn+":1" {
		t.Fatalf("outputs: %v", res.Outputs)
	}
	var versionIDs []string
	for _, ch := range res.Plan.Changes {
		if ch.Type == "AWS::Lambda::Version" {
			versionIDs = append(versionIDs, ch.LogicalID)
		}
	}
	if !strings.Contains(strings.Join(res.Plan.Warnings, "\n"), "ItemsAliaslive (AWS::Lambda::Alias): DeploymentPreference of Items: nubo has no CodeDeploy") {
		t.Fatalf("no warning for DeploymentPreference: %q", res.Plan.Warnings)
	}
	if len(versionIDs) != 1 || !strings.HasPrefix(versionIDs[0], "ItemsVersion") || len(versionIDs[0]) != len("ItemsVersion")+10 {
		t.Fatalf("version logical ids: %v", versionIDs)
	}

	s := summaryOf(t, e.fetch(t, res.Outputs["HttpApiUrl"]+"/items/7"))
	if s.FunctionVersion != "1" || s.Params["id"] != "7" {
		t.Fatalf("the HTTP API did not invoke the alias: %+v", s)
	}
	out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(fn + ":live"), Payload: []byte(`{"rawPath":"/x"}`)})
	if err != nil || aws.ToString(out.ExecutedVersion) != "1" {
		t.Fatalf("invoke the alias: %v", err)
	}
	pc, err := c.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String(fn), Qualifier: aws.String("live")})
	if err != nil || aws.ToInt32(pc.RequestedProvisionedConcurrentExecutions) != 1 {
		t.Fatalf("ProvisionedConcurrencyConfig of the alias: %v", err)
	}
	eic, err := c.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String(fn), Qualifier: aws.String("live")})
	if err != nil || aws.ToInt32(eic.MaximumRetryAttempts) != 0 || aws.ToString(eic.FunctionArn) != arn+":live" {
		t.Fatalf("EventInvokeConfig of the alias: %v", err)
	}

	// The same code again: nothing to do, no new version.
	res = e.deploy(t, "aliased", "alias.yaml", map[string]string{"Tag": "one"})
	if !res.Plan.Empty() {
		t.Fatalf("an unchanged redeploy plans changes: %+v", res.Plan.Changes)
	}
	versions := func() []string {
		t.Helper()
		l, err := c.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String(fn)})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, v := range l.Versions {
			out = append(out, aws.ToString(v.Version))
		}
		return out
	}
	if got := versions(); strings.Join(got, " ") != "$LATEST 1" {
		t.Fatalf("versions after an unchanged redeploy: %v", got)
	}

	// A code change: a new version logical id, version 2, the alias moves.
	if err := os.WriteFile(filepath.Join(e.dir, "api", "codetag.go"), []byte("package main\n\nfunc init() { codeTag = \"two\" }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res = e.deploy(t, "aliased", "alias.yaml", map[string]string{"Tag": "one"})
	if res.Outputs["VersionArn"] != arn+":2" || res.Outputs["AliasArn"] != arn+":live" {
		t.Fatalf("outputs after a code change: %v", res.Outputs)
	}
	if got := versions(); strings.Join(got, " ") != "$LATEST 1 2" {
		t.Fatalf("versions after a code change (the old one retained): %v", got)
	}
	s = summaryOf(t, e.fetch(t, res.Outputs["HttpApiUrl"]+"/items/8"))
	if s.FunctionVersion != "2" || s.CodeTag != "two" {
		t.Fatalf("the alias after a code change: %+v", s)
	}
	out, err = c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(fn), Qualifier: aws.String("1"), Payload: []byte(`{"rawPath":"/old"}`)})
	if err != nil {
		t.Fatal(err)
	}
	var resp struct{ Body string }
	if err := json.Unmarshal(out.Payload, &resp); err != nil {
		t.Fatalf("version 1: %s", out.Payload)
	}
	var old fnSummary
	if err := json.Unmarshal([]byte(resp.Body), &old); err != nil || old.FunctionVersion != "1" || old.CodeTag != "" {
		t.Fatalf("version 1 after the code change: %s", resp.Body)
	}
}

// TestFunctionURLOfAnAlias: a function URL created through the Lambda API
// for an alias invokes the alias's version.
func TestFunctionURLOfAnAlias(t *testing.T) {
	p := startPlatform(t, Options{})
	e := &gwEnv{p: p, c: &http.Client{Timeout: 30 * time.Second}}
	ctx := context.Background()
	lc := lambdaClientFor("http://" + p.EdgeAddr())
	createFunction(t, lc, "envfn", "env")
	fn := aws.String("envfn")
	arn := "arn:aws:lambda:us-east-1:000000000000:function:envfn"
	if _, err := lc.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: fn}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: fn, Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	created, err := lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: fn, Qualifier: aws.String("live"),
		AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	if err != nil || aws.ToString(created.FunctionArn) != arn+":live" {
		t.Fatalf("CreateFunctionUrlConfig of the alias: %v %+v", err, created)
	}
	if _, err := lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: fn, Qualifier: aws.String("live"), StatementId: aws.String("public-url"),
		Action: aws.String("lambda:InvokeFunctionUrl"), Principal: aws.String("*"), FunctionUrlAuthType: lambdatypes.FunctionUrlAuthTypeNone}); err != nil {
		t.Fatal(err)
	}
	a := e.fetch(t, aws.ToString(created.FunctionUrl)+"x")
	if a.status != http.StatusOK || !strings.Contains(a.body, `"AWS_LAMBDA_FUNCTION_VERSION":"1"`) || !strings.Contains(a.body, `"arn":"`+arn+`:live"`) {
		t.Fatalf("the alias's URL: %d %s", a.status, a.body)
	}
	if _, err := lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: fn, Qualifier: aws.String("live")}); err != nil {
		t.Fatalf("GetFunctionUrlConfig of the alias: %v", err)
	}
	_, err = lc.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: fn})
	var nf *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("the unqualified function has no URL: %v", err)
	}
	_, err = lc.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: fn, Qualifier: aws.String("nope"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "Alias not found: "+arn+":nope") {
		t.Fatalf("URL of a missing alias: %v", err)
	}
	// Deleting the alias deletes its URL.
	if _, err := lc.DeleteAlias(ctx, &lambda.DeleteAliasInput{FunctionName: fn, Name: aws.String("live")}); err != nil {
		t.Fatal(err)
	}
	urls, err := lc.ListFunctionUrlConfigs(ctx, &lambda.ListFunctionUrlConfigsInput{FunctionName: fn})
	if err != nil || len(urls.FunctionUrlConfigs) != 0 {
		t.Fatalf("URLs after the alias was deleted: %v %+v", err, urls)
	}
}
