package events

import (
	"testing"
	"time"
)

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02T15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestCronNext: next firings of AWS's six-field cron across month ends,
// leap days, L, W and #.
func TestCronNext(t *testing.T) {
	for _, tc := range []struct{ expr, after, want string }{
		{"cron(0 12 * * ? *)", "2026-01-31T12:00", "2026-02-01T12:00"},
		{"cron(0 12 * * ? *)", "2026-01-31T11:59", "2026-01-31T12:00"},
		{"cron(15 10 ? * 6L 2026-2027)", "2026-02-01T00:00", "2026-02-27T10:15"}, // last Friday of February 2026
		{"cron(0 0 L * ? *)", "2028-02-01T00:00", "2028-02-29T00:00"},            // leap year
		{"cron(0 0 L * ? *)", "2027-02-01T00:00", "2027-02-28T00:00"},
		{"cron(0 0 29 2 ? *)", "2026-03-01T00:00", "2028-02-29T00:00"},  // the next leap day
		{"cron(0 9 15W * ? *)", "2026-08-01T00:00", "2026-08-14T09:00"}, // Aug 15 2026 is a Saturday
		{"cron(0 9 1W * ? *)", "2026-08-01T00:00", "2026-08-03T09:00"},  // Aug 1 2026 is a Saturday: Monday 3rd
		{"cron(0 9 LW * ? *)", "2026-05-01T00:00", "2026-05-29T09:00"},  // May 31 2026 is a Sunday
		{"cron(0 8 ? * 2#1 *)", "2026-06-02T00:00", "2026-07-06T08:00"}, // first Monday
		{"cron(0/15 * * * ? *)", "2026-12-31T23:50", "2027-01-01T00:00"},
		{"cron(0 18 ? * MON-FRI *)", "2026-12-11T18:00", "2026-12-14T18:00"}, // Friday evening to Monday
		{"cron(0 0 1 JAN,JUL ? *)", "2026-01-01T00:00", "2026-07-01T00:00"},
		{"cron(5,35 14 * * ? 2027)", "2026-05-01T00:00", "2027-01-01T14:05"},
	} {
		sch, err := parseSchedule(tc.expr)
		if err != nil {
			t.Fatalf("%s: %v", tc.expr, err)
		}
		got, ok := sch.next(utc(tc.after))
		if !ok || !got.Equal(utc(tc.want)) {
			t.Errorf("%s after %s = %s, want %s", tc.expr, tc.after, got.Format("2006-01-02T15:04 Mon"), tc.want)
		}
	}
}

func TestRateNext(t *testing.T) {
	r, err := parseRate("5 minutes")
	if err != nil {
		t.Fatal(err)
	}
	r.origin = utc("2026-01-01T00:00")
	got, _ := r.next(utc("2026-01-01T00:07"))
	if !got.Equal(utc("2026-01-01T00:10")) {
		t.Errorf("rate(5 minutes) after 00:07 = %s", got)
	}
}

func TestBadSchedules(t *testing.T) {
	for _, e := range []string{"rate(1 minutes)", "rate(5 minute)", "rate(0 minutes)", "rate(5 weeks)", "rate(x)",
		"cron(0 12 * * * *)", "cron(0 12 ? * ? *)", "cron(0 12 * *)", "cron(60 12 * * ? *)", "cron(0 24 * * ? *)",
		"cron(0 0 32 * ? *)", "cron(0 0 ? * 8 *)", "cron(0 0 ? * 2#6 *)", "cron(0 0 ? 13 ? *)", "cron(0 0 5-1 * ? *)",
		"cron(0 0 * * ? 1969)", "every day"} {
		if _, err := parseSchedule(e); err == nil {
			t.Errorf("%s accepted", e)
		}
	}
}

// FuzzSchedule: any expression parses or is refused; next never panics
// and is after its argument.
func FuzzSchedule(f *testing.F) {
	for _, s := range []string{"cron(0 12 * * ? *)", "cron(15 10 ? * 6L 2026-2027)", "cron(0 9 15W * ? *)", "rate(5 minutes)", "cron(0/15 * * * ? *)", "cron(0 8 ? * 2#1 *)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		sch, err := parseSchedule(expr)
		if err != nil {
			return
		}
		at := utc("2026-03-01T10:00")
		if got, ok := sch.next(at); ok && !got.After(at) {
			t.Fatalf("%s: next(%s) = %s", expr, at, got)
		}
	})
}
