package schedules

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

// flaky is a function invoker that fails its first `fail` calls.
type flaky struct {
	mu       sync.Mutex
	fail     int
	calls    int
	payloads []string
}

func (f *flaky) InvokeAsync(_ context.Context, arn string, payload []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	f.payloads = append(f.payloads, string(payload))
	if f.calls <= f.fail {
		return errors.New("throttled")
	}
	return nil
}

func (f *flaky) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

type deadLetters struct {
	mu   sync.Mutex
	got  []string
	arns []string
}

func (d *deadLetters) SendDeadLetter(_ context.Context, queueARN string, body []byte, attrs map[string]string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.got = append(d.got, string(body))
	d.arns = append(d.arns, queueARN+" "+attrs["X-Amz-Scheduler-Schedule-Arn"])
	return nil
}

func (d *deadLetters) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.got)
}

func startService(t *testing.T, fns Functions, dl DeadLetters) *Service {
	t.Helper()
	s, err := New(Options{Backbone: backbonetest.New(t), Functions: fns, DeadLetters: dl})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

func oneTime(name string, retries int, dlq string) *Schedule {
	expr, _ := atSoon(time.Second)
	input := `{"n":"` + name + `"}`
	sc := &Schedule{Name: name, Expression: expr, FlexibleMode: ModeOff,
		Target: Target{Arn: "arn:aws:lambda:us-east-1:000000000000:function:f", RoleArn: "arn:aws:iam::000000000000:role/r",
			Input: &input, RetryPolicy: &RetryPolicy{MaximumRetryAttempts: &retries}}}
	if dlq != "" {
		sc.Target.DeadLetterConfig = &DeadLetterConfig{Arn: dlq}
	}
	return sc
}

// TestFiringRetriesThenSucceeds: a target that fails is invoked again
// (with backoff) within the retry policy, and its input each time.
func TestFiringRetriesThenSucceeds(t *testing.T) {
	fns := &flaky{fail: 1}
	dl := &deadLetters{}
	s := startService(t, fns, dl)
	if err := s.Put(context.Background(), oneTime("retry", 3, "arn:aws:sqs:us-east-1:000000000000:dlq"), true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "the second attempt", func() bool { return fns.count() == 2 })
	if dl.count() != 0 || fns.payloads[1] != `{"n":"retry"}` {
		t.Fatalf("dead letters %d, payloads %v", dl.count(), fns.payloads)
	}
}

// TestFiringGivenUpGoesToTheDeadLetterQueue: with MaximumRetryAttempts 0
// a failed invocation goes to the target's dead-letter queue at once,
// with the schedule's ARN; a one-time schedule with ActionAfterCompletion
// DELETE is deleted all the same.
func TestFiringGivenUpGoesToTheDeadLetterQueue(t *testing.T) {
	fns := &flaky{fail: 100}
	dl := &deadLetters{}
	s := startService(t, fns, dl)
	sc := oneTime("doomed", 0, "arn:aws:sqs:us-east-1:000000000000:dlq")
	sc.ActionAfterCompletion = ActionDelete
	if err := s.Put(context.Background(), sc, true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "the dead letter", func() bool { return dl.count() == 1 })
	if fns.count() != 1 || dl.got[0] != `{"n":"doomed"}` ||
		dl.arns[0] != "arn:aws:sqs:us-east-1:000000000000:dlq arn:aws:scheduler:us-east-1:000000000000:schedule/default/doomed" {
		t.Fatalf("calls %d, dead letters %v %v", fns.count(), dl.got, dl.arns)
	}
	waitFor(t, 5*time.Second, "the schedule deleted", func() bool {
		_, err := s.Get(context.Background(), DefaultGroup, "doomed")
		return errors.Is(err, ErrNotFound)
	})
	waitFor(t, 5*time.Second, "the timer gone", func() bool {
		_, _, err := s.timer.kvGet(context.Background(), timerID(DefaultGroup, "doomed"))
		return err != nil
	})
}
