package schedules

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/nubo-run/nubo/internal/backbone"
)

// AWS's retry policy defaults.
const (
	defaultRetries  = 185
	defaultEventAge = 86400
)

// fire invokes a schedule's target for one firing (one node takes it).
// A failed invocation is retried with backoff while the target's retry
// policy allows, then goes to its dead-letter queue.
func (s *Service) fire(ctx context.Context, f Firing) backbone.Outcome {
	group, name := splitTimerID(f.ID)
	sc, err := s.Get(ctx, group, name)
	if errors.Is(err, ErrNotFound) {
		return backbone.Ack()
	}
	if err != nil {
		return backbone.Retry(time.Second)
	}
	if sc.State != StateEnabled {
		return backbone.Ack()
	}
	err = s.invoke(ctx, sc)
	if err == nil {
		if f.Last && sc.ActionAfterCompletion == ActionDelete {
			if err := s.Delete(ctx, group, name); err != nil && !errors.Is(err, ErrNotFound) {
				s.log.Warn("schedule: delete after completion", "schedule", f.ID, "err", err)
			}
		}
		return backbone.Ack()
	}
	retries, age := defaultRetries, defaultEventAge
	if p := sc.Target.RetryPolicy; p != nil {
		if p.MaximumRetryAttempts != nil {
			retries = *p.MaximumRetryAttempts
		}
		if p.MaximumEventAgeInSeconds != nil {
			age = *p.MaximumEventAgeInSeconds
		}
	}
	s.log.Warn("schedule: invoking its target failed", "schedule", f.ID, "target", sc.Target.Arn, "attempt", f.Attempt, "err", err)
	if int(f.Attempt) > retries || s.now().Sub(f.Due) > time.Duration(age)*time.Second {
		return backbone.Dead(err)
	}
	// Scheduler backs off exponentially; nubo from 1 s, doubling, up to 5 min.
	delay := time.Second << min(f.Attempt-1, 8)
	return backbone.Retry(min(delay, 5*time.Minute))
}

// invoke calls the target with its Input (or "{}" when it has none).
func (s *Service) invoke(ctx context.Context, sc *Schedule) error {
	if s.opts.Functions == nil {
		return errors.New("no function invoker")
	}
	payload := []byte("{}")
	if sc.Target.Input != nil {
		payload = []byte(*sc.Target.Input)
	}
	return s.opts.Functions.InvokeAsync(ctx, sc.Target.Arn, payload)
}

// deadLetter sends a firing given up to the target's dead-letter queue.
// A one-time schedule with ActionAfterCompletion DELETE is deleted after
// its last firing whether or not that succeeded.
func (s *Service) deadLetter(ctx context.Context, f Firing, reason error) error {
	group, name := splitTimerID(f.ID)
	sc, err := s.Get(ctx, group, name)
	if err == nil && f.Last && sc.ActionAfterCompletion == ActionDelete {
		defer func() {
			if err := s.Delete(ctx, group, name); err != nil && !errors.Is(err, ErrNotFound) {
				s.log.Warn("schedule: delete after completion", "schedule", f.ID, "err", err)
			}
		}()
	}
	if err != nil || sc.Target.DeadLetterConfig == nil || sc.Target.DeadLetterConfig.Arn == "" {
		s.log.Warn("schedule: firing given up", "schedule", f.ID, "due", f.Due, "reason", reason)
		return nil
	}
	if s.opts.DeadLetters == nil {
		s.log.Warn("schedule: firing given up; nubo has no queues yet for its dead-letter queue", "schedule", f.ID,
			"queue", sc.Target.DeadLetterConfig.Arn, "reason", reason)
		return nil
	}
	body := []byte("{}")
	if sc.Target.Input != nil {
		body = []byte(*sc.Target.Input)
	}
	return s.opts.DeadLetters.SendDeadLetter(ctx, sc.Target.DeadLetterConfig.Arn, body, map[string]string{
		"X-Amz-Scheduler-Schedule-Arn": s.ScheduleARN(group, name),
		"X-Amz-Scheduler-Attempt":      strconv.FormatUint(f.Attempt, 10),
		"ERROR_MESSAGE":                reason.Error(),
	})
}
