package stacks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLanguageExtensionsAWSExamples runs the Fn::ForEach examples of the
// CloudFormation Template Reference through the transform and compares
// the result with the templates AWS documents as their equivalents.
func TestLanguageExtensionsAWSExamples(t *testing.T) {
	ins, err := filepath.Glob("testdata/transforms/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, in := range ins {
		if strings.HasSuffix(in, ".want.yaml") {
			continue
		}
		n++
		name := strings.TrimSuffix(filepath.Base(in), ".yaml")
		t.Run(name, func(t *testing.T) {
			raw, lines := mustParse(t, in)
			got, names, err := ProcessTemplate(raw, lines, ProcessOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(names) != 1 || names[0] != LanguageExtensionsTransform {
				t.Errorf("transforms run = %v, want [%s]", names, LanguageExtensionsTransform)
			}
			want, _ := mustParse(t, strings.TrimSuffix(in, ".yaml")+".want.yaml")
			for _, sec := range []string{"Conditions", "Resources", "Outputs"} {
				if d := cmp.Diff(want[sec], got[sec]); d != "" {
					t.Errorf("%s (-AWS's +nubo's):\n%s", sec, d)
				}
			}
			if _, ok := got["Transform"]; ok {
				t.Error("the processed template still has its Transform section")
			}
		})
	}
	if n < 7 {
		t.Fatalf("found %d examples in testdata/transforms, want the 7 AWS documents", n)
	}
}

func mustParse(t *testing.T, path string) (map[string]any, Lines) {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, lines, err := ParseDocument(src)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return raw, lines
}
