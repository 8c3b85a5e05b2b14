package schedules

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/stacks"
)

// ScheduleProvider is AWS::Scheduler::Schedule. Its physical id (Ref) is
// the schedule's name, "GROUP/NAME" for a schedule outside the default
// group; Fn::GetAtt Arn.
type ScheduleProvider struct{ s *Service }

// GroupProvider is AWS::Scheduler::ScheduleGroup: Ref is the name;
// Fn::GetAtt Arn, CreationDate, LastModificationDate, State.
type GroupProvider struct{ s *Service }

// NewScheduleProvider returns the provider over s.
func NewScheduleProvider(s *Service) *ScheduleProvider { return &ScheduleProvider{s: s} }

// NewGroupProvider returns the provider over s.
func NewGroupProvider(s *Service) *GroupProvider { return &GroupProvider{s: s} }

var (
	_ stacks.Provider   = (*ScheduleProvider)(nil)
	_ stacks.Identifier = (*ScheduleProvider)(nil)
	_ stacks.Provider   = (*GroupProvider)(nil)
	_ stacks.Identifier = (*GroupProvider)(nil)
)

// Type implements stacks.Provider.
func (*ScheduleProvider) Type() string { return "AWS::Scheduler::Schedule" }

// Stateful: a schedule is configuration.
func (*ScheduleProvider) Stateful() bool { return false }

// Schema follows the registry schema (cfn-lint's data/schemas):
// required FlexibleTimeWindow, ScheduleExpression, Target; create-only Name.
func (*ScheduleProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"Name":                       {Type: stacks.String, CreateOnly: true},
			"GroupName":                  {Type: stacks.String, CreateOnly: true},
			"Description":                {Type: stacks.String},
			"ScheduleExpression":         {Type: stacks.String, Required: true},
			"ScheduleExpressionTimezone": {Type: stacks.String},
			"StartDate":                  {Type: stacks.String},
			"EndDate":                    {Type: stacks.String},
			"State":                      {Type: stacks.String, Enum: []string{StateEnabled, StateDisabled}},
			"FlexibleTimeWindow":         {Type: stacks.Object, Required: true},
			"KmsKeyArn":                  {Type: stacks.String},
			"Target":                     {Type: stacks.Object, Required: true},
			"ActionAfterCompletion":      {Type: stacks.String, Enum: []string{ActionNone, ActionDelete}},
		},
		Attributes: []string{"Arn"},
	}
}

type scheduleModel struct {
	Name                       string
	GroupName                  string
	Description                string
	ScheduleExpression         string
	ScheduleExpressionTimezone string
	StartDate                  string
	EndDate                    string
	State                      string
	FlexibleTimeWindow         struct {
		Mode                   string
		MaximumWindowInMinutes int
	}
	KmsKeyArn             string
	ActionAfterCompletion string
	Target                struct {
		Arn         string
		RoleArn     string
		Input       *string
		RetryPolicy *struct {
			MaximumEventAgeInSeconds *int
			MaximumRetryAttempts     *int
		}
		DeadLetterConfig *DeadLetterConfig
		SqsParameters    map[string]any
	}
}

func scheduleID(group, name string) string {
	if group == "" || group == DefaultGroup {
		return name
	}
	return group + "/" + name
}

func splitScheduleID(id string) (group, name string) {
	if g, n, ok := strings.Cut(id, "/"); ok {
		return g, n
	}
	return DefaultGroup, id
}

// PhysicalIDFor implements stacks.Identifier.
func (*ScheduleProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	var m scheduleModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", false
	}
	return scheduleID(m.GroupName, m.name(ctx)), true
}

func (m *scheduleModel) name(ctx context.Context) string {
	if m.Name != "" {
		return m.Name
	}
	return stacks.GeneratedName(ctx, 64)
}

func parseDate(field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04:05.000Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, &stacks.PropertyError{Property: field, Msg: fmt.Sprintf("%q is not an ISO 8601 date and time", s)}
}

func (m *scheduleModel) schedule(group, name string) (*Schedule, error) {
	start, err := parseDate("StartDate", m.StartDate)
	if err != nil {
		return nil, err
	}
	end, err := parseDate("EndDate", m.EndDate)
	if err != nil {
		return nil, err
	}
	sc := &Schedule{Group: group, Name: name, Description: m.Description, Expression: m.ScheduleExpression,
		Timezone: m.ScheduleExpressionTimezone, Start: start, End: end, State: m.State,
		FlexibleMode: m.FlexibleTimeWindow.Mode, FlexibleWindowMinutes: m.FlexibleTimeWindow.MaximumWindowInMinutes,
		KmsKeyArn: m.KmsKeyArn, ActionAfterCompletion: m.ActionAfterCompletion,
		Target: Target{Arn: m.Target.Arn, RoleArn: m.Target.RoleArn, Input: m.Target.Input,
			DeadLetterConfig: m.Target.DeadLetterConfig, SqsParameters: m.Target.SqsParameters}}
	if r := m.Target.RetryPolicy; r != nil {
		sc.Target.RetryPolicy = &RetryPolicy{MaximumEventAgeInSeconds: r.MaximumEventAgeInSeconds, MaximumRetryAttempts: r.MaximumRetryAttempts}
	}
	return sc, nil
}

// Create implements stacks.Provider.
func (p *ScheduleProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m scheduleModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	group, name := splitScheduleID(scheduleID(m.GroupName, m.name(ctx)))
	sc, err := m.schedule(group, name)
	if err != nil {
		return "", nil, err
	}
	if err := p.s.Put(ctx, sc, true); err != nil {
		return "", nil, err
	}
	return scheduleID(group, name), stacks.Attrs{"Arn": p.s.ScheduleARN(group, name)}, nil
}

// Update implements stacks.Provider.
func (p *ScheduleProvider) Update(ctx context.Context, physicalID string, _, new stacks.Props) (stacks.Attrs, error) {
	var m scheduleModel
	if err := stacks.Decode(new, &m); err != nil {
		return nil, err
	}
	group, name := splitScheduleID(physicalID)
	sc, err := m.schedule(group, name)
	if err != nil {
		return nil, err
	}
	if err := p.s.Put(ctx, sc, false); err != nil {
		return nil, err
	}
	return stacks.Attrs{"Arn": p.s.ScheduleARN(group, name)}, nil
}

// Delete implements stacks.Provider.
func (p *ScheduleProvider) Delete(ctx context.Context, physicalID string) error {
	group, name := splitScheduleID(physicalID)
	return gone(p.s.Delete(ctx, group, name))
}

// Read implements stacks.Provider.
func (p *ScheduleProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	group, name := splitScheduleID(physicalID)
	sc, err := p.s.Get(ctx, group, name)
	if err != nil {
		return nil, gone(err)
	}
	out := stacks.Props{"Name": sc.Name, "GroupName": sc.Group, "ScheduleExpression": sc.Expression, "State": sc.State,
		"FlexibleTimeWindow": map[string]any{"Mode": sc.FlexibleMode},
		"Target":             map[string]any{"Arn": sc.Target.Arn, "RoleArn": sc.Target.RoleArn}}
	if sc.FlexibleMode == ModeFlexible {
		out["FlexibleTimeWindow"].(map[string]any)["MaximumWindowInMinutes"] = sc.FlexibleWindowMinutes
	}
	if sc.Target.Input != nil {
		out["Target"].(map[string]any)["Input"] = *sc.Target.Input
	}
	for k, v := range map[string]string{"Description": sc.Description, "ScheduleExpressionTimezone": sc.Timezone, "KmsKeyArn": sc.KmsKeyArn} {
		if v != "" {
			out[k] = v
		}
	}
	return out, nil
}

// gone is err with stacks.ErrNotFound for a schedule or group that is gone.
func gone(err error) error {
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	return err
}

// Type implements stacks.Provider.
func (*GroupProvider) Type() string { return "AWS::Scheduler::ScheduleGroup" }

// Stateful: a group is configuration.
func (*GroupProvider) Stateful() bool { return false }

// Schema follows the registry schema: create-only Name.
func (*GroupProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"Name": {Type: stacks.String, CreateOnly: true},
			"Tags": {Type: stacks.List, Unordered: true},
		},
		Attributes: []string{"Arn", "CreationDate", "LastModificationDate", "State"},
	}
}

type groupModel struct {
	Name string
	Tags []struct{ Key, Value string }
}

func (m *groupModel) name(ctx context.Context) string {
	if m.Name != "" {
		return m.Name
	}
	return stacks.GeneratedName(ctx, 64)
}

func (m *groupModel) tags() map[string]string {
	out := map[string]string{}
	for _, t := range m.Tags {
		out[t.Key] = t.Value
	}
	return out
}

// PhysicalIDFor implements stacks.Identifier.
func (*GroupProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	var m groupModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", false
	}
	return m.name(ctx), true
}

func (p *GroupProvider) attrs(g *Group) stacks.Attrs {
	return stacks.Attrs{"Arn": p.s.GroupARN(g.Name), "CreationDate": g.Created.Format(time.RFC3339),
		"LastModificationDate": g.Modified.Format(time.RFC3339), "State": "ACTIVE"}
}

// Create implements stacks.Provider.
func (p *GroupProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m groupModel
	if err := stacks.Decode(props, &m); err != nil {
		return "", nil, err
	}
	g, err := p.s.CreateGroup(ctx, m.name(ctx), m.tags())
	if err != nil {
		return "", nil, err
	}
	return g.Name, p.attrs(g), nil
}

// Update implements stacks.Provider: only the tags change in place.
func (p *GroupProvider) Update(ctx context.Context, physicalID string, old, new stacks.Props) (stacks.Attrs, error) {
	var o, m groupModel
	if err := stacks.Decode(old, &o); err != nil {
		return nil, err
	}
	if err := stacks.Decode(new, &m); err != nil {
		return nil, err
	}
	var remove []string
	for k := range o.tags() {
		if _, ok := m.tags()[k]; !ok {
			remove = append(remove, k)
		}
	}
	if err := p.s.TagGroup(ctx, physicalID, m.tags(), remove); err != nil {
		return nil, gone(err)
	}
	g, err := p.s.GetGroup(ctx, physicalID)
	if err != nil {
		return nil, gone(err)
	}
	return p.attrs(g), nil
}

// Delete implements stacks.Provider.
func (p *GroupProvider) Delete(ctx context.Context, physicalID string) error {
	return gone(p.s.DeleteGroup(ctx, physicalID))
}

// Read implements stacks.Provider.
func (p *GroupProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	g, err := p.s.GetGroup(ctx, physicalID)
	if err != nil {
		return nil, gone(err)
	}
	out := stacks.Props{"Name": g.Name}
	if len(g.Tags) > 0 {
		tags := make([]any, 0, len(g.Tags))
		for _, t := range tagList(g.Tags) {
			tags = append(tags, map[string]any{"Key": t.Key, "Value": t.Value})
		}
		out["Tags"] = tags
	}
	return out, nil
}
