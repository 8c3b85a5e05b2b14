package platform

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/stacks"
	"github.com/nubo-run/nubo/internal/stacks/stackstest"
)

// copyDir copies a testdata tree so a test can edit the source it deploys.
func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		if info.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// goModule makes dir a Go module that builds offline: aws-lambda-go at the
// version (and go.sum) of nubo's own module.
func goModule(t *testing.T, dir string) {
	t.Helper()
	sum, err := os.ReadFile("../../go.sum")
	if err != nil {
		t.Fatal(err)
	}
	ver := ""
	for _, l := range strings.Split(string(sum), "\n") {
		if f := strings.Fields(l); len(f) == 3 && f[0] == "github.com/aws/aws-lambda-go" && !strings.HasSuffix(f[1], "/go.mod") {
			ver = f[1]
		}
	}
	mod := "module example.com/hello\n\ngo 1.22\n\nrequire github.com/aws/aws-lambda-go " + ver + "\n"
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644); err != nil {
		t.Fatal(err)
	}
}

func deployStack(t *testing.T, p *Platform, dir string, params map[string]string) (*stacks.Plan, *stacks.DeployResult) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(dir, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	req := stacks.PlanRequest{Stack: "hello", Template: string(src), BaseDir: dir, Parameters: params}
	ctx := context.Background()
	plan, err := p.Stacks.Plan(ctx, req)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	res, err := p.Stacks.Deploy(ctx, stacks.DeployRequest{PlanRequest: req}, nil)
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	return plan, res
}

func invokeString(t *testing.T, c *lambda.Client, name, payload string) string {
	t.Helper()
	out, err := c.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(payload)})
	if err != nil {
		t.Fatalf("invoke %s: %v", name, err)
	}
	if out.FunctionError != nil {
		t.Fatalf("invoke %s: function error %s: %s", name, *out.FunctionError, out.Payload)
	}
	return string(out.Payload)
}

// TestLambdaFunctionFromSource deploys AWS::Lambda::Function from a Go
// source directory (BuildMethod go1.x), updates it through the template and
// its source, detects drift made through the Lambda API, and destroys it.
func TestLambdaFunctionFromSource(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs function processes")
	}
	p := startPlatform(t, Options{})
	lc := lambdaClientFor("http://" + p.EdgeAddr())
	ctx := context.Background()
	lambdaRole(t, p.EndpointURL(), "hello-role") // the template's role, made outside the stack
	dir := copyDir(t, "testdata/lambda-stack")
	goModule(t, filepath.Join(dir, "hello"))
	t.Setenv("GOFLAGS", "-mod=mod")

	plan, res := deployStack(t, p, dir, nil)
	if add, _, _, _ := plan.Counts(); add != 2 {
		t.Fatalf("first plan adds %d resources, want 2", add)
	}
	name := res.Outputs["FunctionName"]
	if !strings.HasPrefix(name, "hello-Hello-") {
		t.Fatalf("generated name %q, want hello-Hello-RANDOM", name)
	}
	if arn := res.Outputs["FunctionArn"]; arn != "arn:aws:lambda:us-east-1:000000000000:function:"+name {
		t.Fatalf("arn output %q", arn)
	}
	if got := invokeString(t, lc, name, `{"name":"Ada"}`); got != `"Hello, Ada!"` {
		t.Fatalf("invoke: %s", got)
	}
	eic, err := lc.GetFunctionEventInvokeConfig(ctx, &lambda.GetFunctionEventInvokeConfigInput{FunctionName: aws.String(name)})
	if err != nil || aws.ToInt32(eic.MaximumRetryAttempts) != 0 {
		t.Fatalf("event invoke config: %+v %v", eic, err)
	}

	// A parameter change updates the configuration in place.
	plan, _ = deployStack(t, p, dir, map[string]string{"Greeting": "Hi"})
	if _, change, replace, _ := plan.Counts(); change != 1 || replace != 0 {
		t.Fatalf("parameter change: %d in place, %d replaced; want 1, 0", change, replace)
	}
	if got := invokeString(t, lc, name, `{"name":"Ada"}`); got != `"Hi, Ada!"` {
		t.Fatalf("after update: %s", got)
	}

	// Nothing changed: an empty plan, nothing rebuilt into a new package.
	plan, _ = deployStack(t, p, dir, map[string]string{"Greeting": "Hi"})
	if !plan.Empty() {
		var b strings.Builder
		plan.Render(&b)
		t.Fatalf("unchanged template and source planned changes:\n%s", b.String())
	}

	// A source change shows in the plan as a Code change and is deployed.
	if err := os.WriteFile(filepath.Join(dir, "hello", "version.go"), []byte("package main\n\nconst version = \"?\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	plan, _ = deployStack(t, p, dir, map[string]string{"Greeting": "Hi"})
	if len(plan.Changes) != 1 || !changesProp(plan.Changes[0], "Code") {
		t.Fatalf("source change: plan %+v", plan.Changes)
	}
	if got := invokeString(t, lc, name, `{"name":"Ada"}`); got != `"Hi, Ada?"` {
		t.Fatalf("after source change: %s", got)
	}

	// Drift: a change made through the Lambda API.
	if _, err := lc.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String(name), MemorySize: aws.Int32(256)}); err != nil {
		t.Fatal(err)
	}
	drift, err := p.Stacks.Drift(ctx, "hello")
	if err != nil {
		t.Fatal(err)
	}
	if drift.Status != "DRIFTED" {
		t.Fatalf("drift after a MemorySize change: %+v", drift)
	}

	if _, err := p.Stacks.Destroy(ctx, stacks.DestroyRequest{Stack: "hello"}, nil); err != nil {
		t.Fatal(err)
	}
	_, err = lc.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)})
	var nf *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("after destroy: %v, want ResourceNotFoundException", err)
	}
}

func changesProp(c stacks.Change, name string) bool {
	for _, pc := range c.Props {
		if pc.Path == name || strings.HasPrefix(pc.Path, name+".") || strings.HasPrefix(pc.Path, name+"/") {
			return true
		}
	}
	return false
}

// TestLambdaProviderContracts runs the provider contract on
// AWS::Lambda::Function (inline Python code, so no build) and
// AWS::Lambda::EventInvokeConfig against a real functions service.
func TestLambdaProviderContracts(t *testing.T) {
	p := startPlatform(t, Options{})
	pkg := functions.NewPackager(t.TempDir())
	fp := functions.NewFunctionProvider(p.Functions, pkg)
	// The engine packages Code before a provider sees it: inline source
	// becomes a content-addressed package.
	packaged, err := fp.Package(context.Background(), t.TempDir(), stacks.Props{"Runtime": "python3.12",
		"Code": map[string]any{"ZipFile": "def handler(event, context):\n    return event\n"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	code := packaged["Code"]
	role := lambdaRole(t, "http://"+p.EdgeAddr(), "contract")
	create := stacks.Props{"FunctionName": "contract-fn", "Runtime": "python3.12", "Handler": "index.handler",
		"Role": role, "Code": code, "MemorySize": float64(128), "Timeout": float64(3),
		"Environment": map[string]any{"Variables": map[string]any{"A": "1"}}}
	update := maps.Clone(create)
	update["MemorySize"], update["Timeout"] = float64(256), float64(9)
	update["Environment"] = map[string]any{"Variables": map[string]any{"A": "2", "B": "3"}}
	update["ReservedConcurrentExecutions"] = float64(4)
	stackstest.RunProviderContract(t, fp, create, update)

	lc := lambdaClientFor("http://" + p.EdgeAddr())
	if _, err := lc.CreateFunction(context.Background(), &lambda.CreateFunctionInput{FunctionName: aws.String("contract-target"),
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("index.handler"), Role: aws.String(role),
		Code: &lambdatypes.FunctionCode{ZipFile: pyZip(t, "def handler(e, c):\n    return e\n")}}); err != nil {
		t.Fatal(err)
	}
	ep := functions.NewEventInvokeConfigProvider(p.Functions)
	stackstest.RunProviderContract(t, ep,
		stacks.Props{"FunctionName": "contract-target", "Qualifier": "$LATEST", "MaximumRetryAttempts": float64(1)},
		stacks.Props{"FunctionName": "contract-target", "Qualifier": "$LATEST", "MaximumRetryAttempts": float64(0), "MaximumEventAgeInSeconds": float64(120)})
}

func pyZip(t *testing.T, src string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("index.py")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(src)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
