package eventpattern

import "testing"

// FuzzCompile feeds arbitrary patterns and events: Compile refuses with an
// *Error or compiles, matching never panics, and the set answers as the
// pattern does alone.
func FuzzCompile(f *testing.F) {
	for _, tc := range matchCases {
		f.Add(tc.pattern, tc.event)
	}
	f.Fuzz(func(t *testing.T, pattern, event string) {
		set, err := Compile([]Pattern{{ID: "p", JSON: pattern}, {ID: "q", JSON: `{"source":["x"]}`}})
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
		got := set.MatchEvent(ev)
		one, _ := Compile([]Pattern{{ID: "p", JSON: pattern}})
		alone := one.MatchEvent(ev)
		inSet := len(got) > 0 && got[0] == "p"
		if inSet != (len(alone) == 1) {
			t.Fatalf("set %v, alone %v", got, alone)
		}
	})
}
