package functions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// testFnDir holds one code directory per testdata/fn function, each with
// its bootstrap binary, built once by TestMain.
var testFnDir string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "nubo-fn-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		if err := buildTestFunctions(dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		testFnDir = dir
		return m.Run()
	}()
	os.Exit(code)
}

func buildTestFunctions(dir string) error {
	bin := filepath.Join(dir, "bin")
	cmd := exec.Command("go", "build", "-o", bin+string(filepath.Separator), "./testdata/fn/...")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build test functions: %w\n%s", err, out)
	}
	entries, err := os.ReadDir(bin)
	if err != nil {
		return err
	}
	for _, e := range entries {
		code := filepath.Join(dir, e.Name())
		if err := os.Mkdir(code, 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(bin, e.Name()), filepath.Join(code, "bootstrap")); err != nil {
			return err
		}
	}
	// echo-norpc: aws-lambda-go without its RPC mode, as AWS suggests
	// building for provided.al2023: it can only poll the Runtime API.
	cmd = exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(dir, "echo-norpc", "bootstrap"), "./testdata/fn/echo")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build test functions: %w\n%s", err, out)
	}
	return nil
}

func needProcesses(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts function processes")
	}
}

func testConfig(name string) *Config {
	return &Config{
		Name:       name,
		ARN:        "arn:aws:lambda:us-east-1:000000000000:function:" + name,
		Runtime:    "provided.al2023",
		Handler:    "bootstrap",
		MemoryMB:   128,
		Timeout:    5 * time.Second,
		CodeDir:    filepath.Join(testFnDir, name),
		RevisionID: "r1",
	}
}

func newTestPool(t testing.TB, o PoolOptions) *Pool {
	t.Helper()
	needProcesses(t)
	if o.WorkDir == "" {
		o.WorkDir = t.TempDir()
	}
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	p, err := NewPool(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(context.Background()); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return p
}

func invoke(t testing.TB, p *Pool, cfg *Config, payload string) *Result {
	t.Helper()
	res, err := p.Invoke(context.Background(), cfg, &Request{Payload: []byte(payload)})
	if err != nil {
		t.Fatalf("invoke %s: %v", cfg.Name, err)
	}
	return res
}

// errorBody decodes an error document.
type errorBody struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
	StackTrace   []any  `json:"stackTrace"`
}

func decodeError(t *testing.T, res *Result) errorBody {
	t.Helper()
	if res.FunctionError != "Unhandled" {
		t.Fatalf("FunctionError = %q, want Unhandled (payload %s)", res.FunctionError, res.Payload)
	}
	var e errorBody
	if err := json.Unmarshal(res.Payload, &e); err != nil {
		t.Fatalf("error payload %s: %v", res.Payload, err)
	}
	return e
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPoolEcho(t *testing.T) {
	p := newTestPool(t, PoolOptions{})
	cfg := testConfig("echo")
	first := invoke(t, p, cfg, `{"hello":"world"}`)
	if string(first.Payload) != `{"hello":"world"}` || first.FunctionError != "" {
		t.Fatalf("first = %s (%q)", first.Payload, first.FunctionError)
	}
	if !first.ColdStart || first.InitDuration <= 0 {
		t.Errorf("first: ColdStart %v InitDuration %s, want a cold start", first.ColdStart, first.InitDuration)
	}
	t.Logf("cold: init %s, max memory %d MB", first.InitDuration, first.MaxMemoryMB)
	if first.MaxMemoryMB <= 0 {
		t.Errorf("first: MaxMemoryMB = %d", first.MaxMemoryMB)
	}
	second := invoke(t, p, cfg, `[1,2,3]`)
	if string(second.Payload) != `[1,2,3]` {
		t.Fatalf("second = %s", second.Payload)
	}
	if second.ColdStart || second.InitDuration != 0 {
		t.Errorf("second: ColdStart %v InitDuration %s, want warm", second.ColdStart, second.InitDuration)
	}
	if warm, busy := p.Instances("echo"); warm != 1 || busy != 0 {
		t.Errorf("Instances = %d warm, %d busy; want 1, 0", warm, busy)
	}
}

func TestPoolFunctionErrors(t *testing.T) {
	p := newTestPool(t, PoolOptions{})
	tests := map[string]struct {
		fn       string
		wantType string
		wantMsg  string
		stack    bool
	}{
		"error": {fn: "error", wantType: "errorString", wantMsg: "something went wrong"},
		"panic": {fn: "panic", wantType: "string", wantMsg: "boom", stack: true},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			cfg := testConfig(tt.fn)
			for i := range 2 { // the second runs on a warm or a replaced instance
				e := decodeError(t, invoke(t, p, cfg, `{}`))
				if e.ErrorType != tt.wantType || e.ErrorMessage != tt.wantMsg {
					t.Errorf("invoke %d: error = %+v, want %s %q", i, e, tt.wantType, tt.wantMsg)
				}
				if tt.stack && len(e.StackTrace) == 0 {
					t.Errorf("invoke %d: no stackTrace in the panic document", i)
				}
			}
		})
	}
}

func TestPoolTimeout(t *testing.T) {
	p := newTestPool(t, PoolOptions{})
	cfg := testConfig("sleep")
	cfg.Timeout = time.Second
	invoke(t, p, cfg, `1`) // warm it up: the timeout applies to the invocation
	res, err := p.Invoke(context.Background(), cfg, &Request{RequestID: "req-timeout", Payload: []byte(`60000`)})
	if err != nil {
		t.Fatal(err)
	}
	e := decodeError(t, res)
	if e.ErrorType != "Sandbox.Timedout" || e.ErrorMessage != "RequestId: req-timeout Error: Task timed out after 1.00 seconds" {
		t.Errorf("error = %+v", e)
	}
	next := invoke(t, p, cfg, `1`)
	if next.FunctionError != "" || !next.ColdStart {
		t.Errorf("after timeout: %s (%q), cold %v; want a fresh instance", next.Payload, next.FunctionError, next.ColdStart)
	}
}

func TestPoolCrash(t *testing.T) {
	sink := &recordingSink{}
	p := newTestPool(t, PoolOptions{Logs: sink})
	cfg := testConfig("exit")
	for i := range 2 {
		id := fmt.Sprintf("req-crash-%d", i)
		res, err := p.Invoke(context.Background(), cfg, &Request{RequestID: id, Payload: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		e := decodeError(t, res)
		if e.ErrorType != "Runtime.ExitError" || e.ErrorMessage != "RequestId: "+id+" Error: Runtime exited with error: exit status 2" {
			t.Errorf("invoke %d: error = %+v", i, e)
		}
		if !res.ColdStart {
			t.Errorf("invoke %d: not a cold start: the crashed instance was reused", i)
		}
		// The crash's last words belong to the invocation, before its END.
		if got := sink.of(id); len(got) != 4 || got[1] != "exiting now" || !strings.HasPrefix(got[2], "END") {
			t.Errorf("invoke %d: log = %q", i, got)
		}
	}
	eventually(t, "no instances left", func() bool { w, b := p.Instances("exit"); return w == 0 && b == 0 })
}

func TestPoolMemoryLimit(t *testing.T) {
	p := newTestPool(t, PoolOptions{})
	t.Logf("memory limit mode: %s", p.MemoryLimitMode())
	cfg := testConfig("memhog")
	ok := invoke(t, p, cfg, `8`)
	if ok.FunctionError != "" || ok.MaxMemoryMB < 8 {
		t.Errorf("8 MB: %s (%q), max memory %d MB", ok.Payload, ok.FunctionError, ok.MaxMemoryMB)
	}
	e := decodeError(t, invoke(t, p, cfg, `512`))
	want := map[string]string{"cgroup2": "Runtime.OutOfMemory", "cgroup1": "Runtime.OutOfMemory"}[p.MemoryLimitMode()]
	if want == "" {
		want = "Runtime.ExitError"
	}
	if e.ErrorType != want || !strings.Contains(e.ErrorMessage, "Runtime exited with error") {
		t.Errorf("512 MB in 128 MB: error = %+v, want %s", e, want)
	}
}

// TestPoolEnvironment runs in both of a Go function's transports: the
// invocation context must reach the handler the same way.
func TestPoolEnvironment(t *testing.T) {
	for _, mode := range []string{"rpc", "runtime-api"} {
		t.Run(mode, func(t *testing.T) { testPoolEnvironment(t, mode == "runtime-api") })
	}
}

func testPoolEnvironment(t *testing.T, apiOnly bool) {
	p := newTestPool(t, PoolOptions{
		RuntimeAPIOnly: apiOnly,
		Region:         "eu-west-1",
		Env: func(cfg *Config) ([]string, error) {
			return []string{"AWS_ENDPOINT_URL=http://127.0.0.1:4566", "AWS_ACCESS_KEY_ID=AKIDFN", "_LAMBDA_SERVER_PORT=9"}, nil
		},
	})
	cfg := testConfig("env")
	cfg.Environment = map[string]string{
		"GREETING":                 "hello",
		"AWS_REGION":               "mars-1",
		"AWS_LAMBDA_FUNCTION_NAME": "impostor",
		"_LAMBDA_SERVER_PORT":      "1234",
		"AWS_ACCESS_KEY_ID":        "user-key",
		"TZ":                       "Europe/Paris", // not reserved in Lambda
	}
	res, err := p.Invoke(context.Background(), cfg, &Request{
		RequestID:       "req-env",
		Payload:         []byte(`{}`),
		InvokedARN:      cfg.ARN + ":live",
		ClientContext:   "eyJjdXN0b20iOnsiazEiOiJ2MSJ9fQ==", // {"custom":{"k1":"v1"}}
		CognitoIdentity: `{"cognitoIdentityId":"id-1","cognitoIdentityPoolId":"pool-1"}`,
		TraceID:         "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
	})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Env        map[string]string `json:"env"`
		Cwd        string            `json:"cwd"`
		RequestID  string            `json:"requestId"`
		ARN        string            `json:"arn"`
		Client     map[string]string `json:"client"`
		IdentityID string            `json:"identityId"`
		TraceID    string            `json:"traceId"`
	}
	if err := json.Unmarshal(res.Payload, &got); err != nil {
		t.Fatalf("%s: %v", res.Payload, err)
	}
	api := got.Env["AWS_LAMBDA_RUNTIME_API"]
	// host:port and the instance's secret path prefix (decision 005).
	if !regexp.MustCompile(`^127\.0\.0\.1:\d+/[0-9a-f]{32}$`).MatchString(api) {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q", api)
	}
	want := map[string]string{
		"_HANDLER":                        "bootstrap",
		"LAMBDA_TASK_ROOT":                cfg.CodeDir,
		"LAMBDA_RUNTIME_DIR":              cfg.CodeDir,
		"AWS_LAMBDA_FUNCTION_NAME":        "env",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_REGION":                      "eu-west-1",
		"AWS_DEFAULT_REGION":              "eu-west-1",
		"AWS_LAMBDA_LOG_GROUP_NAME":       "/aws/lambda/env",
		"AWS_EXECUTION_ENV":               "AWS_Lambda_provided.al2023",
		"AWS_LAMBDA_INITIALIZATION_TYPE":  "on-demand",
		"LANG":                            "en_US.UTF-8",
		"TZ":                              "Europe/Paris",
		"GREETING":                        "hello",
		"AWS_ENDPOINT_URL":                "http://127.0.0.1:4566",
		"AWS_ACCESS_KEY_ID":               "AKIDFN",
	}
	for k, v := range want {
		if got.Env[k] != v {
			t.Errorf("%s = %q, want %q", k, got.Env[k], v)
		}
	}
	for _, k := range []string{"PATH", "HOME", "AWS_LAMBDA_LOG_STREAM_NAME"} {
		if got.Env[k] == "" {
			t.Errorf("%s is not set", k)
		}
	}
	// Only the pool's own port reaches the function, and only for RPC.
	if v, ok := got.Env["_LAMBDA_SERVER_PORT"]; apiOnly && ok {
		t.Errorf("_LAMBDA_SERVER_PORT = %q reached a Runtime API instance", v)
	} else if !apiOnly && (v == "" || v == "9" || v == "1234") {
		t.Errorf("_LAMBDA_SERVER_PORT = %q, want the pool's port", v)
	}
	if !regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`).MatchString(got.Env["AWS_LAMBDA_LOG_STREAM_NAME"]) {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q", got.Env["AWS_LAMBDA_LOG_STREAM_NAME"])
	}
	if got.Cwd != cfg.CodeDir {
		t.Errorf("cwd = %q, want the task root %q", got.Cwd, cfg.CodeDir)
	}
	if got.RequestID != "req-env" || got.ARN != cfg.ARN+":live" || got.IdentityID != "id-1" ||
		got.Client["k1"] != "v1" || got.TraceID != "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1" {
		t.Errorf("context = %+v", got)
	}
}

func TestPoolDeadlineHeader(t *testing.T) {
	p := newTestPool(t, PoolOptions{})
	cfg := testConfig("sleep")
	cfg.Timeout = 7 * time.Second
	invoke(t, p, cfg, `0`)
	before := time.Now()
	res := invoke(t, p, cfg, `0`)
	after := time.Now()
	var got struct {
		DeadlineMs int64 `json:"deadlineMs"`
	}
	if err := json.Unmarshal(res.Payload, &got); err != nil {
		t.Fatalf("%s: %v", res.Payload, err)
	}
	lo, hi := before.Add(cfg.Timeout).UnixMilli(), after.Add(cfg.Timeout).UnixMilli()
	if got.DeadlineMs < lo-1 || got.DeadlineMs > hi+1 {
		t.Errorf("deadline %d ms, want within [%d, %d]", got.DeadlineMs, lo, hi)
	}
}

func TestPoolParallelInstances(t *testing.T) {
	p := newTestPool(t, PoolOptions{})
	cfg := testConfig("sleep")
	const n = 4
	stop := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			// Each invocation runs until the test has seen all n in flight.
			for {
				res, err := p.Invoke(context.Background(), cfg, &Request{Payload: []byte(`20`)})
				if err != nil || res.FunctionError != "" {
					errs <- fmt.Errorf("%v %s", err, res.Payload)
					return
				}
				select {
				case <-stop:
					return
				default:
				}
			}
		})
	}
	eventually(t, "4 invocations in flight", func() bool { _, busy := p.Instances("sleep"); return busy == n })
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if warm, _ := p.Instances("sleep"); warm != n {
		t.Errorf("warm instances = %d, want %d (one per concurrent invocation)", warm, n)
	}
}

type recordingObserver struct {
	mu        sync.Mutex
	invoked   int
	throttled map[string]int
	conc      map[string]int
}

func (o *recordingObserver) Invoked(string, *Result, error) {
	o.mu.Lock()
	o.invoked++
	o.mu.Unlock()
}

func (o *recordingObserver) Throttled(fn string) {
	o.mu.Lock()
	o.throttled[fn]++
	o.mu.Unlock()
}

func (o *recordingObserver) Concurrency(fn string, d int) {
	o.mu.Lock()
	o.conc[fn] += d
	o.mu.Unlock()
}

func newObserver() *recordingObserver {
	return &recordingObserver{throttled: map[string]int{}, conc: map[string]int{}}
}

// holdBusy starts a long invocation of cfg and returns once it is in flight;
// the returned func waits for it.
func holdBusy(t *testing.T, p *Pool, cfg *Config, ms int) func() *Result {
	t.Helper()
	_, before := p.Instances(cfg.Name)
	ch := make(chan *Result, 1)
	go func() {
		res, err := p.Invoke(context.Background(), cfg, &Request{Payload: fmt.Appendf(nil, "%d", ms)})
		if err != nil {
			t.Errorf("held invocation: %v", err)
		}
		ch <- res
	}()
	eventually(t, "invocation in flight", func() bool { _, b := p.Instances(cfg.Name); return b > before })
	return func() *Result { return <-ch }
}

func TestPoolReservedConcurrency(t *testing.T) {
	obs := newObserver()
	p := newTestPool(t, PoolOptions{Observer: obs})
	cfg := testConfig("sleep")
	one, zero := 1, 0
	cfg.ReservedConcurrency = &one
	wait := holdBusy(t, p, cfg, 1500)
	if _, err := p.Invoke(context.Background(), cfg, &Request{Payload: []byte(`0`)}); !errors.Is(err, ErrReservedConcurrency) {
		t.Errorf("second concurrent invoke: err = %v, want ErrReservedConcurrency", err)
	}
	if res := wait(); res == nil || res.FunctionError != "" {
		t.Errorf("held invocation: %+v", res)
	}
	invoke(t, p, cfg, `0`) // the slot is free again
	stopped := *cfg
	stopped.ReservedConcurrency = &zero
	if _, err := p.Invoke(context.Background(), &stopped, &Request{Payload: []byte(`0`)}); !errors.Is(err, ErrReservedConcurrency) {
		t.Errorf("reserved 0: err = %v, want ErrReservedConcurrency", err)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if obs.throttled["sleep"] != 2 || obs.conc["sleep"] != 0 || obs.invoked != 2 {
		t.Errorf("observer: throttled %d, concurrency %d, invoked %d; want 2, 0, 2", obs.throttled["sleep"], obs.conc["sleep"], obs.invoked)
	}
}

func TestPoolMaxInstances(t *testing.T) {
	obs := newObserver()
	p := newTestPool(t, PoolOptions{MaxInstances: 1, Observer: obs})
	sleep, echo := testConfig("sleep"), testConfig("echo")
	wait := holdBusy(t, p, sleep, 1500)
	if _, err := p.Invoke(context.Background(), echo, &Request{Payload: []byte(`{}`)}); !errors.Is(err, ErrConcurrencyLimit) {
		t.Errorf("invoke beyond MaxInstances: err = %v, want ErrConcurrencyLimit", err)
	}
	wait()
	// The idle sleep instance gives its slot to echo.
	if res := invoke(t, p, echo, `{}`); string(res.Payload) != `{}` {
		t.Errorf("echo = %s", res.Payload)
	}
	if warm, _ := p.Instances("sleep"); warm != 0 {
		t.Errorf("sleep warm = %d, want 0 (evicted)", warm)
	}
	obs.mu.Lock()
	defer obs.mu.Unlock()
	if obs.throttled["echo"] != 1 {
		t.Errorf("throttled = %v", obs.throttled)
	}
}

func TestPoolIdleReaping(t *testing.T) {
	p := newTestPool(t, PoolOptions{IdleTimeout: 50 * time.Millisecond})
	cfg := testConfig("echo")
	invoke(t, p, cfg, `{}`)
	eventually(t, "the idle instance to stop", func() bool { w, _ := p.Instances("echo"); return w == 0 })
	if res := invoke(t, p, cfg, `{}`); !res.ColdStart {
		t.Error("invoke after reaping was not a cold start")
	}
}

// An instance that has lived MaxLifetime is not reused: its role
// credentials must never expire under it.
func TestPoolMaxLifetime(t *testing.T) {
	p := newTestPool(t, PoolOptions{MaxLifetime: time.Nanosecond})
	cfg := testConfig("echo")
	invoke(t, p, cfg, `{}`)
	if res := invoke(t, p, cfg, `{}`); !res.ColdStart {
		t.Error("an instance past its lifetime was reused")
	}
	eventually(t, "the old instances to stop", func() bool { w, b := p.Instances("echo"); return w == 0 && b == 0 })
}

func TestPoolRetire(t *testing.T) {
	p := newTestPool(t, PoolOptions{})
	cfg := testConfig("sleep")
	invoke(t, p, cfg, `0`)
	wait := holdBusy(t, p, cfg, 300) // a second instance, busy
	p.Retire("sleep")
	if warm, _ := p.Instances("sleep"); warm != 0 {
		t.Errorf("after Retire: warm = %d, want 0", warm)
	}
	if res := wait(); res == nil || res.FunctionError != "" {
		t.Fatalf("busy invocation during Retire: %+v", res)
	}
	if warm, busy := p.Instances("sleep"); warm != 0 || busy != 0 {
		t.Errorf("retired instance came back: warm %d busy %d", warm, busy)
	}
	if res := invoke(t, p, cfg, `0`); !res.ColdStart {
		t.Error("invoke after Retire was not a cold start")
	}
	// A new revision does not reuse the old revision's instances either.
	next := *cfg
	next.RevisionID = "r2"
	if res := invoke(t, p, &next, `0`); !res.ColdStart {
		t.Error("invoke of a new revision was not a cold start")
	}
	if warm, _ := p.Instances("sleep"); warm != 1 {
		t.Errorf("warm = %d, want 1 (only the new revision)", warm)
	}
}

func TestPoolCloseStopsInstances(t *testing.T) {
	needProcesses(t)
	before := runtime.NumGoroutine()
	work := t.TempDir()
	p, err := NewPool(PoolOptions{WorkDir: work, Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(t.TempDir(), "sigterm")
	cfg := testConfig("sigterm")
	cfg.Environment = map[string]string{"MARKER_FILE": marker}
	if res := invoke(t, p, cfg, `{}`); string(res.Payload) != `"ok"` {
		t.Fatalf("sigterm = %s", res.Payload)
	}
	invoke(t, p, testConfig("echo"), `{}`)
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(marker); err != nil || string(b) != "sigterm" {
		t.Errorf("marker = %q, %v: SIGTERM did not reach the function", b, err)
	}
	if err := p.Close(context.Background()); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := p.Invoke(context.Background(), cfg, &Request{}); !errors.Is(err, ErrClosing) {
		t.Errorf("invoke after Close: err = %v, want ErrClosing", err)
	}
	left, err := os.ReadDir(work)
	if err != nil || len(left) != 0 {
		t.Errorf("work dir after Close: %v entries, %v", len(left), err)
	}
	eventually(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

func TestPoolCloseDrainsInFlight(t *testing.T) {
	p := newTestPool(t, PoolOptions{})
	cfg := testConfig("sleep")
	wait := holdBusy(t, p, cfg, 300)
	if err := p.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if res := wait(); res == nil || res.FunctionError != "" {
		t.Errorf("in-flight invocation during Close: %+v", res)
	}
}

type logEntry struct {
	fn, id, line string
}

type recordingSink struct {
	mu    sync.Mutex
	lines []logEntry
}

func (s *recordingSink) Line(fn, id string, _ time.Time, line []byte) {
	s.mu.Lock()
	s.lines = append(s.lines, logEntry{fn, id, string(line)})
	s.mu.Unlock()
}

func (s *recordingSink) of(id string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, l := range s.lines {
		if l.id == id {
			out = append(out, l.line)
		}
	}
	return out
}

func TestPoolLogs(t *testing.T) {
	sink := &recordingSink{}
	p := newTestPool(t, PoolOptions{Logs: sink})
	cfg := testConfig("logger")
	for i, id := range []string{"req-cold", "req-warm"} {
		payload := fmt.Sprintf(`["%s one","%s two","%s three"]`, id, id, id)
		res, err := p.Invoke(context.Background(), cfg, &Request{RequestID: id, Payload: []byte(payload), Tail: true})
		if err != nil {
			t.Fatal(err)
		}
		got := sink.of(id)
		if len(got) != 6 {
			t.Fatalf("%s: lines = %q, want START, 3 lines, END, REPORT", id, got)
		}
		if got[0] != "START RequestId: "+id+" Version: $LATEST" || got[4] != "END RequestId: "+id {
			t.Errorf("%s: START/END = %q, %q", id, got[0], got[4])
		}
		if want := []string{id + " one", id + " two", id + " three"}; strings.Join(got[1:4], "|") != strings.Join(want, "|") {
			t.Errorf("%s: function lines = %q, want %q", id, got[1:4], want)
		}
		report := `^REPORT RequestId: ` + id + `\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB`
		if i == 0 {
			report += `\tInit Duration: \d+\.\d\d ms`
		}
		if !regexp.MustCompile(report + `$`).MatchString(got[5]) {
			t.Errorf("%s: REPORT = %q", id, got[5])
		}
		if want := strings.Join(got, "\n") + "\n"; string(res.LogTail) != want {
			t.Errorf("%s: LogTail = %q, want %q", id, res.LogTail, want)
		}
	}
	if init := sink.of(""); len(init) != 1 || init[0] != "init line" {
		t.Errorf("lines outside invocations = %q, want the init line", init)
	}
}

func TestPoolLogTailIsBounded(t *testing.T) {
	p := newTestPool(t, PoolOptions{})
	cfg := testConfig("logger")
	lines := make([]string, 200)
	for i := range lines {
		lines[i] = fmt.Sprintf("line %03d %s", i, strings.Repeat("x", 60))
	}
	payload, _ := json.Marshal(lines)
	res, err := p.Invoke(context.Background(), cfg, &Request{Payload: payload, Tail: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.LogTail) != tailBytes || !bytes.Contains(res.LogTail, []byte("line 199")) || !bytes.HasPrefix(bytes.Split(res.LogTail, []byte("\n"))[len(bytes.Split(res.LogTail, []byte("\n")))-2], []byte("REPORT")) {
		t.Errorf("LogTail: %d bytes, ends %q", len(res.LogTail), res.LogTail[max(0, len(res.LogTail)-200):])
	}
}

func TestPoolInitError(t *testing.T) {
	p := newTestPool(t, PoolOptions{})
	cfg := testConfig("initerror")
	for range 2 {
		e := decodeError(t, invoke(t, p, cfg, `{}`))
		if e.ErrorType != "Runtime.ImportModuleError" || e.ErrorMessage != "cannot load handler" {
			t.Errorf("error = %+v", e)
		}
	}
	eventually(t, "no instances", func() bool { w, b := p.Instances("initerror"); return w == 0 && b == 0 })
}

type flushRecorder struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	flushes int
}

func (f *flushRecorder) Write(b []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.buf.Write(b)
}

func (f *flushRecorder) Flush() {
	f.mu.Lock()
	f.flushes++
	f.mu.Unlock()
}

func TestPoolStream(t *testing.T) {
	p := newTestPool(t, PoolOptions{})
	cfg := testConfig("stream")
	tests := map[string]struct {
		payload, want, errType string
	}{
		"complete":   {payload: `{"chunks":["hello ","streamed ","world"]}`, want: "hello streamed world"},
		"mid-stream": {payload: `{"chunks":["hello ","world"],"fail":true}`, want: "hello ", errType: "errorString"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			rec := &flushRecorder{}
			res, err := p.Invoke(context.Background(), cfg, &Request{Payload: []byte(tt.payload), Stream: rec})
			if err != nil {
				t.Fatal(err)
			}
			if got := rec.buf.String(); got != tt.want {
				t.Errorf("streamed %q, want %q", got, tt.want)
			}
			if rec.flushes == 0 {
				t.Error("stream never flushed")
			}
			if tt.errType == "" {
				if res.FunctionError != "" || len(res.Payload) != 0 {
					t.Errorf("result = %s (%q), want empty", res.Payload, res.FunctionError)
				}
				return
			}
			if e := decodeError(t, res); e.ErrorType != tt.errType || e.ErrorMessage != "stream broke" {
				t.Errorf("error = %+v", e)
			}
		})
	}
	// Without a Stream the same response is buffered.
	if res := invoke(t, p, cfg, `{"chunks":["a","b"]}`); string(res.Payload) != "ab" {
		t.Errorf("buffered = %q", res.Payload)
	}
}

func TestPoolContextCancel(t *testing.T) {
	p := newTestPool(t, PoolOptions{})
	cfg := testConfig("sleep")
	invoke(t, p, cfg, `0`)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := p.Invoke(ctx, cfg, &Request{Payload: []byte(`60000`)})
		done <- err
	}()
	eventually(t, "invocation in flight", func() bool { _, b := p.Instances("sleep"); return b == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if res := invoke(t, p, cfg, `0`); !res.ColdStart {
		t.Error("the abandoned instance was reused")
	}
}

func TestNewPoolValidates(t *testing.T) {
	tests := map[string]struct {
		o    PoolOptions
		want string
	}{
		"no work dir":       {o: PoolOptions{}, want: "WorkDir"},
		"negative max":      {o: PoolOptions{WorkDir: "x", MaxInstances: -1}, want: "MaxInstances"},
		"negative idle ttl": {o: PoolOptions{WorkDir: "x", IdleTimeout: -time.Second}, want: "IdleTimeout"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := NewPool(tt.o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one naming %s", err, tt.want)
			}
		})
	}
}

func TestPoolInvokeValidates(t *testing.T) {
	p, err := NewPool(PoolOptions{WorkDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close(context.Background())
	if _, err := p.Invoke(context.Background(), &Config{}, &Request{}); err == nil {
		t.Error("invoke without a name: no error")
	}
	if _, err := p.Invoke(context.Background(), &Config{Name: "f"}, nil); err == nil {
		t.Error("invoke without a request: no error")
	}
}

type discardSink struct{}

func (discardSink) Line(string, string, time.Time, []byte) {}

// BenchmarkPoolWarmInvoke measures warm invocations of the Go echo function
// from 8 concurrent callers: "bare" without a log sink, "logs" with one (each
// invocation then waits for its log lines to be read).
func BenchmarkPoolWarmInvoke(b *testing.B) {
	for _, bc := range []struct {
		name string
		logs LogSink
	}{{"bare", nil}, {"logs", discardSink{}}} {
		b.Run(bc.name, func(b *testing.B) {
			p := newTestPool(b, PoolOptions{Logs: bc.logs})
			cfg := testConfig("echo")
			payload := []byte(`{"hello":"world"}`)
			for range 8 { // warm enough instances for the parallel callers
				if _, err := p.Invoke(context.Background(), cfg, &Request{Payload: payload}); err != nil {
					b.Fatal(err)
				}
			}
			b.SetParallelism(max(1, 8/runtime.GOMAXPROCS(0)))
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				req := &Request{Payload: payload, RequestID: "bench"}
				for pb.Next() {
					res, err := p.Invoke(context.Background(), cfg, req)
					if err != nil || res.FunctionError != "" {
						b.Errorf("invoke: %v %+v", err, res)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invokes/s")
		})
	}
}

// BenchmarkPoolColdInvoke measures a cold start: every iteration invokes a
// new revision, so it starts a process (the previous one stops behind it).
func BenchmarkPoolColdInvoke(b *testing.B) {
	p := newTestPool(b, PoolOptions{})
	cfg := *testConfig("echo")
	payload := []byte(`{}`)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		cfg.RevisionID = strconv.Itoa(i)
		res, err := p.Invoke(context.Background(), &cfg, &Request{Payload: payload})
		if err != nil || !res.ColdStart {
			b.Fatalf("invoke: %v, cold %v", err, res != nil && res.ColdStart)
		}
	}
}

// TestPoolTimeoutIsAResultField: a timeout is told by Result.TimedOut, not
// by reading the error document; a function's own error is not a timeout.
func TestPoolTimeoutIsAResultField(t *testing.T) {
	p := newTestPool(t, PoolOptions{})
	cfg := testConfig("sleep")
	cfg.Timeout = time.Second
	invoke(t, p, cfg, `1`)
	res, err := p.Invoke(context.Background(), cfg, &Request{RequestID: "req-timeout", Payload: []byte(`60000`)})
	if err != nil {
		t.Fatal(err)
	}
	if !res.TimedOut || res.FunctionError != "Unhandled" {
		t.Errorf("timed out: TimedOut %v, FunctionError %q; want true, Unhandled", res.TimedOut, res.FunctionError)
	}
	failed := invoke(t, p, testConfig("error"), `{}`)
	if failed.TimedOut || failed.FunctionError == "" {
		t.Errorf("function error: TimedOut %v, FunctionError %q; want false, set", failed.TimedOut, failed.FunctionError)
	}
}
