package runtimes

import (
	"os/exec"
	"strings"
	"testing"
)

// pythonRuntime is the runtime id matching the machine's python3.
func pythonRuntime(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import sys; print('python%d.%d' % sys.version_info[:2])").Output()
	if err != nil {
		t.Fatalf("python3 does not run: %v (these tests need python3 >= 3.9; scripts/test.sh installs it)", err)
	}
	rt := strings.TrimSpace(string(out))
	if !Supported(rt) {
		t.Fatalf("python3 is %s, which nubo does not support (need 3.9 to 3.13)", rt)
	}
	needInterpreter(t, rt)
	return rt
}

func TestPython_Echo(t *testing.T) {
	t.Parallel()
	rt := pythonRuntime(t)
	in := startInstance(t, testSet(t), rt, "echo.handler", "testdata/python")
	for _, payload := range []string{`{"a": 1, "s": "h\u00e9llo", "list": [1, 2.5, null, true]}`, `"just a string"`, `[]`} {
		o := in.invoke(in.newEvent(payload))
		if o.Kind != "response" || string(o.Body) != payload {
			t.Errorf("echo %s: got %v", payload, o)
		}
		if ct := o.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type = %q", ct)
		}
	}
}
