package gateway

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nubo-run/nubo/internal/stacks"
)

// AWS::ApiGateway::ApiKey, UsagePlan and UsagePlanKey.

// ---- ApiKey ----

type apiKeyProvider struct{ s *StackResources }

func (*apiKeyProvider) Type() string   { return "AWS::ApiGateway::ApiKey" }
func (*apiKeyProvider) Stateful() bool { return false }
func (*apiKeyProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"Name":               {Type: stacks.String, CreateOnly: true},
		"Value":              {Type: stacks.String, CreateOnly: true},
		"GenerateDistinctId": {Type: stacks.Boolean, CreateOnly: true},
		"CustomerId":         text(),
		"Description":        text(),
		"Enabled":            {Type: stacks.Boolean},
		"StageKeys":          {Type: stacks.List},
		"Tags":               {Type: stacks.List},
		"APIKeyId":           {Type: stacks.String, ReadOnly: true},
	}}
}

func (p *apiKeyProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	k, err := p.s.g.PutAPIKey(ctx, APIKey{Name: pstr(props["Name"]), Value: pstr(props["Value"]), Enabled: pbool(props["Enabled"])})
	if err != nil {
		return "", nil, err
	}
	return k.ID, stacks.Attrs{"APIKeyId": k.ID}, nil
}

func (p *apiKeyProvider) Update(ctx context.Context, id string, _, props stacks.Props) (stacks.Attrs, error) {
	k, ok := p.s.g.GetAPIKey(id)
	if !ok {
		return nil, fmt.Errorf("api key %s: %w", id, stacks.ErrNotFound)
	}
	k.Enabled = pbool(props["Enabled"])
	if _, err := p.s.g.PutAPIKey(ctx, k); err != nil {
		return nil, err
	}
	return stacks.Attrs{"APIKeyId": id}, nil
}

func (p *apiKeyProvider) Delete(ctx context.Context, id string) error {
	return notFound(p.Type(), id, p.s.g.DeleteAPIKey(ctx, id))
}

func (p *apiKeyProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	k, ok := p.s.g.GetAPIKey(id)
	if !ok {
		return nil, fmt.Errorf("api key %s: %w", id, stacks.ErrNotFound)
	}
	out := stacks.Props{"Enabled": k.Enabled, "Value": k.Value}
	if k.Name != "" {
		out["Name"] = k.Name
	}
	return out, nil
}

// ---- UsagePlan ----

type usagePlanProvider struct{ s *StackResources }

func (*usagePlanProvider) Type() string   { return "AWS::ApiGateway::UsagePlan" }
func (*usagePlanProvider) Stateful() bool { return false }
func (*usagePlanProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"ApiStages":     {Type: stacks.List},
		"Description":   text(),
		"Quota":         {Type: stacks.Object},
		"Tags":          {Type: stacks.List},
		"Throttle":      {Type: stacks.Object},
		"UsagePlanName": text(),
		"Id":            {Type: stacks.String, ReadOnly: true},
	}}
}

func (p *usagePlanProvider) plan(id string, keys []string, props stacks.Props) UsagePlan {
	up := UsagePlan{ID: id, Name: pstr(props["UsagePlanName"]), KeyIDs: keys}
	if st, ok := props["ApiStages"].([]any); ok {
		for _, e := range st {
			m := pobj(e)
			up.Stages = append(up.Stages, PlanStage{APIID: pstr(m["ApiId"]), Stage: pstr(m["Stage"])})
		}
	}
	if t := pobj(props["Throttle"]); t != nil {
		up.RateLimit, up.BurstLimit = pnum(t["RateLimit"]), pint(t["BurstLimit"])
	}
	if q := pobj(props["Quota"]); q != nil {
		up.QuotaLimit, up.QuotaPeriod = pint(q["Limit"]), strings.ToUpper(pstr(q["Period"]))
	}
	return up
}

func (p *usagePlanProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	up, err := p.s.g.PutUsagePlan(ctx, p.plan(NewID(), nil, props))
	if err != nil {
		return "", nil, err
	}
	return up.ID, stacks.Attrs{"Id": up.ID}, nil
}

func (p *usagePlanProvider) Update(ctx context.Context, id string, _, props stacks.Props) (stacks.Attrs, error) {
	_, err := p.s.g.UpdateUsagePlan(ctx, id, func(up *UsagePlan) error {
		*up = p.plan(id, up.KeyIDs, props) // keys come from UsagePlanKey resources
		return nil
	})
	return stacks.Attrs{"Id": id}, notFound(p.Type(), id, err)
}

func (p *usagePlanProvider) Delete(ctx context.Context, id string) error {
	return notFound(p.Type(), id, p.s.g.DeleteUsagePlan(ctx, id))
}

func (p *usagePlanProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	up, ok := p.s.g.GetUsagePlan(id)
	if !ok {
		return nil, fmt.Errorf("usage plan %s: %w", id, stacks.ErrNotFound)
	}
	out := stacks.Props{}
	if up.Name != "" {
		out["UsagePlanName"] = up.Name
	}
	if len(up.Stages) > 0 {
		var st []any
		for _, s := range up.Stages {
			st = append(st, map[string]any{"ApiId": s.APIID, "Stage": s.Stage})
		}
		out["ApiStages"] = st
	}
	if up.RateLimit > 0 || up.BurstLimit > 0 {
		out["Throttle"] = map[string]any{"RateLimit": up.RateLimit, "BurstLimit": float64(up.BurstLimit)}
	}
	if up.QuotaLimit > 0 {
		out["Quota"] = map[string]any{"Limit": float64(up.QuotaLimit), "Period": up.QuotaPeriod}
	}
	return out, nil
}

// ---- UsagePlanKey ----

type usagePlanKeyProvider struct{ s *StackResources }

func (*usagePlanKeyProvider) Type() string   { return "AWS::ApiGateway::UsagePlanKey" }
func (*usagePlanKeyProvider) Stateful() bool { return false }
func (*usagePlanKeyProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"KeyId":       {Type: stacks.String, Required: true, CreateOnly: true},
		"KeyType":     {Type: stacks.String, Required: true, CreateOnly: true, Enum: []string{"API_KEY"}},
		"UsagePlanId": {Type: stacks.String, Required: true, CreateOnly: true},
		"Id":          {Type: stacks.String, ReadOnly: true},
	}}
}

// Physical id: PLAN:KEY (API Gateway names the association by the key id).
func (p *usagePlanKeyProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	plan, key := pstr(props["UsagePlanId"]), pstr(props["KeyId"])
	if _, ok := p.s.g.GetAPIKey(key); !ok {
		return "", nil, &stacks.PropertyError{Property: "KeyId", Msg: fmt.Sprintf("no api key %q", key)}
	}
	_, err := p.s.g.UpdateUsagePlan(ctx, plan, func(up *UsagePlan) error {
		if !slices.Contains(up.KeyIDs, key) {
			up.KeyIDs = append(up.KeyIDs, key)
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return "", nil, &stacks.PropertyError{Property: "UsagePlanId", Msg: fmt.Sprintf("no usage plan %q", plan)}
	}
	if err != nil {
		return "", nil, err
	}
	return plan + ":" + key, stacks.Attrs{"Id": key}, nil
}

func (p *usagePlanKeyProvider) Update(ctx context.Context, id string, _, _ stacks.Props) (stacks.Attrs, error) {
	_, key, _ := strings.Cut(id, ":")
	return stacks.Attrs{"Id": key}, nil // every property is create-only
}

func (p *usagePlanKeyProvider) Delete(ctx context.Context, id string) error {
	plan, key, _ := strings.Cut(id, ":")
	found := false
	_, err := p.s.g.UpdateUsagePlan(ctx, plan, func(up *UsagePlan) error {
		n := len(up.KeyIDs)
		up.KeyIDs = slices.DeleteFunc(up.KeyIDs, func(k string) bool { return k == key })
		found = len(up.KeyIDs) < n
		return nil
	})
	if err == nil && !found {
		return fmt.Errorf("usage plan key %s: %w", id, stacks.ErrNotFound)
	}
	return notFound(p.Type(), id, err)
}

func (p *usagePlanKeyProvider) Read(ctx context.Context, id string) (stacks.Props, error) {
	plan, key, _ := strings.Cut(id, ":")
	up, ok := p.s.g.GetUsagePlan(plan)
	if !ok || !slices.Contains(up.KeyIDs, key) {
		return nil, fmt.Errorf("usage plan key %s: %w", id, stacks.ErrNotFound)
	}
	return stacks.Props{"KeyId": key, "KeyType": "API_KEY", "UsagePlanId": plan}, nil
}
