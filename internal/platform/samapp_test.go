package platform

import (
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestSamAppOfToday is issue 14's "done when": a SAM template with
// python3.14 and nodejs24.x functions — one importing the AWS SDK without
// bundling it, one with a requirements.txt —, a layer both use, and
// AutoPublishAlias deploys unchanged; both functions answer through their
// alias, and the Python one through its HttpApi route.
func TestSamAppOfToday(t *testing.T) {
	if testing.Short() {
		t.Skip("runs pip and function processes")
	}
	p := startPlatform(t, Options{})
	lc := lambdaClientFor("http://" + p.EdgeAddr())
	dir := copyDir(t, "testdata/sam-app")
	writeWheel(t, filepath.Join(dir, "py", "wheels", "greet-1.0-py3-none-any.whl"))
	plan, res := deployStack(t, p, dir, nil)
	for _, w := range plan.Warnings {
		t.Logf("plan warning: %s", w)
	}

	py := invokeString(t, lc, res.Outputs["HelloPythonAlias"], `{}`)
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal([]byte(py), &resp); err != nil || resp.StatusCode != 200 ||
		!strings.Contains(resp.Body, "hello world from a wheel") || !strings.Contains(resp.Body, `"layer": "shared layer"`) || !strings.Contains(resp.Body, `"version": "1"`) {
		t.Errorf("HelloPython through its alias answered %s (%v)", py, err)
	}
	node := invokeString(t, lc, res.Outputs["HelloNodeAlias"], `{}`)
	if !strings.Contains(node, "assumed-role/hello-HelloNodeRole-") || !strings.Contains(node, `"layer":"shared layer"`) || !strings.Contains(node, `"version":"1"`) {
		t.Errorf("HelloNode through its alias answered %s", node)
	}

	// The HttpApi route invokes the alias.
	r, err := http.Get("http://" + p.HTTPAddr() + "/_api/" + res.Outputs["ApiId"] + "/hello")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || !strings.Contains(string(body), "hello world from a wheel") {
		t.Errorf("GET /hello: %d %s", r.StatusCode, body)
	}
}
