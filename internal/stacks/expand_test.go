package stacks_test

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nubo-run/nubo/internal/stacks"
)

const forEachTemplate = `
Transform: AWS::LanguageExtensions
Parameters:
  Names: {Type: CommaDelimitedList}
  Keep: {Type: String, Default: "no"}
Conditions:
  Keeping: !Equals [!Ref Keep, "yes"]
Resources:
  Fn::ForEach::Things:
    - N
    - !Ref Names
    - Thing${N}:
        Type: Test::Thing
        DeletionPolicy: !If [Keeping, Retain, Delete]
        Properties: {Name: !Sub "thing-${N}", Value: !Ref N}
`

func ids(st *stacks.StackState) []string {
	var out []string
	for id := range st.Resources {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// TestForEachFollowsParameters: the engine expands Fn::ForEach with the
// deployment's parameter values, the previous deployment's when none are
// given (as aws cloudformation deploy), and Expand shows the same
// processed template.
func TestForEachFollowsParameters(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.mustDeploy(t, "app", forEachTemplate, map[string]string{"Names": "A,B", "Keep": "yes"})
	st, err := f.e.Describe(ctx, "app")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"ThingA", "ThingB"}, ids(st)); d != "" {
		t.Errorf("resources (-want +got):\n%s", d)
	}
	if p := st.Resources["ThingA"].DeletionPolicy; p != "Retain" {
		t.Errorf("DeletionPolicy %q, want Retain", p)
	}

	// No parameters: the previous values, so the loop makes the same things.
	f.mustDeploy(t, "app", forEachTemplate, nil)
	if st, _ = f.e.Describe(ctx, "app"); !cmp.Equal([]string{"ThingA", "ThingB"}, ids(st)) {
		t.Errorf("redeploy without parameters: resources %v", ids(st))
	}
	out, names, err := f.e.Expand(ctx, stacks.PlanRequest{Stack: "app", Template: forEachTemplate, Parameters: map[string]string{"Names": "C"}})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{stacks.LanguageExtensionsTransform}, names); d != "" {
		t.Errorf("transforms (-want +got):\n%s", d)
	}
	res := out["Resources"].(map[string]any)
	if _, ok := res["ThingC"]; !ok || len(res) != 1 {
		t.Errorf("Expand with Names=C: resources %v", res)
	}
	if p := res["ThingC"].(map[string]any)["DeletionPolicy"]; p != "Retain" {
		t.Errorf("Expand: DeletionPolicy %v, want Retain (Keep=yes from the previous deployment)", p)
	}
}

// TestExpandIncludes: a local snippet is read from the request's directory,
// and refused without one (the CloudFormation API's case).
func TestExpandIncludes(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "thing.json"), []byte(`{"Type": "Test::Thing", "Properties": {"Name": "inc", "Value": "v"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tmpl := "Resources:\n  Inc:\n    Fn::Transform: {Name: AWS::Include, Parameters: {Location: thing.json}}\n"
	res, err := f.e.Deploy(context.Background(), stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "inc", Template: tmpl, BaseDir: dir}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res == nil {
		t.Fatal("no result")
	}
	if _, err := f.thing.Read(context.Background(), "inc"); err != nil {
		t.Errorf("the included resource: %v", err)
	}
	_, _, err = f.e.Expand(context.Background(), stacks.PlanRequest{Template: tmpl})
	if err == nil || !strings.Contains(err.Error(), "is a local path, and this template has no directory") {
		t.Errorf("Expand without a directory: %v, want the local Location refused", err)
	}
}
