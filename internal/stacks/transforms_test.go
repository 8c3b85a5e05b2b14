package stacks

import (
	"errors"
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

// TestIncludeTemplates processes templates with AWS::Include snippets read
// from local paths: AWS's own example, and one with a top-level include, a
// Fn::Transform in a Fn::ForEach fragment and a snippet including another.
func TestIncludeTemplates(t *testing.T) {
	for _, tc := range []struct {
		name  string
		names []string
	}{
		{"aws-example", nil},
		{"template", []string{IncludeTransform, LanguageExtensionsTransform}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := "testdata/include"
			raw, lines := mustParse(t, filepath.Join(dir, tc.name+".yaml"))
			got, names, err := ProcessTemplate(raw, lines, ProcessOptions{BaseDir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.names, names); d != "" {
				t.Errorf("transforms run (-want +got):\n%s", d)
			}
			want, _ := mustParse(t, filepath.Join(dir, tc.name+".want.yaml"))
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("processed template (-want +got):\n%s", d)
			}
			// The processed template is a template the engine accepts.
			if _, err := loadTemplateWith(raw, lines, ProcessOptions{BaseDir: dir}); err != nil {
				t.Errorf("load: %v", err)
			}
		})
	}
}

// TestTransformParameters: the loop's collection and the policy functions
// follow the parameter values the deployment gives.
func TestTransformParameters(t *testing.T) {
	dir := "testdata/include"
	raw, lines := mustParse(t, filepath.Join(dir, "template.yaml"))
	tmpl, err := loadTemplateWith(raw, lines, ProcessOptions{BaseDir: dir,
		Parameters: func(defs map[string]*ParamDef) (map[string]any, error) {
			v, _, err := resolveParameters(t.Context(), &Template{Parameters: defs, Lines: Lines{}}, map[string]string{"Queues": "a.b, c", "Retain": "yes"}, nil, nil)
			return v, err
		}})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"Paramab", "Paramc", "Queueab", "Queuec"}, tmpl.ResourceIDs()); d != "" {
		t.Errorf("resources (-want +got):\n%s", d)
	}
	if p := tmpl.Resources["Queueab"].DeletionPolicy; p != "Retain" {
		t.Errorf("DeletionPolicy = %q, want Retain (Fn::If on Retain=yes)", p)
	}
	if d := cmp.Diff(float64(2), tmpl.Outputs["QueueCount"].Value); d != "" {
		t.Errorf("QueueCount (-want +got):\n%s", d)
	}
}

// TestTransformErrors: what CloudFormation refuses, and what nubo cannot
// do, is refused with an error naming the place.
func TestTransformErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("short.yaml", "Q:\n  Type: AWS::SQS::Queue\n  Properties: {QueueName: !Ref AWS::StackName}\n")
	write("self.yaml", "Fn::Transform: {Name: AWS::Include, Parameters: {Location: self.yaml}}\n")
	write("list.yaml", "- a\n- b\n")
	const le = "Transform: AWS::LanguageExtensions\n"
	tests := map[string]struct{ src, want string }{
		"s3 location": {`Resources: {"Fn::Transform": {Name: AWS::Include, Parameters: {Location: s3://bucket/snippet.yaml}}}`,
			`Resources/Fn::Transform (line 1): AWS::Include Location "s3://bucket/snippet.yaml": nubo has no S3 service`},
		"http location": {`Resources: {"Fn::Transform": {Name: AWS::Include, Parameters: {Location: "https://example.com/s.yaml"}}}`,
			`only an s3:// URI`},
		"missing file":  {`Resources: {"Fn::Transform": {Name: AWS::Include, Parameters: {Location: nope.yaml}}}`, `Location "nope.yaml": stat`},
		"short forms":   {`Resources: {"Fn::Transform": {Name: AWS::Include, Parameters: {Location: short.yaml}}}`, `does not support the short YAML forms`},
		"in parameters": {"Parameters: {P: {Type: String, Fn::Transform: {Name: AWS::Include, Parameters: {Location: x.yaml}}}}\nResources: {}", `AWS::Include can't be used in the Parameters section`},
		"a directory":   {`Resources: {"Fn::Transform": {Name: AWS::Include, Parameters: {Location: .}}}`, `is not a file`},
		"self include":  {`Resources: {"Fn::Transform": {Name: AWS::Include, Parameters: {Location: self.yaml}}}`, `includes itself`},
		"list merged":   {`Resources: {A: {Type: X}, "Fn::Transform": {Name: AWS::Include, Parameters: {Location: list.yaml}}}`, `must be a mapping`},
		"macro":         {`Resources: {"Fn::Transform": {Name: MyMacro}}`, `Fn::Transform MyMacro is not supported`},
		"no location":   {`Resources: {"Fn::Transform": {Name: AWS::Include, Parameters: {}}}`, `AWS::Include needs a Location`},
		"ref location":  {`Resources: {"Fn::Transform": {Name: AWS::Include, Parameters: {Location: !Ref P}}}`, `Location must be a literal string`},
		"foreach alone": {"Resources: {'Fn::ForEach::A': [X, [a], {'Q${X}': {Type: T}}]}", `unknown top-level|logical id`},
		"foreach in mappings": {le + "Mappings: {'Fn::ForEach::A': [X, [a], {'Q${X}': {}}]}\nResources: {}",
			`Mappings/Fn::ForEach::A (line 2): Fn::ForEach can be used only in the Conditions, Resources and Outputs sections`},
		"two args":       {le + "Resources: {'Fn::ForEach::A': [X, [a]]}", `Fn::ForEach::A takes [Identifier, Collection, {OutputKey: OutputValue}]`},
		"key without id": {le + "Resources: {'Fn::ForEach::A': [X, [a], {Q: {Type: T}}]}", `the output key "Q" must contain ${X} or &{X}`},
		"bad collection": {le + "Resources: {'Fn::ForEach::A': [X, notalist, {'Q${X}': {Type: T}}]}", `the collection must be a list or a Ref to a CommaDelimitedList parameter`},
		"resource collection": {le + "Resources: {B: {Type: T}, 'Fn::ForEach::A': [X, !GetAtt B.List, {'Q${X}': {Type: T}}]}",
			`Resources/Fn::ForEach::A/1 (line 2): Fn::ForEach::A: the collection must be a list or a Ref to a CommaDelimitedList parameter: Fn::GetAtt B.List: known only when deploying`},
		"duplicate output": {le + "Resources: {'Fn::ForEach::A': [X, [a-b, ab], {'Q&{X}': {Type: T}}]}", `produces "Qab" twice`},
		"clashes":          {le + "Resources: {Qa: {Type: T}, 'Fn::ForEach::A': [X, [a], {'Q${X}': {Type: T}}]}", `produces "Qa", which is already declared`},
		"bad identifier":   {le + "Resources: {'Fn::ForEach::A': ['${X}', [a], {'Q${X}': {Type: T}}]}", `the identifier must be a name`},
		"policy": {le + "Parameters: {P: {Type: String, Default: Keep}}\nResources: {Q: {Type: T, DeletionPolicy: !Ref P}}",
			`Resources/Q/DeletionPolicy (line 3): DeletionPolicy must be Delete, Retain, RetainExceptOnCreate or Snapshot, not Keep`},
		"policy unknown": {le + "Resources: {B: {Type: T}, Q: {Type: T, DeletionPolicy: !GetAtt B.Policy}}",
			`Resources/Q/DeletionPolicy (line 2): DeletionPolicy: the function must resolve before deploying`},
		"unknown transform": {"Transform: [AWS::LanguageExtensions, Custom]\nResources: {}", `transform "Custom" is not supported`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			raw, lines, err := ParseDocument([]byte(tc.src))
			if err != nil {
				t.Fatal(err)
			}
			_, err = loadTemplateWith(raw, lines, ProcessOptions{BaseDir: dir})
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !matches(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
			if !errors.Is(err, ErrTemplate) {
				t.Errorf("error %v is not a template error", err)
			}
		})
	}
}

// matches: want is a substring of s, or one of |-separated alternatives.
func matches(s, want string) bool {
	for _, w := range strings.Split(want, "|") {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// TestIncludeNeedsADirectory: a template without a directory (the
// CloudFormation API's) cannot name local snippets.
func TestIncludeNeedsADirectory(t *testing.T) {
	raw, lines := mustParse(t, "testdata/include/aws-example.yaml")
	_, _, err := ProcessTemplate(raw, lines, ProcessOptions{})
	if err == nil || !strings.Contains(err.Error(), `Location "single_wait_condition.yaml" is a local path, and this template has no directory`) {
		t.Fatalf("error %v, want the local path refused", err)
	}
}

// TestTemplateLinksIncludes: nubo up orders stacks by exports a snippet
// declares.
func TestTemplateLinksIncludes(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "outputs.yaml"), []byte("Shared:\n  Value: x\n  Export:\n    Name: shared-name\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := "Resources: {A: {Type: AWS::SSM::Parameter, Properties: {Type: String, Value: v}}}\nOutputs:\n  Fn::Transform: {Name: AWS::Include, Parameters: {Location: outputs.yaml}}\n"
	links, err := TemplateLinks([]byte(src), dir, "s", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"shared-name"}, links.Exports); d != "" {
		t.Errorf("exports (-want +got):\n%s", d)
	}
}

// TestFindTemplatesSkipsSnippets: a snippet with a Resources section is part
// of the template that includes it, not a stack of its own.
func TestFindTemplatesSkipsSnippets(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "app", "snippets"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"app/template.yaml":           "Transform:\n  Name: AWS::Include\n  Parameters: {Location: snippets/resources.yaml}\nOutputs:\n  Out: {Value: x, Export: {Name: app-out}}\n",
		"app/snippets/resources.yaml": "Resources:\n  P: {Type: AWS::SSM::Parameter, Properties: {Type: String, Value: v}}\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	found, err := FindTemplates(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].Stack != "app" {
		t.Fatalf("found %+v, want only stack app", found)
	}
	if d := cmp.Diff([]string{"app-out"}, found[0].Links.Exports); d != "" {
		t.Errorf("exports (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{filepath.Join(dir, "app", "snippets", "resources.yaml")}, found[0].Snippets); d != "" {
		t.Errorf("snippets (-want +got):\n%s", d)
	}
}
