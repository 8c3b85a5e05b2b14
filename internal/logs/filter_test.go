package logs

import "testing"

func FuzzMatchFilter(f *testing.F) {
	for _, s := range []string{`ERROR`, `"a b" c`, `-x y`, `"unterminated`, `"esc\"aped"`, `{ $.a = 1 }`, `\`} {
		f.Add(s, "some ERROR line a b c")
	}
	f.Fuzz(func(t *testing.T, pattern, msg string) {
		_ = matchFilter(pattern, msg)
	})
}
