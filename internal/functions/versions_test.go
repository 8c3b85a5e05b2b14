package functions

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
	"github.com/nubo-run/nubo/internal/logs"
)

const verARN = "arn:aws:lambda:us-east-1:000000000000:function:"

// wantCode fails unless err is the API error code.
func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("%s: got %v, want %s", what, err, code)
	}
}

// TestVersionsPublishListGetDelete: PublishVersion numbers snapshots 1, 2,
// ..., returns the latest one when nothing changed, checks CodeSha256 and
// RevisionId; versions are read with a Qualifier, listed, invoked with
// their own code after $LATEST moves on, and deleted.
func TestVersionsPublishListGetDelete(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	created := h.createFn(t, "ver", "echo")

	v1, err := h.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver"), Description: aws.String("first")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v1.Version) != "1" || aws.ToString(v1.FunctionArn) != verARN+"ver:1" || aws.ToString(v1.Description) != "first" ||
		aws.ToString(v1.CodeSha256) != aws.ToString(created.CodeSha256) {
		t.Fatalf("version 1: %s %s %q %s", aws.ToString(v1.Version), aws.ToString(v1.FunctionArn), aws.ToString(v1.Description), aws.ToString(v1.CodeSha256))
	}
	again, err := h.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver")})
	if err != nil || aws.ToString(again.Version) != "1" {
		t.Fatalf("unchanged publish: %v %s", err, aws.ToString(again.Version))
	}
	_, err = h.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver"), CodeSha256: aws.String("bm90LXRoZS1zaGE=")})
	wantCode(t, "publish with another CodeSha256", err, "InvalidParameterValueException")
	_, err = h.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver"), RevisionId: aws.String("stale")})
	wantCode(t, "publish with a stale RevisionId", err, "PreconditionFailedException")
	_, err = h.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("nope")})
	wantCode(t, "publish of a missing function", err, "ResourceNotFoundException")

	up, err := h.client.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("ver"), ZipFile: bootstrapZip(t, "second")})
	if err != nil {
		t.Fatal(err)
	}
	v2, err := h.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver"), CodeSha256: up.CodeSha256, RevisionId: up.RevisionId})
	if err != nil || aws.ToString(v2.Version) != "2" || aws.ToString(v2.CodeSha256) != aws.ToString(up.CodeSha256) {
		t.Fatalf("version 2: %v %+v", err, v2)
	}
	// A configuration change is a new version too.
	if _, err := h.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("ver"), MemorySize: aws.Int32(256)}); err != nil {
		t.Fatal(err)
	}
	v3, err := h.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver")})
	if err != nil || aws.ToString(v3.Version) != "3" || aws.ToInt32(v3.MemorySize) != 256 {
		t.Fatalf("version 3: %v %+v", err, v3)
	}

	list, err := h.client.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("ver")})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range list.Versions {
		got = append(got, aws.ToString(v.Version)+"="+strings.TrimPrefix(aws.ToString(v.FunctionArn), verARN))
	}
	if strings.Join(got, " ") != "$LATEST=ver:$LATEST 1=ver:1 2=ver:2 3=ver:3" {
		t.Fatalf("versions: %v", got)
	}
	var paged []string
	pages := lambda.NewListVersionsByFunctionPaginator(h.client, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("ver"), MaxItems: aws.Int32(3)})
	for pages.HasMorePages() {
		p, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range p.Versions {
			paged = append(paged, aws.ToString(v.Version))
		}
	}
	if strings.Join(paged, " ") != "$LATEST 1 2 3" {
		t.Fatalf("paged versions: %v", paged)
	}

	// Read by Qualifier and by qualified name; the version keeps its code.
	g, err := h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("ver"), Qualifier: aws.String("1")})
	if err != nil || aws.ToString(g.Configuration.CodeSha256) != aws.ToString(created.CodeSha256) || aws.ToString(g.Configuration.Version) != "1" {
		t.Fatalf("get version 1: %v %+v", err, g)
	}
	gc, err := h.client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(verARN + "ver:2")})
	if err != nil || aws.ToString(gc.CodeSha256) != aws.ToString(up.CodeSha256) {
		t.Fatalf("get version 2: %v %+v", err, gc)
	}
	_, err = h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("ver"), Qualifier: aws.String("9")})
	wantCode(t, "get of a missing version", err, "ResourceNotFoundException")
	if !strings.Contains(err.Error(), verARN+"ver:9") {
		t.Fatalf("missing version error does not name its ARN: %v", err)
	}

	// $LATEST's package changed: version 1 still runs its own (collect
	// keeps the package a version uses).
	for _, q := range []string{"1", "2", "$LATEST"} {
		out, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("ver"), Qualifier: aws.String(q), Payload: []byte(`{"q":"` + q + `"}`)})
		if err != nil {
			t.Fatalf("invoke %s: %v", q, err)
		}
		if aws.ToString(out.ExecutedVersion) != q || string(out.Payload) != `{"q":"`+q+`"}` {
			t.Fatalf("invoke %s: executed %s, payload %s", q, aws.ToString(out.ExecutedVersion), out.Payload)
		}
	}
	out, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("ver:3")})
	if err != nil || aws.ToString(out.ExecutedVersion) != "3" {
		t.Fatalf("invoke ver:3: %v", err)
	}
	_, err = h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("ver:7")})
	wantCode(t, "invoke of a missing version", err, "ResourceNotFoundException")
	_, err = h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("ver:1"), Qualifier: aws.String("2")})
	wantCode(t, "two different qualifiers", err, "InvalidParameterValueException")

	// Tags are the function's, whatever version is read.
	if _, err := h.client.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(verARN + "ver"), Tags: map[string]string{"team": "web"}}); err != nil {
		t.Fatal(err)
	}
	if g, err := h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("ver:2")}); err != nil || g.Tags["team"] != "web" {
		t.Fatalf("tags of version 2: %v %+v", err, g)
	}

	// Delete one version; $LATEST cannot be deleted that way.
	_, err = h.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("ver"), Qualifier: aws.String("$LATEST")})
	wantCode(t, "delete $LATEST by qualifier", err, "InvalidParameterValueException")
	if _, err := h.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("ver"), Qualifier: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	_, err = h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("ver:1")})
	wantCode(t, "get of a deleted version", err, "ResourceNotFoundException")
	if _, err := h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("ver")}); err != nil {
		t.Fatalf("deleting a version deleted the function: %v", err)
	}
	// Numbers are not reused.
	if _, err := h.client.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("ver"), MemorySize: aws.Int32(512)}); err != nil {
		t.Fatal(err)
	}
	v4, err := h.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver")})
	if err != nil || aws.ToString(v4.Version) != "4" {
		t.Fatalf("version after a delete: %v %+v", err, v4)
	}
	// With the latest version deleted, publishing the same code is a new one.
	if _, err := h.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("ver"), Qualifier: aws.String("4")}); err != nil {
		t.Fatal(err)
	}
	v5, err := h.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("ver")})
	if err != nil || aws.ToString(v5.Version) != "5" {
		t.Fatalf("publish after deleting the latest version: %v %+v", err, v5)
	}
}

// TestAliasesRoutingAndDelete: aliases point at versions, split
// invocations by weight (X-Amz-Executed-Version says which ran), refuse
// bad targets, protect the versions they use, and go with the function.
func TestAliasesRoutingAndDelete(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	h.createFn(t, "al", "echo")
	publish := func(marker string) string {
		t.Helper()
		if _, err := h.client.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("al"), ZipFile: bootstrapZip(t, marker)}); err != nil {
			t.Fatal(err)
		}
		v, err := h.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("al")})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(v.Version)
	}
	one, two := publish("one"), publish("two")

	live, err := h.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("al"), Name: aws.String("live"), FunctionVersion: aws.String(one), Description: aws.String("prod")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(live.AliasArn) != verARN+"al:live" || aws.ToString(live.FunctionVersion) != "1" || aws.ToString(live.RevisionId) == "" {
		t.Fatalf("alias: %+v", live)
	}
	_, err = h.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("al"), Name: aws.String("live"), FunctionVersion: aws.String(one)})
	wantCode(t, "duplicate alias", err, "ResourceConflictException")
	for name, in := range map[string]*lambda.CreateAliasInput{
		"missing version":      {Name: aws.String("a"), FunctionVersion: aws.String("9")},
		"numeric name":         {Name: aws.String("12"), FunctionVersion: aws.String(one)},
		"weights to $LATEST":   {Name: aws.String("b"), FunctionVersion: aws.String("$LATEST"), RoutingConfig: &lambdatypes.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"1": 0.5}}},
		"weight above one":     {Name: aws.String("c"), FunctionVersion: aws.String(one), RoutingConfig: &lambdatypes.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 1.5}}},
		"weight to itself":     {Name: aws.String("d"), FunctionVersion: aws.String(one), RoutingConfig: &lambdatypes.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"1": 0.5}}},
		"weight to an unknown": {Name: aws.String("e"), FunctionVersion: aws.String(one), RoutingConfig: &lambdatypes.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"8": 0.5}}},
	} {
		in.FunctionName = aws.String("al")
		_, err := h.client.CreateAlias(ctx, in)
		var ae smithy.APIError
		if !errors.As(err, &ae) || (ae.ErrorCode() != "InvalidParameterValueException" && ae.ErrorCode() != "ResourceNotFoundException") {
			t.Errorf("%s: %v", name, err)
		}
	}

	out, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("al:live")})
	if err != nil || aws.ToString(out.ExecutedVersion) != "1" {
		t.Fatalf("invoke alias: %v %s", err, aws.ToString(out.ExecutedVersion))
	}

	_, err = h.client.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("al"), Name: aws.String("live"), RevisionId: aws.String("stale"), FunctionVersion: aws.String(two)})
	wantCode(t, "update with a stale RevisionId", err, "PreconditionFailedException")
	up, err := h.client.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("al"), Name: aws.String("live"), RevisionId: live.RevisionId,
		RoutingConfig: &lambdatypes.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{two: 0.5}}})
	if err != nil || aws.ToString(up.FunctionVersion) != "1" || up.RoutingConfig.AdditionalVersionWeights["2"] != 0.5 || aws.ToString(up.Description) != "prod" {
		t.Fatalf("update alias: %v %+v", err, up)
	}
	seen := map[string]int{}
	for i := 0; i < 400 && (seen["1"] == 0 || seen["2"] == 0); i++ {
		out, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("al"), Qualifier: aws.String("live")})
		if err != nil {
			t.Fatal(err)
		}
		seen[aws.ToString(out.ExecutedVersion)]++
	}
	if seen["1"] == 0 || seen["2"] == 0 || len(seen) != 2 {
		t.Fatalf("a 50%% weight did not split invocations: %v", seen)
	}

	ga, err := h.client.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("al"), Name: aws.String("live")})
	if err != nil || ga.RoutingConfig.AdditionalVersionWeights["2"] != 0.5 {
		t.Fatalf("get alias: %v %+v", err, ga)
	}
	_, err = h.client.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("al"), Name: aws.String("nope")})
	wantCode(t, "missing alias", err, "ResourceNotFoundException")
	if _, err := h.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("al"), Name: aws.String("dev"), FunctionVersion: aws.String("$LATEST")}); err != nil {
		t.Fatal(err)
	}
	la, err := h.client.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: aws.String("al")})
	if err != nil || len(la.Aliases) != 2 || aws.ToString(la.Aliases[0].Name) != "dev" || aws.ToString(la.Aliases[1].Name) != "live" {
		t.Fatalf("list aliases: %v %+v", err, la)
	}
	la, err = h.client.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: aws.String("al"), FunctionVersion: aws.String("2")})
	if err != nil || len(la.Aliases) != 1 || aws.ToString(la.Aliases[0].Name) != "live" {
		t.Fatalf("aliases of version 2: %v %+v", err, la)
	}
	g, err := h.client.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("al:dev")})
	if err != nil || aws.ToString(g.Configuration.Version) != "$LATEST" || aws.ToString(g.Configuration.FunctionArn) != verARN+"al:dev" {
		t.Fatalf("get through alias: %v %+v", err, g)
	}
	gl, err := h.client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("al"), Qualifier: aws.String("live")})
	if err != nil || aws.ToString(gl.Version) != "1" || aws.ToString(gl.FunctionArn) != verARN+"al:live" {
		t.Fatalf("configuration through alias: %v %+v", err, gl)
	}

	// An alias protects the versions it routes to.
	_, err = h.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("al"), Qualifier: aws.String("2")})
	wantCode(t, "delete a version an alias routes to", err, "ResourceConflictException")

	// Provisioned concurrency is accepted and recorded.
	_, err = h.client.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{FunctionName: aws.String("al"), Qualifier: aws.String("$LATEST"), ProvisionedConcurrentExecutions: aws.Int32(2)})
	wantCode(t, "provisioned concurrency on $LATEST", err, "InvalidParameterValueException")
	pc, err := h.client.PutProvisionedConcurrencyConfig(ctx, &lambda.PutProvisionedConcurrencyConfigInput{FunctionName: aws.String("al"), Qualifier: aws.String("live"), ProvisionedConcurrentExecutions: aws.Int32(2)})
	if err != nil || aws.ToInt32(pc.RequestedProvisionedConcurrentExecutions) != 2 || pc.Status != lambdatypes.ProvisionedConcurrencyStatusEnumReady {
		t.Fatalf("put provisioned concurrency: %v %+v", err, pc)
	}
	gp, err := h.client.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String("al"), Qualifier: aws.String("live")})
	if err != nil || aws.ToInt32(gp.AllocatedProvisionedConcurrentExecutions) != 2 {
		t.Fatalf("get provisioned concurrency: %v %+v", err, gp)
	}
	lp, err := h.client.ListProvisionedConcurrencyConfigs(ctx, &lambda.ListProvisionedConcurrencyConfigsInput{FunctionName: aws.String("al")})
	if err != nil || len(lp.ProvisionedConcurrencyConfigs) != 1 || aws.ToString(lp.ProvisionedConcurrencyConfigs[0].FunctionArn) != verARN+"al:live" {
		t.Fatalf("list provisioned concurrency: %v %+v", err, lp)
	}
	_, err = h.client.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String("al"), Qualifier: aws.String("1")})
	wantCode(t, "no provisioned concurrency config", err, "ProvisionedConcurrencyConfigNotFoundException")

	if _, err := h.client.DeleteAlias(ctx, &lambda.DeleteAliasInput{FunctionName: aws.String("al"), Name: aws.String("live")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("al"), Qualifier: aws.String("2")}); err != nil {
		t.Fatalf("delete a version no alias uses: %v", err)
	}
	_, err = h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("al:live")})
	wantCode(t, "invoke a deleted alias", err, "ResourceNotFoundException")

	// DeleteFunction takes its versions and aliases: a new function of the
	// same name starts from version 1 with no alias.
	if _, err := h.client.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("al")}); err != nil {
		t.Fatal(err)
	}
	h.createFn(t, "al", "echo")
	list, err := h.client.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("al")})
	if err != nil || len(list.Versions) != 1 {
		t.Fatalf("versions of a recreated function: %v %+v", err, list)
	}
	_, err = h.client.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("al"), Name: aws.String("dev")})
	wantCode(t, "alias of a deleted function", err, "ResourceNotFoundException")
	v, err := h.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("al")})
	if err != nil || aws.ToString(v.Version) != "1" {
		t.Fatalf("first version of a recreated function: %v %+v", err, v)
	}
}

// TestVersionsAuthorizeQualifiedARN: each operation is authorized as its
// own action on the ARN of the version or alias it names.
func TestVersionsAuthorizeQualifiedARN(t *testing.T) {
	az := &recordingAuthz{deny: map[string]bool{"lambda:DeleteAlias": true}}
	h := newHarness(t, harnessOpts{authz: az})
	ctx := context.Background()
	h.createFn(t, "z", "echo")
	if _, err := h.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("z")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("z"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		call     func() error
		action   string
		resource string
	}{
		{func() error {
			_, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("z:live")})
			return err
		}, "lambda:InvokeFunction", verARN + "z:live"},
		{func() error {
			_, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("z"), Qualifier: aws.String("1")})
			return err
		}, "lambda:InvokeFunction", verARN + "z:1"},
		{func() error {
			_, err := h.client.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("z"), Name: aws.String("live")})
			return err
		}, "lambda:GetAlias", verARN + "z:live"},
		{func() error {
			_, err := h.client.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("z")})
			return err
		}, "lambda:ListVersionsByFunction", verARN + "z"},
		{func() error {
			_, err := h.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("z")})
			return err
		}, "lambda:PublishVersion", verARN + "z"},
		{func() error {
			_, err := h.client.ListProvisionedConcurrencyConfigs(ctx, &lambda.ListProvisionedConcurrencyConfigsInput{FunctionName: aws.String("z")})
			return err
		}, "lambda:ListProvisionedConcurrencyConfigs", verARN + "z"},
		{func() error {
			_, err := h.client.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("z"), Qualifier: aws.String("1")})
			return err
		}, "lambda:GetFunctionConfiguration", verARN + "z:1"},
	}
	for _, s := range steps {
		if err := s.call(); err != nil {
			t.Fatalf("%s: %v", s.action, err)
		}
		if req, ok := az.last(s.action); !ok || req.Resource != s.resource {
			t.Errorf("%s: authorized %+v, want resource %s", s.action, req, s.resource)
		}
	}
	_, err := h.client.DeleteAlias(ctx, &lambda.DeleteAliasInput{FunctionName: aws.String("z"), Name: aws.String("live")})
	wantCode(t, "denied DeleteAlias", err, "AccessDeniedException")
	if _, err := h.client.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("z"), Name: aws.String("live")}); err != nil {
		t.Fatalf("the denied delete deleted: %v", err)
	}
}

// TestVersionsRunTheirOwnCode runs real function processes: a version keeps
// the code it was published with after $LATEST changes, its instances are
// its own, and the function sees its version (AWS_LAMBDA_FUNCTION_VERSION,
// the invoked ARN, the START line).
func TestVersionsRunTheirOwnCode(t *testing.T) {
	h := newHarness(t, harnessOpts{realPool: true})
	ctx := context.Background()
	h.createReal(t, "vr", "env")
	if _, err := h.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("vr")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("vr"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("vr"), ZipFile: testFnZip(t, "echo")}); err != nil {
		t.Fatal(err)
	}
	type envOut struct {
		Env map[string]string `json:"env"`
		ARN string            `json:"arn"`
	}
	for _, tc := range []struct{ ref, arn string }{{"vr:1", verARN + "vr:1"}, {"vr:live", verARN + "vr:live"}} {
		out, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(tc.ref)})
		if err != nil || out.FunctionError != nil {
			t.Fatalf("invoke %s: %v %s", tc.ref, err, out.Payload)
		}
		var e envOut
		if err := json.Unmarshal(out.Payload, &e); err != nil {
			t.Fatalf("invoke %s: %s", tc.ref, out.Payload)
		}
		if e.Env["AWS_LAMBDA_FUNCTION_VERSION"] != "1" || e.ARN != tc.arn || aws.ToString(out.ExecutedVersion) != "1" {
			t.Fatalf("invoke %s: version %q, arn %q, executed %s", tc.ref, e.Env["AWS_LAMBDA_FUNCTION_VERSION"], e.ARN, aws.ToString(out.ExecutedVersion))
		}
	}
	out, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("vr"), Payload: []byte(`{"latest":true}`)})
	if err != nil || string(out.Payload) != `{"latest":true}` || aws.ToString(out.ExecutedVersion) != "$LATEST" {
		t.Fatalf("$LATEST runs the new code: %v %s", err, out.Payload)
	}
	// Both versions stay warm, side by side.
	if warm, _ := h.svc.Instances("vr"); warm != 2 {
		t.Fatalf("warm instances of $LATEST and version 1: %d", warm)
	}
	waitFor(t, "START lines of version 1 and $LATEST", func() bool {
		return h.logCount(t, "vr", "Version: 1") >= 2 && h.logCount(t, "vr", "Version: $LATEST") >= 1
	})
}

// TestAliasEventInvokeConfig: an alias has its own asynchronous invocation
// config (SAM's EventInvokeConfig with AutoPublishAlias), which an Event
// invocation of the alias follows.
func TestAliasEventInvokeConfig(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	h.createFn(t, "af", "fail")
	h.createFn(t, "sink", "echo")
	for _, fn := range []string{"af", "sink"} {
		if _, err := h.client.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String(fn)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("sink"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("af"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	put, err := h.client.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("af"), Qualifier: aws.String("live"),
		MaximumRetryAttempts: aws.Int32(0), DestinationConfig: &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: aws.String(fnARN("sink") + ":live")}}})
	if err != nil || aws.ToString(put.FunctionArn) != verARN+"af:live" {
		t.Fatalf("put alias config: %v %+v", err, put)
	}
	_, err = h.client.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("af")})
	wantCode(t, "$LATEST has no config of its own", err, "ResourceNotFoundException")
	_, err = h.client.PutFunctionEventInvokeConfig(ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("af"), Qualifier: aws.String("nope"), MaximumRetryAttempts: aws.Int32(0)})
	wantCode(t, "config of a missing alias", err, "ResourceNotFoundException")

	if _, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("af:live"), InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(`{"n":1}`)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the alias's failure destination", func() bool { return len(h.exec.callsOf("sink")) == 1 })
	if n := len(h.exec.callsOf("af")); n != 1 {
		t.Fatalf("MaximumRetryAttempts 0 of the alias: %d attempts", n)
	}
	if v := h.exec.versionsOf("sink"); len(v) != 1 || v[0] != "1" {
		t.Fatalf("the destination alias ran %v, want its version 1", v)
	}
	var rec struct {
		RequestContext  struct{ FunctionArn string }
		ResponseContext struct{ ExecutedVersion string }
	}
	if err := json.Unmarshal(h.exec.payloadsOf("sink")[0], &rec); err != nil {
		t.Fatal(err)
	}
	if rec.RequestContext.FunctionArn != verARN+"af:live" || rec.ResponseContext.ExecutedVersion != "1" {
		t.Fatalf("destination record: %+v", rec)
	}
	_, err = h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("af:gone"), InvocationType: lambdatypes.InvocationTypeEvent})
	wantCode(t, "Event invocation of a missing alias", err, "ResourceNotFoundException")

	// The alias's config goes with the alias.
	if _, err := h.client.DeleteAlias(ctx, &lambda.DeleteAliasInput{FunctionName: aws.String("af"), Name: aws.String("live")}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.client.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String("af"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	_, err = h.client.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String("af"), Qualifier: aws.String("live")})
	wantCode(t, "config of a recreated alias", err, "ResourceNotFoundException")
}

// FuzzClassifyQualifier: any qualifier is classified or refused with an
// InvalidParameterError, never a panic; a version is a positive number that
// prints back as given, an alias is never only digits.
func FuzzClassifyQualifier(f *testing.F) {
	for _, s := range []string{"", "$LATEST", "1", "007", "0", "live", "a-b_c", "99999999999999999999", "x:y", "$", "12a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		kind, n, err := classifyQualifier(q)
		if err != nil {
			var ip *InvalidParameterError
			if !errors.As(err, &ip) {
				t.Fatalf("%q: %v is not an InvalidParameterError", q, err)
			}
			return
		}
		switch kind {
		case qualVersion:
			if n < 1 || !isDigits(q) {
				t.Fatalf("%q: version %d", q, n)
			}
		case qualAlias:
			if isDigits(q) || !aliasNameRE.MatchString(q) {
				t.Fatalf("%q classified as an alias", q)
			}
		case qualLatest:
			if q != "" && q != latestVersion {
				t.Fatalf("%q classified as $LATEST", q)
			}
		}
	})
}

// TestVersionsAcrossNodes: two services over one JetStream, each with its
// own data directory (two nodes): a version published on one runs on the
// other from the shared package store, numbers are not handed out twice,
// and an alias moved on one node routes the other's next invocation.
func TestVersionsAcrossNodes(t *testing.T) {
	bb := backbonetest.New(t)
	account := awsapi.Account{Region: awsapi.DefaultRegion, ID: awsapi.DefaultAccountID}
	node := func() (*Service, *fakeExec) {
		t.Helper()
		store := logs.NewStore(bb, logs.Options{RetentionGroup: LogGroupName})
		if err := store.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		exec := newFakeExec(store, NewMetrics())
		svc, err := New(Options{Backbone: bb, Account: account, DataDir: t.TempDir(), Executor: exec})
		if err != nil {
			t.Fatal(err)
		}
		if err := svc.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = svc.Close(context.Background()) })
		return svc, exec
	}
	a, _ := node()
	b, execB := node()
	ctx := context.Background()
	if _, err := a.Create(ctx, Config{Name: "multi", Runtime: "provided.al2023", Handler: "echo"}, bootstrapZip(t, "one")); err != nil {
		t.Fatal(err)
	}
	v1, err := a.PublishVersion(ctx, "multi", "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.UpdateCode(ctx, "multi", bootstrapZip(t, "two"), ""); err != nil {
		t.Fatal(err)
	}
	// Both nodes publish the same new code at once: one number each or the
	// same version back, never one number for two snapshots.
	got := make(chan string, 2)
	for _, s := range []*Service{a, b} {
		go func() {
			c, err := s.PublishVersion(ctx, "multi", "", "", "")
			if err != nil {
				got <- "error: " + err.Error()
				return
			}
			got <- c.Version + "=" + c.CodeSHA256
		}()
	}
	x, y := <-got, <-got
	if strings.HasPrefix(x, "error") || strings.HasPrefix(y, "error") || x != y {
		t.Fatalf("concurrent publishes of the same code: %s and %s", x, y)
	}
	if _, err := a.CreateAlias(ctx, Alias{Function: "multi", Name: "live", FunctionVersion: v1.Version}); err != nil {
		t.Fatal(err)
	}
	res, err := b.Invoke(ctx, "multi:live", &Request{Payload: []byte(`{}`)})
	if err != nil || res.ExecutedVersion != "1" {
		t.Fatalf("node b invoking the alias node a made: %v %+v", err, res)
	}
	if _, err := a.UpdateAlias(ctx, "multi", "live", AliasUpdate{FunctionVersion: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	res, err = b.Invoke(ctx, "multi:live", &Request{Payload: []byte(`{}`)})
	if err != nil || res.ExecutedVersion != "2" {
		t.Fatalf("node b after node a moved the alias: %v %+v", err, res)
	}
	if n := len(execB.callsOf("multi")); n != 2 {
		t.Fatalf("node b ran %d invocations", n)
	}
}
