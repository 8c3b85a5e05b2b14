package schedules

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Expression kinds.
const (
	KindAt   = "at"
	KindRate = "rate"
	KindCron = "cron"
)

// Expression is a parsed schedule expression: at(...), rate(...) or
// cron(...), as EventBridge Scheduler and EventBridge rules write them.
type Expression struct {
	Kind string
	// At is the wall-clock time of an at() expression (its location is
	// the schedule's time zone, applied by Next).
	At time.Time
	// Every is a rate() expression's period.
	Every time.Duration
	cron  *cron
	text  string
}

// String is the expression as written.
func (e Expression) String() string { return e.text }

// ExpressionError is an expression nubo refuses, with AWS's message.
type ExpressionError struct {
	Expr   string
	Reason string
}

func (e *ExpressionError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("Invalid Schedule Expression %s.", e.Expr)
	}
	return fmt.Sprintf("Invalid Schedule Expression %s: %s.", e.Expr, e.Reason)
}

// maxExpression is ScheduleExpression's length limit.
const maxExpression = 256

// ParseExpression parses an at(), rate() or cron() expression.
func ParseExpression(s string) (Expression, error) {
	bad := func(format string, args ...any) (Expression, error) {
		return Expression{}, &ExpressionError{Expr: s, Reason: fmt.Sprintf(format, args...)}
	}
	if len(s) == 0 || len(s) > maxExpression {
		return bad("the expression must be 1 to %d characters", maxExpression)
	}
	open := strings.IndexByte(s, '(')
	if open < 0 || !strings.HasSuffix(s, ")") {
		return bad("write at(...), rate(...) or cron(...)")
	}
	kind, body := s[:open], s[open+1:len(s)-1]
	switch kind {
	case KindAt:
		t, err := time.Parse("2006-01-02T15:04:05", body)
		if err != nil {
			return bad("at() takes yyyy-mm-ddThh:mm:ss")
		}
		return Expression{Kind: KindAt, At: t, text: s}, nil
	case KindRate:
		d, reason := parseRate(body)
		if reason != "" {
			return bad("%s", reason)
		}
		return Expression{Kind: KindRate, Every: d, text: s}, nil
	case KindCron:
		c, reason := parseCron(body)
		if reason != "" {
			return bad("%s", reason)
		}
		return Expression{Kind: KindCron, cron: c, text: s}, nil
	}
	return bad("write at(...), rate(...) or cron(...)")
}

// parseRate reads "n unit" with unit minute(s), hour(s) or day(s).
func parseRate(body string) (time.Duration, string) {
	fields := strings.Fields(body)
	if len(fields) != 2 || strings.Join(fields, " ") != body {
		return 0, "rate() takes a value and a unit: rate(5 minutes)"
	}
	n, err := strconv.Atoi(fields[0])
	if err != nil || n <= 0 || fields[0][0] == '+' || fields[0][0] == '0' {
		return 0, "the rate's value must be a positive whole number"
	}
	var unit time.Duration
	switch fields[1] {
	case "minute", "minutes":
		unit = time.Minute
	case "hour", "hours":
		unit = time.Hour
	case "day", "days":
		unit = 24 * time.Hour
	default:
		return 0, "the rate's unit must be minute, minutes, hour, hours, day or days"
	}
	if int64(n) > int64(200*365*24*time.Hour/unit) {
		return 0, "the rate is longer than the schedule can run"
	}
	return time.Duration(n) * unit, ""
}
