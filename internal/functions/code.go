package functions

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// MaxZipSize is the largest deployment package accepted inline (Lambda's
// 50 MB limit for a zipped upload).
const MaxZipSize = 50 << 20

// maxUnpackedSize bounds the unzipped code (Lambda: 250 MB), so a zip bomb
// cannot fill the disk.
const maxUnpackedSize = 250 << 20

// errInvalidCode marks a deployment package nubo cannot use; api.go maps it
// to InvalidParameterValueException.
var errInvalidCode = errors.New("invalid deployment package")

// codeDigest returns the package's SHA-256 as Lambda reports it (base64) and
// as nubo names directories and objects (hex).
func codeDigest(zipData []byte) (b64, hexSum string) {
	sum := sha256.Sum256(zipData)
	return base64.StdEncoding.EncodeToString(sum[:]), hex.EncodeToString(sum[:])
}

// hexFromB64 turns a Lambda CodeSha256 back into the hex name of its code.
func hexFromB64(b64 string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != sha256.Size {
		return "", fmt.Errorf("code sha256 %q: not a base64 SHA-256", b64)
	}
	return hex.EncodeToString(raw), nil
}

// checkZip opens the package and checks what the runtime needs: a provided.*
// runtime starts ./bootstrap, so the package must hold one.
func checkZip(zipData []byte, runtime string) (*zip.Reader, error) {
	zr, err := zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
	if err != nil {
		return nil, fmt.Errorf("%w: could not unzip uploaded file: %v", errInvalidCode, err)
	}
	var total uint64
	for _, f := range zr.File {
		if _, err := safeJoin("/x", f.Name); err != nil {
			return nil, fmt.Errorf("%w: %v", errInvalidCode, err)
		}
		total += f.UncompressedSize64
	}
	if total > maxUnpackedSize {
		return nil, fmt.Errorf("%w: unzipped size must be smaller than %d bytes", errInvalidCode, maxUnpackedSize)
	}
	if _, err := packageLinks(zr); err != nil {
		return nil, err
	}
	if strings.HasPrefix(runtime, "provided") {
		found := false
		for _, f := range zr.File {
			if path.Clean(strings.TrimPrefix(f.Name, "./")) == "bootstrap" && !f.FileInfo().IsDir() {
				found = true
				break
			}
		}
		if !found {
			return nil, fmt.Errorf("%w: runtime %s needs an executable file named bootstrap at the root of the zip, and this one has none", errInvalidCode, runtime)
		}
	}
	return zr, nil
}

// safeJoin joins a zip entry name under dir, refusing names that would land
// outside it (zip-slip) or are absolute.
func safeJoin(dir, name string) (string, error) {
	name = strings.ReplaceAll(name, "\\", "/")
	if name == "" || strings.HasPrefix(name, "/") || filepath.IsAbs(name) || strings.ContainsRune(name, 0) {
		return "", fmt.Errorf("zip entry %q: absolute or empty path", name)
	}
	clean := path.Clean(name)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("zip entry %q: escapes the code directory", name)
	}
	return filepath.Join(dir, filepath.FromSlash(clean)), nil
}

// maxLinkTarget bounds the target of a symbolic link entry (PATH_MAX).
const maxLinkTarget = 4096

// maxLinkHops bounds the links followed resolving one link, as the kernel's
// ELOOP does.
const maxLinkHops = 40

// packageLinks returns the package's symbolic links, entry name (cleaned)
// to target. Lambda keeps a link that resolves inside the package; one that
// is absolute, resolves outside it (directly or through other links of the
// package), loops, or shares its path with other entries is refused, naming
// the entry.
func packageLinks(zr *zip.Reader) (map[string]string, error) {
	links := map[string]string{}
	for _, f := range zr.File {
		if f.Mode()&os.ModeSymlink == 0 {
			continue
		}
		name := entryName(f.Name)
		if name == "." {
			return nil, fmt.Errorf("%w: zip entry %q: a symbolic link cannot be the package's root", errInvalidCode, f.Name)
		}
		target, err := readLinkTarget(f)
		if err != nil {
			return nil, err
		}
		if _, dup := links[name]; dup {
			return nil, fmt.Errorf("%w: zip entry %q: more than one symbolic link at this path", errInvalidCode, f.Name)
		}
		links[name] = target
	}
	if len(links) == 0 {
		return links, nil
	}
	for _, f := range zr.File {
		name := entryName(f.Name)
		_, isLink := links[name]
		for dir := path.Dir(name); dir != "."; dir = path.Dir(dir) {
			if _, ok := links[dir]; ok {
				return nil, fmt.Errorf("%w: zip entry %q: lies under the symbolic link %q", errInvalidCode, f.Name, dir)
			}
		}
		if isLink && f.Mode()&os.ModeSymlink == 0 {
			return nil, fmt.Errorf("%w: zip entry %q: a symbolic link of the package has the same path", errInvalidCode, f.Name)
		}
	}
	names := make([]string, 0, len(links))
	for name := range links {
		names = append(names, name)
	}
	sort.Strings(names) // the first bad link in name order, every time
	for _, name := range names {
		if err := resolveLink(links, name); err != nil {
			return nil, fmt.Errorf("%w: zip entry %q: symbolic link to %q %v", errInvalidCode, name, links[name], err)
		}
	}
	return links, nil
}

// entryName is a zip entry's name as unpack places it (safeJoin has
// accepted it): slashes, cleaned, no trailing slash.
func entryName(name string) string {
	return path.Clean(strings.ReplaceAll(name, "\\", "/"))
}

// readLinkTarget reads a symbolic link entry's target, its content.
func readLinkTarget(f *zip.File) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", fmt.Errorf("%w: zip entry %q: %v", errInvalidCode, f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxLinkTarget+1))
	if err != nil {
		return "", fmt.Errorf("%w: zip entry %q: %v", errInvalidCode, f.Name, err)
	}
	target := string(b)
	switch {
	case len(b) > maxLinkTarget:
		return "", fmt.Errorf("%w: zip entry %q: symbolic link target longer than %d bytes", errInvalidCode, f.Name, maxLinkTarget)
	case target == "" || strings.ContainsRune(target, 0):
		return "", fmt.Errorf("%w: zip entry %q: symbolic link with an empty or invalid target", errInvalidCode, f.Name)
	}
	return target, nil
}

// resolveLink follows the link at name, and the package's links its target
// goes through, as the kernel would once unpacked: every step must stay in
// the package's root. A target that does not exist in the package is fine
// (it resolves to nothing); only escapes and loops are errors.
func resolveLink(links map[string]string, name string) error {
	var at []string // the directory reached, components from the root
	if dir := path.Dir(name); dir != "." {
		at = strings.Split(dir, "/")
	}
	if path.IsAbs(strings.ReplaceAll(links[name], "\\", "/")) {
		return errors.New("is absolute: it points outside the package")
	}
	pending := linkSteps(links[name])
	for hops := 0; len(pending) > 0; {
		step := pending[0]
		pending = pending[1:]
		switch step {
		case "", ".":
			continue
		case "..":
			if len(at) == 0 {
				return errors.New("points outside the package")
			}
			at = at[:len(at)-1]
			continue
		}
		at = append(at, step)
		target, isLink := links[strings.Join(at, "/")]
		if !isLink {
			continue
		}
		if hops++; hops > maxLinkHops {
			return errors.New("loops (too many levels of symbolic links)")
		}
		if path.IsAbs(strings.ReplaceAll(target, "\\", "/")) {
			return fmt.Errorf("goes through %q, which is absolute: it points outside the package", strings.Join(at, "/"))
		}
		at = at[:len(at)-1]
		pending = append(linkSteps(target), pending...)
	}
	return nil
}

func linkSteps(target string) []string {
	return strings.Split(strings.ReplaceAll(target, "\\", "/"), "/")
}

// unpack extracts zipData into dest atomically: it writes a sibling temp
// directory and renames it, so a crash never leaves a half-written dest.
// Executable bits are kept; symbolic links that resolve inside the package
// are kept too, made after every other entry so that no entry is written
// through one; others are refused (packageLinks).
func unpack(zipData []byte, dest string) error {
	if _, err := os.Stat(dest); err == nil {
		return nil
	}
	zr, err := zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
	if err != nil {
		return fmt.Errorf("%w: %v", errInvalidCode, err)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("unpack: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dest), ".unpack-*")
	if err != nil {
		return fmt.Errorf("unpack: %w", err)
	}
	defer os.RemoveAll(tmp)
	var written int64
	for _, f := range zr.File {
		if _, err := safeJoin(tmp, f.Name); err != nil {
			return fmt.Errorf("%w: %v", errInvalidCode, err)
		}
	}
	links, err := packageLinks(zr)
	if err != nil {
		return err
	}
	for _, f := range zr.File {
		target, _ := safeJoin(tmp, f.Name)
		mode := f.Mode()
		switch {
		case mode&os.ModeSymlink != 0:
			continue // made below, once every other entry is written
		case f.FileInfo().IsDir():
			if err := os.MkdirAll(target, 0o755); err != nil {
				return fmt.Errorf("unpack %q: %w", f.Name, err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return fmt.Errorf("unpack %q: %w", f.Name, err)
		}
		perm := os.FileMode(0o644)
		if mode.Perm()&0o111 != 0 {
			perm = 0o755
		}
		n, err := writeEntry(f, target, perm, maxUnpackedSize-written)
		if err != nil {
			return err
		}
		written += n
	}
	if err := makeLinks(tmp, links); err != nil {
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		if _, statErr := os.Stat(dest); statErr == nil {
			return nil // another goroutine unpacked the same code first
		}
		return fmt.Errorf("unpack: %w", err)
	}
	return nil
}

// makeLinks creates the package's symbolic links under dir, in name order.
func makeLinks(dir string, links map[string]string) error {
	names := make([]string, 0, len(links))
	for n := range links {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		at, err := safeJoin(dir, n)
		if err != nil {
			return fmt.Errorf("%w: %v", errInvalidCode, err)
		}
		if err := os.MkdirAll(filepath.Dir(at), 0o755); err != nil {
			return fmt.Errorf("unpack %q: %w", n, err)
		}
		if err := os.Symlink(filepath.FromSlash(strings.ReplaceAll(links[n], "\\", "/")), at); err != nil {
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("%w: zip entry %q: a symbolic link where the package has a directory", errInvalidCode, n)
			}
			return fmt.Errorf("unpack %q: %w", n, err)
		}
	}
	return nil
}

func writeEntry(f *zip.File, target string, perm os.FileMode, budget int64) (int64, error) {
	rc, err := f.Open()
	if err != nil {
		return 0, fmt.Errorf("%w: zip entry %q: %v", errInvalidCode, f.Name, err)
	}
	defer rc.Close()
	out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
	if err != nil {
		return 0, fmt.Errorf("unpack %q: %w", f.Name, err)
	}
	n, err := io.Copy(out, io.LimitReader(rc, budget+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, fmt.Errorf("unpack %q: %w", f.Name, err)
	}
	if n > budget {
		return n, fmt.Errorf("%w: unzipped size must be smaller than %d bytes", errInvalidCode, maxUnpackedSize)
	}
	return n, nil
}
