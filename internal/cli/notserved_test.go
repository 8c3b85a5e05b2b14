package cli

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/platform"
)

// TestNotServedIntegrations: routes with integrations nubo does not serve
// (AWS to a service other than Lambda, MOCK on an HTTP API) are named, one warning each, by plan and deploy; a
// request to one answers 501 saying why, where it used to answer 403
// Missing Authentication Token (REST) or 404 as if the route did not exist.
func TestNotServedIntegrations(t *testing.T) {
	p := serveInProcess(t)
	ctx := context.Background()
	wantWarnings := []string{
		"Warning: Api (AWS::ApiGateway::RestApi): route GET /health has a AWS integration to a service other than Lambda, which nubo does not serve yet",
		"Warning: RootGet (AWS::ApiGateway::Method): route GET has a AWS integration to a service other than Lambda, which nubo does not serve yet",
		"Warning: HttpIntegration (AWS::ApiGatewayV2::Integration): the routes targeting this MOCK integration will not be served",
	}
	for _, verb := range [][]string{{"plan"}, {"deploy", "--yes"}} {
		args := append(verb, "testdata/notserved.yaml", "--stack", "notserved")
		code, stdout, stderr := run(ctx, args...)
		if code != 0 {
			t.Fatalf("%s: exit %d\n%s\n%s", verb[0], code, stdout, stderr)
		}
		for _, w := range wantWarnings {
			if !strings.Contains(stdout, w) {
				t.Errorf("%s does not say %q:\n%s", verb[0], w, stdout)
			}
		}
	}
	_, restID, _ := run(ctx, "outputs", "notserved", "RestId")
	_, httpID, _ := run(ctx, "outputs", "notserved", "HttpId")
	restID, httpID = strings.TrimSpace(restID), strings.TrimSpace(httpID)
	cases := []struct{ path, want string }{
		{"/_api/" + restID + "/Prod", `route GET / is not served: nubo does not serve AWS integrations to a service other than Lambda yet`},
		{"/_api/" + restID + "/Prod/health", `route GET /health is not served: nubo does not serve AWS integrations to a service other than Lambda yet`},
		{"/_api/" + httpID + "/up", `route GET /up is not served: nubo does not serve MOCK integrations yet`},
	}
	for _, c := range cases {
		res, err := http.Get("http://" + p.HTTPAddr() + c.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusNotImplemented || !strings.Contains(string(body), c.want) {
			t.Errorf("GET %s: %d %s, want 501 %s", c.path, res.StatusCode, body, c.want)
		}
	}
}

// serveInProcess starts a platform in this process on free loopback ports,
// closed when the test ends, and points the CLI verbs at it (NUBO_ENDPOINT).
func serveInProcess(t *testing.T) *platform.Platform {
	t.Helper()
	p, err := platform.New(platform.Options{DataDir: t.TempDir(), Addr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	t.Setenv("NUBO_ENDPOINT", p.EndpointURL())
	return p
}
