package gateway

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/google/go-cmp/cmp"
)

// The routes of the precedence table: each function is named after its route.
var precedenceRoutes = []string{
	"GET /pets",
	"GET /pets/dog",
	"GET /pets/{id}",
	"POST /pets/{id}",
	"ANY /pets/{id}/toys",
	"GET /pets/{id}/toys",
	"GET /pets/{id}/toys/{toy}",
	"ANY /pets/{proxy+}",
	"GET /files/{path+}",
	"GET /",
	"ANY /{proxy+}",
	"$default",
}

func precedenceRouter(t testing.TB) *router {
	t.Helper()
	rt := &router{}
	for _, k := range precedenceRoutes {
		m, p, err := parseRouteKey(k)
		if err != nil {
			t.Fatal(err)
		}
		rk := k
		if err := rt.add(m, p, &compiledRoute{routeKey: rk, method: m, path: p}); err != nil {
			t.Fatal(err)
		}
	}
	return rt
}

func TestRouter_Precedence(t *testing.T) {
	rt := precedenceRouter(t)
	cases := []struct {
		method, path string
		want         string
		params       map[string]string
	}{
		{"GET", "/pets", "GET /pets", nil},
		{"GET", "/pets/", "GET /pets", nil},
		{"GET", "/pets/dog", "GET /pets/dog", nil},                               // literal over param
		{"GET", "/pets/cat", "GET /pets/{id}", map[string]string{"id": "cat"}},   // param
		{"POST", "/pets/cat", "POST /pets/{id}", map[string]string{"id": "cat"}}, // method
		{"POST", "/pets/dog", "POST /pets/{id}", map[string]string{"id": "dog"}}, // literal has no POST: back off to param
		{"DELETE", "/pets/cat", "ANY /pets/{proxy+}", map[string]string{"proxy": "cat"}},
		{"GET", "/pets/1/toys", "GET /pets/{id}/toys", map[string]string{"id": "1"}}, // method over ANY
		{"PUT", "/pets/1/toys", "ANY /pets/{id}/toys", map[string]string{"id": "1"}}, // ANY
		{"GET", "/pets/1/toys/ball", "GET /pets/{id}/toys/{toy}", map[string]string{"id": "1", "toy": "ball"}},
		{"GET", "/pets/1/toys/ball/red", "ANY /pets/{proxy+}", map[string]string{"proxy": "1/toys/ball/red"}}, // greedy last
		{"GET", "/files/a/b/c.txt", "GET /files/{path+}", map[string]string{"path": "a/b/c.txt"}},
		{"GET", "/files/a%20b/c", "GET /files/{path+}", map[string]string{"path": "a b/c"}},
		{"GET", "/files", "ANY /{proxy+}", map[string]string{"proxy": "files"}}, // greedy needs one segment
		{"POST", "/files/x", "ANY /{proxy+}", map[string]string{"proxy": "files/x"}},
		{"GET", "/", "GET /", nil},
		{"POST", "/", "$default", nil}, // {proxy+} does not match the root
		{"GET", "/other/deep/path", "ANY /{proxy+}", map[string]string{"proxy": "other/deep/path"}},
		{"GET", "/pets/a%2Fb", "GET /pets/{id}", map[string]string{"id": "a/b"}},
	}
	for _, tc := range cases {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			r, ps := rt.match(tc.method, tc.path)
			if r == nil {
				t.Fatalf("no match, want %s", tc.want)
			}
			if r.routeKey != tc.want {
				t.Errorf("matched %q, want %q", r.routeKey, tc.want)
			}
			if d := cmp.Diff(tc.params, paramMap(ps)); d != "" {
				t.Errorf("params (-want +got):\n%s", d)
			}
		})
	}
}

func TestRouter_NoDefault(t *testing.T) {
	rt := &router{}
	_ = rt.add("GET", "/a/{b}", &compiledRoute{routeKey: "GET /a/{b}"})
	for _, p := range []string{"/", "/a", "/a/b/c", "/b/c"} {
		if r, _ := rt.match("GET", p); r != nil {
			t.Errorf("%s matched %s", p, r.routeKey)
		}
	}
	if r, _ := rt.match("POST", "/a/x"); r != nil {
		t.Errorf("POST matched %s", r.routeKey)
	}
}

func TestParseRouteKey_Errors(t *testing.T) {
	for _, k := range []string{"", "GET", "FETCH /a", "GET a", "GET /a//b", "GET /{a+}/b", "GET /a{b}", "GET /{}", "GET /{a}/{a}", "GET /{+}"} {
		if _, _, err := parseRouteKey(k); err == nil {
			t.Errorf("%q: no error", k)
		}
	}
	rt := &router{}
	_ = rt.add("GET", "/a/{x}", &compiledRoute{})
	if err := rt.add("GET", "/a/{y}/z", &compiledRoute{}); err == nil {
		t.Error("conflicting parameter names at one position accepted")
	}
	if err := rt.add("GET", "/a/{x}", &compiledRoute{}); err == nil {
		t.Error("duplicate route accepted")
	}
}

// Routes reached through a real listener: stage prefixes, greedy paths,
// 404 as HTTP and REST APIs spell it.
func TestRouting_ThroughListener(t *testing.T) {
	inv := &fakeInvoker{}
	e := newEnv(t, inv)
	var routes []Route
	for _, k := range precedenceRoutes {
		routes = append(routes, route(k, k))
	}
	e.put(t, API{ID: "routes1", Type: TypeHTTP, Routes: routes, Stages: []Stage{{Name: "$default"}, {Name: "beta"}}})
	e.put(t, API{ID: "rest1", Type: TypeREST, Routes: []Route{route("ANY /{proxy+}", "greedy"), route("GET /items", "items")}, Stages: []Stage{{Name: "Prod"}}})

	cases := []struct {
		r          req
		wantFn     string
		wantStage  string
		wantStatus int
		wantBody   string
	}{
		{req{host: "routes1.execute-api.localhost", path: "/pets/dog"}, "GET /pets/dog", "$default", 200, "ok"},
		{req{host: "routes1.execute-api.localhost", path: "/beta/pets/dog"}, "GET /pets/dog", "beta", 200, "ok"},
		{req{path: "/_api/routes1/beta/files/x/y"}, "GET /files/{path+}", "beta", 200, "ok"},
		{req{method: "PATCH", path: "/_api/routes1/"}, "$default", "$default", 200, "ok"},
		{req{host: "nosuchapi.execute-api.localhost", path: "/pets"}, "", "", 404, `{"message":"Not Found"}`},
		{req{host: "unknown.example", path: "/pets"}, "", "", 404, `{"message":"Not Found"}`},
		{req{path: "/_api/rest1/Prod/items"}, "items", "Prod", 200, "ok"},
		{req{method: "DELETE", path: "/_api/rest1/Prod/a/b"}, "greedy", "Prod", 200, "ok"},
		{req{path: "/_api/rest1/Prod/"}, "", "", 403, `{"message":"Missing Authentication Token"}`},
		{req{path: "/_api/rest1/Nope/items"}, "", "", 403, `{"message":"Missing Authentication Token"}`},
	}
	for _, tc := range cases {
		t.Run(tc.r.method+" "+tc.r.host+tc.r.path, func(t *testing.T) {
			before := inv.count()
			res := e.do(t, tc.r)
			if res.status != tc.wantStatus || string(res.body) != tc.wantBody {
				t.Fatalf("got %d %s, want %d %s", res.status, res.body, tc.wantStatus, tc.wantBody)
			}
			if tc.wantFn == "" {
				if inv.count() != before {
					t.Error("invoked a function")
				}
				return
			}
			c := inv.last(t)
			if c.function != tc.wantFn {
				t.Errorf("invoked %q, want %q", c.function, tc.wantFn)
			}
			var ev struct {
				RequestContext struct{ Stage string } `json:"requestContext"`
			}
			_ = json.Unmarshal(c.payload, &ev)
			if ev.RequestContext.Stage != tc.wantStage {
				t.Errorf("stage %q, want %q", ev.RequestContext.Stage, tc.wantStage)
			}
		})
	}
	// The stage prefix stays in rawPath on a named stage.
	e.do(t, req{host: "routes1.execute-api.localhost", path: "/beta/pets/1"})
	var ev events.APIGatewayV2HTTPRequest
	_ = json.Unmarshal(inv.last(t).payload, &ev)
	if ev.RawPath != "/beta/pets/1" || ev.PathParameters["id"] != "1" {
		t.Errorf("rawPath %q params %v", ev.RawPath, ev.PathParameters)
	}
}

func FuzzRouter(f *testing.F) {
	for _, s := range []string{"/", "/pets", "/pets/dog", "/pets/1/toys/x", "//", "/a%2", "/%zz/x", "/pets//", "/files/" + strings.Repeat("a/", 50)} {
		f.Add("GET", s)
	}
	rt := precedenceRouter(f)
	f.Fuzz(func(t *testing.T, method, path string) {
		r, ps := rt.match(method, path)
		if r == nil {
			t.Fatalf("%s %q: no match despite $default", method, path)
		}
		// Each matched parameter is named in the route's path.
		for _, p := range ps {
			if !strings.Contains(r.path, "{"+p.name) {
				t.Fatalf("%s %q: param %q not in %s", method, path, p.name, r.path)
			}
		}
		if r.method != "" && r.method != methodAny && r.method != method {
			t.Fatalf("%s %q matched %s", method, path, r.routeKey)
		}
	})
}

func FuzzParseRouteKey(f *testing.F) {
	for _, k := range append(precedenceRoutes, "GET /{a}/{b}/{c+}", "ANY /{x", "get /a/") {
		f.Add(k)
	}
	f.Fuzz(func(t *testing.T, key string) {
		m, p, err := parseRouteKey(key)
		if err != nil {
			return
		}
		rt := &router{}
		if err := rt.add(m, p, &compiledRoute{routeKey: key}); err != nil {
			t.Fatalf("%q parsed but does not add: %v", key, err)
		}
	})
}
