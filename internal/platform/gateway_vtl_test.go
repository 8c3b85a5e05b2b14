package platform

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/stacks"
)

// petStoreOutput is the output of the API Gateway developer guide's
// PetStore mapping template ("Mapping template transformations for REST
// APIs") on its three pets.
const petStoreOutput = `[
  {"description": "Item 1 is a dog.", "askingPrice": 249.99},
  {"description": "Item 2 is a cat.", "askingPrice": 124.99},
  {"description": "Item 3 is a fish.", "askingPrice": 0.99}
]`

// TestMappedIntegrationsStack deploys testdata/gateway-vtl/mapped.yaml: a
// REST API whose MOCK, AWS (Lambda, real python functions) and HTTP_PROXY
// integrations go through VTL mapping templates, and checks the answers
// against the developer guide's mapping-template examples.
func TestMappedIntegrationsStack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	lambdaRole(t, p.EndpointURL(), "vtl-role")
	var backendSaw string
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		backendSaw = r.Method + " " + r.URL.Path + "?" + r.URL.RawQuery + " " + r.Header.Get("X-Test") + " " + string(b)
		w.Header().Set("X-Backend", "loopback")
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte("made"))
	}))
	defer backend.Close()

	src, err := os.ReadFile("testdata/gateway-vtl/mapped.yaml")
	if err != nil {
		t.Fatal(err)
	}
	req := stacks.PlanRequest{Stack: "mapped", Template: string(src), BaseDir: t.TempDir(), Parameters: map[string]string{"BackendUrl": backend.URL}}
	res, err := p.Stacks.Deploy(context.Background(), stacks.DeployRequest{PlanRequest: req}, nil)
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	base := "http://" + p.HTTPAddr() + "/_api/" + res.Outputs["ApiId"] + "/prod"
	c := &http.Client{Timeout: 60 * time.Second}
	call := func(method, path, body string, hdr map[string]string) (int, http.Header, string) {
		t.Helper()
		r, err := http.NewRequest(method, base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			r.Header.Set(k, v)
		}
		resp, err := c.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	sameJSON := func(what, got, want string) {
		t.Helper()
		var g, w any
		if err := json.Unmarshal([]byte(got), &g); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", what, err, got)
		}
		if err := json.Unmarshal([]byte(want), &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("%s:\n got %s\nwant %s", what, got, want)
		}
	}

	// MOCK, answering through the guide's transform.
	status, h, body := call("GET", "/pets", "", nil)
	if status != 200 || h.Get("X-Request-Id") == "" || h.Get("Content-Type") != "application/json" {
		t.Errorf("GET /pets: %d %v", status, h)
	}
	sameJSON("GET /pets (MOCK)", body, petStoreOutput)

	// AWS to a real function: request template -> payload -> response template.
	status, _, body = call("POST", "/pets/42", `{"name": "O'Brien"}`, map[string]string{"Content-Type": "application/json"})
	if status != 200 {
		t.Errorf("POST /pets/42: %d %s", status, body)
	}
	sameJSON("POST /pets/42", body, `{"message": "Hello, O'Brien", "pet": "42", "stage": "prod"}`)
	// The function raises: its errorMessage selects the 400 response.
	status, _, body = call("POST", "/pets/42", `{}`, nil)
	if status != 400 {
		t.Errorf("POST /pets/42 without a name: %d %s", status, body)
	}
	sameJSON("POST /pets/42 error", body, `{"error": "Bad request: name is required"}`)
	// WHEN_NO_TEMPLATES with templates and none for text/plain: 415.
	if status, _, body = call("POST", "/pets/42", "x", map[string]string{"Content-Type": "text/plain"}); status != http.StatusUnsupportedMediaType {
		t.Errorf("POST text/plain: %d %s", status, body)
	}

	// The guide's transform on what a function answered.
	status, _, body = call("GET", "/catalog", "", nil)
	if status != 200 {
		t.Errorf("GET /catalog: %d %s", status, body)
	}
	sameJSON("GET /catalog (AWS)", body, petStoreOutput)

	// Credentials: the role's policy allows Echo (no permission needed) ...
	status, _, body = call("POST", "/echo", `{"a": [1, 2]}`, nil)
	if status != 200 {
		t.Errorf("POST /echo: %d %s", status, body)
	}
	sameJSON("POST /echo (passthrough)", body, `{"echo": {"a": [1, 2]}}`)
	// ... and not Fn.
	if status, _, body = call("PUT", "/echo", `{}`, nil); status != http.StatusInternalServerError {
		t.Errorf("PUT /echo (role may not invoke Fn): %d %s", status, body)
	}

	// HTTP_PROXY to a loopback server: method, path, query, headers and body pass.
	status, h, body = call("PATCH", "/backend/a/b?x=1", "payload", map[string]string{"X-Test": "t"})
	if status != http.StatusCreated || body != "made" || h.Get("X-Backend") != "loopback" {
		t.Errorf("PATCH /backend/a/b: %d %s %v", status, body, h)
	}
	if backendSaw != "PATCH /a/b?x=1 t payload" {
		t.Errorf("backend saw %q", backendSaw)
	}
}
