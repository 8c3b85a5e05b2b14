package sam

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzTransform feeds templates (corpus inputs and their mutations) to Transform: it must return
// a template or an error, never panic.
func FuzzTransform(f *testing.F) {
	for _, name := range []string{"function", "apis", "events"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "golden", name+".yaml")); err == nil {
			f.Add(b)
		}
	}
	if corpus := findCorpus(); corpus != "" {
		for _, dir := range []string{"input", "error"} {
			files, _ := filepath.Glob(filepath.Join(corpus, dir, "*.yaml"))
			for _, p := range files {
				if b, err := os.ReadFile(p); err == nil {
					f.Add(b)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tmpl, err := loadYAML(data)
		if err != nil {
			return
		}
		out, err := Transform(tmpl, testOptions())
		if err == nil && out == nil {
			t.Fatal("nil template without an error")
		}
	})
}

// findCorpus is corpusDir without a testing.TB: "" when absent.
func findCorpus() string {
	dir, err := filepath.Abs(".")
	if err != nil {
		return ""
	}
	for {
		c := filepath.Join(dir, "shared", "conformance", "sam-translator")
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}
