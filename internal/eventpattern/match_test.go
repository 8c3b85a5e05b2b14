package eventpattern

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"testing"
)

// matchCases are pattern × event × verdict: testdata/cases.json (the
// EventBridge user guide's examples from its event patterns and content
// filtering pages, then edge cases; the platform's tests run the same file
// through TestEventPattern and the delivery matcher), then a generated grid
// of numeric comparisons.
var matchCases = loadCases()

type matchCase struct {
	name, pattern, event string
	want                 bool
}

func loadCases() []matchCase {
	b, err := os.ReadFile("testdata/cases.json")
	if err != nil {
		panic(err)
	}
	var raw []struct {
		Name    string          `json:"name"`
		Pattern json.RawMessage `json:"pattern"`
		Event   json.RawMessage `json:"event"`
		Match   bool            `json:"match"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		panic(err)
	}
	var out []matchCase
	for _, r := range raw {
		out = append(out, matchCase{r.Name, string(r.Pattern), string(r.Event), r.Match})
	}
	return append(out, numericGrid()...)
}

// numericGrid compares every operator and bound with numbers, a number
// inside an array and a number written as a string (never numeric).
func numericGrid() []matchCase {
	var out []matchCase
	ops := map[string]func(v, b float64) bool{
		">": func(v, b float64) bool { return v > b }, "<": func(v, b float64) bool { return v < b },
		">=": func(v, b float64) bool { return v >= b }, "<=": func(v, b float64) bool { return v <= b },
		"=": func(v, b float64) bool { return v == b },
	}
	for _, op := range []string{">", "<", ">=", "<=", "="} {
		for _, bound := range []string{"-1", "0", "1.5", "1e9"} {
			b, _ := strconv.ParseFloat(bound, 64)
			for _, val := range []string{"-1", "0", "1.5", "2", "1000000000", "-0.5"} {
				v, _ := strconv.ParseFloat(val, 64)
				pat := fmt.Sprintf(`{"detail":{"n":[{"numeric":[%q,%s]}]}}`, op, bound)
				out = append(out,
					matchCase{fmt.Sprintf("numeric %s %s vs %s", op, bound, val), pat, fmt.Sprintf(`{"detail":{"n":%s}}`, val), ops[op](v, b)},
					matchCase{fmt.Sprintf("numeric %s %s vs [x, %s]", op, bound, val), pat, fmt.Sprintf(`{"detail":{"n":["x",%s]}}`, val), ops[op](v, b)},
					matchCase{fmt.Sprintf("numeric %s %s vs string %s", op, bound, val), pat, fmt.Sprintf(`{"detail":{"n":%q}}`, val), false})
			}
		}
	}
	return out
}

func TestMatch(t *testing.T) {
	for _, tc := range matchCases {
		t.Run(tc.name, func(t *testing.T) {
			set, err := Compile([]Pattern{{ID: "p", JSON: tc.pattern}})
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got, err := set.Match([]byte(tc.event))
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if (len(got) == 1) != tc.want {
				t.Fatalf("pattern %s event %s: matched %v, want %v", tc.pattern, tc.event, got, tc.want)
			}
		})
	}
}

// TestSetSameAsEach compiles every case's pattern into one set and checks
// the set answers, for every case's event, exactly the patterns that match
// it one by one: the index never loses a match nor adds one.
func TestSetSameAsEach(t *testing.T) {
	var pats []Pattern
	for _, tc := range matchCases {
		pats = append(pats, Pattern{ID: tc.name, JSON: tc.pattern})
	}
	set, err := Compile(pats)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range matchCases {
		ev, err := ParseEvent([]byte(tc.event))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, p := range pats {
			one, _ := Compile([]Pattern{p})
			if len(one.MatchEvent(ev)) == 1 {
				want = append(want, p.ID)
			}
		}
		got := set.MatchEvent(ev)
		if len(got) != len(want) {
			t.Fatalf("event %s: set %v, one by one %v", tc.event, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("event %s: set %v, one by one %v", tc.event, got, want)
			}
		}
	}
}

func TestInvalid(t *testing.T) {
	for _, p := range []string{
		``, `[]`, `"x"`, `{}`, `{"a":"b"}`, `{"a":[]}`, `{"a":{}}`, `{"a":[["x"]]}`, `{"a":[{"prefix":1}]}`,
		`{"a":[{"bogus":"x"}]}`, `{"a":[{"prefix":"a","suffix":"b"}]}`, `{"a":[{"numeric":[">"]}]}`,
		`{"a":[{"numeric":["=",1,"<",2]}]}`, `{"a":[{"numeric":[">",5,"<",1]}]}`, `{"a":[{"numeric":["!",1]}]}`,
		`{"a":[{"numeric":[">","1"]}]}`, `{"a":[{"exists":"yes"}]}`, `{"a":[{"cidr":"10.0.0.0/99"}]}`,
		`{"a":[{"anything-but":["x",1]}]}`, `{"a":[{"anything-but":[]}]}`, `{"a":[{"anything-but":null}]}`,
		`{"a":[{"anything-but":{"exists":true}}]}`, `{"a":[{"wildcard":"a**b"}]}`, `{"a":[{"wildcard":"a\\b"}]}`,
		`{"$or":[{"a":["1"]}]}`, `{"$or":{"a":["1"]}}`, `{"a":["x"]} x`, `{"a":[{"equals-ignore-case":3}]}`,
	} {
		err := Validate(p)
		var pe *Error
		if !errors.As(err, &pe) || pe.Reason == "" {
			t.Errorf("Validate(%s) = %v, want an *Error", p, err)
		}
	}
}

func TestCompileNamesPattern(t *testing.T) {
	_, err := Compile([]Pattern{{ID: "ok", JSON: `{"a":["b"]}`}, {ID: "bad", JSON: `{"a":"b"}`}})
	var pe *Error
	if !errors.As(err, &pe) || pe.ID != "bad" {
		t.Fatalf("err = %v, want an *Error for bad", err)
	}
}
