package policy

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// family is the type a condition operator compares.
type family uint8

const (
	famString family = iota
	famStringIgnoreCase
	famStringLike
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famArn
	famNull
)

// cmp is how numeric and date operators compare.
type cmp uint8

const (
	cmpEq cmp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

type setQualifier uint8

const (
	setNone setQualifier = iota
	setAny               // ForAnyValue:
	setAll               // ForAllValues:
)

// operator is a parsed condition operator name.
type operator struct {
	name     string
	fam      family
	cmp      cmp
	negated  bool
	ifExists bool
	set      setQualifier
}

type baseOp struct {
	fam     family
	cmp     cmp
	negated bool
}

// baseOperators maps each operator name (without set qualifier or
// IfExists) to what it compares. A function, so no package state is mutable.
func baseOperators() map[string]baseOp {
	return map[string]baseOp{
		"StringEquals":              {fam: famString},
		"StringNotEquals":           {fam: famString, negated: true},
		"StringEqualsIgnoreCase":    {fam: famStringIgnoreCase},
		"StringNotEqualsIgnoreCase": {fam: famStringIgnoreCase, negated: true},
		"StringLike":                {fam: famStringLike},
		"StringNotLike":             {fam: famStringLike, negated: true},
		"NumericEquals":             {fam: famNumeric},
		"NumericNotEquals":          {fam: famNumeric, negated: true},
		"NumericLessThan":           {fam: famNumeric, cmp: cmpLt},
		"NumericLessThanEquals":     {fam: famNumeric, cmp: cmpLe},
		"NumericGreaterThan":        {fam: famNumeric, cmp: cmpGt},
		"NumericGreaterThanEquals":  {fam: famNumeric, cmp: cmpGe},
		"DateEquals":                {fam: famDate},
		"DateNotEquals":             {fam: famDate, negated: true},
		"DateLessThan":              {fam: famDate, cmp: cmpLt},
		"DateLessThanEquals":        {fam: famDate, cmp: cmpLe},
		"DateGreaterThan":           {fam: famDate, cmp: cmpGt},
		"DateGreaterThanEquals":     {fam: famDate, cmp: cmpGe},
		"Bool":                      {fam: famBool},
		"BinaryEquals":              {fam: famBinary},
		"IpAddress":                 {fam: famIP},
		"NotIpAddress":              {fam: famIP, negated: true},
		"ArnEquals":                 {fam: famArn},
		"ArnLike":                   {fam: famArn},
		"ArnNotEquals":              {fam: famArn, negated: true},
		"ArnNotLike":                {fam: famArn, negated: true},
		"Null":                      {fam: famNull},
	}
}

func parseOperator(name string) (operator, error) {
	op := operator{name: name}
	rest := name
	if r, ok := strings.CutPrefix(rest, "ForAnyValue:"); ok {
		op.set, rest = setAny, r
	} else if r, ok := strings.CutPrefix(rest, "ForAllValues:"); ok {
		op.set, rest = setAll, r
	}
	if r, ok := strings.CutSuffix(rest, "IfExists"); ok && r != "Null" {
		op.ifExists, rest = true, r
	}
	b, ok := baseOperators()[rest]
	if !ok {
		return op, fmt.Errorf("unknown condition operator %q", name)
	}
	op.fam, op.cmp, op.negated = b.fam, b.cmp, b.negated
	return op, nil
}

// condition is one operator + key test with its compiled values.
type condition struct {
	op       operator
	key      string
	raw      []string
	pats     []pattern      // string, like, arn (per ARN component, see arnPats)
	arns     [][6]pattern   // ArnLike/ArnEquals, per ARN component
	arnWhole []pattern      // ARN values given as one policy variable
	nums     []float64      // numeric
	ts       []time.Time    // date
	nets     []netip.Prefix // IP
	bins     [][]byte       // binary
	// dynamic is true when values use policy variables (resolved per request).
	dynamic bool
}

func compileCondition(op operator, key string, values []string, vars bool) (condition, error) {
	c := condition{op: op, key: key, raw: values}
	for _, v := range values {
		switch op.fam {
		case famString, famStringIgnoreCase:
			p := compilePattern(v, false, vars, op.fam == famStringIgnoreCase)
			c.dynamic = c.dynamic || p.kind == dynamic
			c.pats = append(c.pats, p)
		case famStringLike:
			p := compilePattern(v, true, vars, false)
			c.dynamic = c.dynamic || p.kind == dynamic
			c.pats = append(c.pats, p)
		case famArn:
			var a [6]pattern
			parts := splitARN(v)
			if len(parts) != 6 {
				switch {
				case v == "*":
					parts = []string{"*", "*", "*", "*", "*", "*"}
				case vars && strings.Contains(v, "${"):
					// A variable that holds a whole ARN: match the ARN as one string.
					c.arnWhole = append(c.arnWhole, compilePattern(v, true, vars, false))
					continue
				default:
					return c, fmt.Errorf("%s: %s: %q is not an ARN", op.name, key, v)
				}
			}
			for i, part := range parts {
				a[i] = compilePattern(part, true, vars, false)
			}
			c.arns = append(c.arns, a)
		case famNumeric:
			n, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return c, fmt.Errorf("%s: %s: %q is not a number", op.name, key, v)
			}
			c.nums = append(c.nums, n)
		case famDate:
			t, ok := parseDate(v)
			if !ok {
				return c, fmt.Errorf("%s: %s: %q is not a date", op.name, key, v)
			}
			c.ts = append(c.ts, t)
		case famIP:
			p, err := parseNet(v)
			if err != nil {
				return c, fmt.Errorf("%s: %s: %q is not an IP address or CIDR block", op.name, key, v)
			}
			c.nets = append(c.nets, p)
		case famBinary:
			b, err := base64.StdEncoding.DecodeString(v)
			if err != nil {
				return c, fmt.Errorf("%s: %s: %q is not base64", op.name, key, v)
			}
			c.bins = append(c.bins, b)
		case famBool:
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return c, fmt.Errorf("%s: %s: %q is not true or false", op.name, key, v)
			}
		case famNull:
			if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
				return c, fmt.Errorf("%s: %s: %q is not true or false", op.name, key, v)
			}
		}
	}
	return c, nil
}

// splitARN splits an ARN pattern into its six components at colons outside
// ${...} policy variables (whose keys contain colons: ${aws:username}).
func splitARN(v string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(v) && len(parts) < 5; i++ {
		switch {
		case v[i] == '$' && i+1 < len(v) && v[i+1] == '{':
			depth++
		case v[i] == '}' && depth > 0:
			depth--
		case v[i] == ':' && depth == 0:
			parts = append(parts, v[start:i])
			start = i + 1
		}
	}
	return append(parts, v[start:])
}

func parseNet(v string) (netip.Prefix, error) {
	if strings.Contains(v, "/") {
		p, err := netip.ParsePrefix(v)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// parseDate accepts the ISO 8601 forms AWS accepts and epoch seconds.
func parseDate(v string) (time.Time, bool) {
	if n, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(n) && !math.IsInf(n, 0) {
		sec, frac := math.Modf(n)
		return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
	}
	for _, l := range [...]string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02T15:04Z07:00", "2006-01-02T15:04Z", "2006-01-02"} {
		if t, err := time.Parse(l, v); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// eval decides the condition for a request, following "Condition operators"
// (a missing key fails positive operators and satisfies negated ones; ...IfExists
// and Null test presence) and "Set operators for multivalued context keys".
func (c *condition) eval(r *evalRequest) (result, ok bool) {
	vals, present := r.lookup(c.key)
	if len(vals) == 0 || c.op.set != setNone && nullDataSet(vals) {
		present = false
	}
	if c.op.fam == famNull {
		for _, v := range c.raw {
			if strings.EqualFold(v, "true") != present {
				return true, true
			}
		}
		return false, true
	}
	if !present {
		switch {
		case c.op.set == setAll:
			return true, true
		case c.op.set == setAny:
			return false, true
		case c.op.ifExists, c.op.negated:
			return true, true
		}
		return false, true
	}
	switch c.op.set {
	case setAny:
		for _, v := range vals {
			m, ok := c.matchOne(v, r)
			if !ok {
				return false, false
			}
			if m != c.op.negated {
				return true, true
			}
		}
		return false, true
	case setAll:
		for _, v := range vals {
			m, ok := c.matchOne(v, r)
			if !ok {
				return false, false
			}
			if m == c.op.negated {
				return false, true
			}
		}
		return true, true
	}
	for _, v := range vals {
		m, ok := c.matchOne(v, r)
		if !ok {
			return false, false
		}
		if m {
			return !c.op.negated, true
		}
	}
	return c.op.negated, true
}

// nullDataSet reports whether a multivalued key's values are a null data
// set: "Single-valued vs. multivalued context keys" counts an empty string as
// one (ForAllValues is then true, ForAnyValue false).
func nullDataSet(vals []string) bool {
	for _, v := range vals {
		if v != "" {
			return false
		}
	}
	return true
}

// matchOne reports whether one context value matches any policy value under
// the operator's positive form.
func (c *condition) matchOne(v string, r *evalRequest) (bool, bool) {
	switch c.op.fam {
	case famString, famStringIgnoreCase, famStringLike:
		for i := range c.pats {
			m, ok := c.pats[i].match(v, r)
			if !ok {
				return false, false
			}
			if m {
				return true, true
			}
		}
		return false, true
	case famArn:
		parts := strings.SplitN(v, ":", 6)
		if len(parts) != 6 {
			return false, true
		}
		for i := range c.arnWhole {
			m, ok := c.arnWhole[i].match(v, r)
			if !ok {
				return false, false
			}
			if m {
				return true, true
			}
		}
	arns:
		for i := range c.arns {
			for j := range parts {
				m, ok := c.arns[i][j].match(parts[j], r)
				if !ok {
					return false, false
				}
				if !m {
					continue arns
				}
			}
			return true, true
		}
		return false, true
	case famBool:
		for _, pv := range c.raw {
			if strings.EqualFold(v, pv) {
				return true, true
			}
		}
		return false, true
	case famNumeric:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return false, true
		}
		for _, pv := range c.nums {
			if compare(c.op.cmp, cmpFloat(n, pv)) {
				return true, true
			}
		}
		return false, true
	case famDate:
		t, ok := parseDate(v)
		if !ok {
			return false, true
		}
		for _, pv := range c.ts {
			if compare(c.op.cmp, t.Compare(pv)) {
				return true, true
			}
		}
		return false, true
	case famIP:
		a, err := netip.ParseAddr(v)
		if err != nil {
			return false, true
		}
		a = a.Unmap()
		for _, n := range c.nets {
			if n.Contains(a) {
				return true, true
			}
		}
		return false, true
	case famBinary:
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return false, true
		}
		for _, pv := range c.bins {
			if bytes.Equal(b, pv) {
				return true, true
			}
		}
		return false, true
	}
	return false, true
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compare(c cmp, sign int) bool {
	switch c {
	case cmpLt:
		return sign < 0
	case cmpLe:
		return sign <= 0
	case cmpGt:
		return sign > 0
	case cmpGe:
		return sign >= 0
	}
	return sign == 0
}
