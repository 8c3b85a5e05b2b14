package schedules

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

// Schedule states and modes.
const (
	StateEnabled  = "ENABLED"
	StateDisabled = "DISABLED"
	ModeOff       = "OFF"
	ModeFlexible  = "FLEXIBLE"
	ActionNone    = "NONE"
	ActionDelete  = "DELETE"
)

// Functions invokes a target function asynchronously (the functions
// context's async invoker, passed by the platform).
type Functions interface {
	InvokeAsync(ctx context.Context, functionARN string, payload []byte) error
}

// Roles checks a target's execution role: it exists, trusts
// scheduler.amazonaws.com and may call the target (lambda:InvokeFunction).
type Roles interface {
	MayInvoke(ctx context.Context, roleARN, functionARN string) error
}

// DeadLetters sends a firing given up to a target's dead-letter queue (an
// SQS queue ARN). Nil until nubo has queues: such firings are logged.
type DeadLetters interface {
	SendDeadLetter(ctx context.Context, queueARN string, body []byte, attributes map[string]string) error
}

// Options configures a Service.
type Options struct {
	Backbone    *backbone.Backbone
	Account     awsapi.Account
	Authorizer  awsapi.Authorizer
	Functions   Functions
	Roles       Roles       // nil: roles are not checked (--iam off)
	DeadLetters DeadLetters // nil: dead letters are logged
	Logger      *slog.Logger
	Now         func() time.Time
}

// Service is EventBridge Scheduler in one region.
type Service struct {
	opts  Options
	log   *slog.Logger
	now   func() time.Time
	timer *Timer

	mu        sync.Mutex
	schedules *backbone.KV[Schedule]
	groups    *backbone.KV[Group]
}

// New validates o; it starts nothing.
func New(o Options) (*Service, error) {
	if o.Backbone == nil {
		return nil, errors.New("schedules: a backbone is required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Account.Region == "" {
		o.Account = awsapi.Account{Region: awsapi.DefaultRegion, ID: awsapi.DefaultAccountID}
	}
	s := &Service{opts: o, log: o.Logger, now: o.Now}
	t, err := NewTimer(TimerOptions{Backbone: o.Backbone, Name: "scheduler", Fire: s.fire, Logger: o.Logger, Now: o.Now,
		DeadLetter: s.deadLetter})
	if err != nil {
		return nil, err
	}
	s.timer = t
	return s, nil
}

// Start opens the buckets, makes the default group and starts this node's
// firing workers.
func (s *Service) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.schedules == nil {
		sk, err := backbone.OpenKV[Schedule](ctx, s.opts.Backbone, jetstream.KeyValueConfig{Bucket: "nubo_schedules", Description: "nubo EventBridge Scheduler schedules", History: 1})
		if err != nil {
			s.mu.Unlock()
			return fmt.Errorf("schedules: %w", err)
		}
		gk, err := backbone.OpenKV[Group](ctx, s.opts.Backbone, jetstream.KeyValueConfig{Bucket: "nubo_schedule_groups", Description: "nubo EventBridge Scheduler schedule groups", History: 1})
		if err != nil {
			s.mu.Unlock()
			return fmt.Errorf("schedules: %w", err)
		}
		s.schedules, s.groups = sk, gk
	}
	s.mu.Unlock()
	if _, err := s.CreateGroup(ctx, DefaultGroup, nil); err != nil && !errors.Is(err, ErrConflict) {
		return err
	}
	return s.timer.Start(ctx)
}

// Close stops this node's firing workers.
func (s *Service) Close(ctx context.Context) error { return s.timer.Close(ctx) }

// ScheduleARN is a schedule's ARN.
func (s *Service) ScheduleARN(group, name string) string {
	return s.opts.Account.ARN("scheduler", "schedule/"+group+"/"+name)
}

// GroupARN is a schedule group's ARN.
func (s *Service) GroupARN(name string) string {
	return s.opts.Account.ARN("scheduler", "schedule-group/"+name)
}

// groupOfARN reads a schedule group's name from its ARN.
func (s *Service) groupOfARN(arn string) (string, error) {
	prefix := strings.TrimSuffix(s.GroupARN("x"), "x")
	name, ok := strings.CutPrefix(arn, prefix)
	if !ok || checkName("ResourceArn", name) != nil {
		return "", invalid("Invalid ResourceArn %s: only schedule groups of this account and region are tagged.", arn)
	}
	return name, nil
}

// validate checks a schedule before it is stored.
func (s *Service) validate(ctx context.Context, sc *Schedule) error {
	if err := checkName("name", sc.Name); err != nil {
		return err
	}
	if sc.Group == "" {
		sc.Group = DefaultGroup
	}
	if err := checkName("groupName", sc.Group); err != nil {
		return err
	}
	if _, err := s.GetGroup(ctx, sc.Group); err != nil {
		return err
	}
	e, err := ParseExpression(sc.Expression)
	if err != nil {
		return err
	}
	if _, err := ParseTimezone(sc.Timezone); err != nil {
		return invalid("Invalid ScheduleExpressionTimezone %s: an IANA time zone name such as America/New_York.", sc.Timezone)
	}
	if !sc.Start.IsZero() && !sc.End.IsZero() && !sc.End.After(sc.Start) {
		return invalid("The EndDate must be after the StartDate.")
	}
	if !sc.End.IsZero() && sc.End.Before(s.now()) {
		return invalid("The EndDate must be in the future.")
	}
	if e.Kind == KindAt && (!sc.Start.IsZero() || !sc.End.IsZero()) {
		sc.Start, sc.End = time.Time{}, time.Time{} // one-time schedules ignore them, as Scheduler does
	}
	switch sc.State {
	case "":
		sc.State = StateEnabled
	case StateEnabled, StateDisabled:
	default:
		return invalid("1 validation error detected: Value '%s' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]", sc.State)
	}
	switch sc.ActionAfterCompletion {
	case "":
		sc.ActionAfterCompletion = ActionNone
	case ActionNone, ActionDelete:
	default:
		return invalid("1 validation error detected: Value '%s' at 'actionAfterCompletion' failed to satisfy constraint: Member must satisfy enum value set: [NONE, DELETE]", sc.ActionAfterCompletion)
	}
	switch sc.FlexibleMode {
	case ModeOff:
		if sc.FlexibleWindowMinutes != 0 {
			return invalid("MaximumWindowInMinutes is only valid when the FlexibleTimeWindow's Mode is FLEXIBLE.")
		}
	case ModeFlexible:
		if sc.FlexibleWindowMinutes < 1 || sc.FlexibleWindowMinutes > 1440 {
			return invalid("MaximumWindowInMinutes must be between 1 and 1440 when the FlexibleTimeWindow's Mode is FLEXIBLE.")
		}
	case "":
		return invalid("1 validation error detected: Value null at 'flexibleTimeWindow' failed to satisfy constraint: Member must not be null")
	default:
		return invalid("1 validation error detected: Value '%s' at 'flexibleTimeWindow.mode' failed to satisfy constraint: Member must satisfy enum value set: [OFF, FLEXIBLE]", sc.FlexibleMode)
	}
	return s.validateTarget(ctx, &sc.Target)
}

// validateTarget accepts function targets (and keeps templated targets
// of other services, which fire once nubo has them); universal targets
// are refused.
func (s *Service) validateTarget(ctx context.Context, t *Target) error {
	if t.Arn == "" || t.RoleArn == "" {
		return invalid("1 validation error detected: a target needs an Arn and a RoleArn")
	}
	if strings.HasPrefix(t.Arn, "arn:aws:scheduler:::aws-sdk:") {
		return invalid("Universal targets (%s) are not supported by nubo: use a templated target (a Lambda function).", t.Arn)
	}
	if t.Input != nil && len(*t.Input) > 8192 {
		return invalid("The target's Input is longer than 8192 characters.")
	}
	if p := t.RetryPolicy; p != nil {
		if a := p.MaximumRetryAttempts; a != nil && (*a < 0 || *a > 185) {
			return invalid("MaximumRetryAttempts must be between 0 and 185.")
		}
		if a := p.MaximumEventAgeInSeconds; a != nil && (*a < 60 || *a > 86400) {
			return invalid("MaximumEventAgeInSeconds must be between 60 and 86400.")
		}
	}
	if !isFunctionARN(t.Arn) {
		return invalid("Target %s is not supported by nubo yet: the targets that fire are Lambda functions.", t.Arn)
	}
	if s.opts.Roles != nil {
		if err := s.opts.Roles.MayInvoke(ctx, t.RoleArn, t.Arn); err != nil {
			return invalid("The execution role %s cannot invoke %s: %v", t.RoleArn, t.Arn, err)
		}
	}
	return nil
}

func isFunctionARN(arn string) bool {
	parts := strings.SplitN(arn, ":", 7)
	return len(parts) >= 7 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function"
}
