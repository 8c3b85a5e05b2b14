package events

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/eventpattern"
)

// maxRulesPerBus is EventBridge's default quota of rules per bus.
const maxRulesPerBus = 300

type (
	putRuleIn struct {
		Name               string
		EventBusName       string
		EventPattern       string
		ScheduleExpression string
		State              string
		Description        string
		RoleArn            string
		Tags               []tag
	}
	putRuleOut struct {
		RuleArn string `json:"RuleArn"`
	}
	ruleIn struct {
		Name         string
		EventBusName string
	}
	deleteRuleIn struct {
		Name         string
		EventBusName string
		Force        bool
	}
	wireRule struct {
		Name               string `json:"Name"`
		Arn                string `json:"Arn"`
		EventPattern       string `json:"EventPattern,omitempty"`
		ScheduleExpression string `json:"ScheduleExpression,omitempty"`
		State              string `json:"State"`
		Description        string `json:"Description,omitempty"`
		RoleArn            string `json:"RoleArn,omitempty"`
		ManagedBy          string `json:"ManagedBy,omitempty"`
		EventBusName       string `json:"EventBusName"`
	}
	listRulesIn struct {
		NamePrefix   string
		EventBusName string
		NextToken    string
		Limit        int
	}
	listRulesOut struct {
		Rules     []wireRule `json:"Rules"`
		NextToken string     `json:"NextToken,omitempty"`
	}
	byTargetIn struct {
		TargetArn    string
		EventBusName string
		NextToken    string
		Limit        int
	}
	byTargetOut struct {
		RuleNames []string `json:"RuleNames"`
		NextToken string   `json:"NextToken,omitempty"`
	}
)

func (s *Service) wireRule(bus string, r *Rule) wireRule {
	return wireRule{Name: r.Name, Arn: s.RuleARN(bus, r.Name), EventPattern: r.EventPattern, ScheduleExpression: r.ScheduleExpression,
		State: r.State, Description: r.Description, RoleArn: r.RoleArn, ManagedBy: r.ManagedBy, EventBusName: bus}
}

// RuleSpec is what PutRule sets on a rule.
type RuleSpec struct {
	Bus, Name, EventPattern, ScheduleExpression, State, Description, RoleArn string
	Tags                                                                     map[string]string
}

// PutRule creates or updates a rule (its targets and tags stay).
func (s *Service) PutRule(ctx context.Context, in RuleSpec) (string, error) {
	if in.EventPattern == "" && in.ScheduleExpression == "" {
		return "", awsapi.ValidationError("Parameter(s) EventPattern or ScheduleExpression must be specified.")
	}
	if in.EventPattern != "" {
		if err := eventpattern.Validate(in.EventPattern); err != nil {
			return "", err
		}
	}
	if in.ScheduleExpression != "" {
		if in.Bus != DefaultBus {
			return "", awsapi.ValidationError("ScheduleExpression is supported only on the default event bus.")
		}
		if _, err := parseSchedule(in.ScheduleExpression); err != nil {
			return "", awsapi.ValidationError("Parameter ScheduleExpression is not valid: %v.", err)
		}
	}
	switch in.State {
	case "":
		in.State = StateEnabled
	case StateEnabled, StateDisabled:
	default:
		return "", awsapi.ValidationError("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]", in.State)
	}
	_, err := s.modifyBus(ctx, in.Bus, func(b *Bus) error {
		r := b.Rules[in.Name]
		if r == nil {
			if len(b.Rules) >= maxRulesPerBus {
				return fmt.Errorf("the maximum number of rules (%d) for event bus %s is reached: %w", maxRulesPerBus, in.Bus, ErrLimitExceeded)
			}
			r = &Rule{Name: in.Name, Created: s.opts.Now().UTC(), Tags: in.Tags}
			b.Rules[in.Name] = r
		}
		r.EventPattern, r.ScheduleExpression, r.State = in.EventPattern, in.ScheduleExpression, in.State
		r.Description, r.RoleArn = in.Description, in.RoleArn
		return nil
	})
	if err != nil {
		return "", err
	}
	return s.RuleARN(in.Bus, in.Name), nil
}

func (s *Service) putRule(c *awsapi.Call, in *putRuleIn) (putRuleOut, error) {
	if err := checkRuleName("name", in.Name); err != nil {
		return putRuleOut{}, err
	}
	arn, err := s.PutRule(ctxOf(c), RuleSpec{Bus: busName(in.EventBusName), Name: in.Name, EventPattern: in.EventPattern,
		ScheduleExpression: in.ScheduleExpression, State: in.State, Description: in.Description, RoleArn: in.RoleArn, Tags: tagMap(in.Tags)})
	return putRuleOut{RuleArn: arn}, err
}

// DeleteRule deletes a rule with no targets left; a rule that does not
// exist is deleted already.
func (s *Service) DeleteRule(ctx context.Context, bus, name string, force bool) error {
	_, err := s.modifyBus(ctx, bus, func(b *Bus) error {
		r := b.Rules[name]
		if r == nil {
			return nil
		}
		if r.ManagedBy != "" && !force {
			return fmt.Errorf("rule %s is managed by %s: %w", name, r.ManagedBy, ErrManaged)
		}
		if len(r.Targets) > 0 {
			return fmt.Errorf("rule can't be deleted since it has targets: %w", ErrValidation)
		}
		delete(b.Rules, name)
		return nil
	})
	return err
}

func (s *Service) deleteRule(c *awsapi.Call, in *deleteRuleIn) (awsapi.None, error) {
	if err := checkRuleName("name", in.Name); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, s.DeleteRule(ctxOf(c), busName(in.EventBusName), in.Name, in.Force)
}

// rule reads one rule of a bus.
func (s *Service) rule(ctx context.Context, bus, name string) (*Rule, error) {
	b, _, err := s.GetBus(ctx, bus)
	if err != nil {
		return nil, err
	}
	r := b.Rules[name]
	if r == nil {
		return nil, fmt.Errorf("rule %s does not exist on EventBus %s: %w", name, bus, ErrNotFound)
	}
	return r, nil
}

func (s *Service) describeRule(c *awsapi.Call, in *ruleIn) (wireRule, error) {
	bus := busName(in.EventBusName)
	r, err := s.rule(ctxOf(c), bus, in.Name)
	if err != nil {
		return wireRule{}, err
	}
	return s.wireRule(bus, r), nil
}

func (s *Service) setRuleState(ctx context.Context, in *ruleIn, state string) error {
	bus := busName(in.EventBusName)
	_, err := s.modifyBus(ctx, bus, func(b *Bus) error {
		r := b.Rules[in.Name]
		if r == nil {
			return fmt.Errorf("rule %s does not exist on EventBus %s: %w", in.Name, bus, ErrNotFound)
		}
		r.State = state
		return nil
	})
	return err
}

// sortedRules are a bus's rules by name.
func sortedRules(b *Bus) []*Rule {
	out := make([]*Rule, 0, len(b.Rules))
	for _, r := range b.Rules {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func checkLimit(limit int) error {
	if limit < 0 || limit > 100 {
		return awsapi.ValidationError("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value between 1 and 100", limit)
	}
	return nil
}

func (s *Service) listRules(c *awsapi.Call, in *listRulesIn) (listRulesOut, error) {
	if err := checkLimit(in.Limit); err != nil {
		return listRulesOut{}, err
	}
	bus := busName(in.EventBusName)
	b, _, err := s.GetBus(ctxOf(c), bus)
	if err != nil {
		return listRulesOut{}, err
	}
	var all []wireRule
	for _, r := range sortedRules(b) {
		if strings.HasPrefix(r.Name, in.NamePrefix) {
			all = append(all, s.wireRule(bus, r))
		}
	}
	page, next, err := awsapi.Page(all, in.NextToken, in.Limit, 100)
	return listRulesOut{Rules: nonNil(page), NextToken: next}, err
}

func (s *Service) listRuleNamesByTarget(c *awsapi.Call, in *byTargetIn) (byTargetOut, error) {
	if err := checkLimit(in.Limit); err != nil {
		return byTargetOut{}, err
	}
	if in.TargetArn == "" {
		return byTargetOut{}, awsapi.ValidationError("1 validation error detected: Value null at 'targetArn' failed to satisfy constraint: Member must not be null")
	}
	b, _, err := s.GetBus(ctxOf(c), busName(in.EventBusName))
	if err != nil {
		return byTargetOut{}, err
	}
	var names []string
	for _, r := range sortedRules(b) {
		for _, t := range r.Targets {
			if t.Arn == in.TargetArn {
				names = append(names, r.Name)
				break
			}
		}
	}
	page, next, err := awsapi.Page(names, in.NextToken, in.Limit, 100)
	return byTargetOut{RuleNames: nonNil(page), NextToken: next}, err
}
