package runtimes

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// shims are the bootstrap sources, written to disk by Install.
//
//go:embed python/bootstrap.py node/bootstrap.mjs java/NuboBootstrap.java
var shims embed.FS

// Paths of the shims, relative to the install directory.
const (
	pythonShim = "python/bootstrap.py"
	nodeShim   = "node/bootstrap.mjs"
	javaShim   = "java/NuboBootstrap.java"
)

// Set is the installed shims.
type Set struct {
	dir    string
	strict bool // refuse substitute interpreters

	mu      sync.Mutex
	interp  map[string]Resolved // runtime => interpreter, found once
	pySDK   map[string]string   // interpreter => --nubo-sdk directory ("" for none)
	nodeSDK map[string]string   // task root => --nubo-sdk directory ("" for none)

	javaMu   sync.Mutex       // held while the Java bootstrap compiles
	javaBoot map[int][]string // JVM feature release => how it runs the bootstrap
}

// Install writes the embedded shims under dir (dir/python/bootstrap.py,
// dir/node/bootstrap.mjs, dir/java/NuboBootstrap.java). It is idempotent: a file whose content already
// matches is left alone; any other is replaced atomically (written beside it,
// then renamed), so instances starting meanwhile read a whole file.
func Install(dir string) (*Set, error) {
	if dir == "" {
		return nil, errors.New("runtimes: install: directory is empty")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("runtimes: install %s: %w", dir, err)
	}
	for _, name := range []string{pythonShim, nodeShim, javaShim} {
		src, err := fs.ReadFile(shims, name)
		if err != nil {
			return nil, fmt.Errorf("runtimes: install: embedded %s: %w", name, err)
		}
		if err := writeAtomic(filepath.Join(abs, filepath.FromSlash(name)), src); err != nil {
			return nil, fmt.Errorf("runtimes: install %s: %w", name, err)
		}
	}
	return &Set{dir: abs, interp: map[string]Resolved{}, pySDK: map[string]string{}, nodeSDK: map[string]string{}, javaBoot: map[int][]string{}}, nil
}

// Strict makes the set refuse to run a runtime on any interpreter but the
// version it names (serve --strict-runtimes). Call it before first use.
func (s *Set) Strict(on bool) { s.strict = on }

// Dir is where the shims are installed.
func (s *Set) Dir() string { return s.dir }

// writeAtomic makes path hold data, unless it already does.
func writeAtomic(path string, data []byte) error {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Chmod(0o644)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		return errors.Join(err, os.Remove(tmp))
	}
	return nil
}

// Command returns the argv that starts one instance of a function:
//
//	provided*  => [taskRoot/bootstrap]
//	go1.x      => [taskRoot/handler] (aws-lambda-go's RPC mode)
//	python3.x  => [python interpreter, dir/python/bootstrap.py (, init line)]
//	nodejs*.x  => [node, dir/node/bootstrap.mjs (, init line)]
//	java*      => [/bin/sh, -c, launcher, java, 0|1, -cp, cache, NuboBootstrap (, init line)]
//	              (the launcher adds the JVM options, the heap sized from
//	              AWS_LAMBDA_FUNCTION_MEMORY_SIZE; without a javac the bootstrap is
//	              dir/java/NuboBootstrap.java, for the source launcher)
//
// The init line, given when the interpreter is a substitute for the version
// the runtime names, is the first line the shim logs (INIT_START ...).
// The handler itself reaches the shim through _HANDLER (set by the pool);
// Command only checks that its form is one the runtime can load, so a bad
// handler fails here with a clear error instead of at init.
func (s *Set) Command(runtime, handler, taskRoot string) ([]string, error) {
	if taskRoot == "" {
		return nil, fmt.Errorf("runtime %s: task root is empty", runtime)
	}
	switch KindOf(runtime) {
	case KindProvided:
		boot, err := executable(runtime, taskRoot, "bootstrap", "the deployment package has no bootstrap file at its root")
		if err != nil {
			return nil, err
		}
		return []string{boot}, nil
	case KindGo:
		if err := checkHandlerCommon(handler); err != nil || strings.Contains(handler, "..") || filepath.IsAbs(handler) {
			return nil, fmt.Errorf("runtime %s: handler %q: want the name of the executable in the deployment package", runtime, handler)
		}
		exe, err := executable(runtime, taskRoot, handler, "the deployment package has no executable named by the handler")
		if err != nil {
			return nil, err
		}
		return []string{exe}, nil
	case KindPython:
		if _, _, err := PythonHandler(handler); err != nil {
			return nil, fmt.Errorf("runtime %s: %w", runtime, err)
		}
		return s.shimCommand(runtime, pythonShim, taskRoot)
	case KindNode:
		if _, _, err := NodeHandler(handler); err != nil {
			return nil, fmt.Errorf("runtime %s: %w", runtime, err)
		}
		return s.shimCommand(runtime, nodeShim, taskRoot)
	case KindJava:
		return s.javaCommand(runtime, handler)
	default:
		return nil, fmt.Errorf("runtime %q: not supported (supported: %s)", runtime, strings.Join(Runtimes(), ", "))
	}
}

// executable checks that name, in taskRoot, is an executable file.
func executable(runtime, taskRoot, name, missing string) (string, error) {
	p := filepath.Join(taskRoot, filepath.FromSlash(name))
	st, err := os.Stat(p)
	switch {
	case err != nil:
		return "", fmt.Errorf("runtime %s: %s at %s: %w", runtime, missing, name, err)
	case st.IsDir():
		return "", fmt.Errorf("runtime %s: %s is a directory, want an executable %s", runtime, p, name)
	case st.Mode().Perm()&0o111 == 0:
		return "", fmt.Errorf("runtime %s: %s is not executable (chmod +x %s before packaging)", runtime, p, name)
	}
	return p, nil
}

// shimCommand is [interpreter, shim], plus the INIT_START line when the
// interpreter stands in for the version the runtime names.
func (s *Set) shimCommand(runtime, shim, taskRoot string) ([]string, error) {
	r, err := s.Resolve(runtime)
	if err != nil {
		return nil, err
	}
	argv := []string{r.Path, filepath.Join(s.dir, filepath.FromSlash(shim))}
	if !r.Exact {
		if s.strict {
			return nil, fmt.Errorf("runtime %s: --strict-runtimes: %s", runtime, r.Note())
		}
		argv = append(argv, "--nubo-init=INIT_START Runtime Version: "+runtime+" (nubo: "+r.Note()+")")
	}
	if sdk := s.sdkDir(context.Background(), runtime, r.Path, taskRoot); sdk != "" {
		argv = append(argv, "--nubo-sdk="+sdk)
	}
	return argv, nil
}

// sdkDir is where the shim finds the AWS SDK that Lambda's runtime
// includes and the function does not bundle ("" for nowhere), found once
// per interpreter (Python) or package (Node.js).
func (s *Set) sdkDir(ctx context.Context, runtime, interp, taskRoot string) string {
	s.mu.Lock()
	cache, key := s.pySDK, interp
	if KindOf(runtime) == KindNode {
		cache, key = s.nodeSDK, taskRoot
	}
	dir, ok := cache[key]
	s.mu.Unlock()
	if ok {
		return dir
	}
	var err error
	if KindOf(runtime) == KindNode {
		dir, err = EnsureNodeSDK(ctx, taskRoot, io.Discard)
	} else {
		dir, err = PythonSDK(interp)
	}
	if err != nil {
		return "" // not remembered: a later start tries again
	}
	s.mu.Lock()
	cache[key] = dir
	s.mu.Unlock()
	return dir
}

// Prepare readies a function's unpacked code for its runtime at deploy
// time: for Node.js, the AWS SDK packages it imports and does not bundle
// are installed into the shared cache now rather than at its first start;
// for Java, nubo's bootstrap is compiled (once per machine and JVM release).
func (s *Set) Prepare(ctx context.Context, runtime, taskRoot string) error {
	if KindOf(runtime) == KindJava {
		// Compile the bootstrap now rather than at the first start.
		r, err := s.Resolve(runtime)
		if err != nil {
			return nil // Check warned already; the start reports it
		}
		major, _ := versionNumber(KindJava, r.Version)
		_, err = s.javaBootstrap(r.Path, major)
		return err
	}
	if KindOf(runtime) != KindNode {
		return nil
	}
	dir, err := EnsureNodeSDK(ctx, taskRoot, io.Discard)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.nodeSDK[taskRoot] = dir
	s.mu.Unlock()
	return nil
}

// Resolve is Resolve, remembered per runtime: finding one runs it. Failures
// are not remembered, so installing Python or Node later works.
func (s *Set) Resolve(runtime string) (Resolved, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.interp[runtime]; ok {
		return r, nil
	}
	r, err := Resolve(runtime)
	if err != nil {
		return Resolved{}, err
	}
	s.interp[runtime] = r
	return r, nil
}

// Check is the package's Check plus, for Python and Node.js runtimes, the
// interpreter this set would run: a substitute is a warning, or under Strict
// an error; a missing interpreter is an error.
func (s *Set) Check(runtime string) (warnings []string, err error) {
	w, err := Check(runtime)
	if err != nil {
		return nil, err
	}
	if w != "" {
		warnings = append(warnings, w)
	}
	if k := KindOf(runtime); k == KindPython || k == KindNode || k == KindJava {
		r, err := s.Resolve(runtime)
		switch {
		case err != nil && s.strict:
			return warnings, err
		case err != nil:
			warnings = append(warnings, err.Error()+": the function will fail to start until it is installed")
		case !r.Exact:
			if s.strict {
				return warnings, fmt.Errorf("runtime %s: --strict-runtimes: %s", runtime, r.Note())
			}
			warnings = append(warnings, "runtime "+runtime+": "+r.Note())
		}
	}
	return warnings, nil
}
