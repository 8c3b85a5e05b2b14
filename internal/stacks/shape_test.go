package stacks_test

import (
	"context"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
	"github.com/nubo-run/nubo/internal/stacks"
)

// TestPlan_TransformWithGoTypesPlansNoChanges: a transform that builds
// properties of Go types (a []string, as SAM's policy templates do) deploys once; the same template then plans no change (the
// recorded state reads back as []any).
func TestPlan_TransformWithGoTypesPlansNoChanges(t *testing.T) {
	thing := newFake("Test::Thing", false)
	reg, _ := stacks.NewRegistry(thing)
	e, err := stacks.New(stacks.Options{Backbone: backbonetest.New(t), Registry: reg,
		Transform: func(m map[string]any, env stacks.Pseudo) (map[string]any, error) {
			res := m["Resources"].(map[string]any)
			res["Role"] = map[string]any{"Type": "Test::Thing", "Properties": map[string]any{
				"List": []any{map[string]any{"Action": []string{"ssm:GetParameter"}, "Resource": map[string]any{"Fn::Sub": "arn:${AWS::Partition}:ssm"}}},
			}}
			return m, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	req := stacks.PlanRequest{Stack: "sam", Template: "Transform: AWS::Serverless-2016-10-31\nResources: {}\n"}
	if _, err := e.Deploy(context.Background(), stacks.DeployRequest{PlanRequest: req}, nil); err != nil {
		t.Fatal(err)
	}
	p, err := e.Plan(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Empty() {
		var b strings.Builder
		p.Render(&b)
		t.Fatalf("an unchanged template plans changes:\n%s", b.String())
	}
	res, err := e.Deploy(context.Background(), stacks.DeployRequest{PlanRequest: req}, nil)
	if err != nil || res.Version != 1 {
		t.Fatalf("a second deploy made deployment %d (%v), want none", res.Version, err)
	}
}
