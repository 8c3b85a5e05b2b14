package attr

import (
	"fmt"
	"math/big"
	"strings"
)

// Number limits (DynamoDB's developer guide, "Data types").
const (
	maxDigits = 38
	maxExp    = 126  // magnitude below 1e126... up to 9.99...E+125
	minExp    = -130 // magnitude at least 1E-130
)

// Decimal is a DynamoDB number: sign, significant digits without leading
// or trailing zeros, and exponent, the value being 0.Digits × 10^Exp.
// Zero has no digits.
type Decimal struct {
	Neg    bool
	Digits string
	Exp    int
}

// ParseNumber reads a number as DynamoDB accepts it ("-1.50", "1e3",
// ".5"), refusing more than 38 significant digits and magnitudes out of
// range with DynamoDB's messages.
func ParseNumber(s string) (Decimal, error) {
	var d Decimal
	t := strings.TrimSpace(s)
	if t == "" {
		return d, fmt.Errorf("The parameter cannot be converted to a numeric value")
	}
	if t[0] == '-' || t[0] == '+' {
		d.Neg = t[0] == '-'
		t = t[1:]
	}
	mant, exp := t, 0
	if i := strings.IndexAny(t, "eE"); i >= 0 {
		mant = t[:i]
		e := t[i+1:]
		if e == "" || len(e) > 6 {
			return d, fmt.Errorf("The parameter cannot be converted to a numeric value: %s", s)
		}
		n, ok := new(big.Int).SetString(e, 10)
		if !ok {
			return d, fmt.Errorf("The parameter cannot be converted to a numeric value: %s", s)
		}
		exp = int(n.Int64())
	}
	intPart, frac := mant, ""
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		intPart, frac = mant[:i], mant[i+1:]
	}
	if intPart == "" && frac == "" {
		return d, fmt.Errorf("The parameter cannot be converted to a numeric value: %s", s)
	}
	for _, c := range intPart + frac {
		if c < '0' || c > '9' {
			return d, fmt.Errorf("The parameter cannot be converted to a numeric value: %s", s)
		}
	}
	digits := intPart + frac
	exp += len(intPart)
	lead := len(digits) - len(strings.TrimLeft(digits, "0"))
	digits = digits[lead:]
	exp -= lead
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		return Decimal{}, nil
	}
	d.Digits, d.Exp = digits, exp
	if len(digits) > maxDigits {
		return d, fmt.Errorf("Attempting to store more than 38 significant digits in a Number")
	}
	if exp > maxExp {
		return d, fmt.Errorf("Number overflow. Attempting to store a number with magnitude larger than supported range")
	}
	if exp-1 < minExp {
		return d, fmt.Errorf("Number underflow. Attempting to store a number with magnitude smaller than supported range")
	}
	return d, nil
}

// IsZero reports whether d is 0.
func (d Decimal) IsZero() bool { return d.Digits == "" }

// String is the number as DynamoDB returns it: plain notation, no
// trailing zeros, no exponent.
func (d Decimal) String() string {
	if d.IsZero() {
		return "0"
	}
	var b strings.Builder
	if d.Neg {
		b.WriteByte('-')
	}
	switch {
	case d.Exp <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -d.Exp))
		b.WriteString(d.Digits)
	case d.Exp >= len(d.Digits):
		b.WriteString(d.Digits)
		b.WriteString(strings.Repeat("0", d.Exp-len(d.Digits)))
	default:
		b.WriteString(d.Digits[:d.Exp])
		b.WriteByte('.')
		b.WriteString(d.Digits[d.Exp:])
	}
	return b.String()
}

// Cmp compares two numbers: -1, 0 or 1.
func (d Decimal) Cmp(o Decimal) int {
	sd, so := d.sign(), o.sign()
	if sd != so {
		if sd < so {
			return -1
		}
		return 1
	}
	if sd == 0 {
		return 0
	}
	c := cmpAbs(d, o)
	if sd < 0 {
		return -c
	}
	return c
}

func (d Decimal) sign() int {
	switch {
	case d.IsZero():
		return 0
	case d.Neg:
		return -1
	}
	return 1
}

func cmpAbs(a, b Decimal) int {
	if a.Exp != b.Exp {
		if a.Exp < b.Exp {
			return -1
		}
		return 1
	}
	return strings.Compare(a.Digits, b.Digits)
}

// rat is d as an exact rational.
func (d Decimal) rat() *big.Rat {
	r, _ := new(big.Rat).SetString(d.sci())
	return r
}

func (d Decimal) sci() string {
	if d.IsZero() {
		return "0"
	}
	s := "0." + d.Digits + "e" + fmt.Sprint(d.Exp)
	if d.Neg {
		s = "-" + s
	}
	return s
}

// Add returns d + o, refusing results DynamoDB cannot hold.
func (d Decimal) Add(o Decimal) (Decimal, error) {
	sum := new(big.Rat).Add(d.rat(), o.rat())
	return fromRat(sum)
}

// Sub returns d - o.
func (d Decimal) Sub(o Decimal) (Decimal, error) {
	return d.Add(Decimal{Neg: !o.Neg, Digits: o.Digits, Exp: o.Exp})
}

// fromRat converts a rational with a power-of-ten denominator (a sum of
// decimals) back to a Decimal.
func fromRat(r *big.Rat) (Decimal, error) {
	ten := big.NewInt(10)
	num := new(big.Int).Set(r.Num())
	scale := 0
	for new(big.Int).Mod(num, r.Denom()).Sign() != 0 {
		if scale > 400 {
			return Decimal{}, fmt.Errorf("number is not a decimal")
		}
		num.Mul(num, ten)
		scale++
	}
	num.Quo(num, r.Denom())
	return ParseNumber(num.String() + "e-" + fmt.Sprint(scale))
}
