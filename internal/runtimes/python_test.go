package runtimes

import (
	"encoding/json"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pythonRuntime is the runtime id matching the machine's python3.
func pythonRuntime(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import sys; print('python%d.%d' % sys.version_info[:2])").Output()
	if err != nil {
		t.Fatalf("python3 does not run: %v (these tests need python3 >= 3.9; scripts/test.sh installs it)", err)
	}
	rt := strings.TrimSpace(string(out))
	if !Supported(rt) {
		t.Fatalf("python3 is %s, which nubo does not support (need 3.9 to 3.13)", rt)
	}
	needInterpreter(t, rt)
	return rt
}

func TestPython_Echo(t *testing.T) {
	t.Parallel()
	rt := pythonRuntime(t)
	in := startInstance(t, testSet(t), rt, "echo.handler", "testdata/python")
	for _, payload := range []string{`{"a": 1, "s": "say \"hi\"\\n", "list": [1, 2.5, null, true, -0.0001]}`, `"just a string"`, `[]`} {
		o := in.invoke(in.newEvent(payload))
		if o.Kind != "response" || string(o.Body) != payload {
			t.Errorf("echo %s: got %v", payload, o)
		}
		if ct := o.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
	}
	// One kept-alive connection serves every request.
	if n := in.api.connections(); n != 1 {
		t.Errorf("runtime opened %d connections, want 1 (keep-alive)", n)
	}
}

func TestPython_Context(t *testing.T) {
	t.Parallel()
	rt := pythonRuntime(t)
	in := startInstance(t, testSet(t), rt, "context_dump.handler", "testdata/python")

	ev := in.newEvent(`{"max_remaining_ms": 60000}`)
	ev.TraceID = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	ev.ClientContext = `{"client": {"installation_id": "inst-1", "app_title": "Fixture", "app_version_name": "1.0", "app_version_code": "100", "app_package_name": "run.nubo.fixture"}, "custom": {"k": "v"}, "env": {"platform": "linux"}}`
	ev.CognitoIdentity = `{"cognitoIdentityId": "us-east-1:id-1", "cognitoIdentityPoolId": "us-east-1:pool-1"}`
	o := in.invoke(ev)
	want := map[string]any{
		"function_name":        "fixture-fn",
		"function_version":     "$LATEST",
		"invoked_function_arn": ev.InvokedARN,
		"memory_limit_in_mb":   "256", // a string on Lambda too
		"aws_request_id":       ev.ID,
		"log_group_name":       "/aws/lambda/fixture-fn",
		"log_stream_name":      "2026/11/25/[$LATEST]0123456789abcdef",
		"identity": map[string]any{
			"cognito_identity_id":      "us-east-1:id-1",
			"cognito_identity_pool_id": "us-east-1:pool-1",
		},
		"client_context": map[string]any{
			"custom": map[string]any{"k": "v"},
			"env":    map[string]any{"platform": "linux"},
			"client": map[string]any{
				"installation_id":  "inst-1",
				"app_title":        "Fixture",
				"app_version_name": "1.0",
				"app_version_code": "100",
				"app_package_name": "run.nubo.fixture",
			},
		},
		"remaining_positive": true,
		"trace_id":           ev.TraceID,
	}
	if o.Kind != "response" {
		t.Fatalf("got %v", o)
	}
	if diff := cmp.Diff(want, decode(t, o.Body)); diff != "" {
		t.Errorf("context (-want +got):\n%s", diff)
	}

	// Without client context, identity or trace: None values, as on Lambda.
	ev = in.newEvent(`{"max_remaining_ms": 60000}`)
	o = in.invoke(ev)
	want["aws_request_id"] = ev.ID
	want["identity"] = map[string]any{"cognito_identity_id": nil, "cognito_identity_pool_id": nil}
	want["client_context"] = nil
	want["trace_id"] = nil
	if diff := cmp.Diff(want, decode(t, o.Body)); diff != "" {
		t.Errorf("bare context (-want +got):\n%s", diff)
	}

	// A deadline in the past: no time left, never negative.
	ev = in.newEvent(`{"max_remaining_ms": 60000}`)
	ev.DeadlineMs = 1
	o = in.invoke(ev)
	if got := decode(t, o.Body).(map[string]any)["remaining_positive"]; got != false {
		t.Errorf("remaining_positive with a past deadline = %v", got)
	}
}

func TestPython_NestedModule(t *testing.T) {
	t.Parallel()
	rt := pythonRuntime(t)
	s := testSet(t)
	for _, handler := range []string{"pkg/sub/nested.handler", "pkg.sub.nested.handler"} {
		in := startInstance(t, s, rt, handler, "testdata/python")
		o := in.invoke(in.newEvent(`{"x": 1}`))
		if want := `{"module": "pkg.sub.nested", "event": {"x": 1}}`; o.Kind != "response" || string(o.Body) != want {
			t.Errorf("%s: got %v, want response %s", handler, o, want)
		}
	}
}

func TestPython_InvokeErrors(t *testing.T) {
	t.Parallel()
	rt := pythonRuntime(t)
	root := absPath(t, "testdata/python")
	s := testSet(t)

	in := startInstance(t, s, rt, "raise_error.handler", "testdata/python")
	ev := in.newEvent(`{"value": "nope"}`)
	o := in.invoke(ev)
	want := `{"errorMessage": "bad input: nope", "errorType": "ValueError", "requestId": "` + ev.ID + `", "stackTrace": [` +
		`"  File \"` + root + `/raise_error.py\", line 7, in handler\n    check(event[\"value\"])\n", ` +
		`"  File \"` + root + `/raise_error.py\", line 3, in check\n    raise ValueError(\"bad input: \" + value)\n"]}`
	if o.Kind != "error" || string(o.Body) != want {
		t.Errorf("error document:\n got %v\nwant %s", o, want)
	}
	if got := o.Header.Get("Lambda-Runtime-Function-Error-Type"); got != "ValueError" {
		t.Errorf("Lambda-Runtime-Function-Error-Type = %q", got)
	}
	// The error is logged as one record: lines joined by \r, indentation kept
	// as no-break spaces.
	in.waitOutput("[ERROR] ValueError: bad input: nope\rTraceback (most recent call last):\r\u00a0\u00a0File \"" + root + "/raise_error.py\", line 7, in handler\r\u00a0\u00a0\u00a0\u00a0check(")

	// The instance lives on after a function error.
	o = in.invoke(in.newEvent(`{"value": "ok"}`))
	if o.Kind != "response" || string(o.Body) != `"fine"` {
		t.Errorf("after an error: got %v", o)
	}

	in = startInstance(t, s, rt, "results.unserializable", "testdata/python")
	ev = in.newEvent(`{}`)
	o = in.invoke(ev)
	want = `{"errorMessage": "Unable to marshal response: Object of type set is not JSON serializable", "errorType": "Runtime.MarshalError", "requestId": "` + ev.ID + `", "stackTrace": []}`
	if o.Kind != "error" || string(o.Body) != want || o.Header.Get("Lambda-Runtime-Function-Error-Type") != "Runtime.MarshalError" {
		t.Errorf("marshal error:\n got %v (%q)\nwant %s", o, o.Header.Get("Lambda-Runtime-Function-Error-Type"), want)
	}

	ev = in.newEvent(`{not json`)
	o = in.invoke(ev)
	if doc, _ := decode(t, o.Body).(map[string]any); o.Kind != "error" || doc["errorType"] != "Runtime.UnmarshalError" ||
		!strings.HasPrefix(doc["errorMessage"].(string), "Unable to unmarshal input: ") {
		t.Errorf("unmarshal error: got %v", o)
	}
}

func TestPython_InitErrors(t *testing.T) {
	t.Parallel()
	rt := pythonRuntime(t)
	root := absPath(t, "testdata/python")
	s := testSet(t)
	tests := map[string]struct {
		handler   string
		errorType string
		message   string // exact, or a prefix when prefix is set
		prefix    bool
		trace     []string
	}{
		"import-error": {
			handler:   "import_error.handler",
			errorType: "Runtime.ImportModuleError",
			message:   "Unable to import module 'import_error': No module named 'nubo_no_such_module'",
		},
		"no-such-module": {
			handler:   "pkg/nothere.handler",
			errorType: "Runtime.ImportModuleError",
			message:   "Unable to import module 'pkg/nothere': No module named 'pkg.nothere'",
		},
		"missing-handler": {
			handler:   "echo.missing",
			errorType: "Runtime.HandlerNotFound",
			message:   "Handler 'missing' missing on module 'echo'",
		},
		"syntax-error": {
			handler:   "syntax_error.handler",
			errorType: "Runtime.UserCodeSyntaxError",
			message:   "Syntax error in module 'syntax_error': ",
			prefix:    true,
			trace:     []string{"  File \"" + root + "/syntax_error.py\" Line 1\n    def handler(event, context)\n"},
		},
		"builtin-module": {
			handler:   "sys.handler",
			errorType: "Runtime.BuiltInModuleConflict",
			message:   "Cannot use built-in module sys as a handler module",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := startInstance(t, s, rt, tc.handler, "testdata/python")
			o := in.wait()
			if o.Kind != "init" {
				t.Fatalf("got %v, want an init error", o)
			}
			var doc struct {
				ErrorMessage string   `json:"errorMessage"`
				ErrorType    string   `json:"errorType"`
				RequestID    *string  `json:"requestId"`
				StackTrace   []string `json:"stackTrace"`
			}
			if err := json.Unmarshal(o.Body, &doc); err != nil {
				t.Fatal(err)
			}
			if doc.ErrorType != tc.errorType || doc.RequestID == nil || *doc.RequestID != "" {
				t.Errorf("errorType %q requestId %v; body %s", doc.ErrorType, doc.RequestID, o.Body)
			}
			if tc.prefix && !strings.HasPrefix(doc.ErrorMessage, tc.message) || !tc.prefix && doc.ErrorMessage != tc.message {
				t.Errorf("errorMessage %q, want %q", doc.ErrorMessage, tc.message)
			}
			if tc.trace == nil {
				tc.trace = []string{}
			}
			if diff := cmp.Diff(tc.trace, doc.StackTrace); diff != "" {
				t.Errorf("stackTrace (-want +got):\n%s", diff)
			}
			if !tc.prefix {
				want := `{"errorMessage": ` + mustJSON(t, tc.message) + `, "errorType": "` + tc.errorType + `", "requestId": "", "stackTrace": []}`
				if string(o.Body) != want {
					t.Errorf("body\n got %s\nwant %s", o.Body, want)
				}
			}
			if got := o.Header.Get("Lambda-Runtime-Function-Error-Type"); got != tc.errorType {
				t.Errorf("Lambda-Runtime-Function-Error-Type = %q", got)
			}
			in.waitExit()
			in.waitOutput("[ERROR] " + tc.errorType + ": ")
		})
	}
}

func TestPython_Results(t *testing.T) {
	t.Parallel()
	rt := pythonRuntime(t)
	s := testSet(t)

	// Decimals exactly as written; non-ASCII escaped before python3.12, as
	// Lambda's encoder does.
	in := startInstance(t, s, rt, "results.decimals", "testdata/python", "AWS_EXECUTION_ENV=AWS_Lambda_python3.11")
	o := in.invoke(in.newEvent(`{}`))
	if want := `{"price": 1.10, "big": 12345678901234567890.5, "nan": NaN, "f": 0.5, "text": "caf\u00e9"}`; string(o.Body) != want {
		t.Errorf("decimals (3.11):\n got %s\nwant %s", o.Body, want)
	}
	in = startInstance(t, s, rt, "results.decimals", "testdata/python", "AWS_EXECUTION_ENV=AWS_Lambda_python3.12")
	o = in.invoke(in.newEvent(`{}`))
	if want := `{"price": 1.10, "big": 12345678901234567890.5, "nan": NaN, "f": 0.5, "text": "café"}`; string(o.Body) != want {
		t.Errorf("decimals (3.12):\n got %s\nwant %s", o.Body, want)
	}

	// bytes go out as they are.
	in = startInstance(t, s, rt, "results.raw_bytes", "testdata/python")
	o = in.invoke(in.newEvent(`{}`))
	if string(o.Body) != "\x00raw bytes\xff" || o.Header.Get("Content-Type") != "application/unknown" {
		t.Errorf("bytes: got %q (%s)", o.Body, o.Header.Get("Content-Type"))
	}
}

func TestPython_Logs(t *testing.T) {
	t.Parallel()
	rt := pythonRuntime(t)
	in := startInstance(t, testSet(t), rt, "results.logs", "testdata/python")
	ev := in.newEvent(`{}`)
	if o := in.invoke(ev); o.Kind != "response" || string(o.Body) != "null" {
		t.Fatalf("got %v", o)
	}
	out := in.waitOutput("logged info")
	if !strings.Contains(out, "printed line\n") {
		t.Errorf("print output missing:\n%s", out)
	}
	re := regexp.MustCompile(`(?m)^\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t` + regexp.QuoteMeta(ev.ID) + `\tlogged info$`)
	if !re.MatchString(out) {
		t.Errorf("no Lambda-format log line for the request in:\n%s", out)
	}
}

func TestPython_ErrorTypeHeaderIsSafe(t *testing.T) {
	t.Parallel()
	rt := pythonRuntime(t)
	in := startInstance(t, testSet(t), rt, "raise_error.unicode_error", "testdata/python")
	o := in.invoke(in.newEvent(`{}`))
	doc, _ := decode(t, o.Body).(map[string]any)
	if o.Kind != "error" || doc["errorType"] != "Ошибка" || doc["errorMessage"] != "non-ASCII class name" {
		t.Errorf("got %v", o)
	}
	if got := o.Header.Get("Lambda-Runtime-Function-Error-Type"); got != "??????" {
		t.Errorf("Lambda-Runtime-Function-Error-Type = %q", got)
	}
}
