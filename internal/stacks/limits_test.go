package stacks_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
)

// withOutputs appends n outputs to a template of the generated kind.
func withOutputs(tmpl string, n int) string {
	var b strings.Builder
	b.WriteString(tmpl)
	b.WriteString("Outputs:\n")
	for i := range n {
		fmt.Fprintf(&b, "  O%04d: {Value: x}\n", i)
	}
	return b.String()
}

// A template over a CloudFormation quota is refused unless the request
// allows it; allowed, it deploys and the plan warns that AWS would refuse it.
func TestAWSTemplateQuotas(t *testing.T) {
	cases := []struct {
		name, tmpl string
		over       string // "" when within every quota
	}{
		{"500 resources", generated(500), ""},
		{"501 resources", generated(501), "declares 501 resources, over AWS CloudFormation's quota of 500 per template"},
		{"200 outputs", withOutputs(generated(1), 200), ""},
		{"201 outputs", withOutputs(generated(1), 201), "declares 201 outputs, over AWS CloudFormation's quota of 200 per template"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			p, err := f.e.Plan(ctx, stacks.PlanRequest{Stack: "big", Template: c.tmpl})
			if err != nil {
				t.Fatal(err)
			}
			_, deployErr := f.deploy(t, "big", c.tmpl, nil)
			if c.over == "" {
				if len(p.Refusals) > 0 || len(p.Warnings) > 0 || deployErr != nil {
					t.Fatalf("within the quotas: refusals %q, warnings %q, deploy %v", p.Refusals, p.Warnings, deployErr)
				}
				return
			}
			if len(p.Refusals) != 1 || !strings.Contains(p.Refusals[0], c.over) || !strings.Contains(p.Refusals[0], "--allow-over-aws-limits") {
				t.Fatalf("refusals %q, want one saying %q and naming the flag", p.Refusals, c.over)
			}
			if !errors.Is(deployErr, stacks.ErrRefused) || !strings.Contains(deployErr.Error(), c.over) {
				t.Fatalf("deploy without the flag: %v", deployErr)
			}
			if _, err := f.e.Describe(ctx, "big"); err == nil {
				t.Fatal("a refused deployment created the stack")
			}
			req := stacks.PlanRequest{Stack: "big", Template: c.tmpl, AllowOverAWSLimits: true}
			res, err := f.e.Deploy(ctx, stacks.DeployRequest{PlanRequest: req}, nil)
			if err != nil {
				t.Fatalf("deploy with the flag: %v", err)
			}
			if res.Status != stacks.StatusCreateComplete || len(res.Plan.Refusals) > 0 || len(res.Plan.Warnings) != 1 || !strings.Contains(res.Plan.Warnings[0], c.over) {
				t.Fatalf("status %s, refusals %q, warnings %q", res.Status, res.Plan.Refusals, res.Plan.Warnings)
			}
		})
	}
}

// The admin API takes the flag as allow_over_aws_limits.
func TestAdminAPI_AllowOverAWSLimits(t *testing.T) {
	f := newFixture(t)
	tmpl, _ := json.Marshal(generated(501))
	rec := adminCall(t, f, "Plan", `{"stack":"big","template":`+string(tmpl)+`}`)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"refusals":["the template declares 501 resources`) {
		t.Fatalf("plan: %d %.300s", rec.Code, rec.Body.String())
	}
	rec = adminCall(t, f, "Plan", `{"stack":"big","allow_over_aws_limits":true,"template":`+string(tmpl)+`}`)
	if rec.Code != 200 || strings.Contains(rec.Body.String(), `"refusals"`) || !strings.Contains(rec.Body.String(), `"warnings":["the template declares 501 resources`) {
		t.Fatalf("plan with the flag: %d %.300s", rec.Code, rec.Body.String())
	}
}

// A GetAtt of a missing attribute lists each attribute once, sorted, even
// when one is both a read-only property and a listed attribute.
func TestGetAttUnknownAttributeListsEachOnce(t *testing.T) {
	f := newFixture(t)
	tmpl := "Resources:\n  A: {Type: Test::Thing, Properties: {Name: a}}\n  B: {Type: Test::Thing, Properties: {Name: b, Value: !GetAtt A.Nope}}\n"
	_, err := f.e.Plan(context.Background(), stacks.PlanRequest{Stack: "app", Template: tmpl})
	if err == nil || !strings.Contains(err.Error(), `Test::Thing has no attribute "Nope" (it has: Arn, Value)`) {
		t.Fatalf("got %v", err)
	}
}
