package gateway

import (
	"context"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
)

// TestProvidersDecodeTheirModels: the key, usage plan and domain providers
// read their properties through stacks.Decode (template parameters'
// strings are numbers) and refuse a wrong shape naming the property.
func TestProvidersDecodeTheirModels(t *testing.T) {
	e := newResEnv(t)
	ctx := stacks.WithResource(context.Background(), "test", "Plan")
	up := e.byType["AWS::ApiGateway::UsagePlan"]
	id, _, err := up.Create(ctx, stacks.Props{"UsagePlanName": "p", "Throttle": map[string]any{"RateLimit": "10.5", "BurstLimit": "5"},
		"Quota": map[string]any{"Limit": float64(100), "Period": "day"}})
	if err != nil {
		t.Fatal(err)
	}
	plan, ok := e.g.GetUsagePlan(id)
	if !ok || plan.RateLimit != 10.5 || plan.BurstLimit != 5 || plan.QuotaLimit != 100 || plan.QuotaPeriod != "DAY" {
		t.Fatalf("plan %+v", plan)
	}
	if _, err := up.Update(ctx, id, nil, stacks.Props{"Throttle": map[string]any{"BurstLimit": []any{}}}); err == nil ||
		err.Error() != "property Throttle.BurstLimit: want a Integer, got a List" {
		t.Fatalf("update with a list burst limit: %v", err)
	}
	if plan, _ := e.g.GetUsagePlan(id); plan.BurstLimit != 5 {
		t.Fatalf("a refused update changed the plan: %+v", plan)
	}
	if _, _, err := e.byType["AWS::ApiGateway::ApiKey"].Create(ctx, stacks.Props{"Enabled": "maybe"}); err == nil ||
		err.Error() != `property Enabled: want a Boolean, got "maybe"` {
		t.Fatalf("api key with a bad Enabled: %v", err)
	}
	if _, _, err := e.byType["AWS::ApiGatewayV2::DomainName"].Create(ctx, stacks.Props{"DomainName": map[string]any{}}); err == nil ||
		err.Error() != "property DomainName: want a String, got an Object" {
		t.Fatalf("domain with an object name: %v", err)
	}
}
