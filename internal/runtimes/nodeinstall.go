package runtimes

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
)

// InstallNode installs the newest Node.js of the major version a nodejs*.x
// runtime names into nubo's cache (CacheDir()/node/vX.Y.Z/bin/node), from
// the official builds the npm registry serves as the node-linux-<arch>
// package, fetched with the machine's own npm (so its registry, proxy and
// credentials settings apply). It returns the installed interpreter; a
// version already in the cache is not fetched again.
func InstallNode(ctx context.Context, rt string, log io.Writer) (Resolved, error) {
	in, ok := Lookup(rt)
	if !ok || in.Kind != KindNode {
		return Resolved{}, fmt.Errorf("runtimes: install %q: not a Node.js runtime (want one of nodejs18.x ... nodejs24.x)", rt)
	}
	if r, err := Resolve(rt); err == nil && r.Exact {
		fmt.Fprintf(log, "%s: Node.js %s is already installed at %s (%s)\n", rt, r.Version, r.Path, r.Where)
		return r, nil
	}
	arch := map[string]string{"amd64": "x64", "arm64": "arm64"}[runtime.GOARCH]
	if runtime.GOOS != "linux" || arch == "" {
		return Resolved{}, fmt.Errorf("runtimes: install %s: npm's node builds cover linux/x64 and linux/arm64, not %s/%s", rt, runtime.GOOS, runtime.GOARCH)
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return Resolved{}, fmt.Errorf("runtimes: install %s: npm is not on PATH (install Node.js and npm first, any version)", rt)
	}
	cache, err := CacheDir()
	if err != nil {
		return Resolved{}, err
	}
	tmp, err := os.MkdirTemp(filepath.Join(mkdirAll(cache)), ".node-install-*")
	if err != nil {
		return Resolved{}, fmt.Errorf("runtimes: install %s: %w", rt, err)
	}
	defer os.RemoveAll(tmp)

	pkg := "node-linux-" + arch + "@" + in.Version
	fmt.Fprintf(log, "%s: fetching %s from the npm registry\n", rt, pkg)
	cmd := exec.CommandContext(ctx, npm, "pack", pkg, "--json", "--pack-destination", tmp)
	cmd.Dir = tmp
	cmd.Stderr = io.Discard
	out, err := cmd.Output()
	if err != nil {
		return Resolved{}, fmt.Errorf("runtimes: install %s: npm pack %s: %w", rt, pkg, err)
	}
	var packed []struct {
		Version  string `json:"version"`
		Filename string `json:"filename"`
	}
	if err := json.Unmarshal(out, &packed); err != nil || len(packed) != 1 || packed[0].Filename == "" {
		return Resolved{}, fmt.Errorf("runtimes: install %s: npm pack printed no package (%v): %.200s", rt, err, out)
	}
	if n, ok := versionNumber(KindNode, packed[0].Version); !ok || strconv.Itoa(n) != in.Version {
		return Resolved{}, fmt.Errorf("runtimes: install %s: npm gave version %q", rt, packed[0].Version)
	}
	stage := filepath.Join(tmp, "v"+packed[0].Version)
	if err := extractNode(filepath.Join(tmp, filepath.Base(packed[0].Filename)), stage); err != nil {
		return Resolved{}, fmt.Errorf("runtimes: install %s: %w", rt, err)
	}
	dest := filepath.Join(cache, "node", "v"+packed[0].Version)
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return Resolved{}, fmt.Errorf("runtimes: install %s: %w", rt, err)
	}
	if err := os.Rename(stage, dest); err != nil && !errors.Is(err, os.ErrExist) {
		if _, serr := os.Stat(filepath.Join(dest, "bin", "node")); serr != nil {
			return Resolved{}, fmt.Errorf("runtimes: install %s: %w", rt, err)
		}
	}
	r, err := Resolve(rt)
	if err != nil {
		return Resolved{}, err
	}
	if !r.Exact {
		return r, fmt.Errorf("runtimes: install %s: installed %s, but it does not run here", rt, dest)
	}
	fmt.Fprintf(log, "%s: Node.js %s installed at %s\n", rt, r.Version, r.Path)
	return r, nil
}

func mkdirAll(dir string) string {
	_ = os.MkdirAll(dir, 0o755)
	return dir
}

// maxNodeBinary bounds the node executable read from the package (it is
// about 120 MB today).
const maxNodeBinary = 1 << 30

// extractNode takes package/bin/node and package/LICENSE out of the npm
// tarball into dir/bin/node and dir/LICENSE.
func extractNode(tgz, dir string) error {
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: %w", filepath.Base(tgz), err)
	}
	tr := tar.NewReader(zr)
	want := map[string]string{"package/bin/node": "bin/node", "package/LICENSE": "LICENSE"}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(tgz), err)
		}
		rel, ok := want[h.Name]
		if !ok || h.Typeflag != tar.TypeReg {
			continue
		}
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
		if err != nil {
			return err
		}
		_, err = io.Copy(out, io.LimitReader(tr, maxNodeBinary))
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "bin", "node")); err != nil {
		return fmt.Errorf("%s holds no package/bin/node", filepath.Base(tgz))
	}
	return nil
}
