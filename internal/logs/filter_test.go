package logs

import (
	"strings"
	"testing"
)

func FuzzMatchFilter(f *testing.F) {
	for _, s := range []string{`ERROR`, `"a b" c`, `-x y`, `"unterminated`, `"esc\"aped"`, `{ $.a = 1 }`, `\`} {
		f.Add(s, "some ERROR line a b c")
	}
	f.Fuzz(func(t *testing.T, pattern, msg string) {
		_ = matchFilter(pattern, msg)
	})
}

func TestCheckFilterPattern(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		ok      bool
	}{
		{"", true},
		{"ERROR", true},
		{`"a phrase" -debug`, true},
		{`{ $.level = "error" }`, true},
		{`[ip, user, status = 5*]`, true},
		{`{ ($.a = 1) && ($.b = "x}") }`, true},
		{`"open`, false},
		{`{ $.level = "error"`, false},
		{`[a, b`, false},
		{`ERROR }`, false},
		{strings.Repeat("x", 1025), false},
	} {
		if err := checkFilterPattern(tc.pattern); (err == nil) != tc.ok {
			t.Errorf("%q: %v, want ok=%v", tc.pattern, err, tc.ok)
		}
	}
}

func FuzzCheckFilterPattern(f *testing.F) {
	for _, s := range []string{"ERROR", `{ $.a = "}" }`, `[a, b = "x\"y"]`, `"`, `\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if checkFilterPattern(p) == nil {
			matchFilter(p, "some message") // an accepted pattern is read without a panic
		}
	})
}
