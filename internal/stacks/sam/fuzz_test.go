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

// FuzzTransformMutations parses a seed template and replaces values at random places with
// values of other shapes (null, lists, maps, intrinsics...): the transform must reject or
// expand, never panic.
func FuzzTransformMutations(f *testing.F) {
	var seeds [][]byte
	for _, name := range []string{"function", "apis", "events", "policies"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "golden", name+".yaml")); err == nil {
			seeds = append(seeds, b)
		}
	}
	if corpus := findCorpus(); corpus != "" {
		files, _ := filepath.Glob(filepath.Join(corpus, "input", "*.yaml"))
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				seeds = append(seeds, b)
			}
		}
	}
	for i, s := range seeds {
		f.Add(s, uint64(i)*7919+1)
	}
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		tmpl, err := loadYAML(data)
		if err != nil {
			return
		}
		rng := seed | 1
		next := func(n int) int {
			rng ^= rng << 13
			rng ^= rng >> 7
			rng ^= rng << 17
			return int(rng % uint64(n))
		}
		replacements := []func() any{
			func() any { return nil },
			func() any { return "" },
			func() any { return "x-y" },
			func() any { return 0 },
			func() any { return 1.5 },
			func() any { return true },
			func() any { return []any{} },
			func() any { return []any{nil, 1, "a"} },
			func() any { return map[string]any{} },
			func() any { return map[string]any{"Ref": "Missing"} },
			func() any { return map[string]any{"Fn::If": []any{"C", "a", map[string]any{"Ref": "AWS::NoValue"}}} },
			func() any { return map[string]any{"Fn::If": "bad"} },
			func() any { return map[string]any{"Fn::GetAtt": []any{}} },
			func() any { return map[string]any{"Fn::Sub": []any{1}} },
		}
		for i := 0; i < 1+next(4); i++ {
			mutate(tmpl, next, replacements)
		}
		out, err := Transform(tmpl, testOptions())
		if err == nil && out == nil {
			t.Fatal("nil template without an error")
		}
	})
}

// mutate walks to a random node of v and replaces one of its values.
func mutate(v any, next func(int) int, repl []func() any) {
	for depth := 0; depth < 12; depth++ {
		switch x := v.(type) {
		case map[string]any:
			if len(x) == 0 {
				return
			}
			keys := sortedKeys(x)
			k := keys[next(len(keys))]
			if next(3) == 0 {
				x[k] = repl[next(len(repl))]()
				return
			}
			v = x[k]
		case []any:
			if len(x) == 0 {
				return
			}
			i := next(len(x))
			if next(3) == 0 {
				x[i] = repl[next(len(repl))]()
				return
			}
			v = x[i]
		default:
			return
		}
	}
}

// TestMutatedCorpusNeverPanics is a deterministic slice of FuzzTransformMutations over the whole
// corpus (the fuzzer explores further with -fuzz).
func TestMutatedCorpusNeverPanics(t *testing.T) {
	corpus := findCorpus()
	if corpus == "" {
		t.Skip("shared/conformance/sam-translator not found above the package directory")
	}
	var files []string
	for _, dir := range []string{filepath.Join(corpus, "input"), filepath.Join(corpus, "error"), filepath.Join("testdata", "golden")} {
		m, _ := filepath.Glob(filepath.Join(dir, "*.yaml"))
		files = append(files, m...)
	}
	repl := []func() any{
		func() any { return nil }, func() any { return "" }, func() any { return 0 },
		func() any { return true }, func() any { return []any{} }, func() any { return []any{nil, 1} },
		func() any { return map[string]any{} }, func() any { return map[string]any{"Ref": "Missing"} },
		func() any { return map[string]any{"Fn::If": "bad"} }, func() any { return "s3://" },
		func() any { return map[string]any{"Fn::If": []any{"C", map[string]any{}, nil}} },
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(1); seed <= 40; seed++ {
			tmpl, err := loadYAML(b)
			if err != nil {
				break
			}
			rng := seed*2654435761 | 1
			next := func(n int) int {
				rng ^= rng << 13
				rng ^= rng >> 7
				rng ^= rng << 17
				return int(rng % uint64(n))
			}
			for i := 0; i < 1+next(4); i++ {
				mutate(tmpl, next, repl)
			}
			func() {
				defer func() {
					if r := recover(); r != nil {
						t.Errorf("%s, seed %d: panic: %v", filepath.Base(p), seed, r)
					}
				}()
				_, _ = Transform(tmpl, testOptions())
			}()
		}
	}
}
