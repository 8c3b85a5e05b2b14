package functions

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nubo-run/nubo/internal/runtimes"
	"github.com/nubo-run/nubo/internal/stacks"
)

// What `sam build` does, done by the packager before it zips a function's
// (or a layer's) source directory. The builder is chosen as SAM chooses it:
// Metadata.BuildMethod when given (go1.x, makefile, esbuild), else by
// runtime: Python with a requirements.txt installs it with pip into the
// package, Node.js with a package.json installs its production dependencies
// with npm; anything else is zipped as it is. Builds are cached by their
// inputs (the source tree, the builder, the runtime, BuildProperties): the
// same inputs never build again.

// Build says how to build one function or layer.
type Build struct {
	Method     string         // Metadata.BuildMethod ("" for none)
	Runtime    string         // the function's runtime (a layer's BuildMethod or first compatible runtime)
	Properties map[string]any // Metadata.BuildProperties (esbuild)
	Layer      bool           // dependencies go under python/ or nodejs/, as in a layer
}

// builder is the build step a Build needs, "" for none (zip as is).
func (b Build) builder(src string) string {
	m := strings.ToLower(b.Method)
	switch {
	case m == "go1.x", m == "makefile", m == "esbuild":
		return m
	case m == "rust-cargolambda", m == "dotnet7", strings.HasPrefix(m, "java") || m == "maven" || m == "gradle":
		return m
	}
	rt := b.Runtime
	if strings.HasPrefix(m, "python") || strings.HasPrefix(m, "nodejs") {
		rt = m
	}
	switch {
	case strings.HasPrefix(rt, "python") && fileExists(filepath.Join(src, "requirements.txt")):
		return "pip"
	case strings.HasPrefix(rt, "nodejs") && hasDependencies(filepath.Join(src, "package.json")):
		return "npm"
	}
	return ""
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// hasDependencies reports whether a package.json lists any dependency.
func hasDependencies(path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	var pj struct {
		Dependencies map[string]any `json:"dependencies"`
	}
	return json.Unmarshal(b, &pj) == nil && len(pj.Dependencies) > 0
}

// buildDir runs b's builder on the source directory src and returns the
// package's bytes (nil, nil when b needs no build: the caller zips src).
// Results are cached by input.
func (p *Packager) buildDir(ctx context.Context, src string, b Build) ([]byte, error) {
	kind := b.builder(src)
	switch kind {
	case "":
		return nil, nil
	case "go1.x":
		return p.cachedGoBuild(ctx, src, b)
	case "rust-cargolambda":
		return nil, fmt.Errorf("code %s: BuildMethod rust-cargolambda is not supported by nubo yet: build with `cargo lambda build --release` and point CodeUri at target/lambda/<name>", src)
	case "pip", "npm", "makefile", "esbuild":
	default:
		return nil, fmt.Errorf("code %s: BuildMethod %s (Java/.NET builds with Maven, Gradle or dotnet) is not supported by nubo yet: build the package yourself and point CodeUri at it", src, b.Method)
	}
	key, err := buildKey(src, kind, b)
	if err != nil {
		return nil, err
	}
	keyFile := filepath.Join(p.cache, "builds", key)
	if sum, err := os.ReadFile(keyFile); err == nil {
		if data, err := p.Load(strings.TrimSpace(string(sum))); err == nil {
			return data, nil // the same inputs built before
		}
	}
	select {
	case p.sem <- struct{}{}:
		defer func() { <-p.sem }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	stack, logicalID := stacks.ResourceFrom(ctx)
	what := src
	if logicalID != "" {
		what = stack + "/" + logicalID
	}
	start := time.Now()
	p.report(ctx, fmt.Sprintf("building %s (%s) ...", what, describeBuilder(kind)))
	data, err := p.runBuilder(ctx, kind, src, b, logicalID)
	if err != nil {
		p.report(ctx, "build of "+what+" failed")
		return nil, err
	}
	p.report(ctx, fmt.Sprintf("built %s in %.1fs", what, time.Since(start).Seconds()))
	if sum, _, err := p.Store(data); err == nil {
		if os.MkdirAll(filepath.Dir(keyFile), 0o755) == nil {
			_ = os.WriteFile(keyFile, []byte(sum+"\n"), 0o644)
		}
	}
	return data, nil
}

// cachedGoBuild is buildGo, skipped when nothing it depends on changed: the
// Go module holding src (every file of it), the toolchain's version and the
// target architecture. Go's own build cache makes a rebuild fast; this makes
// a plan that changes nothing not run the go command at all.
func (p *Packager) cachedGoBuild(ctx context.Context, src string, b Build) ([]byte, error) {
	root := moduleRoot(src)
	rel, _ := filepath.Rel(root, src)
	key, err := buildKey(root, "go1.x:"+rel+":"+goVersion()+":"+runtime.GOARCH, b)
	if err != nil {
		return p.buildGo(ctx, src)
	}
	keyFile := filepath.Join(p.cache, "builds", key)
	if sum, err := os.ReadFile(keyFile); err == nil {
		if data, err := p.Load(strings.TrimSpace(string(sum))); err == nil {
			return data, nil
		}
	}
	data, err := p.buildGo(ctx, src)
	if err != nil {
		return nil, err
	}
	if sum, _, err := p.Store(data); err == nil && os.MkdirAll(filepath.Dir(keyFile), 0o755) == nil {
		_ = os.WriteFile(keyFile, []byte(sum+"\n"), 0o644)
	}
	return data, nil
}

var (
	goVersionOnce sync.Once
	goVersionStr  string
)

// goVersion is `go env GOVERSION` of the go command builds run ("" if it
// does not run: the build then fails and says so).
func goVersion() string {
	goVersionOnce.Do(func() {
		if out, err := exec.Command("go", "env", "GOVERSION").Output(); err == nil {
			goVersionStr = strings.TrimSpace(string(out))
		}
	})
	return goVersionStr
}

func describeBuilder(kind string) string {
	switch kind {
	case "pip":
		return "pip install -r requirements.txt"
	case "npm":
		return "npm install --omit=dev"
	case "makefile":
		return "make"
	case "esbuild":
		return "esbuild"
	}
	return kind
}

// buildKey hashes what a build depends on: the builder, the runtime, the
// build properties and every file under src (path, mode, content), less
// what builds and editors leave behind.
func buildKey(src, kind string, b Build) (string, error) {
	h := sha256.New()
	props, _ := json.Marshal(b.Properties)
	fmt.Fprintf(h, "nubo-build-1\x00%s\x00%s\x00%t\x00%s\x00", kind, b.Runtime, b.Layer, props)
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != src && skippedDir(d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(src, path)
		info, err := d.Info()
		if err != nil {
			return err
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		fmt.Fprintf(h, "%s\x00%o\x00%d\x00", filepath.ToSlash(rel), info.Mode().Perm(), info.Size())
		_, err = io.Copy(h, f)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("code %s: %w", src, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// skippedDir: directories a build neither reads nor copies: hidden ones
// (.git, .aws-sam, .venv, a .nubo data directory...), installed
// dependencies and caches.
func skippedDir(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules" || name == "__pycache__"
}

func (p *Packager) runBuilder(ctx context.Context, kind, src string, b Build, logicalID string) ([]byte, error) {
	work, err := os.MkdirTemp("", "nubo-build-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	scratch, out := filepath.Join(work, "src"), filepath.Join(work, "out")
	if err := copyTree(src, scratch); err != nil {
		return nil, fmt.Errorf("code %s: copy to a scratch directory: %w", src, err)
	}
	if err := os.Mkdir(out, 0o755); err != nil {
		return nil, err
	}
	switch kind {
	case "pip":
		err = buildPip(ctx, src, scratch, out, b)
	case "npm":
		err = buildNpm(ctx, src, scratch, out, b)
	case "makefile":
		err = buildMake(ctx, src, scratch, out, logicalID)
	case "esbuild":
		err = buildEsbuild(ctx, src, scratch, out, b)
	}
	if err != nil {
		return nil, err
	}
	return zipDir(out)
}

// copyTree copies src to dst (regular files and directories, modes kept),
// less skippedDir directories.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			if path != src && skippedDir(d.Name()) {
				return filepath.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
}

// run runs a build command in dir, its output kept for the error.
func run(ctx context.Context, dir string, env []string, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var outb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outb, &outb
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(outb.String())
		if len(msg) > 2000 {
			msg = "…" + msg[len(msg)-2000:]
		}
		return fmt.Errorf("%s %s: %w\n%s", filepath.Base(name), strings.Join(args, " "), err, msg)
	}
	return nil
}

// tool finds a build tool on PATH or says how to get it.
func tool(name, forWhat, howToGet string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s needs %s, which is not on PATH: %s", forWhat, name, howToGet)
	}
	return p, nil
}

// buildPip: the sources, plus requirements.txt installed with the
// function's own interpreter (pip install -t), as SAM's Python builder
// does; in a layer, both go under python/.
func buildPip(ctx context.Context, src, scratch, out string, b Build) error {
	rt := b.Runtime
	if strings.HasPrefix(strings.ToLower(b.Method), "python") {
		rt = strings.ToLower(b.Method)
	}
	py := "python3"
	if r, err := runtimes.Resolve(rt); err == nil {
		py = r.Path
	} else if _, err := exec.LookPath(py); err != nil {
		return fmt.Errorf("code %s: requirements.txt needs Python with pip to install it: %v", src, err)
	}
	dest := out
	if b.Layer {
		dest = filepath.Join(out, "python")
	}
	if err := copyTree(scratch, dest); err != nil {
		return err
	}
	// Relative paths in requirements.txt (local wheels, -e ./pkg) are
	// relative to the source directory, as with sam build.
	err := run(ctx, src, []string{"PIP_DISABLE_PIP_VERSION_CHECK=1", "PYTHONDONTWRITEBYTECODE=1"}, py, "-m", "pip", "install",
		"--no-input", "--quiet", "--no-warn-script-location", "--upgrade", "-r", filepath.Join(scratch, "requirements.txt"), "-t", dest)
	if err != nil {
		return fmt.Errorf("code %s: installing requirements.txt with %s: %w", src, py, err)
	}
	return nil
}

// buildNpm: the sources with their production dependencies (npm ci when a
// package-lock.json is there, else npm install; --install-links so local
// file: dependencies are copied, not linked), as SAM's Node.js builder
// does; in a layer, under nodejs/.
func buildNpm(ctx context.Context, src, scratch, out string, b Build) error {
	npm, err := tool("npm", "code "+src+": package.json", "install Node.js and npm (Debian: apt-get install nodejs npm)")
	if err != nil {
		return err
	}
	dest := out
	if b.Layer {
		dest = filepath.Join(out, "nodejs")
	}
	if err := copyTree(scratch, dest); err != nil {
		return err
	}
	verb := "install"
	if fileExists(filepath.Join(dest, "package-lock.json")) {
		verb = "ci"
	}
	if err := run(ctx, dest, nil, npm, verb, "--omit=dev", "--no-audit", "--no-fund", "--install-links", "--loglevel=error"); err != nil {
		return fmt.Errorf("code %s: %w", src, err)
	}
	return materializeLinks(filepath.Join(dest, "node_modules"))
}

// materializeLinks replaces the symbolic links npm leaves in node_modules
// for local (file:) dependencies with copies of what they point at, so the
// package holds the dependency itself. Links in .bin directories are
// dropped: a package's entry points do not need them.
func materializeLinks(root string) error {
	var links []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == root {
			return filepath.SkipDir
		}
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			links = append(links, path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, l := range links {
		if filepath.Base(filepath.Dir(l)) == ".bin" {
			if err := os.Remove(l); err != nil {
				return err
			}
			continue
		}
		target, err := filepath.EvalSymlinks(l)
		if err != nil {
			return fmt.Errorf("node_modules link %s: %w", l, err)
		}
		if err := os.Remove(l); err != nil {
			return err
		}
		st, err := os.Stat(target)
		if err != nil {
			return err
		}
		if st.IsDir() {
			err = copyTree(target, l)
		} else {
			var data []byte
			if data, err = os.ReadFile(target); err == nil {
				err = os.WriteFile(l, data, st.Mode().Perm())
			}
		}
		if err != nil {
			return fmt.Errorf("node_modules link %s: %w", l, err)
		}
	}
	return nil
}

// buildMake runs `make build-LOGICALID` in a scratch copy of the source with
// ARTIFACTS_DIR set, as SAM's makefile builder does; the package is what
// the target put in ARTIFACTS_DIR.
func buildMake(ctx context.Context, src, scratch, out, logicalID string) error {
	mk, err := tool("make", "code "+src+": BuildMethod makefile", "install make (Debian: apt-get install make)")
	if err != nil {
		return err
	}
	if logicalID == "" {
		return fmt.Errorf("code %s: BuildMethod makefile needs the function's logical id (target build-<LogicalId>)", src)
	}
	if err := run(ctx, scratch, []string{"ARTIFACTS_DIR=" + out}, mk, "build-"+logicalID, "ARTIFACTS_DIR="+out); err != nil {
		return fmt.Errorf("code %s: %w", src, err)
	}
	entries, _ := os.ReadDir(out)
	if len(entries) == 0 {
		return fmt.Errorf("code %s: make build-%s put nothing in $(ARTIFACTS_DIR)", src, logicalID)
	}
	return nil
}

// esbuildVersion is the esbuild nubo installs into its cache when the
// machine has none on PATH.
const esbuildVersion = "0.25"

// esbuildMu keeps this process's builds from installing esbuild twice at once.
var esbuildMu sync.Mutex

// buildEsbuild bundles BuildProperties.EntryPoints with esbuild, as SAM's
// esbuild builder does: dependencies installed first (npm, when a
// package.json lists any), then esbuild --bundle --platform=node with
// Minify, Target, Sourcemap, Format, External, OutExtension, Banner and
// MainFields; the package holds the bundles.
func buildEsbuild(ctx context.Context, src, scratch, out string, b Build) error {
	props := b.Properties
	entries := stringsProp(props["EntryPoints"])
	if len(entries) == 0 {
		return fmt.Errorf("code %s: BuildMethod esbuild needs BuildProperties.EntryPoints", src)
	}
	esbuild, err := esbuildBinary(ctx)
	if err != nil {
		return fmt.Errorf("code %s: %w", src, err)
	}
	if hasDependencies(filepath.Join(scratch, "package.json")) {
		npm, err := tool("npm", "code "+src+": package.json", "install Node.js and npm")
		if err != nil {
			return err
		}
		verb := "install"
		if fileExists(filepath.Join(scratch, "package-lock.json")) {
			verb = "ci"
		}
		if err := run(ctx, scratch, nil, npm, verb, "--no-audit", "--no-fund", "--loglevel=error"); err != nil {
			return fmt.Errorf("code %s: %w", src, err)
		}
	}
	args := append(slices.Clone(entries), "--bundle", "--platform=node", "--outdir="+out, "--log-level=warning")
	target := "es2020"
	if t, ok := props["Target"].(string); ok && t != "" {
		target = t
	}
	args = append(args, "--target="+target)
	if f, ok := props["Format"].(string); ok && f != "" {
		args = append(args, "--format="+f)
	}
	if truthy(props["Minify"], true) {
		args = append(args, "--minify")
	}
	if truthy(props["Sourcemap"], false) {
		args = append(args, "--sourcemap")
	}
	for _, e := range stringsProp(props["External"]) {
		args = append(args, "--external:"+e)
	}
	for _, e := range stringsProp(props["OutExtension"]) {
		args = append(args, "--out-extension:"+e)
	}
	for _, e := range stringsProp(props["MainFields"]) {
		args = append(args, "--main-fields="+e)
	}
	if banner, ok := props["Banner"].(string); ok && banner != "" {
		args = append(args, "--banner:"+banner)
	}
	if err := run(ctx, scratch, nil, esbuild, args...); err != nil {
		return fmt.Errorf("code %s: %w", src, err)
	}
	return nil
}

// stringsProp reads a list of strings, or a comma-separated string (SAM
// accepts both for some BuildProperties).
func stringsProp(v any) []string {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return x
	case string:
		var out []string
		for _, s := range strings.Split(x, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func truthy(v any, def bool) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(x, "true")
	}
	return def
}

// esbuildBinary is esbuild from PATH, else the one nubo installed from the
// npm registry into its cache (installing it once).
func esbuildBinary(ctx context.Context) (string, error) {
	if p, err := exec.LookPath("esbuild"); err == nil {
		return p, nil
	}
	esbuildMu.Lock()
	defer esbuildMu.Unlock()
	cache, err := runtimes.CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "tools", "esbuild")
	bin := filepath.Join(dir, "node_modules", ".bin", "esbuild")
	if fileExists(bin) || symlinkExists(bin) {
		return bin, nil
	}
	npm, err := tool("npm", "BuildMethod esbuild", "install Node.js and npm, or esbuild itself")
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	if err := run(ctx, dir, nil, npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", dir, "esbuild@"+esbuildVersion); err != nil {
		return "", fmt.Errorf("installing esbuild from the npm registry: %w", err)
	}
	if !fileExists(bin) && !symlinkExists(bin) {
		return "", errors.New("npm installed esbuild, but node_modules/.bin/esbuild is missing")
	}
	return bin, nil
}

func symlinkExists(p string) bool {
	st, err := os.Lstat(p)
	return err == nil && st.Mode()&os.ModeSymlink != 0
}
