package platform

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// TestLayersStack deploys a SAM layer used by a Python and a Node.js
// function: each imports the layer's module and runs its bin/ tool.
func TestLayersStack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	lc := lambdaClientFor("http://" + p.EdgeAddr())
	dir := copyDir(t, "testdata/layers-stack")
	_, res := deployStack(t, p, dir, nil)
	if !strings.HasPrefix(res.Outputs["Layer"], "arn:aws:lambda:us-east-1:000000000000:layer:shared:") {
		t.Fatalf("layer output %q", res.Outputs["Layer"])
	}
	for _, id := range []string{"Py", "Node"} {
		got := invokeString(t, lc, res.Outputs[id], `{}`)
		if !strings.Contains(got, "hello from a layer") || !strings.Contains(got, "layer-tool") {
			t.Errorf("%s answered %s", id, got)
		}
	}
	fc, err := lc.GetFunctionConfiguration(context.Background(), &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(res.Outputs["Py"])})
	if err != nil || len(fc.Layers) != 1 || aws.ToString(fc.Layers[0].Arn) != res.Outputs["Layer"] || fc.Layers[0].CodeSize == 0 {
		t.Fatalf("configuration's layers: %+v %v", fc, err)
	}
	// Nothing changed: nothing planned (the layer is not republished).
	plan, _ := deployStack(t, p, dir, nil)
	if !plan.Empty() {
		var b strings.Builder
		plan.Render(&b)
		t.Errorf("redeploy planned changes:\n%s", b.String())
	}
}

// TestLayerAPI drives the layer operations with aws-sdk-go-v2.
func TestLayerAPI(t *testing.T) {
	p := startPlatform(t, Options{})
	lc := lambdaClientFor("http://" + p.EdgeAddr())
	ctx := context.Background()
	zip := pyZip(t, "X = 1\n")

	var arns []string
	for i := 0; i < 3; i++ {
		out, err := lc.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{
			LayerName: aws.String("libs"), Content: &lambdatypes.LayerVersionContentInput{ZipFile: zip},
			CompatibleRuntimes: []lambdatypes.Runtime{"python3.12"}, Description: aws.String("v"),
		})
		if err != nil {
			t.Fatal(err)
		}
		if out.Version != int64(i+1) || aws.ToString(out.LayerArn) != "arn:aws:lambda:us-east-1:000000000000:layer:libs" || out.Content == nil || out.Content.CodeSize != int64(len(zip)) {
			t.Fatalf("publish %d: %+v", i, out)
		}
		arns = append(arns, aws.ToString(out.LayerVersionArn))
	}
	if _, err := lc.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("other"), Content: &lambdatypes.LayerVersionContentInput{ZipFile: zip}}); err != nil {
		t.Fatal(err)
	}
	got, err := lc.GetLayerVersion(ctx, &lambda.GetLayerVersionInput{LayerName: aws.String("libs"), VersionNumber: aws.Int64(2)})
	if err != nil || aws.ToString(got.LayerVersionArn) != arns[1] {
		t.Fatalf("get: %+v %v", got, err)
	}
	byARN, err := lc.GetLayerVersionByArn(ctx, &lambda.GetLayerVersionByArnInput{Arn: aws.String(arns[2])})
	if err != nil || byARN.Version != 3 {
		t.Fatalf("get by arn: %+v %v", byARN, err)
	}
	versions, err := lc.ListLayerVersions(ctx, &lambda.ListLayerVersionsInput{LayerName: aws.String("libs"), MaxItems: aws.Int32(2)})
	if err != nil || len(versions.LayerVersions) != 2 || versions.LayerVersions[0].Version != 3 || versions.NextMarker == nil {
		t.Fatalf("list versions: %+v %v", versions, err)
	}
	rest, err := lc.ListLayerVersions(ctx, &lambda.ListLayerVersionsInput{LayerName: aws.String("libs"), Marker: versions.NextMarker})
	if err != nil || len(rest.LayerVersions) != 1 || rest.LayerVersions[0].Version != 1 || rest.NextMarker != nil {
		t.Fatalf("list versions, page 2: %+v %v", rest, err)
	}
	layers, err := lc.ListLayers(ctx, &lambda.ListLayersInput{CompatibleRuntime: "python3.12"})
	if err != nil || len(layers.Layers) != 1 || aws.ToString(layers.Layers[0].LayerName) != "libs" || layers.Layers[0].LatestMatchingVersion.Version != 3 {
		t.Fatalf("list layers: %+v %v", layers, err)
	}

	perm, err := lc.AddLayerVersionPermission(ctx, &lambda.AddLayerVersionPermissionInput{
		LayerName: aws.String("libs"), VersionNumber: aws.Int64(1), StatementId: aws.String("all"), Action: aws.String("lambda:GetLayerVersion"), Principal: aws.String("*"),
	})
	if err != nil || !strings.Contains(aws.ToString(perm.Statement), `"Sid":"all"`) {
		t.Fatalf("add permission: %+v %v", perm, err)
	}
	var conflict *lambdatypes.ResourceConflictException
	if _, err := lc.AddLayerVersionPermission(ctx, &lambda.AddLayerVersionPermissionInput{
		LayerName: aws.String("libs"), VersionNumber: aws.Int64(1), StatementId: aws.String("all"), Action: aws.String("lambda:GetLayerVersion"), Principal: aws.String("*"),
	}); !errors.As(err, &conflict) {
		t.Errorf("duplicate statement: %v", err)
	}
	pol, err := lc.GetLayerVersionPolicy(ctx, &lambda.GetLayerVersionPolicyInput{LayerName: aws.String("libs"), VersionNumber: aws.Int64(1)})
	if err != nil || !strings.Contains(aws.ToString(pol.Policy), arns[0]) {
		t.Fatalf("policy: %+v %v", pol, err)
	}
	if _, err := lc.RemoveLayerVersionPermission(ctx, &lambda.RemoveLayerVersionPermissionInput{LayerName: aws.String("libs"), VersionNumber: aws.Int64(1), StatementId: aws.String("all")}); err != nil {
		t.Fatal(err)
	}

	// A function uses existing versions only, one per layer, five at most.
	var bad *lambdatypes.InvalidParameterValueException
	create := func(layers ...string) error {
		_, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String("uses-layers"), Runtime: "python3.12", Handler: aws.String("app.handler"),
			Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &lambdatypes.FunctionCode{ZipFile: zip}, Layers: layers,
		})
		return err
	}
	if err := create(arns[0] + "0"); !errors.As(err, &bad) || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("missing layer version: %v", err)
	}
	if err := create(arns[0], arns[1]); !errors.As(err, &bad) || !strings.Contains(err.Error(), "same layer") {
		t.Errorf("two versions of one layer: %v", err)
	}

	var nf *lambdatypes.ResourceNotFoundException
	if _, err := lc.DeleteLayerVersion(ctx, &lambda.DeleteLayerVersionInput{LayerName: aws.String("libs"), VersionNumber: aws.Int64(3)}); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.GetLayerVersion(ctx, &lambda.GetLayerVersionInput{LayerName: aws.String("libs"), VersionNumber: aws.Int64(3)}); !errors.As(err, &nf) {
		t.Errorf("deleted version: %v", err)
	}
	// A deleted version's number is never given again.
	out, err := lc.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("libs"), Content: &lambdatypes.LayerVersionContentInput{ZipFile: zip}})
	if err != nil || out.Version != 4 {
		t.Fatalf("publish after delete: %+v %v", out, err)
	}
}
