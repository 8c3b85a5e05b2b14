package stacks_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nubo-run/nubo/internal/stacks"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

func assertGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// TestPlan_Golden: each testdata/plan/NAME.yaml holds YAML documents; all
// but the last are deployed in turn, then the last is planned. A first line
// "# params: K=V,K=V" sets parameters for the planned document.
func TestPlan_Golden(t *testing.T) {
	files, _ := filepath.Glob("testdata/plan/*.yaml")
	if len(files) == 0 {
		t.Fatal("no testdata/plan/*.yaml")
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".yaml")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			docs := strings.Split(string(src), "\n---\n")
			f := newFixture(t)
			for _, d := range docs[:len(docs)-1] {
				f.mustDeploy(t, "app", d, nil)
			}
			last := docs[len(docs)-1]
			params := map[string]string{}
			if first, _, _ := strings.Cut(last, "\n"); strings.HasPrefix(first, "# params: ") {
				for _, kv := range strings.Split(strings.TrimPrefix(first, "# params: "), ",") {
					k, v, _ := strings.Cut(kv, "=")
					params[k] = v
				}
			}
			var out bytes.Buffer
			p, err := f.e.Plan(context.Background(), stacks.PlanRequest{Stack: "app", Template: last, Parameters: params})
			if err != nil {
				out.WriteString("error: " + err.Error() + "\n")
			} else {
				p.Render(&out)
			}
			assertGolden(t, strings.TrimSuffix(file, ".yaml")+".golden", out.Bytes())
		})
	}
}
