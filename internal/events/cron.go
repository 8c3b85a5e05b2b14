package events

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// schedule is a rule's ScheduleExpression: rate(N unit) or cron(6 fields),
// in UTC as EventBridge rules are.
type schedule interface {
	// next is the first firing strictly after t.
	next(t time.Time) (time.Time, bool)
}

// parseSchedule reads rate(...) or cron(...).
func parseSchedule(expr string) (schedule, error) {
	switch {
	case strings.HasPrefix(expr, "rate(") && strings.HasSuffix(expr, ")"):
		return parseRate(expr[5 : len(expr)-1])
	case strings.HasPrefix(expr, "cron(") && strings.HasSuffix(expr, ")"):
		return parseCron(expr[5 : len(expr)-1])
	}
	return nil, errors.New("the schedule must be rate(...) or cron(...)")
}

// rateSchedule fires every interval from its origin (the rule's creation).
type rateSchedule struct {
	every  time.Duration
	origin time.Time
}

func parseRate(s string) (*rateSchedule, error) {
	f := strings.Fields(s)
	if len(f) != 2 {
		return nil, errors.New("rate must be rate(value unit)")
	}
	n, err := strconv.Atoi(f[0])
	if err != nil || n <= 0 || n > 1_000_000 {
		return nil, errors.New("the rate's value must be a whole number from 1 to 1000000")
	}
	units := map[string]time.Duration{"minute": time.Minute, "hour": time.Hour, "day": 24 * time.Hour}
	unit := f[1]
	if n == 1 {
		if _, ok := units[unit]; !ok {
			return nil, errors.New("a rate of 1 takes a singular unit: minute, hour or day")
		}
	} else {
		if !strings.HasSuffix(unit, "s") {
			return nil, errors.New("a rate above 1 takes a plural unit: minutes, hours or days")
		}
		unit = strings.TrimSuffix(unit, "s")
		if _, ok := units[unit]; !ok {
			return nil, errors.New("the rate's unit must be minutes, hours or days")
		}
	}
	return &rateSchedule{every: time.Duration(n) * units[unit]}, nil
}

func (r *rateSchedule) next(t time.Time) (time.Time, bool) {
	if r.origin.IsZero() || t.Sub(r.origin) > 100*365*24*time.Hour {
		return t.Add(r.every), true
	}
	if t.Before(r.origin) {
		return r.origin.Add(r.every), true
	}
	k := t.Sub(r.origin)/r.every + 1
	return r.origin.Add(k * r.every), true
}

// cronSchedule is AWS's six-field cron: minutes hours day-of-month month
// day-of-week year, with ? in one of the day fields, L, W and #.
type cronSchedule struct {
	minutes, hours, months [60]bool
	years                  map[int]bool
	anyYear                bool
	// day of month
	domAny         bool
	dom            [32]bool
	domLast        bool // L
	domLastWeekday bool // LW
	domWeekday     int  // nW: the weekday nearest day n
	// day of week (1 = Sunday ... 7 = Saturday)
	dowAny  bool
	dow     [8]bool
	dowLast int    // nL: the last weekday n of the month
	dowNth  [2]int // d#n: the nth weekday d
}

var (
	monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6, "JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
	dayNames   = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
)

func parseCron(s string) (*cronSchedule, error) {
	f := strings.Fields(s)
	if len(f) != 6 {
		return nil, errors.New("cron takes six fields: minutes hours day-of-month month day-of-week year")
	}
	c := &cronSchedule{years: map[int]bool{}}
	if err := setField(c.minutes[:], f[0], 0, 59, nil); err != nil {
		return nil, fmt.Errorf("minutes: %w", err)
	}
	if err := setField(c.hours[:], f[1], 0, 23, nil); err != nil {
		return nil, fmt.Errorf("hours: %w", err)
	}
	if err := setField(c.months[:], f[3], 1, 12, monthNames); err != nil {
		return nil, fmt.Errorf("month: %w", err)
	}
	if f[5] == "*" {
		c.anyYear = true
	} else {
		years := make([]bool, 2200)
		if err := setField(years, f[5], 1970, 2199, nil); err != nil {
			return nil, fmt.Errorf("year: %w", err)
		}
		for y, ok := range years {
			if ok {
				c.years[y] = true
			}
		}
	}
	dom, dow := f[2], f[4]
	if (dom == "?") == (dow == "?") {
		return nil, errors.New("one of day-of-month and day-of-week must be ?, and only one")
	}
	if dom == "?" {
		c.domAny = true
		return c, c.parseDOW(dow)
	}
	c.dowAny = true
	return c, c.parseDOM(dom)
}

func (c *cronSchedule) parseDOM(s string) error {
	switch {
	case s == "L":
		c.domLast = true
	case s == "LW":
		c.domLastWeekday = true
	case strings.HasSuffix(s, "W"):
		n, err := strconv.Atoi(strings.TrimSuffix(s, "W"))
		if err != nil || n < 1 || n > 31 {
			return fmt.Errorf("day-of-month: %q is not nW with n in 1-31", s)
		}
		c.domWeekday = n
	default:
		if err := setField(c.dom[:], s, 1, 31, nil); err != nil {
			return fmt.Errorf("day-of-month: %w", err)
		}
	}
	return nil
}

func (c *cronSchedule) parseDOW(s string) error {
	switch {
	case strings.Contains(s, "#"):
		d, n, _ := strings.Cut(s, "#")
		day, err1 := fieldValue(d, 1, 7, dayNames)
		nth, err2 := strconv.Atoi(n)
		if err1 != nil || err2 != nil || nth < 1 || nth > 5 {
			return fmt.Errorf("day-of-week: %q is not d#n with n in 1-5", s)
		}
		c.dowNth = [2]int{day, nth}
	case s == "L":
		c.dowLast = 7
	case strings.HasSuffix(s, "L"):
		day, err := fieldValue(strings.TrimSuffix(s, "L"), 1, 7, dayNames)
		if err != nil {
			return fmt.Errorf("day-of-week: %w", err)
		}
		c.dowLast = day
	default:
		if err := setField(c.dow[:], s, 1, 7, dayNames); err != nil {
			return fmt.Errorf("day-of-week: %w", err)
		}
	}
	return nil
}

func fieldValue(s string, lo, hi int, names map[string]int) (int, error) {
	if v, ok := names[strings.ToUpper(s)]; ok {
		return v, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%q is not a value in %d-%d", s, lo, hi)
	}
	return n, nil
}

// setField reads a list of *, values, ranges a-b and steps (*/n, a/n, a-b/n).
func setField(set []bool, s string, lo, hi int, names map[string]int) error {
	for _, part := range strings.Split(s, ",") {
		rng, step := part, 1
		if r, st, ok := strings.Cut(part, "/"); ok {
			n, err := strconv.Atoi(st)
			if err != nil || n <= 0 {
				return fmt.Errorf("%q has a bad step", part)
			}
			rng, step = r, n
		}
		from, to := lo, hi
		switch {
		case rng == "*":
		case strings.Contains(rng, "-"):
			a, b, _ := strings.Cut(rng, "-")
			var err error
			if from, err = fieldValue(a, lo, hi, names); err != nil {
				return err
			}
			if to, err = fieldValue(b, lo, hi, names); err != nil {
				return err
			}
			if from > to {
				return fmt.Errorf("%q is an empty range", rng)
			}
		default:
			v, err := fieldValue(rng, lo, hi, names)
			if err != nil {
				return err
			}
			from = v
			if step == 1 {
				to = v
			}
		}
		for v := from; v <= to; v += step {
			set[v] = true
		}
	}
	return nil
}

func daysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// dayMatches reports whether the cron fires on a date.
func (c *cronSchedule) dayMatches(d time.Time) bool {
	y, m, day := d.Date()
	if !c.months[int(m)] || (!c.anyYear && !c.years[y]) {
		return false
	}
	last := daysIn(y, m)
	wd := int(d.Weekday()) + 1 // 1 = Sunday
	if !c.dowAny {
		switch {
		case c.dowNth[0] != 0:
			return wd == c.dowNth[0] && (day-1)/7+1 == c.dowNth[1]
		case c.dowLast != 0:
			return wd == c.dowLast && day+7 > last
		}
		return c.dow[wd]
	}
	switch {
	case c.domLast:
		return day == last
	case c.domLastWeekday:
		return day == nearestWeekday(y, m, last)
	case c.domWeekday != 0:
		return day == nearestWeekday(y, m, min(c.domWeekday, last))
	}
	return c.dom[day]
}

// nearestWeekday is the weekday nearest day n of the month, not leaving
// the month (Quartz's W).
func nearestWeekday(y int, m time.Month, n int) int {
	t := time.Date(y, m, n, 0, 0, 0, 0, time.UTC)
	switch t.Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == daysIn(y, m) {
			return n - 2
		}
		return n + 1
	}
	return n
}

func (c *cronSchedule) next(t time.Time) (time.Time, bool) {
	t = t.UTC().Truncate(time.Minute).Add(time.Minute)
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for i := 0; i < 366*8; i++ {
		if c.dayMatches(day) {
			for h := 0; h < 24; h++ {
				if !c.hours[h] {
					continue
				}
				for mi := 0; mi < 60; mi++ {
					if !c.minutes[mi] {
						continue
					}
					at := day.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute)
					if !at.Before(t) {
						return at, true
					}
				}
			}
		}
		day = day.AddDate(0, 0, 1)
	}
	return time.Time{}, false
}
