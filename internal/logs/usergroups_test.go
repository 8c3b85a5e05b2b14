package logs

import (
	"strings"
	"testing"
)

// A group's source key is one NATS subject token, never a function's
// name, and gives the group's name back, whatever the name holds.
func FuzzUserSource(f *testing.F) {
	for _, s := range []string{"/aws/lambda/f", "a.b.c", "#/x", "", "é*> ."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		key := UserSource(name)
		if strings.ContainsAny(key, ". *>\t\r\n") || !strings.HasPrefix(key, userSourcePrefix) {
			t.Fatalf("UserSource(%q) = %q is not one subject token", name, key)
		}
		got, ok := userSourceGroup(key)
		if !ok || got != name {
			t.Fatalf("userSourceGroup(%q) = %q, %v; want %q", key, got, ok, name)
		}
		if _, ok := userSourceGroup(name); ok && !strings.HasPrefix(name, userSourcePrefix) {
			t.Fatalf("%q taken for a group's key", name)
		}
	})
}

// Only the names AWS takes are taken.
func TestValidNames(t *testing.T) {
	for name, want := range map[string]bool{"/aws/lambda/f": true, "a.b-c_d#e": true, "": false, "a b": false, "a:b": false, strings.Repeat("a", 512): true, strings.Repeat("a", 513): false} {
		if got := validGroupName(name); got != want {
			t.Errorf("validGroupName(%q) = %v", name, got)
		}
	}
	for name, want := range map[string]bool{"2024/01/01/[$LATEST]x": true, "a b": true, "": false, "a:b": false, "a*": false, "a\nb": false} {
		if got := validStreamName(name); got != want {
			t.Errorf("validStreamName(%q) = %v", name, got)
		}
	}
}
