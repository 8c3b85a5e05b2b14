package cli

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// TestExamples_UnchangedPlansNothingAndHasNoDrift is a golden test over every
// example stack: once `nubo up` has deployed them, each plans "No changes"
// against its own template, deploying it again makes no new deployment (the
// API gateway deployments included), and `nubo drift` finds every resource in
// sync (exit 0). Then a tag changed behind the stack's back is drift (exit 2).
func TestExamples_UnchangedPlansNothingAndHasNoDrift(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the examples' functions")
	}
	examples, err := filepath.Glob("../../examples/*")
	if err != nil || len(examples) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	for _, dir := range examples {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			addr := upExample(t, dir)
			stacks := exampleStacks(t, dir)
			for _, stack := range stacks {
				tmpl := filepath.Join(dir, stack, "template.yaml")
				if out, code := runNubo(addr, "plan", tmpl, "--stack", stack); code != 0 || !strings.Contains(out, "No changes.") {
					t.Errorf("plan %s: exit %d\n%s", stack, code, out)
				}
				if out, code := runNubo(addr, "deploy", tmpl, "--stack", stack, "--yes"); code != 0 || !strings.Contains(out, "No changes") {
					t.Errorf("deploy %s again: exit %d\n%s", stack, code, out)
				}
				if out, code := runNubo(addr, "stacks", stack); code != 0 || strings.Contains(out, "UPDATE_") {
					t.Errorf("stacks %s: a second deployment was made (exit %d)\n%s", stack, code, out)
				}
				if out, code := runNubo(addr, "drift", stack); code != 0 || !strings.Contains(out, "Stack "+stack+": IN_SYNC") {
					t.Errorf("drift %s: exit %d\n%s", stack, code, out)
				}
			}
			if filepath.Base(dir) != "learning-platform" {
				return
			}
			// A tag changed outside the stack: drift says so, exit 2.
			fn, code := runNubo(addr, "outputs", "course", "EnrolFunctionName")
			if code != 0 {
				t.Fatalf("outputs: %s", fn)
			}
			c := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + addr),
				Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
			ctx := context.Background()
			got, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String(strings.TrimSpace(fn))})
			if err != nil {
				t.Fatal(err)
			}
			if got.Tags["lambda:createdBy"] != "SAM" {
				t.Errorf("a SAM function's tags: %v", got.Tags)
			}
			if _, err := c.TagResource(ctx, &lambda.TagResourceInput{Resource: got.Configuration.FunctionArn, Tags: map[string]string{"lambda:createdBy": "someone"}}); err != nil {
				t.Fatal(err)
			}
			out, code := runNubo(addr, "drift", "course")
			if code != driftExitCode || !strings.Contains(out, "MODIFIED    EnrolFunction") || !strings.Contains(out, `~ Tags: [{"Key":"lambda:createdBy","Value":"SAM"}] (recorded) -> [{"Key":"lambda:createdBy","Value":"someone"}] (live)`) {
				t.Errorf("drift after a tag change: exit %d\n%s", code, out)
			}
		})
	}
}

// upExample runs `nubo up DIR` until its stacks are up; the server stops with
// the test.
func upExample(t *testing.T, dir string) string {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"up", dir, "--data", t.TempDir(), "--addr", addr, "--http-addr", "127.0.0.1:0"}, &out, &errOut)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Error("up did not stop")
		}
	})
	waitFor(t, "the example up", 5*time.Minute, func() bool {
		select {
		case code := <-done:
			t.Fatalf("up exited %d:\n%s\n%s", code, out.String(), errOut.String())
		default:
		}
		return strings.Contains(out.String(), "stack(s) up")
	})
	return addr
}

// exampleStacks lists the stacks of an example: its directories with a template.
func exampleStacks(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "template.yaml")); err == nil {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	if len(out) == 0 {
		t.Fatalf("%s has no stacks", dir)
	}
	return out
}

// runNubo runs a verb against the server at addr: its output and exit code.
func runNubo(addr string, args ...string) (string, int) {
	var b strings.Builder
	code := Run(context.Background(), append(args, "--endpoint", "http://"+addr), &b, &b)
	return b.String(), code
}
