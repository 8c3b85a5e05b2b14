package runtimes

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// javaRuntime is the Java runtime id most tests run (any JVM 17 or later
// serves it: the fixture is compiled for Java 17).
const javaRuntime = "java17"

// needJava fails (never skips) when the machine lacks a JDK: CI installs
// one (default-jdk-headless).
func needJava(t *testing.T) {
	t.Helper()
	needInterpreter(t, javaRuntime)
	if _, err := exec.LookPath("javac"); err != nil {
		t.Fatalf("javac is not on PATH: the Java tests compile their fixtures (install a JDK, e.g. default-jdk-headless)")
	}
}

// buildJavaFixture compiles testdata/java into a task root laid out as a
// `sam build` or Gradle zip: the stand-in aws-lambda-java-core interfaces
// in lib/aws-lambda-java-core.jar, the handlers' classes at the root; and a
// layer's content beside it (root/../opt: java/lib/layer.jar).
func buildJavaFixture(t *testing.T) string {
	t.Helper()
	work := t.TempDir()
	root := filepath.Join(work, "task")
	core := filepath.Join(work, "core")
	layer := filepath.Join(work, "layer")
	javac := func(out, cp, srcDir string) {
		t.Helper()
		var srcs []string
		err := filepath.WalkDir(srcDir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && strings.HasSuffix(p, ".java") {
				srcs = append(srcs, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		args := []string{"--release", "17", "-encoding", "UTF-8", "-d", out}
		if cp != "" {
			args = append(args, "-cp", cp)
		}
		if b, err := exec.Command("javac", append(args, srcs...)...).CombinedOutput(); err != nil {
			t.Fatalf("javac %s: %v\n%s", srcDir, err, b)
		}
	}
	javac(core, "", "testdata/java/core")
	javac(layer, "", "testdata/java/layer")
	javac(root, core+string(os.PathListSeparator)+layer, "testdata/java/src")
	for _, d := range []string{filepath.Join(root, "lib"), filepath.Join(work, "opt", "java", "lib")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeJar(t, filepath.Join(root, "lib", "aws-lambda-java-core.jar"), core)
	writeJar(t, filepath.Join(work, "opt", "java", "lib", "layer.jar"), layer)
	return root
}

// writeJar zips the files under dir into a jar.
func writeJar(t *testing.T, jar, dir string) {
	t.Helper()
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
		if err != nil {
			return err
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(w, src)
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

// javaError is the error document of Lambda's Java runtime.
type javaError struct {
	ErrorMessage string     `json:"errorMessage"`
	ErrorType    string     `json:"errorType"`
	StackTrace   []string   `json:"stackTrace"`
	Cause        *javaError `json:"cause"`
}

func decodeJavaError(t *testing.T, body []byte) javaError {
	t.Helper()
	var e javaError
	d := json.NewDecoder(strings.NewReader(string(body)))
	d.DisallowUnknownFields()
	if err := d.Decode(&e); err != nil {
		t.Fatalf("error document %s: %v", body, err)
	}
	return e
}

// TestJava runs real JVMs through the fake Runtime API; the fixture is
// compiled once for all of its subtests.
func TestJava(t *testing.T) {
	t.Parallel()
	needJava(t)
	root := buildJavaFixture(t)
	s := testSet(t)
	t.Run("handlers", func(t *testing.T) { testJavaHandlers(t, s, root) })
	t.Run("context", func(t *testing.T) { testJavaContext(t, s, root) })
	t.Run("errors", func(t *testing.T) { testJavaErrors(t, s, root) })
	t.Run("init-errors", func(t *testing.T) { testJavaInitErrors(t, s, root) })
	t.Run("runtimes", func(t *testing.T) { testJavaRuntimes(t, s, root) })
	t.Run("layer", func(t *testing.T) { testJavaLayer(t, s, root) })
}

// testJavaLayer: a layer's java/lib/*.jar is on the class path, as
// /opt/java/lib is on Lambda; without the layer the class is missing.
func testJavaLayer(t *testing.T, s *Set, root string) {
	t.Parallel()
	opt := filepath.Join(filepath.Dir(root), "opt")
	in := startInstance(t, s, javaRuntime, "example.UsesLayer::handle", root, "NUBO_OPT="+opt)
	if o := in.invoke(in.newEvent(`{"who":"layer"}`)); o.Kind != "response" || string(o.Body) != `"shared hello layer"` {
		t.Errorf("with the layer: %v", o)
	}
	in = startInstance(t, s, javaRuntime, "example.UsesLayer::handle", root)
	o := in.invoke(in.newEvent(`{"who":"layer"}`))
	if e := decodeJavaError(t, o.Body); o.Kind != "error" || e.ErrorType != "java.lang.NoClassDefFoundError" || e.ErrorMessage != "layerlib/Shared" {
		t.Errorf("without the layer: %v", o)
	}
}

func testJavaHandlers(t *testing.T, s *Set, root string) {
	t.Parallel()
	tests := map[string]struct {
		handler, payload, want string
		exact                  bool   // compare bytes, not JSON values
		log                    string // a line the handler logs
	}{
		"pojo": {
			handler: "example.EchoPojo",
			payload: `{"name":"Ada","age":36,"tags":["x","y"],"address":{"city":"London"},"ADMIN":true,"unknown":{"k":1}}`,
			want:    `{"message":"hello Ada from London","nextAge":37,"tags":["x","y"],"admin":true,"level":"HIGH"}`,
			exact:   true, // declared order, the null property left out
			log:     "greeting Ada (call 1)",
		},
		"map": {
			handler: "example.MapHandler",
			payload: `{"i":1,"l":12345678901,"big":123456789012345678901234,"d":1.5,"s":"x","b":true,"n":null,"list":[1,"a"],"obj":{"k":"v"}}`,
			want: `{"echo":{"i":1,"l":12345678901,"big":123456789012345678901234,"d":1.5,"s":"x","b":true,"n":null,"list":[1,"a"],"obj":{"k":"v"}},
				"types":{"i":"Integer","l":"Long","big":"BigInteger","d":"Double","s":"String","b":"Boolean","n":"null","list":"ArrayList","obj":"LinkedHashMap"}}`,
			log: "line two",
		},
		"kinds": {
			handler: "example.Kinds",
			payload: `{"nums":[1,2,3],"nested":[{"a":1},{"b":2}],"set":["x","y","x"],"price":"12.50","letter":"z","color":"GREEN",
				"data":"aGk=","big":9007199254740993,"ratio":0.25,"f":1.5,"sh":7,"flag":null,"byNumber":{"10":"ten","2":"two"},
				"raw":{"k":[true,null]},"text":"caf\u00e9 \ud83d\ude00 \"q\"\n","when":86400000,"any":{"deep":[1.5,"s"]},
				"colors":["RED","GREEN"],"grid":[["a"],["b","c"]],"hidden":"nope","Unset":"u",
				"uuid":"0b7e1c2a-5f1e-4b7a-9c53-0f4d2b1e8a11","uri":"https://example.com/a?b=c","at":"2026-12-07T10:15:30+01:00",
				"epoch":86400000,"detail-type":"Scheduled Event","buf":"aGk="}`,
			want: `{"nums":[1,2,3],"nested":[{"a":1},{"b":2}],"set":["x","y"],"price":12.50,"letter":"z","color":"GREEN",` +
				`"data":"aGk=","big":9007199254740993,"ratio":0.25,"f":1.5,"sh":7,"byNumber":{"2":"two","10":"ten"},` +
				`"raw":"{\"k\":[true,null]}","text":"café 😀 \"q\"\n","when":86400000,"any":{"deep":[1.5,"s"]},` +
				`"colors":["RED","GREEN"],"grid":[["a"],["b","c"]],"stamp":"1970-01-01T00:00:00Z",` +
				`"uuid":"0b7e1c2a-5f1e-4b7a-9c53-0f4d2b1e8a11","uri":"https://example.com/a?b=c","at":"2026-12-07T10:15:30+01:00",` +
				`"epoch":"1970-01-02T00:00:00Z","detailType":"Scheduled Event","buf":"aGk=","computed":"CAFÉ 😀 \"Q\"\n","isBase64Encoded":false}`,
			exact: true,
		},
		"api-gateway-event": {
			handler: "example.HelloApi",
			payload: `{"resource":"/hello","path":"/hello","httpMethod":"GET","headers":{"Host":"x"},"multiValueHeaders":{"Host":["x"]},
				"queryStringParameters":{"name":"nubo"},"multiValueQueryStringParameters":{"name":["nubo"]},"pathParameters":null,
				"stageVariables":null,"requestContext":{"resourceId":"r1","resourcePath":"/hello","httpMethod":"GET","requestTimeEpoch":1733570000000,
				"path":"/Prod/hello","accountId":"000000000000","protocol":"HTTP/1.1","stage":"Prod","domainPrefix":"x","requestId":"id-1",
				"identity":{"sourceIp":"127.0.0.1","userAgent":"curl/8"},"domainName":"x","apiId":"abc"},"body":null,"isBase64Encoded":false}`,
			want: `{"statusCode":200,"headers":{"X-Custom-Header":"application/json","Content-Type":"application/json"},` +
				`"body":"{\"message\":\"hello nubo\",\"method\":\"GET\",\"resource\":\"/hello\",\"stage\":\"Prod\",\"hasSourceIp\":true}"}`,
		},
		"void":          {handler: "example.Methods::nothing", payload: `{}`, want: `null`, exact: true, log: "nothing returned"},
		"overloaded":    {handler: "example.Methods::over", payload: `{}`, want: `"two"`, exact: true},
		"inherited":     {handler: "example.Inherited", payload: `{"name":"Lin","age":7}`, want: `"Lin is 7"`, exact: true},
		"string":        {handler: "example.StringHandler", payload: `"nubo"`, want: `"hello nubo \"quoted\" é"`, exact: true},
		"stream":        {handler: "example.Upper", payload: `{"a":"bé"}`, want: `{"A":"BÉ"}`, exact: true, log: "stream of 11 bytes"},
		"method":        {handler: "example.Methods::greet", payload: `{"name":"Bo"}`, want: `"hi Bo"`, exact: true},
		"method-stream": {handler: "example.Methods::copy", payload: `{"x":1}`, want: `[{"x":1}]`, exact: true},
		"static-record": {
			handler: "example.Methods::total",
			payload: `{"id":"o1","lines":[{"sku":"a","qty":2,"price":1.25},{"sku":"b","qty":1,"price":0.5}]}`,
			want:    `{"id":"o1","lines":[{"sku":"a","qty":2,"price":1.25},{"sku":"b","qty":1,"price":0.5}],"total":3.0}`,
			exact:   true,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := startInstance(t, s, javaRuntime, tc.handler, root)
			for range 2 { // the second invocation proves the loop goes on
				o := in.invoke(in.newEvent(tc.payload))
				if o.Kind != "response" {
					t.Fatalf("got %v, want a response", o)
				}
				if tc.exact && string(o.Body) != tc.want {
					t.Errorf("response %s, want %s", o.Body, tc.want)
				}
				if !tc.exact {
					if diff := cmp.Diff(decode(t, []byte(tc.want)), decode(t, o.Body)); diff != "" {
						t.Errorf("response (-want +got):\n%s", diff)
					}
				}
			}
			if tc.log != "" {
				in.waitOutput(tc.log)
			}
			if n := in.api.connections(); n != 1 {
				t.Errorf("runtime opened %d connections, want 1 (keep-alive)", n)
			}
		})
	}
}

func testJavaContext(t *testing.T, s *Set, root string) {
	t.Parallel()
	in := startInstance(t, s, javaRuntime, "example.Methods::context", root)
	ev := in.newEvent(`{}`)
	ev.TraceID = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	ev.ClientContext = `{"client":{"installation_id":"inst-1","app_title":"Fixture"},"custom":{"k":"v"},"env":{"platform":"linux"}}`
	ev.CognitoIdentity = `{"cognitoIdentityId":"us-east-1:id-1","cognitoIdentityPoolId":"us-east-1:pool-1"}`
	o := in.invoke(ev)
	want := map[string]any{
		"awsRequestId":                  ev.ID,
		"functionName":                  "fixture-fn",
		"functionVersion":               "$LATEST",
		"invokedFunctionArn":            ev.InvokedARN,
		"memoryLimitInMB":               json.Number("256"),
		"logGroupName":                  "/aws/lambda/fixture-fn",
		"logStreamName":                 "2026/11/25/[$LATEST]0123456789abcdef",
		"remainingPositive":             true,
		"xrayTraceId":                   ev.TraceID,
		"traceProperty":                 ev.TraceID,
		"identity":                      "us-east-1:id-1|us-east-1:pool-1",
		"client":                        "inst-1|Fixture",
		"custom":                        map[string]any{"k": "v"},
		"env":                           map[string]any{"platform": "linux"},
		"contextClassLoaderSeesHandler": true,
	}
	if o.Kind != "response" {
		t.Fatalf("got %v", o)
	}
	if diff := cmp.Diff(want, decode(t, o.Body)); diff != "" {
		t.Errorf("context (-want +got):\n%s", diff)
	}

	// Absent headers: no identity, client context or trace id.
	ev = in.newEvent(`{}`)
	o = in.invoke(ev)
	for _, k := range []string{"identity", "client", "custom", "env"} {
		delete(want, k)
	}
	want["awsRequestId"] = ev.ID
	want["xrayTraceId"] = nil
	want["traceProperty"] = ""
	if diff := cmp.Diff(want, decode(t, o.Body)); diff != "" {
		t.Errorf("context without headers (-want +got):\n%s", diff)
	}
}

func testJavaErrors(t *testing.T, s *Set, root string) {
	t.Parallel()
	t.Run("thrown", func(t *testing.T) {
		t.Parallel()
		in := startInstance(t, s, javaRuntime, "example.Fails", root)
		for range 2 { // an exception does not end the instance
			o := in.invoke(in.newEvent(`{"why":"because"}`))
			if o.Kind != "error" {
				t.Fatalf("got %v, want an error", o)
			}
			if h := o.Header.Get("Lambda-Runtime-Function-Error-Type"); h != "java.lang.IllegalStateException" {
				t.Errorf("error type header %q", h)
			}
			e := decodeJavaError(t, o.Body)
			if e.ErrorMessage != "boom: because" || e.ErrorType != "java.lang.IllegalStateException" {
				t.Errorf("error %+v", e)
			}
			if len(e.StackTrace) == 0 || !strings.HasPrefix(e.StackTrace[0], "example.Fails.handleRequest(Fails.java:") {
				t.Errorf("stack trace %q", e.StackTrace)
			}
			for _, f := range e.StackTrace {
				if strings.Contains(f, "NuboBootstrap") {
					t.Errorf("stack trace shows the bootstrap: %q", f)
				}
			}
			if e.Cause == nil || e.Cause.ErrorType != "java.io.UncheckedIOException" || e.Cause.Cause == nil ||
				e.Cause.Cause.ErrorType != "java.io.IOException" || e.Cause.Cause.ErrorMessage != "full" {
				t.Errorf("causes %s", o.Body)
			}
		}
		log := in.waitOutput("java.lang.IllegalStateException: boom: because")
		if !strings.Contains(log, "boom: because\r\tat example.Fails.handleRequest") {
			t.Errorf("the stack trace is not one log record:\n%s", log)
		}
	})
	t.Run("bad-json", func(t *testing.T) {
		t.Parallel()
		in := startInstance(t, s, javaRuntime, "example.EchoPojo", root)
		o := in.invoke(in.newEvent(`{"name":`))
		e := decodeJavaError(t, o.Body)
		if o.Kind != "error" || e.ErrorType != "java.lang.RuntimeException" || e.ErrorMessage != "An error occurred during JSON parsing" ||
			e.Cause == nil || !strings.Contains(e.Cause.ErrorMessage, "invalid JSON") {
			t.Errorf("got %v", o)
		}
		// A value of the wrong shape for the POJO.
		o = in.invoke(in.newEvent(`{"name":"Ada","age":"old"}`))
		if e := decodeJavaError(t, o.Body); o.Kind != "error" || e.Cause == nil || !strings.Contains(e.Cause.ErrorMessage, "cannot read a string as java.lang.Integer") {
			t.Errorf("got %v", o)
		}
		// The instance still answers.
		if o := in.invoke(in.newEvent(`{"name":"Ada"}`)); o.Kind != "response" {
			t.Errorf("got %v", o)
		}
	})
}

func testJavaInitErrors(t *testing.T, s *Set, root string) {
	t.Parallel()
	tests := map[string]struct{ handler, errorType, message string }{
		"missing-class":  {"example.Missing", "java.lang.ClassNotFoundException", "Class not found: example.Missing"},
		"ctor-throws":    {"example.BadInit", "java.lang.IllegalArgumentException", "no config"},
		"static-init":    {"example.BadStatic::handle", "java.lang.ExceptionInInitializerError", ""},
		"missing-method": {"example.Methods::nope", "java.lang.NoSuchMethodException", "No public method named nope with appropriate method signature found on class example.Methods"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := startInstance(t, s, javaRuntime, tc.handler, root)
			o := in.wait()
			if o.Kind != "init" {
				t.Fatalf("got %v, want an init error", o)
			}
			e := decodeJavaError(t, o.Body)
			if e.ErrorType != tc.errorType || e.ErrorMessage != tc.message || e.StackTrace == nil {
				t.Errorf("init error %s", o.Body)
			}
			if name == "static-init" && (e.Cause == nil || e.Cause.ErrorType != "java.lang.IllegalStateException" || e.Cause.ErrorMessage != "no table name") {
				t.Errorf("init error's cause: %s", o.Body)
			}
			if h := o.Header.Get("Lambda-Runtime-Function-Error-Type"); h != tc.errorType {
				t.Errorf("error type header %q", h)
			}
			in.waitExit()
			if code := in.cmd.ProcessState.ExitCode(); code != 1 {
				t.Errorf("exit status %d, want 1", code)
			}
			if log := in.out.String(); !strings.Contains(log, tc.errorType) || strings.Contains(log, "NuboBootstrap") {
				t.Errorf("log:\n%s", log)
			}
		})
	}
}

// testJavaRuntimes runs each current Java runtime on what this machine
// has: a substitute JVM says so in its first log line.
func testJavaRuntimes(t *testing.T, s *Set, root string) {
	t.Parallel()
	for _, rt := range []string{"java17", "java21", "java25"} {
		t.Run(rt, func(t *testing.T) {
			t.Parallel()
			r, err := s.Resolve(rt)
			if err != nil {
				t.Fatal(err)
			}
			in := startInstance(t, s, rt, "example.StringHandler", root)
			if o := in.invoke(in.newEvent(`"x"`)); o.Kind != "response" || string(o.Body) != `"hello x \"quoted\" é"` {
				t.Errorf("%s on Java %s: %v", rt, r.Version, o)
			}
			if !r.Exact {
				log := in.waitOutput("INIT_START")
				if first, _, _ := strings.Cut(log, "\n"); !strings.HasPrefix(first, "INIT_START Runtime Version: "+rt+" (nubo: Java ") {
					t.Errorf("%s: first line %q", rt, first)
				}
			}
		})
	}
}

// stubJVM writes an executable that answers -XshowSettings:properties
// -version as a JVM of version does, with home as java.home.
func stubJVM(t *testing.T, path, version, home string) {
	t.Helper()
	stub(t, path, "echo 'Property settings:' >&2\necho '    java.home = "+home+"' >&2\necho '    java.version = "+version+"' >&2\necho '    java.vm.name = Stub VM' >&2")
}

func TestResolve_Java(t *testing.T) {
	bin := isolate(t)
	tmp := t.TempDir()
	oldDirs := jvmDirs
	jvmDirs = []string{filepath.Join(tmp, "jvm")}
	t.Cleanup(func() { jvmDirs = oldDirs })
	home := os.Getenv("HOME")
	t.Setenv("SDKMAN_DIR", filepath.Join(home, ".sdkman"))
	t.Setenv("JAVA_HOME", filepath.Join(tmp, "jdk11"))

	jdk11 := filepath.Join(tmp, "jdk11", "bin", "java")
	stubJVM(t, jdk11, "11.0.22", filepath.Join(tmp, "jdk11"))
	pathJava := filepath.Join(bin, "java")
	stubJVM(t, pathJava, "17.0.10", "/nonexistent") // java.home without bin/java: the PATH entry is used
	jvm21 := filepath.Join(tmp, "jvm", "temurin-21-jdk", "bin", "java")
	stubJVM(t, jvm21, "21.0.2", filepath.Join(tmp, "jvm", "temurin-21-jdk"))
	if err := os.Symlink(filepath.Join(tmp, "jvm", "temurin-21-jdk"), filepath.Join(tmp, "jvm", "java-1.21.0")); err != nil {
		t.Fatal(err)
	}
	sdk25 := filepath.Join(home, ".sdkman", "candidates", "java", "25.0.1-tem", "bin", "java")
	stubJVM(t, sdk25, "25.0.1", filepath.Dir(filepath.Dir(sdk25)))
	if err := os.Symlink(filepath.Dir(filepath.Dir(sdk25)), filepath.Join(home, ".sdkman", "candidates", "java", "current")); err != nil {
		t.Fatal(err)
	}
	mise8 := filepath.Join(os.Getenv("MISE_DATA_DIR"), "installs", "java", "zulu-8", "bin", "java")
	stubJVM(t, mise8, "1.8.0_392", filepath.Dir(filepath.Dir(mise8)))

	check := func(rt, path, version, where string, exact bool) {
		t.Helper()
		r, err := Resolve(rt)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", rt, err)
		}
		want := Resolved{Runtime: rt, Path: path, Version: version, Where: where, Exact: exact}
		if diff := cmp.Diff(want, r); diff != "" {
			t.Errorf("Resolve(%s) (-want +got):\n%s", rt, diff)
		}
	}
	check("java8.al2", mise8, "1.8.0_392", "mise", true)
	check("java11", jdk11, "11.0.22", "JAVA_HOME", true)
	check("java17", pathJava, "17.0.10", "PATH", true)
	check("java21", jvm21, "21.0.2", jvmDirs[0], true)
	check("java25", sdk25, "25.0.1", "sdkman", true)

	// Without 17 and 21, java17 runs on 25 rather than on the nearer 11: an
	// older JVM cannot load the newer class files the function may hold.
	if err := os.Remove(pathJava); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(tmp, "jvm")); err != nil {
		t.Fatal(err)
	}
	check("java17", sdk25, "25.0.1", "sdkman", false)
	check("java21", sdk25, "25.0.1", "sdkman", false)
	r, _ := Resolve("java17")
	if want := "Java 17 is not installed here: java17 runs on Java 25.0.1"; !strings.Contains(r.Note(), want) || !strings.Contains(r.Hint(), "openjdk-17-jdk-headless") {
		t.Errorf("note %q, hint %q", r.Note(), r.Hint())
	}

	// The set warns about the substitute (or refuses it), and, with no javac
	// anywhere here, runs the bootstrap with the source launcher.
	s := testSet(t)
	if w, err := s.Check("java17"); err != nil || len(w) != 1 || !strings.Contains(w[0], "runs on Java 25.0.1") {
		t.Errorf("Check(java17) = %q, %v", w, err)
	}
	argv, err := s.Command("java17", "example.Handler::handleRequest", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if argv[0] != "/bin/sh" || argv[3] != sdk25 || argv[4] != "1" || !slices.Contains(argv, filepath.Join(s.Dir(), "java", "NuboBootstrap.java")) ||
		!strings.HasPrefix(argv[len(argv)-1], "--nubo-init=INIT_START Runtime Version: java17 (nubo: Java 17 is not installed here") {
		t.Errorf("Command(java17) = %q", argv)
	}
	if _, err := s.Command("java8.al2", "example.Handler", t.TempDir()); err == nil || !strings.Contains(err.Error(), "needs a javac for Java 8") {
		t.Errorf("Command(java8.al2) without javac: %v", err)
	}
	s.Strict(true)
	if _, err := s.Command("java17", "example.Handler", t.TempDir()); err == nil || !strings.Contains(err.Error(), "--strict-runtimes") {
		t.Errorf("strict Command(java17) = %v", err)
	}
	if _, err := s.Check("java21"); err == nil || !strings.Contains(err.Error(), "--strict-runtimes") {
		t.Errorf("strict Check(java21) = %v", err)
	}

	// No JVM at all.
	for _, p := range []string{jdk11, sdk25, mise8} {
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Resolve("java21"); !errors.Is(err, ErrNoInterpreter) || !strings.Contains(err.Error(), "install a JDK 21") {
		t.Errorf("Resolve(java21) with no JVM: %v", err)
	}
}

func TestJavaVersionNumber(t *testing.T) {
	t.Parallel()
	for v, want := range map[string]int{"1.8.0_392": 8, "11.0.22": 11, "17": 17, "21-ea": 21, "25+36": 25, "25.0.1": 25} {
		if n, ok := versionNumber(KindJava, v); !ok || n != want {
			t.Errorf("versionNumber(%q) = %d, %v; want %d", v, n, ok, want)
		}
	}
	for _, v := range []string{"", "x", "1.x", "0"} {
		if n, ok := versionNumber(KindJava, v); ok {
			t.Errorf("versionNumber(%q) = %d, ok", v, n)
		}
	}
}

// TestJavaBootstrap_CompiledOnceElseSourceLaunched: the bootstrap is
// compiled once into nubo's cache (a second set reuses it), and a machine
// without javac runs it with Java's single-file source launcher.
func TestJavaBootstrap_CompiledOnceElseSourceLaunched(t *testing.T) {
	needJava(t)
	t.Setenv("NUBO_CACHE_DIR", t.TempDir())
	r, err := Resolve(javaRuntime)
	if err != nil {
		t.Fatal(err)
	}
	major, _ := versionNumber(KindJava, r.Version)
	boot, err := testSet(t).javaBootstrap(r.Path, major)
	if err != nil || len(boot) != 3 || boot[0] != "-cp" || boot[2] != javaBootstrapClass {
		t.Fatalf("javaBootstrap = %q, %v", boot, err)
	}
	classFile := filepath.Join(boot[1], javaBootstrapClass+".class")
	st1, err := os.Stat(classFile)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(filepath.Dir(boot[1]))
	if len(entries) != 1 {
		t.Errorf("the cache holds %d entries, want the compiled bootstrap only", len(entries))
	}
	boot2, err := testSet(t).javaBootstrap(r.Path, major)
	st2, _ := os.Stat(classFile)
	if err != nil || !slices.Equal(boot, boot2) || !st1.ModTime().Equal(st2.ModTime()) {
		t.Errorf("second set: %q, %v (recompiled: %v)", boot2, err, !st1.ModTime().Equal(st2.ModTime()))
	}

	old := findJavac
	findJavac = func(string) []javac { return nil }
	t.Cleanup(func() { findJavac = old })
	t.Setenv("NUBO_CACHE_DIR", t.TempDir())
	s := testSet(t)
	root := buildJavaFixture(t)
	in := startInstance(t, s, javaRuntime, "example.Methods::greet", root)
	if !slices.Contains(in.cmd.Args, filepath.Join(s.Dir(), "java", "NuboBootstrap.java")) {
		t.Errorf("argv %q does not launch the source", in.cmd.Args)
	}
	if o := in.invoke(in.newEvent(`{"name":"src"}`)); o.Kind != "response" || string(o.Body) != `"hi src"` {
		t.Errorf("source-launched bootstrap: %v", o)
	}
}

// TestJavaLauncherOptions: the launcher gives the JVM the function's
// memory, so the heap is sized from MemorySize, not from the machine, and
// starts it with Lambda's options, which JAVA_TOOL_OPTIONS replaces.
func TestJavaLauncherOptions(t *testing.T) {
	t.Parallel()
	needJava(t)
	root := buildJavaFixture(t)
	s := testSet(t)
	type jvm struct {
		MaxHeap int64
		GC      []string
		Args    []string
	}
	run := func(env ...string) jvm {
		t.Helper()
		in := startInstance(t, s, javaRuntime, "example.Methods::jvm", root, env...)
		o := in.invoke(in.newEvent(`{}`))
		var j jvm
		if err := json.Unmarshal(o.Body, &j); o.Kind != "response" || err != nil {
			t.Fatalf("%v: %v", env, o)
		}
		return j
	}
	for _, mb := range []int64{128, 1024} {
		j := run("AWS_LAMBDA_FUNCTION_MEMORY_SIZE=" + strconv.FormatInt(mb, 10))
		if limit := mb << 20; j.MaxHeap > limit*86/100 || j.MaxHeap < limit/2 {
			t.Errorf("%d MB: max heap %d bytes, want about 85%% of %d", mb, j.MaxHeap, limit)
		}
		if !slices.Contains(j.GC, "MarkSweepCompact") || !slices.Contains(j.Args, "-XX:TieredStopAtLevel=1") || !slices.Contains(j.Args, "-XX:MaxRAM="+strconv.FormatInt(mb, 10)+"m") {
			t.Errorf("%d MB: collectors %q, options %q", mb, j.GC, j.Args)
		}
	}
	// The function's own options win: another collector, full tiered
	// compilation, an explicit heap.
	j := run("JAVA_TOOL_OPTIONS=-XX:+UseParallelGC -XX:TieredStopAtLevel=4 -Xmx64m")
	if slices.Contains(j.GC, "MarkSweepCompact") || slices.Contains(j.Args, "-XX:TieredStopAtLevel=1") || j.MaxHeap > 64<<20 {
		t.Errorf("with JAVA_TOOL_OPTIONS: collectors %q, options %q, max heap %d", j.GC, j.Args, j.MaxHeap)
	}
}

func TestJavaProperties(t *testing.T) {
	t.Parallel()
	out := "Property settings:\n    file.encoding = UTF-8\n    java.class.path = \n    java.home = /usr/lib/jvm/x\n    java.library.path = /a\n        /b\n    java.version = 17.0.15\n    line.separator = \\n \n\nopenjdk version \"17.0.15\" 2025-04-15\n"
	want := map[string]string{"file.encoding": "UTF-8", "java.home": "/usr/lib/jvm/x", "java.library.path": "/a", "java.version": "17.0.15", "line.separator": "\\n"}
	got := javaProperties([]byte(out))
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (all: %q)", k, got[k], v, got)
		}
	}
}

func FuzzJavaProperties(f *testing.F) {
	f.Add([]byte("    java.home = /usr/lib/jvm/x\n    java.version = 21.0.2\n"))
	f.Add([]byte(" = \n=\n a = b = c\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		for k, v := range javaProperties(out) {
			if k == "" && v != "" || strings.ContainsAny(k, " \t\n") || strings.Contains(v, "\n") {
				t.Fatalf("javaProperties(%q): %q = %q", out, k, v)
			}
		}
	})
}
