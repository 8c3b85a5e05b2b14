package eventpattern

import (
	"fmt"
	"testing"
)

// FuzzCompile feeds arbitrary patterns and events: Compile refuses with an
// *Error or compiles, matching never panics, and the set answers as the
// pattern does alone.
func FuzzCompile(f *testing.F) {
	for _, tc := range matchCases {
		f.Add(tc.pattern, tc.event)
	}
	f.Fuzz(func(t *testing.T, pattern, event string) {
		// Enough patterns that the set uses its index, not MatchEach.
		pats := []Pattern{{ID: "p", JSON: pattern}}
		for i := range naiveBelow {
			pats = append(pats, Pattern{ID: fmt.Sprint("q", i), JSON: fmt.Sprintf(`{"source":["x%d"],"detail-type":["y"]}`, i)})
		}
		set, err := Compile(pats)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("Compile error %T %v is not an *Error", err, err)
			}
			return
		}
		ev, err := ParseEvent([]byte(event))
		if err != nil {
			return
		}
		got, each := set.MatchEvent(ev), set.MatchEach(ev)
		if len(got) != len(each) || (len(got) > 0 && got[0] != each[0]) {
			t.Fatalf("indexed %v, each in turn %v", got, each)
		}
	})
}
