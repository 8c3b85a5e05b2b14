package runtimes

import (
	"errors"
	"strings"
	"testing"
)

func TestPythonHandler(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ module, function string }{
		"app.handler":          {"app", "handler"},
		"pkg/sub/mod.fn":       {"pkg.sub.mod", "fn"},
		"pkg.sub.mod.fn":       {"pkg.sub.mod", "fn"},
		"lambda_function.main": {"lambda_function", "main"},
	}
	for h, want := range tests {
		m, f, err := PythonHandler(h)
		if err != nil || m != want.module || f != want.function {
			t.Errorf("PythonHandler(%q) = %q, %q, %v", h, m, f, err)
		}
	}
	for _, h := range []string{"", "app", ".handler", "app.", "a//b.c", "a/.b.c", "/abs.fn", "a..b.c", "x y.z", "a/b/.fn"} {
		if _, _, err := PythonHandler(h); !errors.Is(err, ErrBadHandler) {
			t.Errorf("PythonHandler(%q) err = %v, want ErrBadHandler", h, err)
		}
	}
}

func TestNodeHandler(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ module, export string }{
		"index.handler":           {"index", "handler"},
		"src/app.handler":         {"src/app", "handler"},
		"src/app.nested.handler":  {"src/app", "nested.handler"},
		"/opt/layer/index.handle": {"/opt/layer/index", "handle"},
	}
	for h, want := range tests {
		m, e, err := NodeHandler(h)
		if err != nil || m != want.module || e != want.export {
			t.Errorf("NodeHandler(%q) = %q, %q, %v", h, m, e, err)
		}
	}
	for _, h := range []string{"", "index", ".handler", "index.", "src/index", "../up.handler", "a/b..c.d", "index.a..b", "index.a.", "sp ace.x"} {
		if _, _, err := NodeHandler(h); !errors.Is(err, ErrBadHandler) {
			t.Errorf("NodeHandler(%q) err = %v, want ErrBadHandler", h, err)
		}
	}
}

func FuzzPythonHandler(f *testing.F) {
	for _, s := range []string{"app.handler", "pkg/sub/mod.fn", "a..b", "/x.y", "", "é.ü"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		m, fn, err := PythonHandler(h)
		if err != nil {
			if !errors.Is(err, ErrBadHandler) {
				t.Fatalf("error %v is not ErrBadHandler", err)
			}
			return
		}
		if m == "" || fn == "" || strings.Contains(fn, ".") || strings.Contains(m, "/") ||
			strings.Contains(m, "..") || strings.HasPrefix(m, ".") || strings.HasSuffix(m, ".") {
			t.Fatalf("PythonHandler(%q) = %q, %q", h, m, fn)
		}
	})
}

func FuzzNodeHandler(f *testing.F) {
	for _, s := range []string{"index.handler", "src/app.a.b", "../x.y", "", "a/.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		m, e, err := NodeHandler(h)
		if err != nil {
			if !errors.Is(err, ErrBadHandler) {
				t.Fatalf("error %v is not ErrBadHandler", err)
			}
			return
		}
		base := m[strings.LastIndexByte(m, '/')+1:]
		if base == "" || strings.Contains(base, ".") || e == "" || strings.Contains(h, "..") || m+"."+e != h {
			t.Fatalf("NodeHandler(%q) = %q, %q", h, m, e)
		}
	})
}

func TestJavaHandler(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ class, method string }{
		"example.Handler":                 {"example.Handler", ""},
		"example.Handler::handleRequest":  {"example.Handler", "handleRequest"},
		"Handler":                         {"Handler", ""},
		"com.ex.Outer$Inner::run":         {"com.ex.Outer$Inner", "run"},
		"com.ex_1.ÉtéHandler::handle_it2": {"com.ex_1.ÉtéHandler", "handle_it2"},
	}
	for h, want := range tests {
		c, m, err := JavaHandler(h)
		if err != nil || c != want.class || m != want.method {
			t.Errorf("JavaHandler(%q) = %q, %q, %v", h, c, m, err)
		}
	}
	for _, h := range []string{"", "example.Handler::", "::run", "example..Handler", ".Handler", "example.Handler.", "example/Handler",
		"example.1Handler", "example.Handler::run::again", "example.Handler::ru-n", "example.Han dler"} {
		if _, _, err := JavaHandler(h); !errors.Is(err, ErrBadHandler) {
			t.Errorf("JavaHandler(%q) err = %v, want ErrBadHandler", h, err)
		}
	}
}

func FuzzJavaHandler(f *testing.F) {
	for _, s := range []string{"example.Handler", "example.Handler::handleRequest", "a.B$C::d", "::x", "a..b", "", "é.Ü::ö"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		c, m, err := JavaHandler(h)
		if err != nil {
			if !errors.Is(err, ErrBadHandler) {
				t.Fatalf("error %v is not ErrBadHandler", err)
			}
			return
		}
		whole := c
		if m != "" {
			whole += "::" + m
		}
		if c == "" || strings.Contains(c, "..") || strings.HasPrefix(c, ".") || strings.HasSuffix(c, ".") ||
			strings.ContainsAny(c+m, ":/ ") || strings.Contains(m, ".") || whole != h {
			t.Fatalf("JavaHandler(%q) = %q, %q", h, c, m)
		}
	})
}
