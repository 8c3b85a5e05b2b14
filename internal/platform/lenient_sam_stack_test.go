package platform

import (
	"io"
	"net/http"
	"testing"
)

// TestLenientSAMStack deploys the two SAM templates AWS's translator
// accepts and nubo used to refuse (issue 16), in one stack, and calls both
// APIs: the plain RestApi's method and the SAM API's route answer from the
// function.
func TestLenientSAMStack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	dir := copyDir(t, "testdata/lenient-sam-stack")
	_, res := deployStack(t, p, dir, nil)
	for _, tc := range []struct{ url, want string }{
		{"/_api/" + res.Outputs["ApiId"] + "/Prod/items", "GET /items"},
		{"/_api/" + res.Outputs["MyApiId"] + "/prod/hi", "GET /hi"},
	} {
		r, err := http.Get("http://" + p.HTTPAddr() + tc.url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 200 || string(body) != tc.want {
			t.Errorf("GET %s: %d %q, want 200 %q", tc.url, r.StatusCode, body, tc.want)
		}
	}
}

// TestIncludeOpenAPIStack: an AWS::Serverless::Api whose DefinitionBody is
// an AWS::Include of a local OpenAPI file (long-form intrinsics, as
// CloudFormation requires in snippets) serves its route.
func TestIncludeOpenAPIStack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	dir := copyDir(t, "testdata/include-openapi-stack")
	_, res := deployStack(t, p, dir, nil)
	url := "http://" + p.HTTPAddr() + "/_api/" + res.Outputs["ApiId"] + "/v1/pets/7"
	r, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || string(body) != "pet 7" {
		t.Errorf("GET %s: %d %q, want 200 \"pet 7\"", url, r.StatusCode, body)
	}
}
