package gateway

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

func TestAPIKeysAndUsagePlans(t *testing.T) {
	e := newEnv(t, nil, withNow(fixedNow))
	e.put(t, API{ID: "keyed", Type: TypeREST, Stages: []Stage{{Name: "prod"}, {Name: "dev"}},
		Routes: []Route{{Key: "GET /paid", Integration: Integration{Function: "f"}, APIKeyRequired: true}, route("GET /free", "f")},
	})
	ctx := t.Context()
	gold, err := e.g.PutAPIKey(ctx, APIKey{Name: "gold", Value: "gold-key-0123456789abcdef", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.g.PutAPIKey(ctx, APIKey{ID: "off", Value: "disabled-key-0123456789ab", Enabled: false}); err != nil {
		t.Fatal(err)
	}
	loose, err := e.g.PutAPIKey(ctx, APIKey{Value: "no-plan-key-0123456789abc", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	quota, err := e.g.PutAPIKey(ctx, APIKey{Value: "quota-key-0123456789abcde", Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.g.PutUsagePlan(ctx, UsagePlan{Name: "gold", Stages: []PlanStage{{APIID: "keyed", Stage: "prod"}},
		RateLimit: 0.001, BurstLimit: 3, KeyIDs: []string{gold.ID, "off"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.g.PutUsagePlan(ctx, UsagePlan{Name: "tiny", Stages: []PlanStage{{APIID: "keyed", Stage: "prod"}},
		QuotaLimit: 2, QuotaPeriod: "DAY", KeyIDs: []string{quota.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.g.PutAPIKey(ctx, APIKey{Value: gold.Value}); !errors.Is(err, ErrInvalid) {
		t.Errorf("duplicate key value: %v", err)
	}
	if _, err := e.g.PutAPIKey(ctx, APIKey{Value: "short"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("short key value: %v", err)
	}
	get := func(path, key string) resp {
		r := req{path: "/_api/keyed/" + path}
		if key != "" {
			r.headers = map[string][]string{"X-Api-Key": {key}}
		}
		return e.do(t, r)
	}
	forbidden := `{"message":"Forbidden"}`
	checks := []struct {
		name, path, key string
		status          int
		body            string
	}{
		{"free without key", "prod/free", "", 200, "ok"},
		{"paid without key", "prod/paid", "", 403, forbidden},
		{"unknown key", "prod/paid", "nope-nope-nope-nope-nope", 403, forbidden},
		{"disabled key", "prod/paid", "disabled-key-0123456789ab", 403, forbidden},
		{"key without plan", "prod/paid", loose.Value, 403, forbidden},
		{"plan not on stage", "dev/paid", gold.Value, 403, forbidden},
		{"gold 1", "prod/paid", gold.Value, 200, "ok"},
		{"gold 2", "prod/paid", gold.Value, 200, "ok"},
		{"gold 3", "prod/paid", gold.Value, 200, "ok"},
		{"gold burst spent", "prod/paid", gold.Value, 429, `{"message":"Too Many Requests"}`},
		{"quota 1", "prod/paid", quota.Value, 200, "ok"},
		{"quota 2", "prod/paid", quota.Value, 200, "ok"},
		{"quota spent", "prod/paid", quota.Value, 429, `{"message":"Limit Exceeded"}`},
	}
	for _, c := range checks {
		res := get(c.path, c.key)
		if res.status != c.status || string(res.body) != c.body {
			t.Errorf("%s: %d %s, want %d %s", c.name, res.status, res.body, c.status, c.body)
		}
	}
	// The key reaches the function in requestContext.identity.
	get("prod/paid", quota.Value) // spent: not invoked
	var last events.APIGatewayProxyRequest
	_ = json.Unmarshal(e.inv.last(t).payload, &last)
	if last.RequestContext.Identity.APIKey != quota.Value || last.RequestContext.Identity.APIKeyID != quota.ID {
		t.Errorf("identity %+v", last.RequestContext.Identity)
	}
}

func TestStageThrottling(t *testing.T) {
	e := newEnv(t, nil)
	e.put(t, API{ID: "throttled", Type: TypeHTTP, Stages: []Stage{{Name: "$default", ThrottleRate: 0.001, ThrottleBurst: 2}},
		Routes: []Route{route("GET /", "f")}})
	var got []int
	for range 3 {
		got = append(got, e.do(t, req{host: "throttled.execute-api.localhost", path: "/"}).status)
	}
	if fmt.Sprint(got) != "[200 200 429]" {
		t.Errorf("statuses %v", got)
	}
}

func TestCustomDomains(t *testing.T) {
	inv := &fakeInvoker{}
	e := newEnv(t, inv)
	e.put(t, httpAPI("courses1", route("GET /courses/{id}", "courses")))
	e.put(t, API{ID: "pay1", Type: TypeREST, Routes: []Route{route("POST /charge", "pay")}, Stages: []Stage{{Name: "live"}}})
	e.put(t, httpAPI("root1", route("ANY /{proxy+}", "root")))
	e.put(t, API{ID: "staged1", Type: TypeHTTP, Routes: []Route{route("GET /pets", "staged")}, Stages: []Stage{{Name: "beta"}}})
	if _, err := e.g.PutDomain(t.Context(), Domain{Name: "API.Learn.Test", Mappings: []Mapping{
		{BasePath: "courses", APIID: "courses1", Stage: "$default"},
		{BasePath: "/v1/payments", APIID: "pay1", Stage: "live"},
		{BasePath: "(none)", APIID: "root1", Stage: "$default"},
		{BasePath: "staged", APIID: "staged1", Stage: "beta"},
	}}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		method, path, fn, wantPath string
	}{
		// HTTP API: the mapping key is not in rawPath (a named stage would be).
		{"GET", "/courses/courses/7", "courses", "/courses/7"},
		// REST API: the base path stays in path.
		{"POST", "/v1/payments/charge", "pay", "/v1/payments/charge"},
		{"GET", "/staged/pets", "staged", "/beta/pets"},
		{"GET", "/coursesx/1", "root", "/coursesx/1"}, // a base path matches whole segments
		{"GET", "/other", "root", "/other"},
	}
	for _, c := range cases {
		res := e.do(t, req{method: c.method, host: "api.learn.test", path: c.path})
		if res.status != 200 {
			t.Errorf("%s %s: %d %s", c.method, c.path, res.status, res.body)
			continue
		}
		last := inv.last(t)
		if last.function != c.fn {
			t.Errorf("%s: invoked %s, want %s", c.path, last.function, c.fn)
		}
		var ev struct {
			RawPath        string `json:"rawPath"`
			Path           string `json:"path"`
			PathParameters map[string]string
			RequestContext struct {
				DomainName, DomainPrefix, Stage string
			} `json:"requestContext"`
		}
		_ = json.Unmarshal(last.payload, &ev)
		p := ev.RawPath + ev.Path
		if p != c.wantPath || ev.RequestContext.DomainName != "api.learn.test" || ev.RequestContext.DomainPrefix != "api" {
			t.Errorf("%s: event %+v", c.path, ev)
		}
	}
	if res := e.do(t, req{host: "api.learn.test", path: "/courses/nope"}); res.status != 404 {
		t.Errorf("unrouted path on a mapping: %d", res.status)
	}
	if err := e.g.DeleteDomain(t.Context(), "api.learn.test"); err != nil {
		t.Fatal(err)
	}
	if res := e.do(t, req{host: "api.learn.test", path: "/other"}); res.status != 404 {
		t.Errorf("deleted domain: %d", res.status)
	}
	if _, err := e.g.PutDomain(t.Context(), Domain{Name: "bad host!"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad domain name: %v", err)
	}
}

// A deploy replaces routes while requests run: those in flight finish on
// the configuration they started with; new ones see the new routes.
func TestHotChange_InFlight(t *testing.T) {
	release := make(chan struct{})
	inv := &fakeInvoker{invoke: func(ctx context.Context, fn string, _ []byte, _ Source) ([]byte, string, error) {
		if fn == "slow" {
			select {
			case <-release:
			case <-ctx.Done():
				return nil, "", ctx.Err()
			}
		}
		return jsonBodyNoT(map[string]any{"statusCode": 200, "body": fn}), "", nil
	}}
	e := newEnv(t, inv)
	e.put(t, httpAPI("hot1", route("GET /slow", "slow"), route("GET /old", "old")))

	const inflight = 8
	results := make(chan resp, inflight)
	for range inflight {
		go func() { results <- e.do(t, req{host: "hot1.execute-api.localhost", path: "/slow"}) }()
	}
	waitFor(t, "requests in flight", func() bool { return len(inv.callsTo("slow")) == inflight })
	e.put(t, httpAPI("hot1", route("GET /slow", "fast"), route("GET /new", "new")))
	if res := e.do(t, req{host: "hot1.execute-api.localhost", path: "/old"}); res.status != 404 {
		t.Errorf("removed route: %d", res.status)
	}
	if res := e.do(t, req{host: "hot1.execute-api.localhost", path: "/new"}); res.status != 200 || string(res.body) != "new" {
		t.Errorf("added route: %d %s", res.status, res.body)
	}
	if res := e.do(t, req{host: "hot1.execute-api.localhost", path: "/slow"}); string(res.body) != "fast" {
		t.Errorf("changed integration: %s", res.body)
	}
	close(release)
	for range inflight {
		if res := <-results; res.status != 200 || string(res.body) != "slow" {
			t.Errorf("in-flight request: %d %s", res.status, res.body)
		}
	}

	// Under load: continuous redeploys never fail a request.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var failures sync.Map
	var served atomic.Int64
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				res := e.do(t, req{host: "hot1.execute-api.localhost", path: "/new"})
				if res.status != 200 {
					failures.Store(i, res.status)
				}
				served.Add(1)
			}
		}()
	}
	for i := range 20 {
		e.put(t, httpAPI("hot1", route("GET /new", fmt.Sprintf("new-%d", i)), route(fmt.Sprintf("GET /v%d", i), "x")))
		n := served.Load()
		waitFor(t, "requests between redeploys", func() bool { return served.Load() >= n+4 })
	}
	close(stop)
	wg.Wait()
	failures.Range(func(k, v any) bool {
		t.Errorf("request failed during redeploys: %v", v)
		return true
	})
}

// The configuration is durable: a new Gateway on the same backbone serves
// it, and changes made by one Gateway reach another through the KV watch.
func TestPersistence_ReloadAndWatch(t *testing.T) {
	dir := t.TempDir()
	bb := backbonetest.NewAt(t, dir)
	e1 := newEnvOn(t, bb, nil)
	e1.put(t, httpAPI("durable1", route("GET /a", "a")))
	u, err := e1.g.PutFunctionURL(t.Context(), FunctionURL{Function: "u"})
	if err != nil {
		t.Fatal(err)
	}
	e2 := newEnvOn(t, bb, nil) // a second node, started after the writes
	if res := e2.do(t, req{host: "durable1.execute-api.localhost", path: "/a"}); res.status != 200 {
		t.Fatalf("reloaded API: %d", res.status)
	}
	if res := e2.do(t, req{path: "/_url/" + u.ID + "/"}); res.status != 200 {
		t.Fatalf("reloaded URL: %d", res.status)
	}
	// A change on node 1 reaches node 2.
	e1.put(t, httpAPI("durable1", route("GET /b", "b")))
	waitFor(t, "node 2 to see the change", func() bool {
		_, ok := e2.g.Get("durable1")
		a, _ := e2.g.Get("durable1")
		return ok && a.Routes[0].Key == "GET /b"
	})
	if err := e1.g.Delete(t.Context(), "durable1"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "node 2 to see the delete", func() bool { _, ok := e2.g.Get("durable1"); return !ok })
	if err := e1.g.Delete(t.Context(), "durable1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("delete twice: %v", err)
	}
	if got, ok := e1.g.FunctionURLFor("u", ""); !ok || got.ID != u.ID {
		t.Errorf("FunctionURLFor: %+v %v", got, ok)
	}
	if _, err := e1.g.PutFunctionURL(t.Context(), FunctionURL{Function: "u"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("second URL for one function: %v", err)
	}
	if len(e1.g.FunctionURLs()) != 1 || len(e1.g.APIs()) != 0 {
		t.Errorf("lists: %v %v", e1.g.FunctionURLs(), e1.g.APIs())
	}
}

func TestPut_Validation(t *testing.T) {
	e := newEnv(t, nil)
	bad := map[string]API{
		"type":              {ID: "a", Type: "GRPC", Routes: []Route{route("GET /", "f")}},
		"route key":         httpAPI("a", route("GET nope", "f")),
		"no function":       httpAPI("a", route("GET /", "")),
		"duplicate route":   httpAPI("a", route("GET /x", "f"), route("get /x/", "f")),
		"param conflict":    httpAPI("a", route("GET /x/{a}", "f"), route("GET /x/{b}/y", "f")),
		"unknown authz":     httpAPI("a", Route{Key: "GET /", Integration: Integration{Function: "f"}, AuthorizerID: "zz"}),
		"rest $default":     {ID: "a", Type: TypeREST, Routes: []Route{route("$default", "f")}},
		"rest payload 2.0":  {ID: "a", Type: TypeREST, Routes: []Route{{Key: "GET /", Integration: Integration{Function: "f", PayloadFormatVersion: "2.0"}}}},
		"jwt without aud":   {ID: "a", Type: TypeHTTP, Authorizers: []Authorizer{{ID: "j", Type: AuthorizerJWT, Issuer: "i"}}},
		"bad identity":      {ID: "a", Type: TypeHTTP, Authorizers: []Authorizer{{ID: "l", Type: AuthorizerRequest, Function: "f", IdentitySource: []string{"$body.x"}}}},
		"cors creds + *":    {ID: "a", Type: TypeHTTP, CORS: &CORS{AllowOrigins: []string{"*"}, AllowCredentials: true}},
		"bad id":            {ID: "a/b", Type: TypeHTTP},
		"simple resp v1":    {ID: "a", Type: TypeHTTP, Authorizers: []Authorizer{{ID: "l", Type: AuthorizerRequest, Function: "f", PayloadFormatVersion: "1.0", SimpleResponses: true}}},
		"scopes not on jwt": httpAPI("a", Route{Key: "GET /", Integration: Integration{Function: "f"}, AuthorizationScopes: []string{"x"}}),
		"api key on http":   httpAPI("a", Route{Key: "GET /", Integration: Integration{Function: "f"}, APIKeyRequired: true}),
		"timeout too long":  httpAPI("a", Route{Key: "GET /", Integration: Integration{Function: "f", TimeoutMillis: 30001}}),
		"iam with authz":    {ID: "a", Type: TypeHTTP, Authorizers: []Authorizer{{ID: "l", Type: AuthorizerRequest, Function: "f"}}, Routes: []Route{{Key: "GET /", Integration: Integration{Function: "f"}, AuthorizerID: "l", AuthorizationType: AuthIAM}}},
	}
	for name, a := range bad {
		if _, err := e.g.Put(t.Context(), a); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	a := e.put(t, API{Routes: []Route{route("GET /", "f")}})
	if len(a.ID) != 10 || strings.ToLower(a.ID) != a.ID || a.Type != TypeHTTP || a.Stages[0].Name != "$default" || a.Routes[0].ID == "" {
		t.Errorf("defaults: %+v", a)
	}
	if got := URL("127.0.0.1:8080", a.ID, "$default"); got != "http://"+a.ID+".execute-api.localhost:8080/" {
		t.Errorf("URL %s", got)
	}
	if got := URL("127.0.0.1:8080", a.ID, "Prod"); got != "http://"+a.ID+".execute-api.localhost:8080/Prod/" {
		t.Errorf("URL %s", got)
	}
}

func TestFunctionURL_Streaming(t *testing.T) {
	gotFirst := make(chan struct{})
	inv := &fakeInvoker{}
	inv.stream = func(ctx context.Context, fn string, _ []byte, w io.Writer, _ Source) (string, error) {
		switch fn {
		case "prelude":
			_, _ = w.Write([]byte(`{"statusCode":201,"headers":{"Content-Type":"text/plain","X-Streamed":"yes"},"cookies":["s=1"]}`))
			_, _ = w.Write([]byte{0, 0, 0, 0})
			_, _ = w.Write([]byte{0, 0, 0, 0})
			_, _ = w.Write([]byte("first\n"))
			select { // the client must see the first chunk before the second is written
			case <-gotFirst:
			case <-ctx.Done():
				return "", ctx.Err()
			}
			_, _ = w.Write([]byte("second\n"))
		case "raw":
			_, _ = w.Write([]byte("just bytes"))
		case "fails-early":
			return "Unhandled", nil
		case "throttled":
			return "", ErrThrottled
		}
		return "", nil
	}
	e := newEnv(t, inv)
	urls := map[string]string{}
	for _, fn := range []string{"prelude", "raw", "fails-early", "throttled"} {
		u, err := e.g.PutFunctionURL(t.Context(), FunctionURL{Function: fn, InvokeMode: InvokeStreaming,
			CORS: &CORS{AllowOrigins: []string{"*"}}})
		if err != nil {
			t.Fatal(err)
		}
		urls[fn] = u.ID
	}
	r, _ := http.NewRequest("GET", "http://"+e.addr+"/", nil)
	r.Host = urls["prelude"] + ".lambda-url.localhost:" + e.port
	r.Header.Set("Origin", "https://x")
	res, err := e.c.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 201 || res.Header.Get("X-Streamed") != "yes" || res.Header.Get("Content-Type") != "text/plain" ||
		res.Header.Get("Set-Cookie") != "s=1" || res.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("status %d headers %v", res.StatusCode, res.Header)
	}
	br := bufio.NewReader(res.Body)
	line, err := br.ReadString('\n')
	if err != nil || line != "first\n" {
		t.Fatalf("first chunk %q %v", line, err)
	}
	close(gotFirst)
	rest, _ := io.ReadAll(br)
	if string(rest) != "second\n" {
		t.Errorf("rest %q", rest)
	}

	if res := e.do(t, req{path: "/_url/" + urls["raw"] + "/"}); res.status != 200 || string(res.body) != "just bytes" || res.header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("raw stream: %d %q %v", res.status, res.body, res.header)
	}
	if res := e.do(t, req{path: "/_url/" + urls["fails-early"] + "/"}); res.status != 502 {
		t.Errorf("failing stream: %d %s", res.status, res.body)
	}
	if res := e.do(t, req{path: "/_url/" + urls["throttled"] + "/"}); res.status != 429 {
		t.Errorf("throttled stream: %d %s", res.status, res.body)
	}
}

func TestFunctionURL_IAM(t *testing.T) {
	account := awsapi.Account{Region: "us-east-1", ID: "000000000000"}
	keys, err := awsapi.NewKeyring(account, "AKIDNUBOTEST", "secret-for-tests")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, nil, func(o *Options) { o.Keys = keys })
	u, err := e.g.PutFunctionURL(t.Context(), FunctionURL{Function: "private", AuthType: AuthIAM})
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"x":1}`)
	sign := func(secret string) *http.Request {
		r, _ := http.NewRequest("POST", "http://"+e.addr+"/hello", bytes.NewReader(body))
		r.Host = u.ID + ".lambda-url.localhost:" + e.port
		r.Header.Set("Content-Type", "application/json")
		h := sha256.Sum256(body)
		err := v4.NewSigner().SignHTTP(t.Context(), aws.Credentials{AccessKeyID: "AKIDNUBOTEST", SecretAccessKey: secret}, r, hex.EncodeToString(h[:]), "lambda", "us-east-1", time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for name, tc := range map[string]struct {
		r      *http.Request
		status int
	}{
		"signed":       {sign("secret-for-tests"), 200},
		"wrong secret": {sign("nope"), 403},
		"unsigned": {func() *http.Request {
			r, _ := http.NewRequest("POST", "http://"+e.addr+"/_url/"+u.ID+"/hello", bytes.NewReader(body))
			return r
		}(), 403},
	} {
		res, err := e.c.Do(tc.r)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d", name, res.StatusCode, tc.status)
		}
	}
	var ev events.LambdaFunctionURLRequest
	_ = json.Unmarshal(e.inv.callsTo("private")[0].payload, &ev)
	if ev.RequestContext.Authorizer == nil || ev.RequestContext.Authorizer.IAM == nil ||
		ev.RequestContext.Authorizer.IAM.AccessKey != "AKIDNUBOTEST" || ev.RequestContext.Authorizer.IAM.UserARN != "arn:aws:iam::000000000000:root" {
		t.Errorf("iam context %+v", ev.RequestContext.Authorizer)
	}
	if ev.Body != `{"x":1}` {
		t.Errorf("body after signature check: %q", ev.Body)
	}
}

// syncBuffer is an io.Writer safe for the access logger and the test.
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

func TestAccessLog(t *testing.T) {
	var buf syncBuffer
	e := newEnv(t, nil, func(o *Options) { o.AccessLog = slog.New(slog.NewJSONHandler(&buf, nil)) })
	e.put(t, API{ID: "logged", Type: TypeHTTP, Stages: []Stage{{Name: "$default", AccessLog: true}}, Routes: []Route{route("GET /items/{id}", "f")}})
	e.put(t, API{ID: "quiet", Type: TypeHTTP, Routes: []Route{route("GET /", "f")}})
	e.do(t, req{host: "logged.execute-api.localhost", path: "/items/1"})
	e.do(t, req{host: "logged.execute-api.localhost", path: "/missing"})
	e.do(t, req{host: "quiet.execute-api.localhost", path: "/"})
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	var first, second map[string]any
	_ = json.Unmarshal([]byte(lines[0]), &first)
	_ = json.Unmarshal([]byte(lines[1]), &second)
	if first["api_id"] != "logged" || first["route_key"] != "GET /items/{id}" || first["status"] != float64(200) ||
		first["stage"] != "$default" || first["latency_ms"] == nil || first["integration_latency_ms"] == nil || first["request_id"] == "" {
		t.Errorf("line 1: %v", first)
	}
	if second["status"] != float64(404) {
		t.Errorf("line 2: %v", second)
	}
}

func TestRoute_IAMAuthorization(t *testing.T) {
	keys, err := awsapi.NewKeyring(testAccount, "AKIDNUBOTEST", "secret-for-tests")
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, nil, func(o *Options) { o.Keys = keys })
	iamRoute := Route{Key: "GET /private", Integration: Integration{Function: "private"}, AuthorizationType: AuthIAM}
	e.put(t, API{ID: "iamhttp", Type: TypeHTTP, Routes: []Route{iamRoute}})
	e.put(t, API{ID: "iamrest", Type: TypeREST, Routes: []Route{iamRoute}, Stages: []Stage{{Name: "s"}}})
	body := []byte(`{"signed":"body"}`)
	signed := func(path, service string) *http.Request {
		r, _ := http.NewRequest("GET", "http://"+e.addr+path, bytes.NewReader(body))
		h := sha256.Sum256(body)
		if err := v4.NewSigner().SignHTTP(t.Context(), aws.Credentials{AccessKeyID: "AKIDNUBOTEST", SecretAccessKey: "secret-for-tests"},
			r, hex.EncodeToString(h[:]), service, "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		return r
	}
	status := func(r *http.Request) int {
		res, err := e.c.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode
	}
	if s := status(signed("/_api/iamhttp/private", "execute-api")); s != 200 {
		t.Fatalf("signed: %d", s)
	}
	var ev events.APIGatewayV2HTTPRequest
	_ = json.Unmarshal(e.inv.last(t).payload, &ev)
	if ev.Body != string(body) {
		t.Errorf("body %q", ev.Body)
	}
	if a := ev.RequestContext.Authorizer; a == nil || a.IAM == nil || a.IAM.AccessKey != "AKIDNUBOTEST" || a.IAM.UserARN != "arn:aws:iam::000000000000:root" {
		t.Errorf("authorizer %+v", ev.RequestContext.Authorizer)
	}
	if s := status(signed("/_api/iamrest/s/private", "execute-api")); s != 200 {
		t.Fatalf("signed REST: %d", s)
	}
	var v1 events.APIGatewayProxyRequest
	_ = json.Unmarshal(e.inv.last(t).payload, &v1)
	if id := v1.RequestContext.Identity; id.AccessKey != "AKIDNUBOTEST" || id.UserArn != "arn:aws:iam::000000000000:root" || id.AccountID != "000000000000" {
		t.Errorf("identity %+v", id)
	}
	unsigned, _ := http.NewRequest("GET", "http://"+e.addr+"/_api/iamhttp/private", nil)
	for name, r := range map[string]*http.Request{"unsigned": unsigned, "wrong service": signed("/_api/iamhttp/private", "lambda")} {
		if s := status(r); s != 403 {
			t.Errorf("%s: %d", name, s)
		}
	}
}
