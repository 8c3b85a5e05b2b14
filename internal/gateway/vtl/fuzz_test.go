package vtl

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzTemplate: any template, any body: no panic, and the evaluation stays
// within its limits (an error says so rather than running away).
func FuzzTemplate(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/golden/*/template.vtl")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(b), `[{"id":1,"type":"dog","price":249.99}]`)
	}
	for _, s := range []string{
		"#foreach($i in [1..5])#if($i % 2 == 0)$i#else-#end#end",
		"#set($l = [])#foreach($i in [1..3])#set($d = $l.add($i))#end$l",
		"${a.b(1,'x',[1..3],{'k':$c})[0]}",
		"$input.json('$..a[0:2]') $input.path('$.x') $util.escapeJavaScript($input.body)",
		"#set($s = \"$s$s\")#set($m = {})$m.put('a', $m)$m",
		"\\\\$x \\#if #[[raw]]# #* c *# ## c",
	} {
		f.Add(s, `{"a":[1,2,{"a":3}],"x":"y"}`)
	}
	f.Fuzz(func(t *testing.T, src, body string) {
		tmpl, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("parse error of type %T: %v", err, err)
			}
			return
		}
		vars := map[string]any{"input": &Input{Body: []byte(body), Path: MapOf("p", "1")}, "util": Util{},
			"context": MapOf("responseOverride", MapOf("header", NewMap())), "s": "ab", "c": int64(3)}
		out, err := tmpl.Execute(vars, Options{MaxOutput: 1 << 16, MaxSteps: 20000})
		if err == nil && len(out) > 1<<16 {
			t.Fatalf("output of %d bytes over the limit", len(out))
		}
	})
}

// FuzzSelectPath: any JSONPath on any JSON: no panic; a definite path
// gives at most one value.
func FuzzSelectPath(f *testing.F) {
	for _, p := range []string{"$", "$.a.b", "$['a b'][0]", "$..a", "$.a[*].b", "$.a[1:-1]", "$.a[0,2]", "a.b", "$[?(@.x)]", "$.a[", "$..*"} {
		f.Add(p, `{"a":[{"b":1},{"b":[2,3]},{"a":{"b":4}}],"a b":[5]}`)
	}
	f.Fuzz(func(t *testing.T, path, doc string) {
		root, err := ParseJSON([]byte(doc))
		if err != nil {
			return
		}
		v, err := SelectPath(root, path)
		if err != nil {
			var pe *JSONPathError
			if !errors.As(err, &pe) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			return
		}
		_ = ToJSON(v)
		_ = ToString(v)
	})
}
