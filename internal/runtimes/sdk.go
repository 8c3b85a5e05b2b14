package runtimes

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
)

// Lambda's managed runtimes include an AWS SDK: boto3 and botocore in every
// Python runtime, the AWS SDK for JavaScript v3 (@aws-sdk/*) in Node.js 18
// and later. Functions import them without bundling them. nubo gives its
// instances the same:
//
//   - Node.js: the @aws-sdk/* packages a function imports and does not
//     bundle are installed from the npm registry, with the machine's npm,
//     into one shared node_modules in nubo's cache (CacheDir()/nodejs-sdk),
//     once per machine; the shim resolves them after the function's own
//     node_modules, for require() and import.
//   - Python: when the function's interpreter cannot import boto3, nubo
//     links the boto3 that another interpreter of this machine has (pure
//     Python packages) into CacheDir()/python-sdk, and the shim appends that
//     directory to sys.path, after the task root.
//
// PyPI is not reached: a machine with no boto3 anywhere runs Python
// functions without one, as nubo doctor says.

// nodeSDKDir is the shared node_modules parent for the Node.js SDK.
func nodeSDKDir() (string, error) {
	d, err := CacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "nodejs-sdk"), nil
}

// sdkImportRE finds @aws-sdk/* package names in JavaScript or TypeScript
// source: in require(), import, import() and export ... from.
var sdkImportRE = regexp.MustCompile(`["'](@aws-sdk/[a-z0-9][a-z0-9._-]*)(?:/[^"']*)?["']`)

// maxScanBytes bounds the source read while looking for SDK imports.
const maxScanBytes = 64 << 20

// NodeSDKImports lists the @aws-sdk/* packages the code under taskRoot
// imports and does not bundle in its own node_modules, sorted.
func NodeSDKImports(taskRoot string) ([]string, error) {
	seen := map[string]bool{}
	budget := int64(maxScanBytes)
	err := filepath.WalkDir(taskRoot, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts":
		default:
			return nil
		}
		info, err := d.Info()
		if err != nil || !info.Mode().IsRegular() || info.Size() > budget {
			return nil
		}
		budget -= info.Size()
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range sdkImportRE.FindAllSubmatch(b, -1) {
			seen[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("runtimes: scan %s for SDK imports: %w", taskRoot, err)
	}
	var pkgs []string
	for pkg := range seen {
		if _, err := os.Stat(filepath.Join(taskRoot, "node_modules", filepath.FromSlash(pkg), "package.json")); err == nil {
			continue // bundled: the function's copy wins
		}
		pkgs = append(pkgs, pkg)
	}
	slices.Sort(pkgs)
	return pkgs, nil
}

// EnsureNodeSDK installs into nubo's shared SDK cache the @aws-sdk/*
// packages that the Node.js function under taskRoot imports without
// bundling them and that the cache lacks. It returns the node_modules
// directory the shim should resolve them from ("" when the function needs
// none). Installs are serialised across processes by a lock file.
func EnsureNodeSDK(ctx context.Context, taskRoot string, log io.Writer) (string, error) {
	pkgs, err := NodeSDKImports(taskRoot)
	if err != nil || len(pkgs) == 0 {
		return "", err
	}
	dir, err := nodeSDKDir()
	if err != nil {
		return "", err
	}
	modules := filepath.Join(dir, "node_modules")
	missing := func() []string {
		var m []string
		for _, pkg := range pkgs {
			if _, err := os.Stat(filepath.Join(modules, filepath.FromSlash(pkg), "package.json")); err != nil {
				m = append(m, pkg)
			}
		}
		return m
	}
	if len(missing()) == 0 {
		return modules, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("runtimes: SDK cache: %w", err)
	}
	unlock, err := lockFile(filepath.Join(dir, ".lock"))
	if err != nil {
		return "", err
	}
	defer unlock()
	need := missing() // another process may have installed them meanwhile
	if len(need) == 0 {
		return modules, nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", fmt.Errorf("runtimes: the function imports %s, which Lambda's runtime includes; nubo installs it with npm, which is not on PATH", strings.Join(need, ", "))
	}
	if _, err := os.Stat(filepath.Join(dir, "package.json")); err != nil {
		if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"nubo-nodejs-sdk","private":true,"description":"The AWS SDK v3 packages nubo's Node.js functions import, as Lambda's runtimes include them"}`+"\n"), 0o644); err != nil {
			return "", fmt.Errorf("runtimes: SDK cache: %w", err)
		}
	}
	fmt.Fprintf(log, "installing %s (included in Lambda's Node.js runtimes) into %s\n", strings.Join(need, ", "), modules)
	args := append([]string{"install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", dir}, need...)
	cmd := exec.CommandContext(ctx, npm, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("runtimes: npm install %s: %w: %s", strings.Join(need, " "), err, tailOf(out, 600))
	}
	if m := missing(); len(m) > 0 {
		return "", fmt.Errorf("runtimes: npm install left %s missing", strings.Join(m, ", "))
	}
	return modules, nil
}

func tailOf(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}

// lockFile takes an exclusive lock on path, waiting for it.
func lockFile(path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("runtimes: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("runtimes: lock %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// pythonSDKModules are boto3 and the pure-Python packages it needs.
var pythonSDKModules = []string{"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"}

// PythonSDK returns a directory to append to sys.path so that the Python
// interpreter py can import boto3: "" when py has it already; else a
// directory in nubo's cache linking the copy that another interpreter on
// this machine has. An error says none was found.
func PythonSDK(py string) (string, error) {
	if exec.Command(py, "-c", "import boto3").Run() == nil {
		return "", nil
	}
	locate := "import importlib, os\nfor m in " + pyList(pythonSDKModules) + ":\n    f = importlib.import_module(m).__file__\n    print(os.path.dirname(f) if os.path.basename(f) == '__init__.py' else f)\n"
	var tried []string
	for _, c := range pythonCandidates("3") {
		path, err := lookCandidate(c.name)
		if err != nil || path == py {
			continue
		}
		out, err := exec.Command(path, "-c", locate).Output()
		if err != nil {
			tried = append(tried, path)
			continue
		}
		paths := strings.Fields(strings.TrimSpace(string(out)))
		if len(paths) != len(pythonSDKModules) {
			continue
		}
		return linkPythonSDK(paths)
	}
	return "", fmt.Errorf("runtimes: no Python interpreter on this machine has boto3 (tried %s): install python3-boto3 (Debian) or boto3 for one of them", strings.Join(tried, ", "))
}

func lookCandidate(name string) (string, error) {
	if filepath.IsAbs(name) {
		_, err := os.Stat(name)
		return name, err
	}
	return exec.LookPath(name)
}

func pyList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = "'" + x + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// linkPythonSDK makes CacheDir()/python-sdk/<hash of paths> hold a symlink
// to each module path, and returns it.
func linkPythonSDK(paths []string) (string, error) {
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "python-sdk", shortHash(strings.Join(paths, "\n")))
	if _, err := os.Stat(filepath.Join(dir, ".complete")); err == nil {
		return dir, nil
	}
	tmp, err := os.MkdirTemp(filepath.Join(mkdirAll(filepath.Join(cache, "python-sdk"))), ".link-*")
	if err != nil {
		return "", fmt.Errorf("runtimes: python SDK cache: %w", err)
	}
	for _, p := range paths {
		if err := os.Symlink(p, filepath.Join(tmp, filepath.Base(p))); err != nil {
			os.RemoveAll(tmp)
			return "", fmt.Errorf("runtimes: python SDK cache: %w", err)
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if _, serr := os.Stat(filepath.Join(dir, ".complete")); serr != nil {
			return "", fmt.Errorf("runtimes: python SDK cache: %w", err)
		}
	}
	return dir, nil
}

func shortHash(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}
