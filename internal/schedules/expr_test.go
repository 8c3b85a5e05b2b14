package schedules

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func mustTime(t *testing.T, s string, loc *time.Location) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The user guide's cron examples (EventBridge Scheduler, "Schedule types":
// cron-based schedules), and the dialect's corners: L, W, #, names, steps,
// month ends, leap days, years.
func TestCronNext(t *testing.T) {
	tests := []struct {
		expr, after string
		want        []string
	}{
		{"cron(0 10 * * ? *)", "2026-03-01 10:00", []string{"2026-03-02 10:00", "2026-03-03 10:00"}},
		{"cron(15 12 * * ? *)", "2026-03-01 00:00", []string{"2026-03-01 12:15", "2026-03-02 12:15"}},
		{"cron(0 18 ? * MON-FRI *)", "2026-03-06 18:00", []string{"2026-03-09 18:00", "2026-03-10 18:00"}}, // Fri → Mon
		{"cron(0 8 1 * ? *)", "2026-01-15 00:00", []string{"2026-02-01 08:00", "2026-03-01 08:00"}},
		{"cron(0/15 * * * ? *)", "2026-03-01 10:07", []string{"2026-03-01 10:15", "2026-03-01 10:30", "2026-03-01 10:45", "2026-03-01 11:00"}},
		{"cron(0/10 * ? * MON-FRI *)", "2026-03-06 23:55", []string{"2026-03-09 00:00", "2026-03-09 00:10"}},
		{"cron(0/5 8-17 ? * MON-FRI *)", "2026-03-09 17:55", []string{"2026-03-10 08:00", "2026-03-10 08:05"}},
		{"cron(0 9 ? * 2#1 *)", "2026-03-01 00:00", []string{"2026-03-02 09:00", "2026-04-06 09:00", "2026-05-04 09:00"}},
		{"cron(0 0 L * ? *)", "2024-01-31 00:00", []string{"2024-02-29 00:00", "2024-03-31 00:00", "2024-04-30 00:00"}},
		{"cron(0 0 29 2 ? *)", "2024-03-01 00:00", []string{"2028-02-29 00:00"}},
		{"cron(0 0 LW * ? *)", "2026-01-01 00:00", []string{"2026-01-30 00:00", "2026-02-27 00:00"}},                     // Jan 31 2026 is a Saturday
		{"cron(0 0 1W * ? *)", "2026-02-01 00:00", []string{"2026-02-02 00:00", "2026-03-02 00:00", "2026-04-01 00:00"}}, // Feb and Mar 1 2026 are Sundays
		{"cron(0 0 15W * ? *)", "2026-08-01 00:00", []string{"2026-08-14 00:00"}},                                        // Aug 15 2026 is a Saturday
		{"cron(0 12 ? * 6L *)", "2026-03-01 00:00", []string{"2026-03-27 12:00", "2026-04-24 12:00"}},                    // last Friday
		{"cron(0 12 ? * L *)", "2026-03-01 00:00", []string{"2026-03-07 12:00", "2026-03-14 12:00"}},                     // Saturdays
		{"cron(30 6 ? JAN,JUL SUN 2027)", "2026-03-01 00:00", []string{"2027-01-03 06:30", "2027-01-10 06:30"}},
		{"cron(0 0 1 1 ? 2030-2031)", "2026-03-01 00:00", []string{"2030-01-01 00:00", "2031-01-01 00:00", ""}},
		{"cron(0 0 31 * ? *)", "2026-04-01 00:00", []string{"2026-05-31 00:00", "2026-07-31 00:00"}},
		{"cron(5,10 */6 * * ? *)", "2026-03-01 00:07", []string{"2026-03-01 00:10", "2026-03-01 06:05"}},
		{"cron(0 0 ? * 1#5 *)", "2026-01-01 00:00", []string{"2026-03-29 00:00", "2026-05-31 00:00"}},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := ParseExpression(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			p := Plan{Expr: e}
			at := mustTime(t, tt.after, time.UTC)
			for _, w := range tt.want {
				got := p.Next(at)
				if w == "" {
					if !got.IsZero() {
						t.Fatalf("next after %v = %v, want none", at, got)
					}
					return
				}
				if want := mustTime(t, w, time.UTC); !got.Equal(want) {
					t.Fatalf("next after %v = %v, want %v", at, got, want)
				}
				at = got
			}
		})
	}
}

// Daylight-saving changes in a schedule's time zone, as Scheduler
// documents them: a wall-clock time the spring-forward skips does not run,
// one the fall-back repeats runs once.
func TestCronNextTimezone(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	e, err := ParseExpression("cron(30 2 * * ? *)")
	if err != nil {
		t.Fatal(err)
	}
	p := Plan{Expr: e, Location: ny}
	// 2026-03-08: 02:00 EST jumps to 03:00 EDT.
	got := p.Next(mustTime(t, "2026-03-07 03:00", ny))
	if want := time.Date(2026, 3, 9, 6, 30, 0, 0, time.UTC); !got.Equal(want) { // the 9th, 02:30 EDT
		t.Errorf("spring forward: %v, want %v (the 8th has no 02:30)", got.UTC(), want)
	}
	// 2026-11-01: 01:30 happens twice (EDT then EST).
	e2, _ := ParseExpression("cron(30 1 * * ? *)")
	p2 := Plan{Expr: e2, Location: ny}
	first := p2.Next(mustTime(t, "2026-11-01 00:00", ny))
	second := p2.Next(first)
	if want := time.Date(2026, 11, 1, 5, 30, 0, 0, time.UTC); !first.Equal(want) {
		t.Errorf("fall back: first %v, want %v", first.UTC(), want)
	}
	if want := time.Date(2026, 11, 2, 6, 30, 0, 0, time.UTC); !second.Equal(want) {
		t.Errorf("fall back: second %v, want %v (once a day)", second.UTC(), want)
	}
	// The offset of a zone east of UTC.
	tokyo, _ := time.LoadLocation("Asia/Tokyo")
	e3, _ := ParseExpression("cron(0 9 * * ? *)")
	if got := (Plan{Expr: e3, Location: tokyo}).Next(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)); !got.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("Tokyo 09:00: %v", got.UTC())
	}
}

func TestRateAndAtNext(t *testing.T) {
	start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	rate, _ := ParseExpression("rate(5 minutes)")
	p := Plan{Expr: rate, Start: start, End: start.Add(12 * time.Minute)}
	for _, tt := range []struct{ after, want time.Time }{
		{start.Add(-time.Hour), start},
		{start, start.Add(5 * time.Minute)},
		{start.Add(7 * time.Minute), start.Add(10 * time.Minute)},
		{start.Add(10 * time.Minute), time.Time{}}, // past End
	} {
		if got := p.Next(tt.after); !got.Equal(tt.want) {
			t.Errorf("rate next after %v = %v, want %v", tt.after, got, tt.want)
		}
	}
	at, _ := ParseExpression("at(2026-03-01T12:30:00)")
	paris, _ := time.LoadLocation("Europe/Paris")
	pa := Plan{Expr: at, Location: paris}
	if got, want := pa.Next(start), time.Date(2026, 3, 1, 11, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("at in Paris = %v, want %v", got.UTC(), want)
	}
	if got := pa.Next(time.Date(2026, 3, 1, 11, 30, 0, 0, time.UTC)); !got.IsZero() {
		t.Errorf("at after its time = %v, want none", got)
	}
}

func TestParseExpressionRefuses(t *testing.T) {
	for _, tt := range []struct{ expr, says string }{
		{"", "1 to 256"},
		{"every(5 minutes)", "write at(...)"},
		{"rate(0 minutes)", "positive whole number"},
		{"rate(5 weeks)", "unit must be"},
		{"rate(5minutes)", "a value and a unit"},
		{"rate(-1 minutes)", "positive"},
		{"at(2026-13-01T00:00:00)", "yyyy-mm-ddThh:mm:ss"},
		{"at(2026-01-01 00:00:00)", "yyyy-mm-ddThh:mm:ss"},
		{"cron(0 10 * * *)", "six fields"},
		{"cron(0 10 * * * *)", "must be ?"},
		{"cron(0 10 ? * ? *)", "must be ?"},
		{"cron(60 10 * * ? *)", "minutes field"},
		{"cron(0 24 * * ? *)", "hours field"},
		{"cron(0 0 32 * ? *)", "day-of-month field"},
		{"cron(0 0 * 13 ? *)", "month field"},
		{"cron(0 0 ? * 8 *)", "day-of-week field"},
		{"cron(0 0 ? * 2#6 *)", "# takes"},
		{"cron(0 0 * * ? 1969)", "year field"},
		{"cron(0/0 0 * * ? *)", "step"},
		{"cron(30-10 0 * * ? *)", "starts after it ends"},
		{"cron(0 0 32W * ? *)", "W takes"},
		{"cron(0 0 ? * 9L *)", "L takes"},
		{"cron(0 0 ? FOO * *)", "month field"},
	} {
		_, err := ParseExpression(tt.expr)
		var ee *ExpressionError
		if !errors.As(err, &ee) {
			t.Errorf("%q: err = %v, want an ExpressionError", tt.expr, err)
			continue
		}
		if !strings.Contains(err.Error(), tt.says) || !strings.HasPrefix(err.Error(), "Invalid Schedule Expression "+tt.expr) {
			t.Errorf("%q: %q does not say %q", tt.expr, err, tt.says)
		}
	}
}

// Expressions AWS accepts that a stricter parser refuses (ranges of one,
// steps of 1, steps inside lists).
func TestParseExpressionAccepts(t *testing.T) {
	for _, s := range []string{
		"cron(0-15/1 8-8 ? * 2,3,4,5,6,7 *)",
		"cron(30-30 13-13 ? * 2,4,6 *)",
		"cron(1-31/30 1-1 ? * 1,7 *)",
		"cron(0 0 1/10,2,3/8 * ? *)",
		"cron(0 12 ? * mon-fri *)",
		"rate(1 minute)",
		"rate(1 minutes)",
		"at(2030-02-28T23:59:59)",
	} {
		if _, err := ParseExpression(s); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
}
