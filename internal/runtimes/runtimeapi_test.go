package runtimes

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitLimit bounds how long a test waits for a child process to answer. It
// is a failure deadline, never an assertion about speed.
const waitLimit = 60 * time.Second

// event is one invocation the fake Runtime API hands out.
type event struct {
	ID              string
	Payload         string
	DeadlineMs      int64
	InvokedARN      string
	TraceID         string
	ClientContext   string
	CognitoIdentity string
}

// outcome is what the runtime posted back.
type outcome struct {
	Kind    string // "response", "error" or "init"
	ID      string
	Body    []byte
	Header  http.Header
	Trailer http.Header
}

// fakeAPI is a small Lambda Runtime API: /next hands out queued events,
// every post is recorded as an outcome.
type fakeAPI struct {
	t        *testing.T
	srv      *httptest.Server
	events   chan event
	outcomes chan outcome

	mu    sync.Mutex
	nexts int // GET /next requests received
	conns int // TCP connections accepted
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	a := &fakeAPI{t: t, events: make(chan event, 16), outcomes: make(chan outcome, 16)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+fakeSecret+"/2018-06-01/runtime/invocation/next", a.next)
	mux.HandleFunc("POST "+fakeSecret+"/2018-06-01/runtime/invocation/{id}/response", a.record("response"))
	mux.HandleFunc("POST "+fakeSecret+"/2018-06-01/runtime/invocation/{id}/error", a.record("error"))
	mux.HandleFunc("POST "+fakeSecret+"/2018-06-01/runtime/init/error", a.record("init"))
	a.srv = httptest.NewUnstartedServer(mux) // listens on 127.0.0.1:0
	a.srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			a.mu.Lock()
			a.conns++
			a.mu.Unlock()
		}
	}
	a.srv.Start()
	t.Cleanup(func() {
		a.srv.CloseClientConnections()
		a.srv.Close()
	})
	return a
}

// connections is how many TCP connections the runtime opened.
func (a *fakeAPI) connections() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.conns
}

// fakeSecret is the path prefix the fake API serves under, as nubo serves
// each instance's Runtime API under a secret (decision 005): the shims must
// keep it before every path, or get 404.
const fakeSecret = "/0123456789abcdef0123456789abcdef"

// addr is the host:port/secret for AWS_LAMBDA_RUNTIME_API.
func (a *fakeAPI) addr() string { return strings.TrimPrefix(a.srv.URL, "http://") + fakeSecret }

func (a *fakeAPI) next(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.nexts++
	a.mu.Unlock()
	select {
	case ev := <-a.events:
		h := w.Header()
		h.Set("Lambda-Runtime-Aws-Request-Id", ev.ID)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(ev.DeadlineMs, 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", ev.InvokedARN)
		if ev.TraceID != "" {
			h.Set("Lambda-Runtime-Trace-Id", ev.TraceID)
		}
		if ev.ClientContext != "" {
			h.Set("Lambda-Runtime-Client-Context", ev.ClientContext)
		}
		if ev.CognitoIdentity != "" {
			h.Set("Lambda-Runtime-Cognito-Identity", ev.CognitoIdentity)
		}
		h.Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, ev.Payload)
	case <-r.Context().Done():
	}
}

func (a *fakeAPI) record(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a.outcomes <- outcome{Kind: kind, ID: r.PathValue("id"), Body: body, Header: r.Header.Clone(), Trailer: r.Trailer.Clone()}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		_, _ = io.WriteString(w, `{"status":"OK"}`)
	}
}

// instance is one runtime process started from Set.Command.
type instance struct {
	t      *testing.T
	api    *fakeAPI
	cmd    *exec.Cmd
	out    *syncBuffer
	exited chan struct{}
	seq    int
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testEnv is the environment the pool gives an instance (doc.go lists it).
func testEnv(api *fakeAPI, runtime, handler, taskRoot string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"LANG=C.UTF-8",
		"TZ=UTC",
		"PYTHONDONTWRITEBYTECODE=1", // keep testdata clean
		"AWS_LAMBDA_RUNTIME_API=" + api.addr(),
		"_HANDLER=" + handler,
		"LAMBDA_TASK_ROOT=" + taskRoot,
		"AWS_EXECUTION_ENV=AWS_Lambda_" + runtime,
		"AWS_LAMBDA_FUNCTION_NAME=fixture-fn",
		"AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256",
		"AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/fixture-fn",
		"AWS_LAMBDA_LOG_STREAM_NAME=2026/11/25/[$LATEST]0123456789abcdef",
		"AWS_REGION=us-east-1",
		"AWS_DEFAULT_REGION=us-east-1",
	}
}

// testSet installs the shims once per test into a temporary directory.
func testSet(t *testing.T) *Set {
	t.Helper()
	s, err := Install(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// needInterpreter fails (never skips) when the machine lacks the runtime:
// CI installs Python and Node.js.
func needInterpreter(t *testing.T, runtime string) {
	t.Helper()
	if _, err := Interpreter(runtime); err != nil {
		t.Fatalf("%v\n(these tests need python3 >= 3.9 and node >= 18 on PATH; scripts/test.sh installs them)", err)
	}
}

func startInstance(t *testing.T, s *Set, runtime, handler, taskRoot string, extraEnv ...string) *instance {
	t.Helper()
	if testing.Short() {
		t.Skip("starts runtime processes; skipped with -short")
	}
	taskRoot, err := filepath.Abs(taskRoot)
	if err != nil {
		t.Fatal(err)
	}
	argv, err := s.Command(runtime, handler, taskRoot)
	if err != nil {
		t.Fatal(err)
	}
	api := newFakeAPI(t)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = taskRoot
	cmd.Env = append(testEnv(api, runtime, handler, taskRoot), extraEnv...)
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %v: %v", argv, err)
	}
	in := &instance{t: t, api: api, cmd: cmd, out: out, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(in.exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-in.exited
		if t.Failed() {
			t.Logf("%s %s output:\n%s", runtime, handler, out.String())
		}
	})
	return in
}

// newEvent makes an event with a fresh id and a deadline a minute away.
func (in *instance) newEvent(payload string) event {
	in.seq++
	return event{
		ID:         fmt.Sprintf("req-%s-%d", strings.ReplaceAll(in.t.Name(), "/", "-"), in.seq),
		Payload:    payload,
		DeadlineMs: time.Now().Add(time.Minute).UnixMilli(),
		InvokedARN: "arn:aws:lambda:us-east-1:000000000000:function:fixture-fn",
	}
}

// invoke hands ev to the runtime and returns what it posted for it.
func (in *instance) invoke(ev event) outcome {
	in.t.Helper()
	in.api.events <- ev
	o := in.wait()
	if o.Kind != "init" && o.ID != ev.ID {
		in.t.Fatalf("posted for request %q, want %q", o.ID, ev.ID)
	}
	return o
}

// wait returns the next outcome, failing if the process exits first.
func (in *instance) wait() outcome {
	in.t.Helper()
	select {
	case o := <-in.api.outcomes:
		return o
	case <-in.exited:
		select {
		case o := <-in.api.outcomes:
			return o
		default:
		}
		in.t.Fatalf("runtime exited (%v) without posting; output:\n%s", in.cmd.ProcessState, in.out.String())
	case <-time.After(waitLimit):
		in.t.Fatalf("no post from the runtime within %v; output:\n%s", waitLimit, in.out.String())
	}
	return outcome{}
}

// waitExit waits for the process to end (after an init error).
func (in *instance) waitExit() {
	in.t.Helper()
	select {
	case <-in.exited:
	case <-time.After(waitLimit):
		in.t.Fatalf("runtime still running %v after an init error", waitLimit)
	}
}

// waitOutput polls the process output until it contains want.
func (in *instance) waitOutput(want string) string {
	in.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		s := in.out.String()
		if strings.Contains(s, want) {
			return s
		}
		if time.Now().After(deadline) {
			in.t.Fatalf("output never contained %q; output:\n%s", want, s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// decode unmarshals an outcome body as JSON (numbers kept exact).
func decode(t *testing.T, body []byte) any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("body %q is not JSON: %v", body, err)
	}
	return v
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (o outcome) String() string {
	return fmt.Sprintf("%s %s: %s", o.Kind, o.ID, o.Body)
}

func absPath(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
