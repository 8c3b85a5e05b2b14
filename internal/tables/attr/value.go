package attr

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"unicode/utf8"
)

// Kind is an attribute value's type, as the wire names it.
type Kind string

// The ten attribute types.
const (
	S    Kind = "S"
	N    Kind = "N"
	B    Kind = "B"
	BOOL Kind = "BOOL"
	NULL Kind = "NULL"
	M    Kind = "M"
	L    Kind = "L"
	SS   Kind = "SS"
	NS   Kind = "NS"
	BS   Kind = "BS"
)

// Value is one attribute value. Str holds S, B (raw bytes) and N (its
// normalised decimal); Set holds SS, NS and BS likewise.
type Value struct {
	Kind Kind
	Str  string
	Bool bool
	M    map[string]Value
	L    []Value
	Set  []string
}

// Item is an item: attribute name to value.
type Item map[string]Value

// Str, Num and Bin build scalar values.
func Str(s string) Value { return Value{Kind: S, Str: s} }

// Num builds a number value from a decimal string (already valid).
func Num(s string) Value {
	d, err := ParseNumber(s)
	if err != nil {
		return Value{Kind: N, Str: s}
	}
	return Value{Kind: N, Str: d.String()}
}

// Bin builds a binary value.
func Bin(b []byte) Value { return Value{Kind: B, Str: string(b)} }

// Decimal is an N value's number.
func (v Value) Decimal() Decimal {
	d, _ := ParseNumber(v.Str)
	return d
}

// IsSet reports whether v is SS, NS or BS.
func (v Value) IsSet() bool { return v.Kind == SS || v.Kind == NS || v.Kind == BS }

// ElemKind is a set's element kind (S, N or B).
func (k Kind) ElemKind() Kind {
	switch k {
	case SS:
		return S
	case NS:
		return N
	case BS:
		return B
	}
	return ""
}

// SetKind is the set kind of scalar kind k.
func (k Kind) SetKind() Kind {
	switch k {
	case S:
		return SS
	case N:
		return NS
	case B:
		return BS
	}
	return ""
}

// Equal reports whether two values are equal as DynamoDB compares them
// (numbers by value, sets as sets, lists in order).
func Equal(a, b Value) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case N:
		return a.Decimal().Cmp(b.Decimal()) == 0
	case S, B:
		return a.Str == b.Str
	case BOOL:
		return a.Bool == b.Bool
	case NULL:
		return true
	case M:
		if len(a.M) != len(b.M) {
			return false
		}
		for k, av := range a.M {
			bv, ok := b.M[k]
			if !ok || !Equal(av, bv) {
				return false
			}
		}
		return true
	case L:
		if len(a.L) != len(b.L) {
			return false
		}
		for i := range a.L {
			if !Equal(a.L[i], b.L[i]) {
				return false
			}
		}
		return true
	case SS, NS, BS:
		if len(a.Set) != len(b.Set) {
			return false
		}
		for _, e := range a.Set {
			if !a.hasElem(b, e) {
				return false
			}
		}
		return true
	}
	return false
}

func (a Value) hasElem(set Value, e string) bool {
	for _, x := range set.Set {
		if a.Kind == NS {
			if Num(x).Decimal().Cmp(Num(e).Decimal()) == 0 {
				return true
			}
		} else if x == e {
			return true
		}
	}
	return false
}

// Contains reports whether set v holds element e (a scalar of its element kind).
func (v Value) Contains(e Value) bool {
	if !v.IsSet() || e.Kind != v.Kind.ElemKind() {
		return false
	}
	return v.hasElem(v, e.Str)
}

// Compare orders two values of the same scalar kind (N numerically, S and
// B bytewise); ok is false for other kinds or mixed kinds.
func Compare(a, b Value) (c int, ok bool) {
	if a.Kind != b.Kind {
		return 0, false
	}
	switch a.Kind {
	case N:
		return a.Decimal().Cmp(b.Decimal()), true
	case S, B:
		return bytes.Compare([]byte(a.Str), []byte(b.Str)), true
	}
	return 0, false
}

// MarshalJSON writes v as DynamoDB's JSON does ({"S":"x"}).
func (v Value) MarshalJSON() ([]byte, error) {
	switch v.Kind {
	case S, N:
		return json.Marshal(map[Kind]string{v.Kind: v.Str})
	case B:
		return json.Marshal(map[Kind]string{B: base64.StdEncoding.EncodeToString([]byte(v.Str))})
	case BOOL:
		return json.Marshal(map[Kind]bool{BOOL: v.Bool})
	case NULL:
		return []byte(`{"NULL":true}`), nil
	case M:
		m := v.M
		if m == nil {
			m = map[string]Value{}
		}
		return json.Marshal(map[Kind]map[string]Value{M: m})
	case L:
		l := v.L
		if l == nil {
			l = []Value{}
		}
		return json.Marshal(map[Kind][]Value{L: l})
	case SS, NS:
		return json.Marshal(map[Kind][]string{v.Kind: v.Set})
	case BS:
		out := make([]string, len(v.Set))
		for i, e := range v.Set {
			out[i] = base64.StdEncoding.EncodeToString([]byte(e))
		}
		return json.Marshal(map[Kind][]string{BS: out})
	}
	return nil, fmt.Errorf("attribute value of no type")
}

// ErrEmpty is DynamoDB's message for a value naming no type or several.
const ErrEmpty = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"

// UnmarshalJSON reads one value, checking what DynamoDB checks: exactly
// one type, valid numbers (normalised), no empty or duplicate sets, NULL
// true, valid base64.
func (v *Value) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("attribute value: %w", err)
	}
	if len(raw) != 1 {
		return validation(ErrEmpty)
	}
	for k, r := range raw {
		if string(r) == "null" {
			return validation(ErrEmpty)
		}
		if err := v.decode(Kind(k), r); err != nil {
			return err
		}
	}
	return nil
}

func (v *Value) decode(k Kind, r json.RawMessage) error {
	var str string
	var strs []string
	switch k {
	case S, N, B:
		if err := json.Unmarshal(r, &str); err != nil {
			return fmt.Errorf("attribute value %s: %w", k, err)
		}
	case SS, NS, BS:
		if err := json.Unmarshal(r, &strs); err != nil {
			return fmt.Errorf("attribute value %s: %w", k, err)
		}
	}
	switch k {
	case S:
		if !utf8.ValidString(str) {
			return validation("One or more parameter values were invalid: invalid UTF-8 in a string")
		}
		*v = Value{Kind: S, Str: str}
	case N:
		d, err := ParseNumber(str)
		if err != nil {
			return validation("%s", err.Error())
		}
		*v = Value{Kind: N, Str: d.String()}
	case B:
		raw, err := base64.StdEncoding.DecodeString(str)
		if err != nil {
			return fmt.Errorf("attribute value B: %w", err)
		}
		*v = Value{Kind: B, Str: string(raw)}
	case BOOL:
		var x bool
		if err := json.Unmarshal(r, &x); err != nil {
			return fmt.Errorf("attribute value BOOL: %w", err)
		}
		*v = Value{Kind: BOOL, Bool: x}
	case NULL:
		var x bool
		if err := json.Unmarshal(r, &x); err != nil {
			return fmt.Errorf("attribute value NULL: %w", err)
		}
		if !x {
			return validation("One or more parameter values were invalid: Null attribute value types must have the value of true")
		}
		*v = Value{Kind: NULL}
	case M:
		m := map[string]Value{}
		if err := json.Unmarshal(r, &m); err != nil {
			return err
		}
		*v = Value{Kind: M, M: m}
	case L:
		l := []Value{}
		if err := json.Unmarshal(r, &l); err != nil {
			return err
		}
		*v = Value{Kind: L, L: l}
	case SS:
		return v.setOf(SS, strs, func(s string) (string, error) { return s, nil })
	case NS:
		return v.setOf(NS, strs, func(s string) (string, error) {
			d, err := ParseNumber(s)
			if err != nil {
				return "", validation("%s", err.Error())
			}
			return d.String(), nil
		})
	case BS:
		return v.setOf(BS, strs, func(s string) (string, error) {
			raw, err := base64.StdEncoding.DecodeString(s)
			return string(raw), err
		})
	default:
		return validation(ErrEmpty)
	}
	return nil
}

func (v *Value) setOf(k Kind, elems []string, conv func(string) (string, error)) error {
	if len(elems) == 0 {
		what := map[Kind]string{SS: "string", NS: "number", BS: "binary"}[k]
		return validation("One or more parameter values were invalid: An %s set  may not be empty", what)
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(elems))
	for _, e := range elems {
		c, err := conv(e)
		if err != nil {
			return err
		}
		if seen[c] {
			return validation("One or more parameter values were invalid: Input collection %v contains duplicates.", elems)
		}
		seen[c] = true
		out = append(out, c)
	}
	*v = Value{Kind: k, Set: out}
	return nil
}

// SortedNames are an item's attribute names in order.
func (it Item) SortedNames() []string {
	names := make([]string, 0, len(it))
	for n := range it {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ValidationError is a bad value, carrying DynamoDB's message.
type ValidationError struct{ Msg string }

func (e *ValidationError) Error() string { return e.Msg }

func validation(format string, args ...any) error {
	return &ValidationError{Msg: fmt.Sprintf(format, args...)}
}
