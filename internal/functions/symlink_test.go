package functions

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

const linkMode = uint32(os.ModeSymlink | 0o777)

// Symbolic links that resolve inside the package are kept; the others are
// refused naming the entry, however they get out.
func TestPackageSymlinks(t *testing.T) {
	dir := t.TempDir()
	z := makeZip(t,
		zipEntry{name: "bin/real", mode: 0o755, body: "#!/bin/sh\n"},
		zipEntry{name: "bootstrap", mode: linkMode, body: "bin/real"},
		zipEntry{name: "lib/", mode: 0o755},
		zipEntry{name: "lib/data.txt", body: "data"},
		zipEntry{name: "lib/up", mode: linkMode, body: ".."},
		zipEntry{name: "lib/again", mode: linkMode, body: "up/lib/./data.txt"},
		zipEntry{name: "alias", mode: linkMode, body: "lib"},
		zipEntry{name: "dangling", mode: linkMode, body: "nothing/here"},
	)
	if _, err := checkZip(z, "provided.al2023"); err != nil {
		t.Fatalf("checkZip: %v", err)
	}
	dest := filepath.Join(dir, "code")
	if err := unpack(z, dest); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"bootstrap": "#!/bin/sh\n", "lib/again": "data", "alias/data.txt": "data", "lib/up/bin/real": "#!/bin/sh\n"} {
		if b, err := os.ReadFile(filepath.Join(dest, name)); err != nil || string(b) != want {
			t.Errorf("%s: %q %v, want %q", name, b, err, want)
		}
	}
	if target, err := os.Readlink(filepath.Join(dest, "bootstrap")); err != nil || target != "bin/real" {
		t.Errorf("bootstrap is not the link kept: %q %v", target, err)
	}

	bad := map[string]struct {
		entries []zipEntry
		want    string
	}{
		"absolute":         {[]zipEntry{{name: "link", mode: linkMode, body: "/etc/passwd"}}, `zip entry "link": symbolic link to "/etc/passwd" is absolute`},
		"parent":           {[]zipEntry{{name: "a/link", mode: linkMode, body: "../../etc"}}, `zip entry "a/link": symbolic link to "../../etc" points outside the package`},
		"through a link":   {[]zipEntry{{name: "sub/up", mode: linkMode, body: ".."}, {name: "sub/out", mode: linkMode, body: "up/../x"}}, `zip entry "sub/out": symbolic link to "up/../x" points outside the package`},
		"to an absolute":   {[]zipEntry{{name: "abs", mode: linkMode, body: "/tmp"}, {name: "via", mode: linkMode, body: "abs/x"}}, `symbolic link to "/tmp" is absolute`},
		"loop":             {[]zipEntry{{name: "a", mode: linkMode, body: "b"}, {name: "b", mode: linkMode, body: "a/x"}}, "loops"},
		"entry under link": {[]zipEntry{{name: "d", mode: linkMode, body: "."}, {name: "d/f", body: "x"}}, `zip entry "d/f": lies under the symbolic link "d"`},
		"link and file":    {[]zipEntry{{name: "f", body: "x"}, {name: "f", mode: linkMode, body: "g"}}, `zip entry "f": a symbolic link of the package has the same path`},
		"empty target":     {[]zipEntry{{name: "e", mode: linkMode, body: ""}}, `zip entry "e": symbolic link with an empty or invalid target`},
		"root":             {[]zipEntry{{name: ".", mode: linkMode, body: "x"}}, "cannot be the package's root"},
	}
	for name, c := range bad {
		t.Run(name, func(t *testing.T) {
			z := makeZip(t, c.entries...)
			_, err := checkZip(z, "python3.12")
			if !errors.Is(err, errInvalidCode) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("checkZip: %v, want %q", err, c.want)
			}
			dest := filepath.Join(t.TempDir(), "c")
			if err := unpack(z, dest); !errors.Is(err, errInvalidCode) {
				t.Fatalf("unpack: %v, want errInvalidCode", err)
			}
			if _, serr := os.Stat(dest); serr == nil {
				t.Fatal("a refused package left a code directory")
			}
		})
	}
}

// Through the API: a package with in-package links is created and runs; one
// with an escaping link is a 400 naming the entry, not a 500 at invoke.
func TestCreateFunctionSymlinks(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	create := func(name string, entries ...zipEntry) error {
		_, err := h.client.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(name), Runtime: "provided.al2023", Handler: aws.String("echo"),
			Role: aws.String("arn:aws:iam::000000000000:role/test-role"),
			Code: &lambdatypes.FunctionCode{ZipFile: makeZip(t, entries...)},
		})
		return err
	}
	if err := create("linked",
		zipEntry{name: "bin/app", mode: 0o755, body: "#!/bin/sh\n"},
		zipEntry{name: "bootstrap", mode: linkMode, body: "bin/app"}); err != nil {
		t.Fatal(err)
	}
	out, err := h.client.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("linked"), Payload: []byte(`{"a":1}`)})
	if err != nil || out.FunctionError != nil || string(out.Payload) != `{"a":1}` {
		t.Fatalf("invoke: %v %v %s", err, out.FunctionError, out.Payload)
	}

	err = create("escaping",
		zipEntry{name: "bootstrap", mode: 0o755, body: "#!/bin/sh\n"},
		zipEntry{name: "lib/secrets", mode: linkMode, body: "../../../etc"})
	var inv *lambdatypes.InvalidParameterValueException
	if !errors.As(err, &inv) || !strings.Contains(aws.ToString(inv.Message), `zip entry "lib/secrets": symbolic link to "../../../etc" points outside the package`) {
		t.Fatalf("escaping link: %v", err)
	}
}

// FuzzPackageLinks: whatever links a package holds, once unpacked every
// link that resolves at all resolves inside the code directory.
func FuzzPackageLinks(f *testing.F) {
	f.Add("bootstrap=bin/real\nbin/real=")
	f.Add("sub/up=..\nsub/out=up/../x")
	f.Add("a=b\nb=a")
	f.Add("d=.\nd/f=")
	f.Add("l=/etc\nm=l/passwd")
	f.Fuzz(func(t *testing.T, spec string) {
		var entries []zipEntry
		for i, line := range strings.Split(spec, "\n") {
			if i == 6 {
				break
			}
			name, target, _ := strings.Cut(line, "=")
			if target == "" {
				entries = append(entries, zipEntry{name: name, body: "x"})
			} else {
				entries = append(entries, zipEntry{name: name, mode: linkMode, body: target})
			}
		}
		z := makeZip(t, entries...)
		root := t.TempDir()
		dest := filepath.Join(root, "sub", "code")
		_, _ = checkZip(z, "python3.12")
		if err := unpack(z, dest); err != nil {
			return
		}
		_ = filepath.WalkDir(dest, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.Type()&os.ModeSymlink == 0 {
				return nil
			}
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				return nil // dangling or a loop the kernel refuses: reaches nothing
			}
			realDest, _ := filepath.EvalSymlinks(dest)
			if rel, err := filepath.Rel(realDest, real); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
				t.Fatalf("link %s resolves to %s, outside %s", p, real, dest)
			}
			return nil
		})
	})
}

// Packaging a directory keeps its inner links (made relative and direct),
// follows a link to a file outside it, and refuses one to a directory
// outside it; the package it makes is one CreateFunction accepts.
func TestPackageDirSymlinks(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "shared.txt"), []byte("shared"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "app")
	for _, d := range []string{"bin", "v2"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "bin", "real"), []byte("#!/bin/sh\n"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "v2", "data.txt"), []byte("v2"), 0o644))
	must(os.Symlink("bin/real", filepath.Join(dir, "bootstrap")))
	must(os.Symlink("v2", filepath.Join(dir, "current")))
	must(os.Symlink("../app/v2/data.txt", filepath.Join(dir, "roundabout")))
	must(os.Symlink(filepath.Join(dir, "v2", "data.txt"), filepath.Join(dir, "absolute")))
	must(os.Symlink(filepath.Join(outside, "shared.txt"), filepath.Join(dir, "shared.txt")))

	z, err := zipDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := checkZip(z, "provided.al2023"); err != nil {
		t.Fatalf("the package is refused: %v", err)
	}
	dest := filepath.Join(t.TempDir(), "code")
	if err := unpack(z, dest); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"bootstrap": "bin/real", "current": "v2", "roundabout": "v2/data.txt", "absolute": "v2/data.txt"} {
		if got, err := os.Readlink(filepath.Join(dest, name)); err != nil || got != want {
			t.Errorf("%s: link to %q (%v), want %q", name, got, err, want)
		}
	}
	for name, want := range map[string]string{"current/data.txt": "v2", "shared.txt": "shared", "bootstrap": "#!/bin/sh\n"} {
		if b, err := os.ReadFile(filepath.Join(dest, name)); err != nil || string(b) != want {
			t.Errorf("%s: %q %v, want %q", name, b, err, want)
		}
	}
	if st, err := os.Lstat(filepath.Join(dest, "shared.txt")); err != nil || !st.Mode().IsRegular() {
		t.Errorf("shared.txt, a link out of the directory, is not a copied file: %v %v", st.Mode(), err)
	}

	must(os.Symlink(outside, filepath.Join(dir, "escape")))
	if _, err := zipDir(dir); err == nil || !strings.Contains(err.Error(), "symbolic link escape -> "+outside+" leads to a directory outside the code directory") {
		t.Fatalf("a link to a directory outside: %v", err)
	}
}
