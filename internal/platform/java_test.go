package platform

import (
	"archive/zip"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/nubo-run/nubo/internal/runtimes"
)

// compileJavaApp compiles the runtimes package's Java fixture into app as
// `sam build` lays out a Java function: classes at the root, the (stand-in)
// aws-lambda-java-core in lib/; and a layer's class into
// layer/java/lib/layer.jar.
func compileJavaApp(t *testing.T, app, layer string) {
	t.Helper()
	if _, err := exec.LookPath("javac"); err != nil {
		t.Fatal("javac is not on PATH: install a JDK (default-jdk-headless)")
	}
	javac := func(out, cp, src string) {
		t.Helper()
		var files []string
		_ = filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".java") {
				files = append(files, p)
			}
			return err
		})
		args := []string{"--release", "17", "-encoding", "UTF-8", "-d", out}
		if cp != "" {
			args = append(args, "-cp", cp)
		}
		if b, err := exec.Command("javac", append(args, files...)...).CombinedOutput(); err != nil {
			t.Fatalf("javac %s: %v\n%s", src, err, b)
		}
	}
	core, layerClasses := t.TempDir(), t.TempDir()
	javac(core, "", "../runtimes/testdata/java/core")
	javac(layerClasses, "", "../runtimes/testdata/java/layer")
	javac(app, core+string(os.PathListSeparator)+layerClasses, "../runtimes/testdata/java/src")
	writeJar(t, filepath.Join(app, "lib", "aws-lambda-java-core.jar"), core)
	writeJar(t, filepath.Join(layer, "java", "lib", "layer.jar"), layerClasses)
}

// writeJar zips the files under dir into jar.
func writeJar(t *testing.T, jar, dir string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(jar), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(jar)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err == nil {
			var b []byte
			if b, err = os.ReadFile(p); err == nil {
				_, err = w.Write(b)
			}
		}
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestJavaFunctionsDeployAndAnswer deploys a SAM template with java21,
// java17 and java25 functions whose CodeUri is a directory of compiled
// classes and lib/*.jar: they answer through the Lambda API and an Api
// event, on the exact JVM where the machine has it and on a substitute
// (with a plan warning) where it does not.
func TestJavaFunctionsDeployAndAnswer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	dir := copyDir(t, "testdata/java-stack")
	compileJavaApp(t, filepath.Join(dir, "app"), filepath.Join(dir, "layer"))
	p := startPlatform(t, Options{})
	lc := lambdaClientFor("http://" + p.EdgeAddr())

	plan, res := deployStack(t, p, dir, nil)
	warnings := strings.Join(plan.Warnings, "\n")
	for _, rt := range []string{"java21", "java17", "java25"} {
		r, err := runtimes.Resolve(rt)
		if err != nil {
			t.Fatalf("%s: %v (scripts/test.sh installs a JDK)", rt, err)
		}
		if warned := strings.Contains(warnings, "runtime "+rt+": Java "); warned == r.Exact {
			t.Errorf("%s on Java %s (exact %v): plan warnings:\n%s", rt, r.Version, r.Exact, warnings)
		}
	}

	got := invokeString(t, lc, res.Outputs["Echo"], `{"name":"Ada","age":17,"address":{"city":"Paris"}}`)
	if want := `{"message":"hello Ada from Paris","nextAge":18,"admin":false,"level":"LOW"}`; got != want {
		t.Errorf("Echo answered %s, want %s", got, want)
	}

	var ctx map[string]any
	if err := json.Unmarshal([]byte(invokeString(t, lc, res.Outputs["Ctx"], `{}`)), &ctx); err != nil {
		t.Fatal(err)
	}
	if ctx["functionName"] != res.Outputs["Ctx"] || ctx["memoryLimitInMB"] != float64(256) || ctx["remainingPositive"] != true ||
		!strings.HasSuffix(ctx["invokedFunctionArn"].(string), ":function:"+res.Outputs["Ctx"]) {
		t.Errorf("Ctx answered %v", ctx)
	}

	// `sam init`'s Java hello world: an Api event, the API Gateway event classes.
	resp, err := http.Get("http://" + p.HTTPAddr() + "/_api/" + res.Outputs["RestApiId"] + "/Prod/hello?name=sam")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Custom-Header") != "application/json" ||
		string(body) != `{"message":"hello sam","method":"GET","resource":"/hello","stage":"Prod","hasSourceIp":true}` {
		t.Errorf("GET /hello: %d %v %s", resp.StatusCode, resp.Header, body)
	}

	// A layer's java/lib/*.jar is on the class path.
	if got := invokeString(t, lc, res.Outputs["UsesLayer"], `{"who":"sam"}`); got != `"shared hello sam"` {
		t.Errorf("UsesLayer answered %s", got)
	}

	out, err := lc.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(res.Outputs["Fails"]), Payload: []byte(`{"why":"test"}`)})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		ErrorMessage, ErrorType string
		StackTrace              []string
	}
	if err := json.Unmarshal(out.Payload, &doc); err != nil || aws.ToString(out.FunctionError) != "Unhandled" ||
		doc.ErrorType != "java.lang.IllegalStateException" || doc.ErrorMessage != "boom: test" || len(doc.StackTrace) == 0 {
		t.Errorf("Fails: function error %q, payload %s", aws.ToString(out.FunctionError), out.Payload)
	}
}
