package stacks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzTransforms: Fn::ForEach and AWS::Include expansion never panics, and
// what it accepts stays within CloudFormation's largest template.
func FuzzTransforms(f *testing.F) {
	for _, glob := range []string{"testdata/transforms/*.yaml", "testdata/include/*.yaml"} {
		seeds, _ := filepath.Glob(glob)
		for _, s := range seeds {
			b, err := os.ReadFile(s)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	f.Add([]byte("Transform: AWS::LanguageExtensions\nResources: {'Fn::ForEach::A': [X, [a, b], {'Fn::ForEach::B': [Y, [c, d], {'R${X}${Y}': {Type: T, Properties: {V: !Ref X, W: {'Fn::Length': [1, 2]}}}}]}]}"))
	f.Add([]byte("Transform: AWS::LanguageExtensions\nResources: {'Fn::ForEach::A': [X, [a], {'R&{X}': {Type: T, Condition: {'Fn::FindInMap': [M, K, !Ref X, {DefaultValue: !Ref AWS::NoValue}]}}}]}"))
	f.Fuzz(func(t *testing.T, src []byte) {
		raw, lines, err := ParseDocument(src)
		if err != nil {
			return
		}
		out, _, err := ProcessTemplate(raw, lines, ProcessOptions{BaseDir: "testdata/include"})
		if err != nil {
			return
		}
		if b, err := json.Marshal(out); err == nil && len(b) > maxProcessedBytes && (raw["Transform"] != nil || hasKey(raw, "Fn::Transform", 0)) {
			t.Fatalf("processed template of %d bytes accepted", len(b))
		}
	})
}

// TestForEachBounded: loops whose expansion is far beyond what
// CloudFormation accepts are refused, quickly, with an error saying so.
func TestForEachBounded(t *testing.T) {
	items := make([]string, 40)
	for i := range items {
		items[i] = fmt.Sprintf("v%d", i)
	}
	list := "[" + strings.Join(items, ", ") + "]"
	frag := "{'R${A}${B}${C}${D}${E}': {Type: T, Properties: {P: x}}}"
	for _, id := range []string{"E", "D", "C", "B", "A"} {
		frag = fmt.Sprintf("{'Fn::ForEach::L%s': [%s, %s, %s]}", id, id, list, frag)
	}
	src := "Transform: AWS::LanguageExtensions\nResources: " + frag
	raw, lines, err := ParseDocument([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = ProcessTemplate(raw, lines, ProcessOptions{})
	if err == nil || !strings.Contains(err.Error(), "Fn::ForEach expands to more than CloudFormation's maximum of 1048576 bytes") {
		t.Fatalf("error %v, want the expansion refused", err)
	}

	// Within the node bound but over CloudFormation's template size.
	big := strings.Repeat("x", 2000)
	src = fmt.Sprintf("Transform: AWS::LanguageExtensions\nResources: {'Fn::ForEach::L': [A, %s, {'Fn::ForEach::M': [B, %s, {'R${A}${B}': {Type: T, Properties: {P: %s}}}]}]}", list, list, big)
	raw, lines, err = ParseDocument([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = ProcessTemplate(raw, lines, ProcessOptions{})
	if err == nil || !strings.Contains(err.Error(), "CloudFormation's maximum of 1048576 bytes") {
		t.Fatalf("error %v, want the processed template refused for its size", err)
	}
}
