package functions

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestUnpackKeepsModesAndRefusesEscapes(t *testing.T) {
	dir := t.TempDir()
	z := makeZip(t,
		zipEntry{name: "bootstrap", mode: 0o755, body: "#!/bin/sh\n"},
		zipEntry{name: "lib/", mode: 0o755},
		zipEntry{name: "lib/data.txt", mode: 0o600, body: "data"},
	)
	dest := filepath.Join(dir, "code")
	if err := unpack(z, dest); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dest, "bootstrap"))
	if err != nil || st.Mode().Perm()&0o111 == 0 {
		t.Fatalf("bootstrap not executable: %v %v", st.Mode(), err)
	}
	if b, err := os.ReadFile(filepath.Join(dest, "lib", "data.txt")); err != nil || string(b) != "data" {
		t.Fatalf("lib/data.txt: %q %v", b, err)
	}
	// Unpacking the same code again is a no-op.
	if err := unpack(z, dest); err != nil {
		t.Fatal(err)
	}

	bad := map[string][]byte{
		"parent":      makeZip(t, zipEntry{name: "../x", body: "x"}),
		"deep parent": makeZip(t, zipEntry{name: "a/../../x", body: "x"}),
		"absolute":    makeZip(t, zipEntry{name: "/etc/x", body: "x"}),
		"backslashes": makeZip(t, zipEntry{name: "..\\..\\x", body: "x"}),
		"symlink out": makeZip(t, zipEntry{name: "link", mode: uint32(os.ModeSymlink | 0o777), body: "/etc/passwd"}),
		"not a zip":   []byte("PK nope"),
	}
	for name, z := range bad {
		t.Run(name, func(t *testing.T) {
			dest := filepath.Join(t.TempDir(), "c")
			err := unpack(z, dest)
			if !errors.Is(err, errInvalidCode) {
				t.Fatalf("got %v, want errInvalidCode", err)
			}
			if _, serr := os.Stat(dest); serr == nil {
				t.Fatal("a refused package left a code directory")
			}
			if _, serr := os.Stat(filepath.Join(filepath.Dir(dest), "..", "x")); serr == nil {
				t.Fatal("zip-slip wrote outside the directory")
			}
		})
	}
}

func TestCheckZipBootstrap(t *testing.T) {
	cases := map[string]struct {
		runtime string
		zip     []byte
		ok      bool
	}{
		"provided with bootstrap":    {"provided.al2023", makeZip(t, zipEntry{name: "bootstrap", mode: 0o755}), true},
		"provided ./bootstrap":       {"provided.al2", makeZip(t, zipEntry{name: "./bootstrap", mode: 0o755}), true},
		"provided without bootstrap": {"provided", makeZip(t, zipEntry{name: "main", mode: 0o755}), false},
		"bootstrap only in subdir":   {"provided.al2023", makeZip(t, zipEntry{name: "bin/bootstrap", mode: 0o755}), false},
		"python needs no bootstrap":  {"python3.12", makeZip(t, zipEntry{name: "app.py"}), true},
		"nodejs needs no bootstrap":  {"nodejs20.x", makeZip(t, zipEntry{name: "index.mjs"}), true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := checkZip(c.zip, c.runtime)
			if (err == nil) != c.ok {
				t.Fatalf("checkZip: %v, want ok=%v", err, c.ok)
			}
		})
	}
}

func FuzzSafeJoin(f *testing.F) {
	for _, s := range []string{"a", "../a", "a/../../b", "/abs", "a\\..\\..\\b", "./bootstrap", "a/./b/", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		p, err := safeJoin("/root/code", name)
		if err != nil {
			return
		}
		rel, rerr := filepath.Rel("/root/code", p)
		if rerr != nil || rel == ".." || len(rel) >= 3 && rel[:3] == "../" {
			t.Fatalf("safeJoin(%q) = %q escapes", name, p)
		}
	})
}

func FuzzUnpack(f *testing.F) {
	f.Add(makeZip(f, zipEntry{name: "bootstrap", mode: 0o755, body: "x"}))
	f.Add(makeZip(f, zipEntry{name: "../x", body: "x"}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, z []byte) {
		dir := t.TempDir()
		_ = unpack(z, filepath.Join(dir, "sub", "code"))
		_, _ = checkZip(z, "provided")
		if _, err := os.Stat(filepath.Join(dir, "x")); err == nil {
			t.Fatal("wrote outside the code directory")
		}
	})
}
