package events

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// maxTargetsPerRule is EventBridge's quota of targets per rule.
const maxTargetsPerRule = 5

type (
	putTargetsIn struct {
		Rule         string
		EventBusName string
		Targets      []Target
	}
	removeTargetsIn struct {
		Rule         string
		EventBusName string
		Ids          []string
		Force        bool
	}
	failedEntry struct {
		TargetId     string `json:"TargetId"`
		ErrorCode    string `json:"ErrorCode"`
		ErrorMessage string `json:"ErrorMessage"`
	}
	targetsResultOut struct {
		FailedEntryCount int           `json:"FailedEntryCount"`
		FailedEntries    []failedEntry `json:"FailedEntries"`
	}
	listTargetsIn struct {
		Rule         string
		EventBusName string
		NextToken    string
		Limit        int
	}
	listTargetsOut struct {
		Targets   []Target `json:"Targets"`
		NextToken string   `json:"NextToken,omitempty"`
	}
)

var targetIDRE = regexp.MustCompile(`^[\.\-_A-Za-z0-9]{1,64}$`)

// targetServices are the services nubo delivers to.
var targetServices = map[string]bool{"lambda": true, "sqs": true, "events": true, "sns": true}

// checkTarget refuses a target EventBridge would refuse.
func checkTarget(i int, t *Target) error {
	if !targetIDRE.MatchString(t.Id) {
		return awsapi.ValidationError("1 validation error detected: Value '%s' at 'targets.%d.member.id' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+ and have length between 1 and 64", t.Id, i+1)
	}
	if _, err := awsapi.ParseARN(t.Arn); err != nil {
		return awsapi.ValidationError("Parameter %s is not valid. Reason: Provided Arn is not in correct format.", t.Arn)
	}
	n := 0
	for _, set := range []bool{t.Input != "", t.InputPath != "", t.InputTransformer != nil} {
		if set {
			n++
		}
	}
	if n > 1 {
		return awsapi.ValidationError("Only one of Input, InputPath, or InputTransformer must be provided for target %s.", t.Id)
	}
	if t.Input != "" && !jsonValid(t.Input) {
		return awsapi.ValidationError("Input for target %s is not valid JSON.", t.Id)
	}
	if t.InputPath != "" {
		if _, err := parsePath(t.InputPath); err != nil {
			return awsapi.ValidationError("InputPath for target %s is invalid: %v", t.Id, err)
		}
	}
	if t.InputTransformer != nil {
		if err := checkTransformer(t.InputTransformer); err != nil {
			return awsapi.ValidationError("InputTransformer for target %s is invalid: %v", t.Id, err)
		}
	}
	if rp := t.RetryPolicy; rp != nil {
		if a := rp.MaximumRetryAttempts; a != nil && (*a < 0 || *a > 185) {
			return awsapi.ValidationError("1 validation error detected: Value '%d' at 'targets.%d.member.retryPolicy.maximumRetryAttempts' failed to satisfy constraint: Member must have value between 0 and 185", *a, i+1)
		}
		if a := rp.MaximumEventAgeInSeconds; a != nil && (*a < 60 || *a > 86400) {
			return awsapi.ValidationError("1 validation error detected: Value '%d' at 'targets.%d.member.retryPolicy.maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value between 60 and 86400", *a, i+1)
		}
	}
	if d := t.DeadLetterConfig; d != nil && d.Arn != "" {
		if a, err := awsapi.ParseARN(d.Arn); err != nil || a.Service != "sqs" {
			return awsapi.ValidationError("The DeadLetterConfig Arn %s of target %s is not an SQS queue ARN.", d.Arn, t.Id)
		}
	}
	return nil
}

// PutTargets adds or replaces targets of a rule.
func (s *Service) PutTargets(ctx context.Context, bus, rule string, targets []Target) ([]failedEntry, error) {
	if len(targets) == 0 || len(targets) > 10 {
		return nil, awsapi.ValidationError("1 validation error detected: Value at 'targets' failed to satisfy constraint: Member must have length between 1 and 10")
	}
	var failed []failedEntry
	var ok []Target
	for i := range targets {
		t := targets[i]
		if err := checkTarget(i, &t); err != nil {
			return nil, err
		}
		a, _ := awsapi.ParseARN(t.Arn)
		if !targetServices[a.Service] && !strings.HasPrefix(a.Resource, "api-destination/") {
			failed = append(failed, failedEntry{TargetId: t.Id, ErrorCode: "ValidationException",
				ErrorMessage: fmt.Sprintf("nubo does not deliver to %s targets", a.Service)})
			continue
		}
		ok = append(ok, t)
	}
	_, err := s.modifyBus(ctx, bus, func(b *Bus) error {
		r := b.Rules[rule]
		if r == nil {
			return fmt.Errorf("rule %s does not exist on EventBus %s: %w", rule, bus, ErrNotFound)
		}
		next := append([]Target(nil), r.Targets...)
		for _, t := range ok {
			replaced := false
			for i := range next {
				if next[i].Id == t.Id {
					next[i], replaced = t, true
				}
			}
			if !replaced {
				next = append(next, t)
			}
		}
		if len(next) > maxTargetsPerRule {
			return fmt.Errorf("the requested resource exceeds the maximum number allowed: a rule has at most %d targets: %w", maxTargetsPerRule, ErrLimitExceeded)
		}
		r.Targets = next
		return nil
	})
	return failed, err
}

func (s *Service) putTargets(c *awsapi.Call, in *putTargetsIn) (targetsResultOut, error) {
	if err := checkRuleName("rule", in.Rule); err != nil {
		return targetsResultOut{}, err
	}
	failed, err := s.PutTargets(ctxOf(c), busName(in.EventBusName), in.Rule, in.Targets)
	return targetsResultOut{FailedEntryCount: len(failed), FailedEntries: nonNil(failed)}, err
}

// RemoveTargets removes targets of a rule by id.
func (s *Service) RemoveTargets(ctx context.Context, bus, rule string, ids []string) error {
	if len(ids) == 0 || len(ids) > 100 {
		return awsapi.ValidationError("1 validation error detected: Value at 'ids' failed to satisfy constraint: Member must have length between 1 and 100")
	}
	drop := map[string]bool{}
	for _, id := range ids {
		drop[id] = true
	}
	_, err := s.modifyBus(ctx, bus, func(b *Bus) error {
		r := b.Rules[rule]
		if r == nil {
			return fmt.Errorf("rule %s does not exist on EventBus %s: %w", rule, bus, ErrNotFound)
		}
		kept := r.Targets[:0]
		for _, t := range r.Targets {
			if !drop[t.Id] {
				kept = append(kept, t)
			}
		}
		r.Targets = kept
		return nil
	})
	return err
}

func (s *Service) removeTargets(c *awsapi.Call, in *removeTargetsIn) (targetsResultOut, error) {
	if err := checkRuleName("rule", in.Rule); err != nil {
		return targetsResultOut{}, err
	}
	err := s.RemoveTargets(ctxOf(c), busName(in.EventBusName), in.Rule, in.Ids)
	return targetsResultOut{FailedEntries: []failedEntry{}}, err
}

func (s *Service) listTargets(c *awsapi.Call, in *listTargetsIn) (listTargetsOut, error) {
	if err := checkLimit(in.Limit); err != nil {
		return listTargetsOut{}, err
	}
	r, err := s.rule(ctxOf(c), busName(in.EventBusName), in.Rule)
	if err != nil {
		return listTargetsOut{}, err
	}
	page, next, err := awsapi.Page(r.Targets, in.NextToken, in.Limit, 100)
	return listTargetsOut{Targets: nonNil(page), NextToken: next}, err
}
