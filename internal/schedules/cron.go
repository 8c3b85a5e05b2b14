package schedules

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The years a cron expression may name (AWS's range).
const (
	minYear = 1970
	maxYear = 2199
)

// cron is a parsed AWS cron expression: minutes hours day-of-month month
// day-of-week year, with `?` in one of the two day fields, `L` (last),
// `W` (nearest weekday), `#` (nth weekday of the month), ranges, steps,
// lists and names (JAN-DEC, SUN-SAT; day-of-week 1 is Sunday).
type cron struct {
	minutes [60]bool
	hours   [24]bool
	months  [13]bool
	years   [maxYear - minYear + 1]bool

	domAny     bool // ?: days come from day-of-week
	dom        [32]bool
	lastDay    bool  // L
	lastWeek   bool  // LW
	nearest    []int // nW
	dowAny     bool  // ?: days come from day-of-month
	dow        [8]bool
	lastOfWeek []int    // nL: the last such weekday of the month
	nth        [][2]int // d#n: the nth weekday d of the month
}

var (
	monthNames = map[string]int{"JAN": 1, "FEB": 2, "MAR": 3, "APR": 4, "MAY": 5, "JUN": 6,
		"JUL": 7, "AUG": 8, "SEP": 9, "OCT": 10, "NOV": 11, "DEC": 12}
	dayNames = map[string]int{"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
)

// field is one cron field's range and names.
type field struct {
	name     string
	min, max int
	names    map[string]int
}

var fields = [6]field{
	{"minutes", 0, 59, nil},
	{"hours", 0, 23, nil},
	{"day-of-month", 1, 31, nil},
	{"month", 1, 12, monthNames},
	{"day-of-week", 1, 7, dayNames},
	{"year", minYear, maxYear, nil},
}

// parseCron parses the six fields; the reason names the field at fault.
func parseCron(body string) (*cron, string) {
	parts := strings.Fields(body)
	if len(parts) != 6 || strings.Join(parts, " ") != strings.TrimSpace(body) {
		return nil, "cron() takes six fields: minutes hours day-of-month month day-of-week year"
	}
	c := &cron{}
	sets := [6][]bool{c.minutes[:], c.hours[:], c.dom[:], c.months[:], c.dow[:], c.years[:]}
	for i, p := range parts {
		f := fields[i]
		var reason string
		switch {
		case p == "?" && (i == 2 || i == 4):
			if i == 2 {
				c.domAny = true
			} else {
				c.dowAny = true
			}
		case i == 2:
			reason = c.parseDOM(p, sets[i])
		case i == 4:
			reason = c.parseDOW(p, sets[i])
		case i == 5:
			reason = parseList(p, f, sets[i], minYear)
		default:
			reason = parseList(p, f, sets[i], 0)
		}
		if reason != "" {
			return nil, fmt.Sprintf("the %s field %q: %s", f.name, p, reason)
		}
	}
	if c.domAny == c.dowAny {
		return nil, "one of the day-of-month and day-of-week fields must be ? and the other not"
	}
	return c, ""
}

// parseDOM reads day-of-month: a list, L, LW or nW.
func (c *cron) parseDOM(p string, set []bool) string {
	switch {
	case p == "L":
		c.lastDay = true
		return ""
	case p == "LW":
		c.lastWeek = true
		return ""
	case strings.HasSuffix(p, "W"):
		n, ok := number(p[:len(p)-1], fields[2])
		if !ok {
			return "W takes one day of the month before it: 15W"
		}
		c.nearest = append(c.nearest, n)
		return ""
	}
	return parseList(p, fields[2], set, 0)
}

// parseDOW reads day-of-week: a list, L (Saturday), nL or d#n.
func (c *cron) parseDOW(p string, set []bool) string {
	switch {
	case p == "L":
		set[7] = true
		return ""
	case strings.HasSuffix(p, "L"):
		d, ok := number(p[:len(p)-1], fields[4])
		if !ok {
			return "L takes one day of the week before it: 6L"
		}
		c.lastOfWeek = append(c.lastOfWeek, d)
		return ""
	case strings.Contains(p, "#"):
		ds, ns, _ := strings.Cut(p, "#")
		d, ok := number(ds, fields[4])
		n, err := strconv.Atoi(ns)
		if !ok || err != nil || n < 1 || n > 5 || ns != strconv.Itoa(n) {
			return "# takes a day of the week and a week 1 to 5: 3#2"
		}
		c.nth = append(c.nth, [2]int{d, n})
		return ""
	}
	return parseList(p, fields[4], set, 0)
}

// parseList reads a comma list of *, values, ranges and steps into set
// (indexed from base).
func parseList(p string, f field, set []bool, base int) string {
	for _, item := range strings.Split(p, ",") {
		expr, stepText, hasStep := strings.Cut(item, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 || n > f.max-f.min+1 || stepText != strconv.Itoa(n) {
				return fmt.Sprintf("the step %q must be a whole number from 1 to %d", stepText, f.max-f.min+1)
			}
			step = n
		}
		lo, hi := f.min, f.max
		switch {
		case expr == "*":
		case strings.Contains(expr, "-"):
			a, b, _ := strings.Cut(expr, "-")
			var okA, okB bool
			lo, okA = number(a, f)
			hi, okB = number(b, f)
			if !okA || !okB {
				return fmt.Sprintf("a range takes two values from %d to %d", f.min, f.max)
			}
			if lo > hi {
				return fmt.Sprintf("the range %s starts after it ends", expr)
			}
		default:
			v, ok := number(expr, f)
			if !ok {
				return fmt.Sprintf("%q is not a value from %d to %d", expr, f.min, f.max)
			}
			lo = v
			if !hasStep {
				hi = v
			}
		}
		for v := lo; v <= hi; v += step {
			set[v-base] = true
		}
	}
	return ""
}

// number reads a value of f: digits or one of f's names.
func number(s string, f field) (int, bool) {
	if v, ok := f.names[strings.ToUpper(s)]; ok {
		return v, true
	}
	n, err := strconv.Atoi(s)
	if err != nil || s != strconv.Itoa(n) || n < f.min || n > f.max {
		return 0, false
	}
	return n, true
}

// next is the first time strictly after `after` that c names, read in
// loc; zero when there is none before the end of maxYear. As Scheduler
// documents: a wall-clock time that a spring-forward skips does not run;
// one that a fall-back repeats runs once.
func (c *cron) next(after time.Time, loc *time.Location) time.Time {
	// Candidates are compared by wall clock (a naive UTC time), so a
	// wall-clock minute that happens twice at a fall-back fires once.
	local := after.In(loc)
	start := time.Date(local.Year(), local.Month(), local.Day(), local.Hour(), local.Minute(), 0, 0, time.UTC).Add(time.Minute)
	if start.Year() < minYear {
		start = time.Date(minYear, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	for y := start.Year(); y <= maxYear; y++ {
		if !c.years[y-minYear] {
			continue
		}
		for m := 1; m <= 12; m++ {
			if !c.months[m] || (y == start.Year() && m < int(start.Month())) {
				continue
			}
			days := daysIn(y, time.Month(m))
			for d := 1; d <= days; d++ {
				if sameMonth(y, m, start) && d < start.Day() || !c.dayMatches(y, time.Month(m), d, days) {
					continue
				}
				for h := 0; h < 24; h++ {
					if !c.hours[h] {
						continue
					}
					for mi := 0; mi < 60; mi++ {
						if !c.minutes[mi] {
							continue
						}
						if time.Date(y, time.Month(m), d, h, mi, 0, 0, time.UTC).Before(start) {
							continue
						}
						t := time.Date(y, time.Month(m), d, h, mi, 0, 0, loc)
						if w := t.In(loc); w.Hour() != h || w.Minute() != mi || w.Day() != d {
							continue // skipped by a spring-forward: this firing does not happen
						}
						if t.After(after) {
							return t
						}
					}
				}
			}
		}
	}
	return time.Time{}
}

func sameMonth(y, m int, t time.Time) bool { return t.Year() == y && int(t.Month()) == m }

func daysIn(y int, m time.Month) int { return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// dayMatches reports whether day d of month m (with `days` days) is one
// the day fields name.
func (c *cron) dayMatches(y int, m time.Month, d, days int) bool {
	wd := int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()) + 1 // 1 = Sunday
	if c.domAny {
		if c.dow[wd] {
			return true
		}
		for _, l := range c.lastOfWeek {
			if l == wd && d+7 > days {
				return true
			}
		}
		for _, n := range c.nth {
			if n[0] == wd && (d-1)/7+1 == n[1] {
				return true
			}
		}
		return false
	}
	if c.dom[d] || c.lastDay && d == days {
		return true
	}
	if c.lastWeek && d == nearestWeekday(y, m, days, days) {
		return true
	}
	for _, n := range c.nearest {
		if n <= days && d == nearestWeekday(y, m, n, days) {
			return true
		}
	}
	return false
}

// nearestWeekday is the weekday nearest day n of the month, not leaving
// the month (Quartz's W, which AWS follows).
func nearestWeekday(y int, m time.Month, n, days int) int {
	switch time.Date(y, m, n, 0, 0, 0, 0, time.UTC).Weekday() {
	case time.Saturday:
		if n == 1 {
			return 3
		}
		return n - 1
	case time.Sunday:
		if n == days {
			return n - 2
		}
		return n + 1
	}
	return n
}
