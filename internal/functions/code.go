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

// unpack extracts zipData into dest atomically: it writes a sibling temp
// directory and renames it, so a crash never leaves a half-written dest.
// Executable bits are kept; symlinks are refused.
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
		target, err := safeJoin(tmp, f.Name)
		if err != nil {
			return fmt.Errorf("%w: %v", errInvalidCode, err)
		}
		mode := f.Mode()
		switch {
		case mode&os.ModeSymlink != 0:
			return fmt.Errorf("%w: zip entry %q: symbolic links are not supported", errInvalidCode, f.Name)
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
	if err := os.Rename(tmp, dest); err != nil {
		if _, statErr := os.Stat(dest); statErr == nil {
			return nil // another goroutine unpacked the same code first
		}
		return fmt.Errorf("unpack: %w", err)
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
