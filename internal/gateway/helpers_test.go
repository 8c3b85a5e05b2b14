package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// fakeInvoker is the func-field Invoker at the edge of the gateway: the
// functions context is not part of this package's tests.
type fakeInvoker struct {
	invoke func(ctx context.Context, function string, payload []byte, src Source) ([]byte, string, error)
	stream func(ctx context.Context, function string, payload []byte, w io.Writer, src Source) (string, error)

	mu    sync.Mutex
	calls []call
}

type call struct {
	function string
	payload  []byte
	source   Source
}

func (f *fakeInvoker) record(function string, payload []byte, src Source) {
	f.mu.Lock()
	f.calls = append(f.calls, call{function, append([]byte(nil), payload...), src})
	f.mu.Unlock()
}

func (f *fakeInvoker) Invoke(ctx context.Context, function string, payload []byte, src Source) ([]byte, string, error) {
	f.record(function, payload, src)
	if f.invoke == nil {
		return []byte(`{"statusCode":200,"body":"ok"}`), "", nil
	}
	return f.invoke(ctx, function, payload, src)
}

func (f *fakeInvoker) InvokeStream(ctx context.Context, function string, payload []byte, w io.Writer, src Source) (string, error) {
	f.record(function, payload, src)
	return f.stream(ctx, function, payload, w, src)
}

// callsTo returns the recorded calls to function.
func (f *fakeInvoker) callsTo(function string) []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []call
	for _, c := range f.calls {
		if c.function == function {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeInvoker) last(t *testing.T) call {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		t.Fatal("no invocation")
	}
	return f.calls[len(f.calls)-1]
}

// fixedNow is the clock of tests that compare times.
var fixedNow = time.Date(2026, 3, 12, 19, 3, 58, 0, time.UTC)

type testEnv struct {
	g    *Gateway
	bb   *backbone.Backbone
	inv  *fakeInvoker
	addr string // 127.0.0.1:port
	port string
	c    *http.Client
}

type envOption func(*Options)

func newEnv(t *testing.T, inv *fakeInvoker, opts ...envOption) *testEnv {
	t.Helper()
	bb := backbonetest.New(t)
	return newEnvOn(t, bb, inv, opts...)
}

func newEnvOn(t *testing.T, bb *backbone.Backbone, inv *fakeInvoker, opts ...envOption) *testEnv {
	t.Helper()
	if inv == nil {
		inv = &fakeInvoker{}
	}
	o := Options{Backbone: bb, Invoker: inv}
	for _, f := range opts {
		f(&o)
	}
	g, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: g.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		_ = g.Close(ctx)
	})
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return &testEnv{g: g, bb: bb, inv: inv, addr: l.Addr().String(), port: port, c: &http.Client{Timeout: 30 * time.Second}}
}

func withNow(t time.Time) envOption {
	return func(o *Options) { o.Now = func() time.Time { return t } }
}

func (e *testEnv) put(t *testing.T, a API) API {
	t.Helper()
	out, err := e.g.Put(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// req is one request: Host may differ from the address dialled.
type req struct {
	method  string
	host    string // "" => the listener address
	path    string // path and query
	body    []byte
	headers map[string][]string
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (e *testEnv) do(t *testing.T, rq req) resp {
	t.Helper()
	if rq.method == "" {
		rq.method = http.MethodGet
	}
	var body io.Reader
	if rq.body != nil {
		body = bytes.NewReader(rq.body)
	}
	r, err := http.NewRequest(rq.method, "http://"+e.addr+rq.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if rq.host != "" {
		r.Host = rq.host + ":" + e.port
	}
	for k, vs := range rq.headers {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	res, err := e.c.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{res.StatusCode, res.Header, b}
}

func jsonBody(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func httpAPI(id string, routes ...Route) API {
	return API{ID: id, Type: TypeHTTP, Routes: routes}
}

func route(key, function string) Route {
	return Route{Key: key, Integration: Integration{Function: function}}
}

func (f *fakeInvoker) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

var testAccount = awsapi.Account{Region: "us-east-1", ID: "000000000000"}
