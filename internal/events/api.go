package events

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// API returns the EventBridge API (JSON 1.1, signing name "events",
// X-Amz-Target AWSEvents.*): each operation authorized as its IAM action
// on the bus or rule it names.
func (s *Service) API() (*awsapi.API, error) {
	return awsapi.NewAPI(awsapi.Spec{
		Service:      "events",
		SDKID:        "eventbridge",
		Protocol:     awsapi.JSON,
		TargetPrefix: "AWSEvents",
		Authorizer:   s.opts.Authorizer,
		Logger:       s.log,
		MapError:     wireError,
		Ops: append([]awsapi.Declared{
			awsapi.Op[createBusIn, createBusOut]{Name: "CreateEventBus", Action: "events:CreateEventBus",
				Resources: func(c *awsapi.Call, in *createBusIn) ([]awsapi.Target, error) {
					return []awsapi.Target{{Resource: s.BusARN(in.Name), RequestTags: tagMap(in.Tags)}}, nil
				}, Handler: s.createBus},
			awsapi.Op[busNameIn, awsapi.None]{Name: "DeleteEventBus", Action: "events:DeleteEventBus",
				Resources: s.busTarget, Handler: func(c *awsapi.Call, in *busNameIn) (awsapi.None, error) {
					return awsapi.None{}, s.DeleteBus(c.Context(), in.Name)
				}},
			awsapi.Op[busNameIn, wireBus]{Name: "DescribeEventBus", Action: "events:DescribeEventBus",
				Resources: s.busTarget, Handler: s.describeBus},
			awsapi.Op[listBusesIn, listBusesOut]{Name: "ListEventBuses", Action: "events:ListEventBuses", Handler: s.listBuses},
			awsapi.Op[putEventsIn, putEventsOut]{Name: "PutEvents", Action: "events:PutEvents",
				Resources: s.putEventsTargets, Handler: s.putEvents},
			awsapi.Op[testPatternIn, testPatternOut]{Name: "TestEventPattern", Action: "events:TestEventPattern", Handler: s.testEventPattern},
			awsapi.Op[putRuleIn, putRuleOut]{Name: "PutRule", Action: "events:PutRule",
				Resources: func(c *awsapi.Call, in *putRuleIn) ([]awsapi.Target, error) {
					t := s.ruleTarget(c, in.EventBusName, in.Name)
					t.RequestTags = tagMap(in.Tags)
					return []awsapi.Target{t}, nil
				}, Handler: s.putRule},
			awsapi.Op[deleteRuleIn, awsapi.None]{Name: "DeleteRule", Action: "events:DeleteRule",
				Resources: func(c *awsapi.Call, in *deleteRuleIn) ([]awsapi.Target, error) {
					return []awsapi.Target{s.ruleTarget(c, in.EventBusName, in.Name)}, nil
				}, Handler: s.deleteRule},
			awsapi.Op[ruleIn, wireRule]{Name: "DescribeRule", Action: "events:DescribeRule",
				Resources: s.ruleInTarget, Handler: s.describeRule},
			awsapi.Op[ruleIn, awsapi.None]{Name: "EnableRule", Action: "events:EnableRule",
				Resources: s.ruleInTarget, Handler: func(c *awsapi.Call, in *ruleIn) (awsapi.None, error) {
					return awsapi.None{}, s.setRuleState(c.Context(), in, StateEnabled)
				}},
			awsapi.Op[ruleIn, awsapi.None]{Name: "DisableRule", Action: "events:DisableRule",
				Resources: s.ruleInTarget, Handler: func(c *awsapi.Call, in *ruleIn) (awsapi.None, error) {
					return awsapi.None{}, s.setRuleState(c.Context(), in, StateDisabled)
				}},
			awsapi.Op[listRulesIn, listRulesOut]{Name: "ListRules", Action: "events:ListRules", Handler: s.listRules},
			awsapi.Op[byTargetIn, byTargetOut]{Name: "ListRuleNamesByTarget", Action: "events:ListRuleNamesByTarget", Handler: s.listRuleNamesByTarget},
			awsapi.Op[putTargetsIn, targetsResultOut]{Name: "PutTargets", Action: "events:PutTargets",
				Resources: func(c *awsapi.Call, in *putTargetsIn) ([]awsapi.Target, error) {
					return []awsapi.Target{s.ruleTarget(c, in.EventBusName, in.Rule)}, nil
				}, Handler: s.putTargets},
			awsapi.Op[removeTargetsIn, targetsResultOut]{Name: "RemoveTargets", Action: "events:RemoveTargets",
				Resources: func(c *awsapi.Call, in *removeTargetsIn) ([]awsapi.Target, error) {
					return []awsapi.Target{s.ruleTarget(c, in.EventBusName, in.Rule)}, nil
				}, Handler: s.removeTargets},
			awsapi.Op[listTargetsIn, listTargetsOut]{Name: "ListTargetsByRule", Action: "events:ListTargetsByRule",
				Resources: func(c *awsapi.Call, in *listTargetsIn) ([]awsapi.Target, error) {
					return []awsapi.Target{s.ruleTarget(c, in.EventBusName, in.Rule)}, nil
				}, Handler: s.listTargets},
			awsapi.Op[tagIn, awsapi.None]{Name: "TagResource", Action: "events:TagResource",
				Resources: func(c *awsapi.Call, in *tagIn) ([]awsapi.Target, error) {
					t := s.arnTarget(c, in.ResourceARN)
					t.RequestTags = tagMap(in.Tags)
					return []awsapi.Target{t}, nil
				}, Handler: s.tagResource},
			awsapi.Op[untagIn, awsapi.None]{Name: "UntagResource", Action: "events:UntagResource",
				Resources: func(c *awsapi.Call, in *untagIn) ([]awsapi.Target, error) {
					return []awsapi.Target{s.arnTarget(c, in.ResourceARN)}, nil
				}, Handler: s.untagResource},
			awsapi.Op[listTagsIn, listTagsOut]{Name: "ListTagsForResource", Action: "events:ListTagsForResource",
				Resources: func(c *awsapi.Call, in *listTagsIn) ([]awsapi.Target, error) {
					return []awsapi.Target{s.arnTarget(c, in.ResourceARN)}, nil
				}, Handler: s.listTags},
			awsapi.Op[putPermissionIn, awsapi.None]{Name: "PutPermission", Action: "events:PutPermission",
				Resources: func(c *awsapi.Call, in *putPermissionIn) ([]awsapi.Target, error) {
					return s.busTarget(c, &busNameIn{Name: orDefault(in.EventBusName)})
				}, Handler: s.putPermission},
			awsapi.Op[removePermissionIn, awsapi.None]{Name: "RemovePermission", Action: "events:RemovePermission",
				Resources: func(c *awsapi.Call, in *removePermissionIn) ([]awsapi.Target, error) {
					return s.busTarget(c, &busNameIn{Name: orDefault(in.EventBusName)})
				}, Handler: s.removePermission},
		}, append(s.archiveOps(), s.apiDestOps()...)...),
	})
}

var (
	busNameRE  = regexp.MustCompile(`^[/\.\-_A-Za-z0-9]{1,256}$`)
	ruleNameRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)
)

func checkBusName(field, name string) error {
	if !busNameRE.MatchString(name) {
		return awsapi.ValidationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [/\\.\\-_A-Za-z0-9]+ and have length between 1 and 256", name, field)
	}
	return nil
}

func checkRuleName(field, name string) error {
	if !ruleNameRE.MatchString(name) {
		return awsapi.ValidationError("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length between 1 and 64", name, field)
	}
	return nil
}

func orDefault(bus string) string {
	if bus == "" {
		return DefaultBus
	}
	return bus
}

// busName reads an EventBusName member: a name or a bus's ARN.
func busName(ref string) string {
	ref = orDefault(ref)
	if strings.HasPrefix(ref, "arn:") {
		if a, err := awsapi.ParseARN(ref); err == nil {
			return strings.TrimPrefix(a.Resource, "event-bus/")
		}
	}
	return ref
}

func (s *Service) busTarget(c *awsapi.Call, in *busNameIn) ([]awsapi.Target, error) {
	t := awsapi.Target{Resource: s.BusARN(busName(in.Name))}
	if b, _, err := s.GetBus(c.Context(), busName(in.Name)); err == nil {
		t.ResourceTags = b.Tags
	}
	return []awsapi.Target{t}, nil
}

func (s *Service) ruleTarget(c *awsapi.Call, bus, rule string) awsapi.Target {
	bus = busName(bus)
	t := awsapi.Target{Resource: s.RuleARN(bus, rule)}
	if b, _, err := s.GetBus(c.Context(), bus); err == nil && b.Rules[rule] != nil {
		t.ResourceTags = b.Rules[rule].Tags
	}
	return t
}

func (s *Service) ruleInTarget(c *awsapi.Call, in *ruleIn) ([]awsapi.Target, error) {
	return []awsapi.Target{s.ruleTarget(c, in.EventBusName, in.Name)}, nil
}

// arnTarget is the bus or rule a tagging operation names.
func (s *Service) arnTarget(c *awsapi.Call, arn string) awsapi.Target {
	t := awsapi.Target{Resource: arn}
	if bus, rule, err := s.parseResourceARN(arn); err == nil {
		if b, _, err := s.GetBus(c.Context(), bus); err == nil {
			t.ResourceTags = b.Tags
			if rule != "" && b.Rules[rule] != nil {
				t.ResourceTags = b.Rules[rule].Tags
			}
		}
	}
	return t
}

// parseResourceARN reads a bus's or a rule's ARN in this account.
func (s *Service) parseResourceARN(arn string) (bus, rule string, err error) {
	a, err := awsapi.ParseARN(arn)
	if err != nil || a.Service != "events" {
		return "", "", fmt.Errorf("%s is not an EventBridge ARN: %w", arn, ErrValidation)
	}
	if a.AccountID != s.opts.Account.ID || a.Region != s.opts.Account.Region {
		return "", "", fmt.Errorf("resource %s does not exist: %w", arn, ErrNotFound)
	}
	switch {
	case strings.HasPrefix(a.Resource, "event-bus/"):
		return strings.TrimPrefix(a.Resource, "event-bus/"), "", nil
	case strings.HasPrefix(a.Resource, "rule/"):
		r := strings.TrimPrefix(a.Resource, "rule/")
		if i := strings.LastIndexByte(r, '/'); i >= 0 {
			return r[:i], r[i+1:], nil
		}
		return DefaultBus, r, nil
	}
	return "", "", fmt.Errorf("resource %s does not exist: %w", arn, ErrNotFound)
}

// epoch is a timestamp as JSON 1.1 encodes it: seconds since the epoch.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

// ctxOf is the context of a call.
func ctxOf(c *awsapi.Call) context.Context { return c.Context() }
