package platform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nubo-run/nubo/internal/runtimes"
)

// onlyMachineInterpreters leaves on PATH only the machine's own python3 and
// node executables, and empties every other place runtimes are looked for,
// so which runtimes run on a substitute does not depend on the machine. It
// returns the Python and Node.js runtimes that are substituted then.
func onlyMachineInterpreters(t *testing.T) (py, node string) {
	t.Helper()
	bin := t.TempDir()
	for name, args := range map[string][]string{
		"python3": {"-c", "import sys; print(sys.executable)"},
		"node":    {"-e", "console.log(process.execPath)"},
	} {
		out, err := exec.Command(name, args...).Output()
		if err != nil {
			t.Fatalf("%s: %v (scripts/test.sh installs it)", name, err)
		}
		if err := os.Symlink(strings.TrimSpace(string(out)), filepath.Join(bin, name)); err != nil {
			t.Fatal(err)
		}
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("npm: %v (scripts/test.sh installs it)", err)
	}
	if err := os.Symlink(npm, filepath.Join(bin, "npm")); err != nil {
		t.Fatal(err)
	}
	// The SDK packages npm installs stay in the machine's cache: fetched
	// once, not once per run.
	cache, err := runtimes.CacheDir()
	if err != nil {
		t.Fatal(err)
	}
	sdk := filepath.Join(cache, "nodejs-sdk")
	if err := os.MkdirAll(sdk, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	for _, k := range []string{"PYENV_ROOT", "ASDF_DATA_DIR", "MISE_DATA_DIR", "NVM_DIR", "NUBO_CACHE_DIR"} {
		t.Setenv(k, t.TempDir())
	}
	if err := os.Symlink(sdk, filepath.Join(os.Getenv("NUBO_CACHE_DIR"), "nodejs-sdk")); err != nil {
		t.Fatal(err)
	}
	pick := func(cands ...string) string {
		for _, rt := range cands {
			if r, err := runtimes.Resolve(rt); err == nil && !r.Exact {
				return rt
			}
		}
		t.Fatalf("none of %v runs on a substitute", cands)
		return ""
	}
	return pick("python3.14", "python3.13"), pick("nodejs24.x", "nodejs22.x")
}

// TestNewRuntimesDeployAndAnswer deploys a SAM template whose functions name
// runtimes this machine lacks: the plan warns, and both functions answer on
// the nearest interpreter. --strict-runtimes refuses them instead, and
// retired runtimes are refused with Lambda's message.
func TestNewRuntimesDeployAndAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	pyRT, nodeRT := onlyMachineInterpreters(t)
	p := startPlatform(t, Options{})
	lc := lambdaClientFor("http://" + p.EdgeAddr())
	dir := copyDir(t, "testdata/runtimes-stack")

	plan, res := deployStack(t, p, dir, map[string]string{"PyRuntime": pyRT, "NodeRuntime": nodeRT})
	warnings := strings.Join(plan.Warnings, "\n")
	for _, rt := range []string{pyRT, nodeRT} {
		if !strings.Contains(warnings, "runtime "+rt+": ") || !strings.Contains(warnings, "is not installed here") {
			t.Errorf("plan warnings do not say %s runs on a substitute:\n%s", rt, warnings)
		}
	}
	for id, rt := range map[string]string{"Py": pyRT, "Node": nodeRT} {
		got := invokeString(t, lc, res.Outputs[id], fmt.Sprintf(`{"runtime":%q}`, rt))
		if !strings.Contains(got, `"runtime":`) || !strings.Contains(got, rt) {
			t.Errorf("%s (%s) answered %s", id, rt, got)
		}
	}

	// The AWS SDK Lambda's runtimes include, imported without bundling it.
	for _, id := range []string{"SdkEsm", "SdkCjs", "SdkPy"} {
		got := invokeString(t, lc, res.Outputs[id], `{}`)
		if !strings.Contains(got, `assumed-role/hello-`+id+`Role-`) {
			t.Errorf("%s answered %s, want its role session's ARN", id, got)
		}
	}

	strict := startPlatform(t, Options{Functions: FunctionsOptions{StrictRuntimes: true}})
	sc := lambdaClientFor("http://" + strict.EdgeAddr())
	create := func(rt lambdatypes.Runtime) error {
		_, err := sc.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
			FunctionName: aws.String("fn-" + strings.ReplaceAll(string(rt), ".", "-")), Runtime: rt, Handler: aws.String("app.handler"),
			Role: aws.String("arn:aws:iam::000000000000:role/r"), Code: &lambdatypes.FunctionCode{ZipFile: pyZip(t, "def handler(e, c):\n    return e\n")},
		})
		return err
	}
	var bad *lambdatypes.InvalidParameterValueException
	if err := create(lambdatypes.Runtime(pyRT)); !errors.As(err, &bad) || !strings.Contains(err.Error(), "--strict-runtimes") {
		t.Errorf("strict create %s: %v", pyRT, err)
	}
	if err := create("python3.8"); !errors.As(err, &bad) || !strings.Contains(err.Error(), "The runtime parameter of python3.8 is no longer supported for creating or updating AWS Lambda functions.") {
		t.Errorf("create python3.8: %v", err)
	}
	if err := create("dotnet8"); !errors.As(err, &bad) || !strings.Contains(err.Error(), "nubo has no .NET runtime yet") {
		t.Errorf("create dotnet8: %v", err)
	}
}
