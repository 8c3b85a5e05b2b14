package stacks_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
)

// generated returns a template of n resources, each referring to an earlier one.
func generated(n int) string {
	var b strings.Builder
	b.WriteString("Parameters:\n  Env: {Type: String, Default: dev}\nResources:\n")
	for i := range n {
		fmt.Fprintf(&b, "  R%04d:\n    Type: Test::Thing\n    Properties:\n      Name: !Sub \"${Env}-r%04d\"\n      Tags: {Index: \"%d\", Team: core}\n", i, i, i)
		if i > 0 {
			fmt.Fprintf(&b, "      Value: !GetAtt R%04d.Arn\n", (i-1)/2)
		}
	}
	return b.String()
}

// BenchmarkPlanUnchanged500: the target is under 100 ms per plan.
func BenchmarkPlanUnchanged500(b *testing.B) {
	f := newFixture(b)
	tmpl := generated(500)
	f.mustDeploy(b, "big", tmpl, nil)
	req := stacks.PlanRequest{Stack: "big", Template: tmpl}
	b.ResetTimer()
	for b.Loop() {
		p, err := f.e.Plan(context.Background(), req)
		if err != nil {
			b.Fatal(err)
		}
		if !p.Empty() {
			b.Fatal("plan of an unchanged stack is not empty")
		}
	}
}

func BenchmarkApply500(b *testing.B) {
	tmpl := generated(500)
	for b.Loop() {
		b.StopTimer()
		f := newFixture(b)
		b.StartTimer()
		f.mustDeploy(b, "big", tmpl, nil)
	}
}
