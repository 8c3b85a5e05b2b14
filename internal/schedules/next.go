package schedules

import (
	"time"
)

// Plan is when a timer fires: its expression read in Location, from Start
// (rate() counts from it; zero: from when the timer was set) until End
// (zero: no end).
type Plan struct {
	Expr     Expression
	Location *time.Location
	Start    time.Time
	End      time.Time
}

// Next is the plan's first firing strictly after `after`; zero when the
// plan has none left. A rate fires at Start, Start+period, ...; an at()
// once at its wall-clock time; a cron() at each minute it names.
func (p Plan) Next(after time.Time) time.Time {
	loc := p.Location
	if loc == nil {
		loc = time.UTC
	}
	if !p.Start.IsZero() && after.Before(p.Start) {
		after = p.Start.Add(-time.Nanosecond)
	}
	var t time.Time
	switch p.Expr.Kind {
	case KindAt:
		a := p.Expr.At
		at := time.Date(a.Year(), a.Month(), a.Day(), a.Hour(), a.Minute(), a.Second(), 0, loc)
		if at.After(after) {
			t = at
		}
	case KindRate:
		anchor := p.Start
		if anchor.IsZero() || anchor.After(after) {
			anchor = after.Add(time.Nanosecond)
			if !p.Start.IsZero() {
				anchor = p.Start
			}
		}
		k := after.Sub(anchor)/p.Expr.Every + 1
		if after.Before(anchor) {
			k = 0
		}
		t = anchor.Add(k * p.Expr.Every)
	case KindCron:
		t = p.Expr.cron.next(after, loc)
	}
	if t.IsZero() || !p.End.IsZero() && t.After(p.End) {
		return time.Time{}
	}
	return t
}
