package eventpattern

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// randomPattern draws a pattern over a small vocabulary so that random
// events match some: exact values, pairs, prefixes, $or, arrays.
func randomPattern(r *rand.Rand) string {
	leaf := func() string {
		switch r.IntN(8) {
		case 0:
			return fmt.Sprintf(`[{"prefix":"v%d"}]`, r.IntN(3))
		case 1:
			return fmt.Sprintf(`[{"numeric":[">",%d]}]`, r.IntN(5))
		case 2:
			return `[{"exists":false}]`
		case 3:
			return fmt.Sprintf(`[{"anything-but":"v%d"}]`, r.IntN(5))
		case 4:
			return fmt.Sprintf(`["v%d",%d]`, r.IntN(5), r.IntN(5))
		default:
			return fmt.Sprintf(`["v%d"]`, r.IntN(5))
		}
	}
	obj := func(keys ...string) string {
		s := "{"
		for i, k := range keys {
			if i > 0 {
				s += ","
			}
			if k == "d" {
				s += fmt.Sprintf(`"d":{"x":%s,"y":%s}`, leaf(), leaf())
			} else {
				s += fmt.Sprintf(`%q:%s`, k, leaf())
			}
		}
		return s + "}"
	}
	keys := [][]string{{"a"}, {"a", "b"}, {"a", "b", "d"}, {"d"}, {"b", "c"}}[r.IntN(5)]
	p := obj(keys...)
	if r.IntN(4) == 0 {
		p = p[:len(p)-1] + fmt.Sprintf(`,"$or":[%s,%s]}`, obj("c"), obj("d"))
	}
	return p
}

func randomEvent(r *rand.Rand) []byte {
	v := func() string {
		if r.IntN(3) == 0 {
			return fmt.Sprint(r.IntN(6))
		}
		return fmt.Sprintf(`"v%d"`, r.IntN(6))
	}
	return fmt.Appendf(nil, `{"a":%s,"b":[%s,%s],"c":%s,"d":[{"x":%s,"y":%s},{"x":%s}]}`, v(), v(), v(), v(), v(), v(), v())
}

// TestSetSameAsNaive: over random patterns and events, the indexed set
// answers exactly what evaluating each pattern in turn answers.
func TestSetSameAsNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	var pats []Pattern
	for i := range 600 {
		pats = append(pats, Pattern{ID: fmt.Sprint(i), JSON: randomPattern(r)})
	}
	set, err := Compile(pats)
	if err != nil {
		t.Fatal(err)
	}
	matched := 0
	for range 400 {
		raw := randomEvent(r)
		ev, err := ParseEvent(raw)
		if err != nil {
			t.Fatal(err)
		}
		got, want := set.MatchEvent(ev), set.MatchEach(ev)
		if !slices.Equal(got, want) {
			t.Fatalf("event %s: indexed %v, naive %v", raw, got, want)
		}
		matched += len(got)
	}
	if matched == 0 {
		t.Fatal("no event matched any pattern: the test proves nothing")
	}
}
