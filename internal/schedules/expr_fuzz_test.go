package schedules

import (
	"testing"
	"time"
)

// FuzzParseExpression: any text is parsed or refused with an
// ExpressionError, never a panic; what parses has a next firing that is
// after the instant asked about, and the next of that is later still.
func FuzzParseExpression(f *testing.F) {
	for _, s := range []string{"rate(5 minutes)", "rate(1 day)", "at(2026-03-01T12:30:00)",
		"cron(0 10 * * ? *)", "cron(0/5 8-17 ? * MON-FRI *)", "cron(0 9 ? * 2#1 *)", "cron(0 0 LW * ? *)",
		"cron(0 0 15W * ? 2030)", "cron(0 12 ? * 6L *)", "cron(1,2,3 */6 L JAN-MAR ? 2026-2199/3)", "cron(", "rate()"} {
		f.Add(s, "UTC")
	}
	f.Add("cron(30 2 * * ? *)", "America/New_York")
	after := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s, tz string) {
		e, err := ParseExpression(s)
		if err != nil {
			if _, ok := err.(*ExpressionError); !ok {
				t.Fatalf("%q: %T %v", s, err, err)
			}
			return
		}
		loc, err := ParseTimezone(tz)
		if err != nil {
			loc = time.UTC
		}
		p := Plan{Expr: e, Location: loc, Start: after}
		n := p.Next(after)
		if n.IsZero() {
			return
		}
		if !n.After(after) && !(e.Kind == KindRate && n.Equal(after)) {
			t.Fatalf("%q: next %v not after %v", s, n, after)
		}
		if n2 := p.Next(n); !n2.IsZero() && !n2.After(n) {
			t.Fatalf("%q: next %v not after %v", s, n2, n)
		}
	})
}
