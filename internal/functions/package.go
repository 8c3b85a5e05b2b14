package functions

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/stacks"
)

// Packager turns a function's source on disk into a deployment package: a
// local directory (zipped as it is), a .zip file, or a Go module directory
// built with `go build` as `sam build` does for Metadata BuildMethod go1.x.
// Packages land in a content-addressed cache so a deploy that changes
// nothing builds nothing new and plans nothing.
type Packager struct {
	cache    string
	progress func(msg string)
	sem      chan struct{} // Go builds running at once: GOMAXPROCS
	pre      prebuilds     // builds started ahead by Prepackage (prebuild.go)
}

// NewPackager keeps packages under dir.
func NewPackager(dir string) *Packager {
	return &Packager{cache: dir, sem: make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))}
}

// SetProgress has the packager report each Go build as it starts and ends
// (a build from a cold cache takes a minute); call it before packaging.
func (p *Packager) SetProgress(f func(msg string)) { p.progress = f }

// Package returns the zip's content hash (hex) and its path in the cache.
// src is the code location as a template gives it, relative to baseDir.
func (p *Packager) Package(ctx context.Context, baseDir, src, buildMethod string) (sum, path string, err error) {
	return p.PackageBuild(ctx, baseDir, src, Build{Method: buildMethod})
}

// PackageBuild is Package with the whole build description: a directory is
// built as `sam build` would (build.go) before it is zipped.
func (p *Packager) PackageBuild(ctx context.Context, baseDir, src string, b Build) (sum, path string, err error) {
	buildMethod := b.Method
	if !filepath.IsAbs(src) {
		src = filepath.Join(baseDir, src)
	}
	st, err := os.Stat(src)
	if err != nil {
		return "", "", fmt.Errorf("code %s: %w", src, err)
	}
	var data []byte
	switch {
	case strings.EqualFold(buildMethod, "go1.x"):
		if !st.IsDir() {
			return "", "", fmt.Errorf("code %s: BuildMethod go1.x needs a directory with a Go main package", src)
		}
		var ok bool
		if data, err, ok = p.takePrebuiltBuild(ctx, src, b); !ok {
			data, err = p.cachedGoBuild(ctx, src, b)
		}
	case st.IsDir():
		var ok bool
		if data, err, ok = p.takePrebuiltBuild(ctx, src, b); !ok {
			data, err = p.buildDir(ctx, src, b)
		}
		if err == nil && data == nil {
			data, err = zipDir(src) // nothing to build: the directory as it is
		}
	case strings.HasSuffix(strings.ToLower(src), ".zip"), strings.HasSuffix(strings.ToLower(src), ".jar"):
		// A .jar is a zip too: Lambda takes one as a Java package.
		data, err = os.ReadFile(src)
	default:
		return "", "", fmt.Errorf("code %s: not a directory, a .zip or a .jar file", src)
	}
	if err != nil {
		return "", "", err
	}
	return p.Store(data)
}

// Store keeps a package's bytes in the cache and returns their content hash
// (hex) and path.
func (p *Packager) Store(data []byte) (sum, path string, err error) {
	h := sha256.Sum256(data)
	sum = hex.EncodeToString(h[:])
	path = filepath.Join(p.cache, sum+".zip")
	if _, err := os.Stat(path); err == nil {
		return sum, path, nil
	}
	if err := os.MkdirAll(p.cache, 0o755); err != nil {
		return "", "", fmt.Errorf("package cache: %w", err)
	}
	tmp, err := os.CreateTemp(p.cache, ".pkg-*")
	if err != nil {
		return "", "", fmt.Errorf("package cache: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", "", fmt.Errorf("package cache: %w", err)
	}
	tmp.Close()
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return "", "", fmt.Errorf("package cache: %w", err)
	}
	return sum, path, nil
}

// Load reads a cached package.
func (p *Packager) Load(sum string) ([]byte, error) {
	if len(sum) != 64 || strings.Trim(sum, "0123456789abcdef") != "" {
		return nil, fmt.Errorf("package %q: not a content hash", sum)
	}
	b, err := os.ReadFile(filepath.Join(p.cache, sum+".zip"))
	if err != nil {
		return nil, fmt.Errorf("package %s: %w (deploy again to rebuild it)", sum[:12], err)
	}
	return b, nil
}

// buildGo compiles the main package in dir into a `bootstrap` executable for
// this machine (functions run natively here, whatever Architectures says),
// with the flags `sam build` uses for provided runtimes, and zips it.
func (p *Packager) buildGo(ctx context.Context, dir string) ([]byte, error) {
	warmed, err := p.waitWarm(ctx, dir)
	if err != nil {
		return nil, err
	}
	defer warmed()
	select {
	case p.sem <- struct{}{}:
		defer func() { <-p.sem }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	stack, logicalID := stacks.ResourceFrom(ctx)
	what := dir // the error names the directory too
	if logicalID != "" {
		what = stack + "/" + logicalID
	}
	start := time.Now()
	p.report(ctx, "building Go function "+what+" ...")
	data, err := buildGoIn(ctx, dir)
	if err != nil {
		p.report(ctx, "build of "+what+" failed")
		return nil, err
	}
	p.report(ctx, fmt.Sprintf("built Go function %s in %.1fs", what, time.Since(start).Seconds()))
	return data, nil
}

// report tells the packager's progress sink and the request's (stacks.Progress).
func (p *Packager) report(ctx context.Context, msg string) {
	if p.progress != nil {
		p.progress(msg)
	}
	stacks.Progress(ctx, msg)
}

func buildGoIn(ctx context.Context, dir string) ([]byte, error) {
	out, err := os.MkdirTemp("", "nubo-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(out)
	bin := filepath.Join(out, "bootstrap")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-tags", "lambda.norpc", "-ldflags", "-s -w", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("go build in %s: %w\n%s", dir, err, strings.TrimSpace(stderr.String()))
	}
	return zipFiles(map[string]string{"bootstrap": bin})
}

// zipDir zips every regular file under dir, paths relative to it. A
// symbolic link that resolves inside dir is kept as a link, as Lambda keeps
// it; one that leads outside to a file is followed (its content zipped at
// the link's path, as sam build copies it); one that leads outside to a
// directory is an error naming it.
func zipDir(dir string) ([]byte, error) {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("zip %s: %w", dir, err)
	}
	files, links := map[string]string{}, map[string]string{}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && (d.Name() == ".git" || d.Name() == ".aws-sam") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		switch {
		case d.Type().IsRegular():
			files[name] = path
		case d.Type()&fs.ModeSymlink != 0:
			return addLink(root, path, name, files, links)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("zip %s: %w", dir, err)
	}
	return zipEntries(files, links)
}

// addLink sorts the link at path (entry name) into links (kept) or files
// (followed), per zipDir.
func addLink(root, path, name string, files, links map[string]string) error {
	target, err := os.Readlink(path)
	if err != nil {
		return err
	}
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("symbolic link %s -> %s: %w", name, target, err)
	}
	inside := false
	if rel, err := filepath.Rel(root, resolved); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		inside = true
	}
	if inside {
		// Relative to the link's directory, straight to what it resolves
		// to, so that the package holds no absolute or roundabout target.
		from, err := filepath.EvalSymlinks(filepath.Dir(path))
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, resolved)
		if err != nil {
			return err
		}
		links[name] = filepath.ToSlash(rel)
		return nil
	}
	st, err := os.Stat(resolved)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("symbolic link %s -> %s leads to a directory outside the code directory: Lambda packages cannot hold it; copy it in or link inside", name, target)
	}
	files[name] = resolved
	return nil
}

// zipFiles writes a deterministic zip of files (entry name -> path).
func zipFiles(files map[string]string) ([]byte, error) { return zipEntries(files, nil) }

// zipEntries writes a deterministic zip (sorted names, fixed times, modes
// kept) so that the same content always hashes the same: files (entry
// name -> path) and symbolic links (entry name -> target).
func zipEntries(files, links map[string]string) ([]byte, error) {
	names := make([]string, 0, len(files)+len(links))
	for n := range files {
		names = append(names, n)
	}
	for n := range links {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	epoch := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range names {
		if target, ok := links[n]; ok {
			hdr := &zip.FileHeader{Name: n, Method: zip.Store, Modified: epoch}
			hdr.SetMode(fs.ModeSymlink | 0o777)
			w, err := zw.CreateHeader(hdr)
			if err != nil {
				return nil, err
			}
			if _, err := w.Write([]byte(target)); err != nil {
				return nil, err
			}
			continue
		}
		st, err := os.Stat(files[n])
		if err != nil {
			return nil, err
		}
		hdr := &zip.FileHeader{Name: n, Method: zip.Deflate, Modified: epoch}
		hdr.SetMode(st.Mode().Perm())
		w, err := zw.CreateHeader(hdr)
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(files[n])
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(data); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// inlineZip packages CloudFormation's Code.ZipFile source as Lambda does:
// index.py for Python, index.js for Node.js.
func inlineZip(runtime, source string) ([]byte, error) {
	name := ""
	switch {
	case strings.HasPrefix(runtime, "python"):
		name = "index.py"
	case strings.HasPrefix(runtime, "nodejs"):
		name = "index.js"
	default:
		return nil, fmt.Errorf("Code.ZipFile is for Python and Node.js runtimes, not %q", runtime)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	hdr := &zip.FileHeader{Name: name, Method: zip.Deflate, Modified: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}
	hdr.SetMode(0o644)
	w, err := zw.CreateHeader(hdr)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write([]byte(source)); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
