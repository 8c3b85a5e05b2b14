package runtimes

import (
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// nodeRuntime is the Node.js runtime id the tests run (any node >= 18 serves
// every nodejs*.x id).
const nodeRuntime = "nodejs20.x"

func needNode(t *testing.T) {
	t.Helper()
	needInterpreter(t, nodeRuntime)
}

// nodeError is the error document of Lambda's Node.js runtime.
type nodeError struct {
	ErrorType    string   `json:"errorType"`
	ErrorMessage string   `json:"errorMessage"`
	Trace        []string `json:"trace"`
}

func decodeNodeError(t *testing.T, body []byte) nodeError {
	t.Helper()
	var e nodeError
	d := json.NewDecoder(strings.NewReader(string(body)))
	d.DisallowUnknownFields()
	if err := d.Decode(&e); err != nil {
		t.Fatalf("error document %s: %v", body, err)
	}
	return e
}

func TestNode_Handlers(t *testing.T) {
	t.Parallel()
	needNode(t)
	s := testSet(t)
	tests := map[string]struct {
		handler string
		payload string
		want    string
	}{
		"cjs-async":        {"cjs/index.handler", `{"a":[1,"é"]}`, `{"echo":{"a":[1,"é"]},"module":"object"}`},
		"cjs-nested":       {"cjs/index.nested.deeper.handler", `{}`, `"nested export"`},
		"esm-type-module":  {"esm/lib/handler.handler", `{"name":"nubo"}`, `{"greeting":"hello nubo","esm":true}`},
		"callback-waits":   {"callback/index.waits", `{}`, `{"waited":true,"timerRan":true}`},
		"callback-sync":    {"callback/index.sync", `{}`, `null`},
		"context-succeed":  {"callback/index.succeed", `{}`, `{"legacy":true}`},
		"stream-plain-obj": {"cjs/index.handler", `"text"`, `{"echo":"text","module":"object"}`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := startInstance(t, s, nodeRuntime, tc.handler, "testdata/node")
			for range 2 { // the second invocation proves the loop goes on
				o := in.invoke(in.newEvent(tc.payload))
				if o.Kind != "response" || string(o.Body) != tc.want {
					t.Fatalf("got %v, want response %s", o, tc.want)
				}
				if ct := o.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q", ct)
				}
			}
			if n := in.api.connections(); n != 1 {
				t.Errorf("runtime opened %d connections, want 1 (keep-alive)", n)
			}
		})
	}
}

func TestNode_ContextESM(t *testing.T) {
	t.Parallel()
	needNode(t)
	in := startInstance(t, testSet(t), nodeRuntime, "mjs/app.handler", "testdata/node")
	ev := in.newEvent(`{"maxRemainingMs": 60000}`)
	ev.TraceID = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
	ev.ClientContext = `{"client":{"installation_id":"inst-1","app_title":"Fixture"},"custom":{"k":"v"},"env":{"platform":"linux"}}`
	ev.CognitoIdentity = `{"cognitoIdentityId":"us-east-1:id-1","cognitoIdentityPoolId":"us-east-1:pool-1"}`
	o := in.invoke(ev)
	want := map[string]any{
		"functionName":       "fixture-fn",
		"functionVersion":    "$LATEST",
		"invokedFunctionArn": ev.InvokedARN,
		"memoryLimitInMB":    "256", // a string on Lambda too
		"awsRequestId":       ev.ID,
		"logGroupName":       "/aws/lambda/fixture-fn",
		"logStreamName":      "2026/11/25/[$LATEST]0123456789abcdef",
		"identity":           map[string]any{"cognitoIdentityId": "us-east-1:id-1", "cognitoIdentityPoolId": "us-east-1:pool-1"},
		"clientContext": map[string]any{
			"client": map[string]any{"installation_id": "inst-1", "app_title": "Fixture"},
			"custom": map[string]any{"k": "v"},
			"env":    map[string]any{"platform": "linux"},
		},
		"callbackWaitsForEmptyEventLoop": true,
		"remainingPositive":              true,
		"traceId":                        ev.TraceID,
		"esm":                            true,
	}
	if o.Kind != "response" {
		t.Fatalf("got %v", o)
	}
	if diff := cmp.Diff(want, decode(t, o.Body)); diff != "" {
		t.Errorf("context (-want +got):\n%s", diff)
	}

	// Absent headers: identity, clientContext and the trace id are undefined
	// (so absent from the JSON).
	ev = in.newEvent(`{"maxRemainingMs": 60000}`)
	o = in.invoke(ev)
	for _, k := range []string{"identity", "clientContext", "traceId"} {
		delete(want, k)
	}
	want["awsRequestId"] = ev.ID
	if diff := cmp.Diff(want, decode(t, o.Body)); diff != "" {
		t.Errorf("bare context (-want +got):\n%s", diff)
	}
}

func TestNode_CallbackNoWait(t *testing.T) {
	t.Parallel()
	needNode(t)
	// The handler leaves an hour-long timer behind: only
	// callbackWaitsForEmptyEventLoop = false lets the answer out.
	in := startInstance(t, testSet(t), nodeRuntime, "callback/index.noWait", "testdata/node")
	for range 2 {
		o := in.invoke(in.newEvent(`{}`))
		if o.Kind != "response" || string(o.Body) != `{"waited":false}` {
			t.Fatalf("got %v", o)
		}
	}
}

func TestNode_Logs(t *testing.T) {
	t.Parallel()
	needNode(t)
	in := startInstance(t, testSet(t), nodeRuntime, "cjs/index.handler", "testdata/node")
	ev := in.newEvent(`{"k":"v"}`)
	in.invoke(ev)
	out := in.waitOutput(`cjs got {"k":"v"}`)
	re := regexp.MustCompile(`(?m)^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t` + regexp.QuoteMeta(ev.ID) + `\tINFO\tcjs got \{"k":"v"\}$`)
	if !re.MatchString(out) {
		t.Errorf("no Lambda-format log line for the request in:\n%s", out)
	}
}

func TestNode_InvokeErrors(t *testing.T) {
	t.Parallel()
	needNode(t)
	root := absPath(t, "testdata/node")
	s := testSet(t)
	tests := map[string]struct {
		handler string
		want    nodeError // Trace holds the expected leading lines
		frame   string    // a later trace line must contain this
		logType string    // errorType in the log line, when not want's
	}{
		"thrown": {
			handler: "errors/index.thrown",
			want:    nodeError{"TypeError", "thrown synchronously", []string{"TypeError: thrown synchronously"}},
			frame:   root + "/errors/index.js:9:9",
		},
		"rejected": {
			handler: "errors/index.rejected",
			want:    nodeError{"CustomError", "rejected with a custom error", []string{"CustomError: rejected with a custom error"}},
			frame:   root + "/errors/index.js:13:9",
		},
		"rejected-string": {
			handler: "errors/index.rejectedString",
			want:    nodeError{"string", "just a string", []string{}},
			logType: "Error", // the log shows it wrapped in an Error, as Lambda's does
		},
		"callback-error": {
			handler: "callback/index.fails",
			want:    nodeError{"RangeError", "callback failure", []string{"RangeError: callback failure"}},
			frame:   root + "/callback/index.js:21:12",
		},
		"never-settles": {
			handler: "errors/index.neverSettles",
			want:    nodeError{"Runtime.NodeJsExit", "Runtime exited without providing a reason", []string{"Runtime.NodeJsExit: Runtime exited without providing a reason"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := startInstance(t, s, nodeRuntime, tc.handler, "testdata/node")
			for range 2 { // the instance survives a function error
				ev := in.newEvent(`{}`)
				o := in.invoke(ev)
				if o.Kind != "error" {
					t.Fatalf("got %v, want an error", o)
				}
				got := decodeNodeError(t, o.Body)
				if got.ErrorType != tc.want.ErrorType || got.ErrorMessage != tc.want.ErrorMessage {
					t.Errorf("got %s %q, want %s %q", got.ErrorType, got.ErrorMessage, tc.want.ErrorType, tc.want.ErrorMessage)
				}
				if len(tc.want.Trace) == 0 && len(got.Trace) != 0 || len(got.Trace) < len(tc.want.Trace) ||
					!cmp.Equal(tc.want.Trace, got.Trace[:len(tc.want.Trace)]) {
					t.Errorf("trace %q, want it to start with %q", got.Trace, tc.want.Trace)
				}
				if tc.frame != "" && !strings.Contains(strings.Join(got.Trace, "\n"), tc.frame) {
					t.Errorf("trace %q has no frame at %s", got.Trace, tc.frame)
				}
				if h := o.Header.Get("Lambda-Runtime-Function-Error-Type"); h != tc.want.ErrorType {
					t.Errorf("Lambda-Runtime-Function-Error-Type = %q", h)
				}
				logType := tc.want.ErrorType
				if tc.logType != "" {
					logType = tc.logType
				}
				in.waitOutput(ev.ID + "\tERROR\tInvoke Error \t{\"errorType\":\"" + logType + "\",\"errorMessage\":" + mustJSON(t, tc.want.ErrorMessage))
			}
		})
	}
}

func TestNode_InitErrors(t *testing.T) {
	t.Parallel()
	needNode(t)
	s := testSet(t)
	tests := map[string]struct {
		handler   string
		errorType string
		message   string // a prefix of errorMessage
	}{
		"syntax-error":     {"syntax/index.handler", "Runtime.UserCodeSyntaxError", "SyntaxError: Unexpected token"},
		"syntax-error-esm": {"mjs/broken.handler", "Runtime.UserCodeSyntaxError", "SyntaxError: Unexpected token"},
		"missing-export":   {"cjs/index.nope", "Runtime.HandlerNotFound", "cjs/index.nope is undefined or not exported"},
		"not-a-function":   {"cjs/index.notAFunction", "Runtime.HandlerNotFound", "cjs/index.notAFunction is not a function"},
		"missing-module":   {"cjs/nothere.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'nothere'"},
		"missing-mjs":      {"mjs/nothere.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'nothere'"},
		"missing-esm-dep":  {"mjs/baddep.handler", "Runtime.ImportModuleError", "Error: Cannot find package 'nubo-no-such-package' imported from "},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := startInstance(t, s, nodeRuntime, tc.handler, "testdata/node")
			o := in.wait()
			if o.Kind != "init" {
				t.Fatalf("got %v, want an init error", o)
			}
			got := decodeNodeError(t, o.Body)
			if got.ErrorType != tc.errorType || !strings.HasPrefix(got.ErrorMessage, tc.message) {
				t.Errorf("got %s %q, want %s %q...", got.ErrorType, got.ErrorMessage, tc.errorType, tc.message)
			}
			if len(got.Trace) == 0 || got.Trace[0] != tc.errorType+": "+strings.SplitN(got.ErrorMessage, "\n", 2)[0] {
				t.Errorf("trace %q does not start with the error", got.Trace)
			}
			if h := o.Header.Get("Lambda-Runtime-Function-Error-Type"); h != tc.errorType {
				t.Errorf("Lambda-Runtime-Function-Error-Type = %q", h)
			}
			in.waitExit()
			in.waitOutput("\tundefined\tERROR\tUncaught Exception \t{\"errorType\":\"" + tc.errorType + "\"")
		})
	}
}

func TestNode_UnhandledRejection(t *testing.T) {
	t.Parallel()
	needNode(t)
	in := startInstance(t, testSet(t), nodeRuntime, "errors/index.unhandled", "testdata/node")
	ev := in.newEvent(`{}`)
	o := in.invoke(ev)
	got := decodeNodeError(t, o.Body)
	if o.Kind != "error" || got.ErrorType != "Runtime.UnhandledPromiseRejection" || got.ErrorMessage != "Error: floating rejection" ||
		len(got.Trace) == 0 || got.Trace[0] != "Runtime.UnhandledPromiseRejection: Error: floating rejection" {
		t.Errorf("got %v", o)
	}
	in.waitExit()
	if code := in.cmd.ProcessState.ExitCode(); code != 128 {
		t.Errorf("exit code %d, want 128", code)
	}
}

func TestNode_Streaming(t *testing.T) {
	t.Parallel()
	needNode(t)
	s := testSet(t)

	t.Run("http-response-stream", func(t *testing.T) {
		t.Parallel()
		in := startInstance(t, s, nodeRuntime, "streaming/index.http", "testdata/node")
		for range 2 {
			ev := in.newEvent(`{}`)
			o := in.invoke(ev)
			want := `{"statusCode":201,"headers":{"x-request-id":"` + ev.ID + `","content-type":"text/plain"}}` +
				"\x00\x00\x00\x00\x00\x00\x00\x00" + "hello streaming world"
			if o.Kind != "response" || string(o.Body) != want {
				t.Fatalf("body %q, want %q", o.Body, want)
			}
			checkStreamingHeaders(t, o, "application/vnd.awslambda.http-integration-response")
			if len(o.Trailer) != 0 && (o.Trailer.Get("Lambda-Runtime-Function-Error-Type") != "" || o.Trailer.Get("Lambda-Runtime-Function-Error-Body") != "") {
				t.Errorf("error trailers on success: %v", o.Trailer)
			}
		}
		if n := in.api.connections(); n != 1 {
			t.Errorf("runtime opened %d connections, want 1 (keep-alive)", n)
		}
	})

	t.Run("plain", func(t *testing.T) {
		t.Parallel()
		in := startInstance(t, s, nodeRuntime, "streaming/index.plain", "testdata/node")
		o := in.invoke(in.newEvent(`{}`))
		if want := "a,b\n{\"json\":true}{\"last\":1}"; o.Kind != "response" || string(o.Body) != want {
			t.Fatalf("body %q, want %q", o.Body, want)
		}
		checkStreamingHeaders(t, o, "text/csv")
	})

	t.Run("mid-stream-error", func(t *testing.T) {
		t.Parallel()
		root := absPath(t, "testdata/node")
		in := startInstance(t, s, nodeRuntime, "streaming/index.midStreamError", "testdata/node")
		for range 2 {
			ev := in.newEvent(`{}`)
			o := in.invoke(ev)
			if o.Kind != "response" || string(o.Body) != "partial " {
				t.Fatalf("got %v, want the partial body", o)
			}
			checkStreamingHeaders(t, o, "application/octet-stream")
			if got := o.Trailer.Get("Lambda-Runtime-Function-Error-Type"); got != "Error" {
				t.Errorf("error type trailer %q (trailers %v)", got, o.Trailer)
			}
			raw, err := base64.StdEncoding.DecodeString(o.Trailer.Get("Lambda-Runtime-Function-Error-Body"))
			if err != nil {
				t.Fatalf("error body trailer: %v", err)
			}
			doc := decodeNodeError(t, raw)
			if doc.ErrorType != "Error" || doc.ErrorMessage != "mid-stream failure" || len(doc.Trace) < 2 ||
				doc.Trace[0] != "Error: mid-stream failure" || !strings.Contains(doc.Trace[1], root+"/streaming/index.mjs:") {
				t.Errorf("error body %s", raw)
			}
			in.waitOutput(ev.ID + "\tERROR\tInvoke Error \t{\"errorType\":\"Error\",\"errorMessage\":\"mid-stream failure\"")
		}
	})
}

func checkStreamingHeaders(t *testing.T, o outcome, contentType string) {
	t.Helper()
	if got := o.Header.Get("Lambda-Runtime-Function-Response-Mode"); got != "streaming" {
		t.Errorf("Lambda-Runtime-Function-Response-Mode = %q", got)
	}
	if got := o.Header.Get("Content-Type"); got != contentType {
		t.Errorf("Content-Type = %q, want %q", got, contentType)
	}
}

func TestNode_ErrorTypeHeaderIsSafe(t *testing.T) {
	t.Parallel()
	needNode(t)
	in := startInstance(t, testSet(t), nodeRuntime, "errors/index.badName", "testdata/node")
	o := in.invoke(in.newEvent(`{}`))
	if got := decodeNodeError(t, o.Body); o.Kind != "error" || got.ErrorType != "Bad\nName" || got.ErrorMessage != "odd name" {
		t.Errorf("got %v", o)
	}
	if got := o.Header.Get("Lambda-Runtime-Function-Error-Type"); got != "Bad?Name" {
		t.Errorf("Lambda-Runtime-Function-Error-Type = %q", got)
	}
}
