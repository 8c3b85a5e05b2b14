package functions

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go/middleware"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
	"github.com/nubo-run/nubo/internal/logs"
)

// fakeExec is an executor that runs "functions" in-process, chosen by the
// Handler: "echo" returns the payload, "fail" returns a function error,
// "block" waits until released, "flaky" fails until the payload's "okAfter"
// attempt. It honours reserved concurrency and feeds logs and metrics as the
// pool does. Used until the tests run the real pool.
type fakeExec struct {
	logs LogSink
	obs  Observer

	mu       sync.Mutex
	busy     map[string]int
	warm     map[string]int
	calls    map[string][]string // function -> request ids, in order
	versions map[string][]string // function -> the version each call ran
	retired  map[string]int
	release  chan struct{}
	started  chan string
	attempts map[string]int // request id -> attempts
	payloads map[string][][]byte
}

func newFakeExec(logs LogSink, obs Observer) *fakeExec {
	return &fakeExec{logs: logs, obs: obs, busy: map[string]int{}, warm: map[string]int{}, calls: map[string][]string{},
		retired: map[string]int{}, versions: map[string][]string{}, release: make(chan struct{}), started: make(chan string, 100), attempts: map[string]int{}, payloads: map[string][][]byte{}}
}

func (f *fakeExec) Start(context.Context) error { return nil }
func (f *fakeExec) Close(context.Context) error { return nil }
func (f *fakeExec) Retire(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.retired[name]++
	f.warm[name] = 0
}
func (f *fakeExec) Instances(name string) (int, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.warm[name], f.busy[name]
}

func (f *fakeExec) callsOf(name string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls[name]...)
}

func (f *fakeExec) versionsOf(name string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.versions[name]...)
}

func (f *fakeExec) payloadsOf(name string) [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]byte(nil), f.payloads[name]...)
}

func (f *fakeExec) Invoke(ctx context.Context, cfg *Config, req *Request) (*Result, error) {
	if _, err := os.Stat(filepath.Join(cfg.CodeDir, "bootstrap")); err != nil {
		return nil, fmt.Errorf("code of %s not materialised: %w", cfg.Name, err)
	}
	f.mu.Lock()
	if cfg.ReservedConcurrency != nil && f.busy[cfg.Name] >= *cfg.ReservedConcurrency {
		f.mu.Unlock()
		f.obs.Throttled(cfg.Name)
		return nil, ErrReservedConcurrency
	}
	cold := f.warm[cfg.Name] == 0
	if !cold {
		f.warm[cfg.Name]--
	}
	f.busy[cfg.Name]++
	f.calls[cfg.Name] = append(f.calls[cfg.Name], req.RequestID)
	f.versions[cfg.Name] = append(f.versions[cfg.Name], cfg.VersionLabel())
	f.attempts[req.RequestID]++
	f.payloads[cfg.Name] = append(f.payloads[cfg.Name], append([]byte(nil), req.Payload...))
	attempt := f.attempts[req.RequestID]
	f.mu.Unlock()
	f.obs.Concurrency(cfg.Name, 1)
	defer func() {
		f.mu.Lock()
		f.busy[cfg.Name]--
		f.warm[cfg.Name]++
		f.mu.Unlock()
		f.obs.Concurrency(cfg.Name, -1)
	}()
	var tail bytes.Buffer
	logf := func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		f.logs.Line(cfg.Name, req.RequestID, time.Now(), []byte(line))
		tail.WriteString(line + "\n")
	}
	logf("START RequestId: %s Version: $LATEST", req.RequestID)
	res := &Result{ColdStart: cold, Duration: time.Millisecond}
	if cold {
		res.InitDuration = 2 * time.Millisecond
	}
	switch cfg.Handler {
	case "echo":
		logf("echo %s", req.Payload)
		res.Payload = req.Payload
	case "fail":
		logf("failing on purpose")
		res.FunctionError = "Unhandled"
		res.Payload = []byte(`{"errorMessage":"boom","errorType":"errorString"}`)
	case "flaky":
		var p struct{ OkAfter int }
		_ = json.Unmarshal(req.Payload, &p)
		if attempt < p.OkAfter {
			res.FunctionError = "Unhandled"
			res.Payload = []byte(`{"errorMessage":"not yet","errorType":"errorString"}`)
		} else {
			res.Payload = []byte(`"ok"`)
		}
	case "block":
		f.started <- req.RequestID
		select {
		case <-f.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		res.Payload = []byte(`"released"`)
	default:
		res.Payload = []byte(`null`)
	}
	logf("END RequestId: %s", req.RequestID)
	if req.Tail {
		res.LogTail = tail.Bytes()
	}
	f.obs.Invoked(cfg.Name, res, nil)
	return res, nil
}

type harness struct {
	svc     *Service
	exec    *fakeExec
	logs    *logs.Store
	metrics *Metrics
	url     string
	client  *lambda.Client
	dataDir string
	closers []func()
}

// close shuts the harness down early (a restart test opens a second one on
// the same data dir).
func (h *harness) close() {
	for i := len(h.closers) - 1; i >= 0; i-- {
		h.closers[i]()
	}
	h.closers = nil
}

type harnessOpts struct {
	dataDir string
	async   AsyncOptions
	dests   map[string]Destination
	// realPool runs functions in the instance pool (real processes)
	// instead of fakeExec.
	realPool bool
	// authz, roles and resourcePolicy are the service's IAM hooks.
	authz          awsapi.Authorizer
	roles          RoleChecker
	resourcePolicy func(string) string
}

func newHarness(t testing.TB, o harnessOpts) *harness {
	t.Helper()
	if o.dataDir == "" {
		o.dataDir = t.TempDir()
	}
	if o.async.RetryBaseDelay == 0 {
		o.async = AsyncOptions{RetryBaseDelay: 20 * time.Millisecond, ThrottleBaseDelay: 20 * time.Millisecond, ThrottleMaxDelay: 100 * time.Millisecond, AckWait: 2 * time.Second}
	}
	bb := backbonetest.NewAt(t, o.dataDir)
	account := awsapi.Account{Region: awsapi.DefaultRegion, ID: awsapi.DefaultAccountID}
	keys, err := awsapi.NewKeyring(account, "test", "test")
	if err != nil {
		t.Fatal(err)
	}
	store := logs.NewStore(bb, logs.Options{RetentionGroup: LogGroupName})
	if err := store.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	metrics := NewMetrics()
	exec := newFakeExec(store, metrics)
	h := &harness{exec: exec, logs: store, metrics: metrics, dataDir: o.dataDir}
	var executor executor = exec
	var svc *Service
	if o.realPool {
		pool, err := NewPool(PoolOptions{WorkDir: filepath.Join(o.dataDir, "instances"), Region: "us-east-1",
			Env: func(c *Config) ([]string, error) { return svc.InstanceEnv(c) }, Logs: store, Observer: metrics})
		if err != nil {
			t.Fatal(err)
		}
		executor = pool
	}
	h.closers = append(h.closers, func() { _ = bb.Close(context.Background()) })
	svc, err = New(Options{Backbone: bb, Account: account, DataDir: o.dataDir, Keys: keys, Executor: executor,
		EndpointURL: func() string { return h.url }, Metrics: metrics, Async: o.async, Destinations: o.dests,
		Authorizer: o.authz, Roles: o.roles, ResourcePolicy: o.resourcePolicy})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = svc.Close(context.Background()) })
	h.closers = append(h.closers, func() { _ = svc.Close(context.Background()) })
	h.svc = svc
	logsAPI, err := logs.NewAPI(logs.APIOptions{Store: store, Sources: svc, Account: account, Authorizer: o.authz})
	if err != nil {
		t.Fatal(err)
	}
	edge, err := awsapi.NewEdge(keys, nil,
		mustLambdaAPI(t, APIOptions{Service: svc}).Service(), logsAPI.Service())
	if err != nil {
		t.Fatal(err)
	}
	edge.HandlePublic("GET /metrics", metrics.Handler())
	srv := httptest.NewServer(edge)
	t.Cleanup(srv.Close)
	h.closers = append(h.closers, srv.Close)
	h.url = srv.URL
	h.client = lambdaClient(h.url)
	return h
}

// mustLambdaAPI is NewAPI for a test.
func mustLambdaAPI(t testing.TB, o APIOptions) *awsapi.API {
	t.Helper()
	api, err := NewAPI(o)
	if err != nil {
		t.Fatal(err)
	}
	return api
}

func lambdaClient(url string) *lambda.Client {
	return lambda.New(lambda.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider("test", "test", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       &http.Client{Timeout: 30 * time.Second},
	})
}

type zipEntry struct {
	name string
	mode uint32
	body string
}

func makeZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		hdr := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		if strings.HasSuffix(e.name, "/") {
			hdr.SetMode(0o755 | 1<<31) // os.ModeDir
		} else {
			hdr.SetMode(fsMode(mode))
		}
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(e.body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func bootstrapZip(t testing.TB, marker string) []byte {
	return makeZip(t, zipEntry{name: "bootstrap", mode: 0o755, body: "#!/bin/sh\n# " + marker + "\n"})
}

// createFn creates a provided.al2023 function whose fake behaviour is handler.
func (h *harness) createFn(t *testing.T, name, handler string) *lambda.CreateFunctionOutput {
	t.Helper()
	out, err := h.client.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      "provided.al2023",
		Handler:      aws.String(handler),
		Role:         aws.String("arn:aws:iam::000000000000:role/test-role"),
		Code:         &lambdaTypesFunctionCode{ZipFile: bootstrapZip(t, name)},
	})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return out
}

// eventually polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

type lambdaTypesFunctionCode = lambdatypes.FunctionCode

func fsMode(m uint32) os.FileMode { return os.FileMode(m) }

func awsmiddlewareRequestID(md middleware.Metadata) (string, bool) {
	return awsmiddleware.GetRequestIDMetadata(md)
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
