package functions

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// sourceDigestSkips are directories that hold tool output, not code.
var sourceDigestSkips = map[string]bool{".git": true, ".aws-sam": true, "__pycache__": true}

// SourceDigest is a hex SHA-256 of a function's code on disk (a directory
// or a file): every file's relative path, executable bit and content. It
// changes when the source changes, which is what SAM's AutoPublishAlias
// needs to know before anything is built.
func SourceDigest(path string) (string, error) {
	h := sha256.New()
	st, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("code %s: %w", path, err)
	}
	if !st.IsDir() {
		if err := hashFile(h, path); err != nil {
			return "", err
		}
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != path && sourceDigestSkips[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(path, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		exec := info.Mode().Perm()&0o111 != 0
		_, _ = io.WriteString(h, filepath.ToSlash(rel)+"\x00"+strconv.FormatBool(exec)+"\x00")
		if info.Mode()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			_, _ = io.WriteString(h, "link:"+target+"\x00")
			return nil
		}
		return hashFile(h, p)
	})
	if err != nil {
		return "", fmt.Errorf("code %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashFile(h io.Writer, p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	n, err := io.Copy(h, f)
	if err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	_, _ = io.WriteString(h, "\x00"+strconv.FormatInt(n, 10)+"\x00")
	return nil
}
