package expr

import (
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/tables/attr"
)

// TestCondition_Types: comparisons and functions across every type, as the
// developer guide's comparison rules state them.
func TestCondition_Types(t *testing.T) {
	it := attr.Item{
		"s": attr.Str("abc"), "n": attr.Num("10"), "b": attr.Bin([]byte{1, 2, 3}), "t": {Kind: attr.BOOL, Bool: true}, "z": {Kind: attr.NULL},
		"ss": {Kind: attr.SS, Set: []string{"a", "b"}}, "ns": {Kind: attr.NS, Set: []string{"1", "2.5"}}, "bs": {Kind: attr.BS, Set: []string{"\x01"}},
		"l": {Kind: attr.L, L: []attr.Value{attr.Str("x"), attr.Num("1"), {Kind: attr.L, L: []attr.Value{attr.Str("deep")}}}},
		"m": {Kind: attr.M, M: map[string]attr.Value{"k": attr.Str("v"), "n": {Kind: attr.M, M: map[string]attr.Value{"x": attr.Num("-1")}}}},
		"e": attr.Str("é"),
	}
	vals := map[string]attr.Value{
		":abc": attr.Str("abc"), ":ab": attr.Str("ab"), ":b": attr.Str("b"), ":ten": attr.Num("10.0"), ":nine": attr.Num("9"), ":big": attr.Num("1e2"),
		":bin": attr.Bin([]byte{1, 2, 3}), ":bin1": attr.Bin([]byte{1}), ":bin2": attr.Bin([]byte{2}), ":true": {Kind: attr.BOOL, Bool: true}, ":null": {Kind: attr.NULL},
		":a": attr.Str("a"), ":one": attr.Num("1"), ":twohalf": attr.Num("2.50"), ":x": attr.Str("x"), ":v": attr.Str("v"), ":neg": attr.Num("-1"),
		":S": attr.Str("S"), ":N": attr.Str("N"), ":B": attr.Str("B"), ":BOOL": attr.Str("BOOL"), ":NULL": attr.Str("NULL"), ":SS": attr.Str("SS"),
		":NS": attr.Str("NS"), ":BS": attr.Str("BS"), ":L": attr.Str("L"), ":M": attr.Str("M"), ":two": attr.Num("2"), ":three": attr.Num("3"),
		":ssab": {Kind: attr.SS, Set: []string{"b", "a"}}, ":lx": {Kind: attr.L, L: []attr.Value{attr.Str("x")}}, ":deep": attr.Str("deep"),
		":mv": {Kind: attr.M, M: map[string]attr.Value{"k": attr.Str("v"), "n": {Kind: attr.M, M: map[string]attr.Value{"x": attr.Num("-1.0")}}}},
	}
	for _, c := range []struct {
		expr string
		want bool
	}{
		{"s = :abc", true}, {"s > :ab", true}, {"s < :b", true}, {"s BETWEEN :ab AND :b", true}, {"s >= :abc", true},
		{"n = :ten", true}, {"n > :nine", true}, {"n < :big", true}, {"n BETWEEN :nine AND :big", true}, {"n <> :ten", false},
		{"b = :bin", true}, {"b > :bin1", true}, {"b < :bin2", true}, {"begins_with(b, :bin1)", true}, {"contains(b, :bin2)", false},
		{"t = :true", true}, {"t > :true", false}, {"z = :null", true}, {"z <> :null", false},
		{"ss = :ssab", true}, {"contains(ss, :a)", true}, {"contains(ss, :x)", false}, {"contains(ns, :twohalf)", true}, {"contains(ns, :a)", false},
		{"contains(bs, :bin1)", true}, {"contains(l, :x)", true}, {"contains(l, :one)", true}, {"contains(l, :lx)", false},
		{"l[2][0] = :deep", true}, {"l[3] = :deep", false}, {"m.k = :v", true}, {"m.n.x = :neg", true}, {"m = :mv", true},
		{"size(s) = :three", true}, {"size(b) = :three", true}, {"size(ss) = :two", true}, {"size(l) = :three", true}, {"size(m) = :two", true},
		{"size(e) = :one", true}, {"size(n) = :two", false}, {"size(t) = :one", false},
		{"attribute_type(s, :S)", true}, {"attribute_type(n, :N)", true}, {"attribute_type(b, :B)", true}, {"attribute_type(t, :BOOL)", true},
		{"attribute_type(z, :NULL)", true}, {"attribute_type(ss, :SS)", true}, {"attribute_type(ns, :NS)", true}, {"attribute_type(bs, :BS)", true},
		{"attribute_type(l, :L)", true}, {"attribute_type(m, :M)", true}, {"attribute_type(m.n, :M)", true}, {"attribute_type(nope, :S)", false},
		{"n IN (:one, :ten)", true}, {"n IN (:one, :two)", false}, {"s IN (:abc)", true},
		{"s < :ten", false}, {"n < :abc", false}, {"s = n", false}, {"m.k = m.k", true}, {"l[0] = m.nope", false},
		{"begins_with(s, :ab)", true}, {"begins_with(s, :b)", false}, {"begins_with(b, :abc)", false},
		{"attribute_exists(l[2][0])", true}, {"attribute_not_exists(l[9])", true}, {"attribute_exists(m.n.x)", true}, {"attribute_exists(s.x)", false},
		{"NOT NOT attribute_exists(s)", true}, {"attribute_exists(s) AND NOT attribute_exists(q) OR z = :null AND n = :nine", true},
		{"(attribute_exists(q) OR n = :ten) AND (s = :abc)", true},
	} {
		cond, err := ParseCondition("ConditionExpression", c.expr, NewEnv(nil, vals))
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if got := cond.Eval(it); got != c.want {
			t.Errorf("%s = %v, want %v", c.expr, got, c.want)
		}
	}
}

// TestUpdate_MoreActions: nested list and map updates, sets, and numbers.
func TestUpdate_MoreActions(t *testing.T) {
	base := func() attr.Item {
		return attr.Item{"id": attr.Str("1"), "n": attr.Num("1.5"), "l": {Kind: attr.L, L: []attr.Value{attr.Num("0"), attr.Num("1"), attr.Num("2"), attr.Num("3")}},
			"m": {Kind: attr.M, M: map[string]attr.Value{"a": {Kind: attr.M, M: map[string]attr.Value{}}}}, "ns": {Kind: attr.NS, Set: []string{"1", "2"}}}
	}
	vals := map[string]attr.Value{":one": attr.Num("1"), ":x": attr.Str("x"), ":ns": {Kind: attr.NS, Set: []string{"2", "3"}}, ":neg": attr.Num("-2.5"),
		":l": {Kind: attr.L, L: []attr.Value{attr.Num("9")}}, ":m": {Kind: attr.M, M: map[string]attr.Value{}}, ":big": attr.Num("99999999999999999999999999999999999999")}
	for _, c := range []struct {
		expr, check string
	}{
		{"SET n = n + :neg", "n=-1"},
		{"SET n = :one - n", "n=-0.5"},
		{"SET m.a.b = :x", "m.a.b=x"},
		{"SET m.c = :m, m.a.q = :one", "m.c={}"},
		{"SET l[1] = :x", "l[1]=x"},
		{"SET l[10] = :x", "l[4]=x"},
		{"REMOVE l[1], l[2]", "l=0,3"},
		{"REMOVE l[0], l[3]", "l=1,2"},
		{"REMOVE m.a, nope", "m={}"},
		{"ADD ns :ns", "ns=1,2,3"},
		{"DELETE ns :ns", "ns=1"},
		{"ADD n :neg", "n=-1"},
		{"SET l = list_append(l, :l)", "l=0,1,2,3,9"},
		{"SET q = if_not_exists(q, n)", "q=1.5"},
		{"SET n = if_not_exists(q, :one) + if_not_exists(n, :one)", "n=2.5"},
	} {
		u, err := ParseUpdate(c.expr, NewEnv(nil, vals))
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		got, err := u.Apply(base())
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if s := describe(got, c.check); s != c.check {
			t.Errorf("%s: %s, want %s", c.expr, s, c.check)
		}
	}
	u, _ := ParseUpdate("ADD n :big", NewEnv(nil, vals))
	if _, err := u.Apply(attr.Item{"n": attr.Num("99999999999999999999999999999999999999")}); err == nil || !strings.Contains(err.Error(), "38 significant digits") {
		t.Errorf("overflowing ADD: %v", err)
	}
}

// describe renders the part of an item a check names ("n=...", "l=a,b",
// "l[1]=x", "m.a.b=x", "m={}", "ns=1,2").
func describe(it attr.Item, check string) string {
	path, _, _ := strings.Cut(check, "=")
	env := NewEnv(nil, nil)
	ps, err := ParseProjection(path, env)
	if err != nil {
		return err.Error()
	}
	v, ok := Get(it, ps[0])
	if !ok {
		return path + "=<missing>"
	}
	return path + "=" + render(v)
}

func render(v attr.Value) string {
	switch v.Kind {
	case attr.L:
		var parts []string
		for _, e := range v.L {
			parts = append(parts, render(e))
		}
		return strings.Join(parts, ",")
	case attr.M:
		if len(v.M) == 0 {
			return "{}"
		}
		return "{...}"
	case attr.NS, attr.SS:
		s := append([]string(nil), v.Set...)
		for i := range s {
			for j := i + 1; j < len(s); j++ {
				if s[j] < s[i] {
					s[i], s[j] = s[j], s[i]
				}
			}
		}
		return strings.Join(s, ",")
	}
	return v.Str
}
