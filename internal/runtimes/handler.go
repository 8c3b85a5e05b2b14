package runtimes

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// maxHandlerLen is Lambda's limit on the Handler setting.
const maxHandlerLen = 128

// ErrBadHandler: a handler string the runtime could never load.
var ErrBadHandler = errors.New("bad handler")

// checkHandlerCommon applies Lambda's own constraints on the Handler setting:
// non-empty, at most 128 characters, no whitespace.
func checkHandlerCommon(handler string) error {
	switch {
	case handler == "":
		return errors.New("handler is empty")
	case len(handler) > maxHandlerLen:
		return fmt.Errorf("handler is %d characters long, the limit is %d", len(handler), maxHandlerLen)
	case strings.IndexFunc(handler, unicode.IsSpace) >= 0:
		return errors.New("handler contains whitespace")
	case strings.ContainsRune(handler, 0):
		return errors.New("handler contains a NUL byte")
	}
	return nil
}

// PythonHandler splits a Python handler "pkg/module.function" (or
// "pkg.module.function") into the module to import and the attribute to call,
// as Lambda's Python runtime does: the function is what follows the last dot,
// slashes in the module path become dots.
func PythonHandler(handler string) (module, function string, err error) {
	if err := checkHandlerCommon(handler); err != nil {
		return "", "", fmt.Errorf("%w %q: %v", ErrBadHandler, handler, err)
	}
	i := strings.LastIndexByte(handler, '.')
	if i < 0 {
		return "", "", fmt.Errorf("%w %q: want module.function, such as app.handler", ErrBadHandler, handler)
	}
	modPath, function := handler[:i], handler[i+1:]
	if function == "" {
		return "", "", fmt.Errorf("%w %q: no function name after the last dot", ErrBadHandler, handler)
	}
	if modPath == "" {
		return "", "", fmt.Errorf("%w %q: no module name before the function", ErrBadHandler, handler)
	}
	parts := strings.FieldsFunc(modPath, func(r rune) bool { return r == '/' || r == '.' })
	if strings.HasPrefix(modPath, "/") {
		return "", "", fmt.Errorf("%w %q: the module path must be relative to the task root", ErrBadHandler, handler)
	}
	if len(parts) == 0 || strings.Join(parts, ".") != strings.NewReplacer("/", ".").Replace(modPath) {
		return "", "", fmt.Errorf("%w %q: the module path %q has an empty component", ErrBadHandler, handler, modPath)
	}
	return strings.Join(parts, "."), function, nil
}

// NodeHandler splits a Node.js handler "path/file.export" into the module
// path (relative to the task root, without extension) and the export path,
// which may be nested ("file.obj.fn"), as Lambda's Node.js runtime does: the
// file name ends at the first dot of the last path element.
func NodeHandler(handler string) (module, export string, err error) {
	if err := checkHandlerCommon(handler); err != nil {
		return "", "", fmt.Errorf("%w %q: %v", ErrBadHandler, handler, err)
	}
	if strings.Contains(handler, "..") {
		return "", "", fmt.Errorf("%w %q: '..' is not allowed in a handler", ErrBadHandler, handler)
	}
	dir, base := "", handler
	if i := strings.LastIndexByte(handler, '/'); i >= 0 {
		dir, base = handler[:i+1], handler[i+1:]
	}
	file, export, ok := strings.Cut(base, ".")
	switch {
	case !ok:
		return "", "", fmt.Errorf("%w %q: want file.export, such as index.handler", ErrBadHandler, handler)
	case file == "":
		return "", "", fmt.Errorf("%w %q: no file name before the export", ErrBadHandler, handler)
	case export == "" || strings.HasPrefix(export, ".") || strings.HasSuffix(export, ".") || strings.Contains(export, ".."):
		return "", "", fmt.Errorf("%w %q: the export name %q is empty or has an empty component", ErrBadHandler, handler, export)
	}
	return dir + file, export, nil
}

// JavaHandler splits a Java handler "pkg.Class" or "pkg.Class::method" into
// the class's binary name and the method ("" when the class implements
// RequestHandler or RequestStreamHandler), as Lambda's Java runtime reads it.
func JavaHandler(handler string) (class, method string, err error) {
	if err := checkHandlerCommon(handler); err != nil {
		return "", "", fmt.Errorf("%w %q: %v", ErrBadHandler, handler, err)
	}
	class, method, hasMethod := strings.Cut(handler, "::")
	if hasMethod && !javaIdentifier(method) {
		return "", "", fmt.Errorf("%w %q: %q after :: is not a Java method name", ErrBadHandler, handler, method)
	}
	for _, part := range strings.Split(class, ".") {
		if !javaIdentifier(part) {
			return "", "", fmt.Errorf("%w %q: want a class name such as example.Handler or example.Handler::handleRequest", ErrBadHandler, handler)
		}
	}
	return class, method, nil
}

// javaIdentifier reports whether s is a Java identifier ($ included, as in
// the binary names of nested classes).
func javaIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		ok := unicode.IsLetter(r) || r == '_' || r == '$' || (i > 0 && unicode.IsDigit(r))
		if !ok {
			return false
		}
	}
	return true
}
