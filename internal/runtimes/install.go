package runtimes

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
)

// shims are the bootstrap sources, written to disk by Install.
//
//go:embed python/bootstrap.py node/bootstrap.mjs
var shims embed.FS

// Paths of the shims, relative to the install directory.
const (
	pythonShim = "python/bootstrap.py"
	nodeShim   = "node/bootstrap.mjs"
)

// Set is the installed shims.
type Set struct {
	dir string

	mu     sync.Mutex
	interp map[string]string // runtime => interpreter path, found once
}

// Install writes the embedded shims under dir (dir/python/bootstrap.py,
// dir/node/bootstrap.mjs). It is idempotent: a file whose content already
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
	for _, name := range []string{pythonShim, nodeShim} {
		src, err := fs.ReadFile(shims, name)
		if err != nil {
			return nil, fmt.Errorf("runtimes: install: embedded %s: %w", name, err)
		}
		if err := writeAtomic(filepath.Join(abs, filepath.FromSlash(name)), src); err != nil {
			return nil, fmt.Errorf("runtimes: install %s: %w", name, err)
		}
	}
	return &Set{dir: abs, interp: map[string]string{}}, nil
}

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
//	python3.x  => [python interpreter, dir/python/bootstrap.py]
//	nodejs*.x  => [node, dir/node/bootstrap.mjs]
//
// The handler itself reaches the shim through _HANDLER (set by the pool);
// Command only checks that its form is one the runtime can load, so a bad
// handler fails here with a clear error instead of at init.
func (s *Set) Command(runtime, handler, taskRoot string) ([]string, error) {
	if taskRoot == "" {
		return nil, fmt.Errorf("runtime %s: task root is empty", runtime)
	}
	switch KindOf(runtime) {
	case KindProvided:
		boot := filepath.Join(taskRoot, "bootstrap")
		st, err := os.Stat(boot)
		switch {
		case err != nil:
			return nil, fmt.Errorf("runtime %s: the deployment package has no bootstrap file at its root: %w", runtime, err)
		case st.IsDir():
			return nil, fmt.Errorf("runtime %s: %s is a directory, want an executable bootstrap", runtime, boot)
		case st.Mode().Perm()&0o111 == 0:
			return nil, fmt.Errorf("runtime %s: %s is not executable (chmod +x bootstrap before packaging)", runtime, boot)
		}
		return []string{boot}, nil
	case KindPython:
		if _, _, err := PythonHandler(handler); err != nil {
			return nil, fmt.Errorf("runtime %s: %w", runtime, err)
		}
		py, err := s.interpreter(runtime)
		if err != nil {
			return nil, err
		}
		return []string{py, filepath.Join(s.dir, filepath.FromSlash(pythonShim))}, nil
	case KindNode:
		if _, _, err := NodeHandler(handler); err != nil {
			return nil, fmt.Errorf("runtime %s: %w", runtime, err)
		}
		node, err := s.interpreter(runtime)
		if err != nil {
			return nil, err
		}
		return []string{node, filepath.Join(s.dir, filepath.FromSlash(nodeShim))}, nil
	default:
		return nil, fmt.Errorf("runtime %q: not supported (supported: %v)", runtime, runtimeNames())
	}
}

// interpreter is Interpreter, remembered per runtime: finding one runs it.
// Failures are not remembered, so installing Python or Node later works.
func (s *Set) interpreter(runtime string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.interp[runtime]; ok {
		return p, nil
	}
	p, err := Interpreter(runtime)
	if err != nil {
		return "", err
	}
	s.interp[runtime] = p
	return p, nil
}
