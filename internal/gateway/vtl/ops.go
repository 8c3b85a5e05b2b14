package vtl

import (
	"math"
	"strings"
)

// Velocity's truth, equality, ordering and arithmetic on template values.

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	}
	return true
}

func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		if x >= math.MinInt64 && x <= math.MaxInt64 {
			return int64(x), true
		}
	}
	return 0, false
}

func toFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func isNumber(v any) bool {
	switch v.(type) {
	case int64, float64:
		return true
	}
	return false
}

// equal is Velocity's ==: numbers by value, same kinds by value, other
// pairs by their text.
func equal(l, r any) bool {
	if l == nil || r == nil {
		return l == nil && r == nil
	}
	if isNumber(l) && isNumber(r) {
		c, _ := compare(l, r)
		return c == 0
	}
	switch a := l.(type) {
	case string:
		if b, ok := r.(string); ok {
			return a == b
		}
	case bool:
		if b, ok := r.(bool); ok {
			return a == b
		}
	}
	return ToString(l) == ToString(r)
}

// compare orders numbers (and strings, as Comparable); ok is false for
// other pairs.
func compare(l, r any) (int, bool) {
	if a, ok := l.(int64); ok {
		if b, ok := r.(int64); ok {
			switch {
			case a < b:
				return -1, true
			case a > b:
				return 1, true
			}
			return 0, true
		}
	}
	a, ok1 := toFloat(l)
	b, ok2 := toFloat(r)
	if ok1 && ok2 {
		switch {
		case a < b:
			return -1, true
		case a > b:
			return 1, true
		}
		return 0, true
	}
	if a, ok := l.(string); ok {
		if b, ok := r.(string); ok {
			return strings.Compare(a, b), true
		}
	}
	return 0, false
}

// arith is + - * / % on numbers: integers stay integers (division
// truncates); anything else, or a division by zero, is null.
func arith(op string, l, r any) any {
	a, aInt := l.(int64)
	b, bInt := r.(int64)
	if aInt && bInt {
		switch op {
		case "+":
			return a + b
		case "-":
			return a - b
		case "*":
			return a * b
		case "/":
			if b == 0 || a == math.MinInt64 && b == -1 {
				return nil
			}
			return a / b
		case "%":
			if b == 0 || b == -1 {
				if b == -1 {
					return int64(0)
				}
				return nil
			}
			return a % b
		}
	}
	x, ok1 := toFloat(l)
	y, ok2 := toFloat(r)
	if !ok1 || !ok2 {
		return nil
	}
	switch op {
	case "+":
		return x + y
	case "-":
		return x - y
	case "*":
		return x * y
	case "/":
		if y == 0 {
			return nil
		}
		return x / y
	case "%":
		if y == 0 {
			return nil
		}
		return math.Mod(x, y)
	}
	return nil
}
