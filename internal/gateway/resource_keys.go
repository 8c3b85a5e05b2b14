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

// apiKeyModel is what nubo applies of AWS::ApiGateway::ApiKey's properties.
type apiKeyModel struct {
	Name    string
	Value   string
	Enabled bool
}

func (p *apiKeyProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m apiKeyModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	k, err := p.s.g.PutAPIKey(ctx, APIKey{Name: m.Name, Value: m.Value, Enabled: m.Enabled})
	if err != nil {
		return "", nil, err
	}
	return k.ID, stacks.Attrs{"APIKeyId": k.ID}, nil
}

func (p *apiKeyProvider) Update(ctx context.Context, id string, _, props stacks.Props) (stacks.Attrs, error) {
	var m apiKeyModel
	if err := stacks.Decode(props, &m); err != nil {
		return nil, err
	}
	k, ok := p.s.g.GetAPIKey(id)
	if !ok {
		return nil, fmt.Errorf("api key %s: %w", id, stacks.ErrNotFound)
	}
	k.Enabled = m.Enabled
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

// usagePlanModel is what nubo applies of AWS::ApiGateway::UsagePlan's
// properties.
type usagePlanModel struct {
	UsagePlanName string
	ApiStages     []struct{ ApiId, Stage string }
	Throttle      *struct {
		RateLimit  float64
		BurstLimit int
	}
	Quota *struct {
		Limit  int
		Period string
	}
}

func (p *usagePlanProvider) plan(id string, keys []string, props stacks.Props) (UsagePlan, error) {
	var m usagePlanModel
	if err := stacks.Decode(props, &m); err != nil {
		return UsagePlan{}, err
	}
	up := UsagePlan{ID: id, Name: m.UsagePlanName, KeyIDs: keys}
	for _, st := range m.ApiStages {
		up.Stages = append(up.Stages, PlanStage{APIID: st.ApiId, Stage: st.Stage})
	}
	if t := m.Throttle; t != nil {
		up.RateLimit, up.BurstLimit = t.RateLimit, t.BurstLimit
	}
	if q := m.Quota; q != nil {
		up.QuotaLimit, up.QuotaPeriod = q.Limit, strings.ToUpper(q.Period)
	}
	return up, nil
}

func (p *usagePlanProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	plan, err := p.plan(NewID(), nil, props)
	if err != nil {
		return "", nil, err
	}
	up, err := p.s.g.PutUsagePlan(ctx, plan)
	if err != nil {
		return "", nil, err
	}
	return up.ID, stacks.Attrs{"Id": up.ID}, nil
}

func (p *usagePlanProvider) Update(ctx context.Context, id string, _, props stacks.Props) (stacks.Attrs, error) {
	if _, err := p.plan(id, nil, props); err != nil {
		return nil, err
	}
	_, err := p.s.g.UpdateUsagePlan(ctx, id, func(up *UsagePlan) error {
		next, err := p.plan(id, up.KeyIDs, props) // keys come from UsagePlanKey resources
		*up = next
		return err
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
	var m struct{ UsagePlanId, KeyId string }
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	plan, key := m.UsagePlanId, m.KeyId
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
