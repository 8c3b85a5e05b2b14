package cli

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestUp_LearningPlatform runs the README's main command on the reference
// application: every stack deploys in dependency order, Go functions are
// built from source, and a function reads the stateful catalogue through the
// SDK with the least privilege its SAM policy template grants. Then --watch
// picks up a source change and redeploys that one stack.
func TestUp_LearningPlatform(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the example's functions")
	}
	// Work on a copy, so the watch step can edit a function's source.
	root := t.TempDir()
	example := filepath.Join(root, "examples", "learning-platform")
	copyTree(t, "../../examples/learning-platform", example)
	// The functions build inside nubo's module, as in the repository.
	for _, f := range []string{"go.mod", "go.sum"} {
		copyTree(t, filepath.Join("../..", f), filepath.Join(root, f))
	}

	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"up", example, "--watch", "--data", t.TempDir(), "--addr", addr, "--http-addr", "127.0.0.1:0"}, &out, &errOut)
	}()
	waitFor(t, "the learning platform up", 5*time.Minute, func() bool {
		select {
		case code := <-done:
			t.Fatalf("up exited %d:\n%s\n%s", code, out.String(), errOut.String())
		default:
		}
		return strings.Contains(out.String(), "Watching ")
	})
	text := out.String()
	order := []string{"== shared", "== payment", "== course"}
	for i := 1; i < len(order); i++ {
		if a, b := strings.Index(text, order[i-1]), strings.Index(text, order[i]); a < 0 || b < a {
			t.Fatalf("%s must deploy before %s:\n%s", order[i-1], order[i], text)
		}
	}
	if a, b := strings.Index(text, "== catalogue"), strings.Index(text, "== course"); a < 0 || b < a {
		t.Fatalf("catalogue must deploy before course:\n%s", text)
	}
	// Each Go build shows as it starts and ends, not a minute of silence.
	for _, fn := range []string{"course/ListCoursesFunction", "course/EnrolFunction", "content/GetMaterialFunction"} {
		if !strings.Contains(text, "building Go function "+fn+" ...") || !strings.Contains(text, "built Go function "+fn+" in ") {
			t.Errorf("no build progress for %s:\n%s", fn, text)
		}
	}

	t.Setenv("NUBO_ENDPOINT", "http://"+addr)
	run := func(args ...string) string {
		t.Helper()
		var b strings.Builder
		if code := Run(context.Background(), args, &b, &b); code != 0 {
			t.Fatalf("nubo %s: exit %d\n%s", strings.Join(args, " "), code, b.String())
		}
		return strings.TrimSpace(b.String())
	}
	list := run("outputs", "course", "ListCoursesFunctionName")
	if got := run("invoke", list); !strings.Contains(got, `"id":"go-101"`) {
		t.Fatalf("catalogue through the function: %s", got)
	}
	pay := run("outputs", "payment", "PayFunctionName")
	got := run("invoke", pay, "--payload", `{"userId":"u1","courseId":"go-101","card":"4242 4242 4242 4242","amountCents":4900}`)
	if !strings.Contains(got, `"currency":"EUR"`) {
		t.Fatalf("payment: %s", got)
	}
	if st := run("stacks"); !strings.Contains(st, "catalogue  stateful") {
		t.Fatalf("stacks:\n%s", st)
	}

	// The HTTP API: each stack's routes under the shared stack's domain.
	httpAddr := regexp.MustCompile(`HTTP APIs on http://(\S+)`).FindStringSubmatch(text)
	if httpAddr == nil {
		t.Fatalf("no HTTP address printed:\n%s", text)
	}
	call := func(method, path, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, "http://"+httpAddr[1]+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Host = "learn.localhost"
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, c := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"GET", "/courses", "", 200, `"title":"Go for serverless"`},
		{"POST", "/payments", `{"userId":"u1","courseId":"go-101","card":"4242 4242 4242 4242","amountCents":4900}`, 200, `"receipt":"rcpt-`},
		{"POST", "/payments", `{"card":"1234"}`, 400, `card number is not valid`},
		{"POST", "/courses/go-101/enrolments", `{"userId":"u1","receipt":"rcpt-1"}`, 200, `"courseId":"go-101"`},
		{"GET", "/content/go-101/lessons/2", "", 200, `lesson-2.mp4`},
		{"GET", "/users/u1", "", 200, `"platform":"Learnwell"`},
		// The catalogue's REST API (AWS::Include'd OpenAPI): a MOCK and a
		// route whose answer a response mapping template shapes.
		{"GET", "/catalogue/health", "", 200, `{"status": "ok", "stage": "v1"}`},
		{"GET", "/catalogue/courses", "", 200, "{\"courses\": [\n  {\"id\": \"go-101\", \"title\": \"Go for serverless\", \"price\": \"4900\"},\n\n" +
			"  {\"id\": \"iac-201\", \"title\": \"Stacks that stay small\", \"price\": \"6900\"}\n\n]}\n"},
		{"GET", "/nowhere", "", 404, `Not Found`},
	} {
		status, body := call(c.method, c.path, c.body)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s %s: %d %s; want %d with %s", c.method, c.path, status, body, c.status, c.want)
		}
	}

	// --watch: a source change redeploys the user stack only.
	src := filepath.Join(example, "user", "functions", "get-user", "main.go")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), `Platform: os.Getenv("PLATFORM_NAME")}`, `Platform: os.Getenv("PLATFORM_NAME") + " (edited)"}`, 1)
	if edited == string(b) {
		t.Fatal("the get-user source changed shape; update this test")
	}
	if err := os.WriteFile(src, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the user stack redeployed", 3*time.Minute, func() bool {
		return strings.Contains(out.String(), "== stack user redeployed")
	})
	if strings.Contains(out.String(), "redeploying stack course") {
		t.Fatalf("an unrelated stack was redeployed:\n%s", out.String())
	}
	user := run("outputs", "user", "GetUserFunctionName")
	if got := run("invoke", user, "--payload", `{"userId":"u1"}`); !strings.Contains(got, "Learnwell (edited)") {
		t.Fatalf("after the watch redeploy: %s", got)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("up did not stop")
	}
}

// copyTree copies a file or a directory tree.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(path string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}
