package stacks

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseDocument_ShortTagsToLongForm(t *testing.T) {
	src := `
Resources:
  R:
    Type: Test::Thing
    Properties:
      A: !Ref X
      B: !GetAtt Res.Arn
      C: !GetAtt [Res, Arn]
      D: !Sub "${X}"
      E: !Sub ["${Y}", {Y: !Ref X}]
      F: !Join [",", [a, b]]
      G: !Select [0, !Split [",", "a,b"]]
      H: !If [Cond, !Base64 x, !GetAZs ""]
      I: !Equals [a, b]
      J: !And [!Condition C1, !Or [!Condition C2, !Not [!Condition C3]]]
      K: !FindInMap [M, a, b]
      L: !ImportValue shared
      M: !Cidr ["10.0.0.0/16", 2, 8]
      N: 42
      O: true
      P: "042"
`
	got, lines, err := ParseDocument([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	props := got["Resources"].(map[string]any)["R"].(map[string]any)["Properties"].(map[string]any)
	want := map[string]any{
		"A": map[string]any{"Ref": "X"},
		"B": map[string]any{"Fn::GetAtt": []any{"Res", "Arn"}},
		"C": map[string]any{"Fn::GetAtt": []any{"Res", "Arn"}},
		"D": map[string]any{"Fn::Sub": "${X}"},
		"E": map[string]any{"Fn::Sub": []any{"${Y}", map[string]any{"Y": map[string]any{"Ref": "X"}}}},
		"F": map[string]any{"Fn::Join": []any{",", []any{"a", "b"}}},
		"G": map[string]any{"Fn::Select": []any{0.0, map[string]any{"Fn::Split": []any{",", "a,b"}}}},
		"H": map[string]any{"Fn::If": []any{"Cond", map[string]any{"Fn::Base64": "x"}, map[string]any{"Fn::GetAZs": ""}}},
		"I": map[string]any{"Fn::Equals": []any{"a", "b"}},
		"J": map[string]any{"Fn::And": []any{map[string]any{"Condition": "C1"}, map[string]any{"Fn::Or": []any{map[string]any{"Condition": "C2"}, map[string]any{"Fn::Not": []any{map[string]any{"Condition": "C3"}}}}}}},
		"K": map[string]any{"Fn::FindInMap": []any{"M", "a", "b"}},
		"L": map[string]any{"Fn::ImportValue": "shared"},
		"M": map[string]any{"Fn::Cidr": []any{"10.0.0.0/16", 2.0, 8.0}},
		"N": 42.0,
		"O": true,
		"P": "042",
	}
	if diff := cmp.Diff(want, props); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if lines["Resources/R/Properties/G"] != 12 || lines["Resources/R"] != 3 {
		t.Errorf("lines: G=%d R=%d", lines["Resources/R/Properties/G"], lines["Resources/R"])
	}
}

func TestParseDocument_JSON(t *testing.T) {
	src := `{
  "Resources": {
    "R": {"Type": "Test::Thing", "Properties": {"Value": {"Fn::Join": ["-", [{"Ref": "AWS::Region"}, "x"]]}}}
  }
}`
	got, lines, err := ParseDocument([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if lines["Resources/R/Properties/Value"] != 3 {
		t.Errorf("line %d, want 3", lines["Resources/R/Properties/Value"])
	}
	want := map[string]any{"Fn::Join": []any{"-", []any{map[string]any{"Ref": "AWS::Region"}, "x"}}}
	if diff := cmp.Diff(want, got["Resources"].(map[string]any)["R"].(map[string]any)["Properties"].(map[string]any)["Value"]); diff != "" {
		t.Error(diff)
	}
	// JSON with tabs, which YAML refuses, still parses.
	if _, _, err := ParseDocument([]byte("{\n\t\"Resources\": {}\n}")); err != nil {
		t.Errorf("tabbed JSON: %v", err)
	}
}

func TestParseTemplate_ErrorsNameResourcePathAndLine(t *testing.T) {
	tests := map[string]struct{ src, want string }{
		"unknown section":   {"Resorces: {}\nResources: {}", `Resorces (line 1): unknown top-level section "Resorces"`},
		"no type":           {"Resources:\n  A:\n    Properties: {}", `Resources/A (line 2): resource A has no Type`},
		"bad ref":           {"Resources:\n  A:\n    Type: T\n    Properties:\n      X:\n        Y: !Ref Nope", `Resources/A/Properties/X/Y/Ref (line 6): Ref to "Nope"`},
		"bad getatt":        {"Resources:\n  A:\n    Type: T\n    Properties:\n      X: !GetAtt Nope.Arn", `Resources/A/Properties/X/Fn::GetAtt (line 5): Fn::GetAtt names "Nope"`},
		"bad dependson":     {"Resources:\n  A:\n    Type: T\n    DependsOn: [B]", `Resources/A/DependsOn/0 (line 4): DependsOn names "B"`},
		"duplicate key":     {"Resources:\n  A: {Type: T}\n  A: {Type: T}", `Resources/A (line 3): duplicate key "A"`},
		"unknown tag":       {"Resources:\n  A:\n    Type: !Nope x", `unknown tag !Nope`},
		"missing condition": {"Resources:\n  A: {Type: T, Condition: C}", `Resources/A/Condition (line 2): no condition named "C"`},
		"bad class":         {"Nubo: {Class: big}\nResources: {}", `Nubo/Class (line 1): class must be "stateful" or "stateless"`},
		"bad policy":        {"Resources:\n  A: {Type: T, DeletionPolicy: Keep}", `DeletionPolicy must be Delete, Retain`},
		"bad parameter":     {"Parameters:\n  P: {Type: Strin}\nResources: {}", `Parameters/P/Type (line 2): unsupported parameter type Strin`},
		"bad default":       {"Parameters:\n  P: {Type: Number, Default: x}\nResources: {}", `Parameters/P/Default (line 2): parameter P: "x" is not a number`},
		"no resources":      {"Outputs: {}", `a template needs a Resources section`},
		"output no value":   {"Resources: {}\nOutputs:\n  O: {Description: x}", `Outputs/O (line 3): an output needs a Value`},
		"syntax":            {"Resources: [", `line 1`},
		"serverless absent": {"Transform: AWS::Serverless-2016-10-31\nResources: {}", `the AWS::Serverless-2016-10-31 transform is not available`},
		"other transform":   {"Transform: AWS::SecretsManager-2020-07-23\nResources: {}", `transform "AWS::SecretsManager-2020-07-23" is not supported`},
		"include by name":   {"Transform: AWS::Include\nResources: {}", `AWS::Include needs Parameters: {Location: ...}`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := ParseTemplate([]byte(tc.src), nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if !errors.Is(err, ErrTemplate) {
				t.Errorf("error %v is not ErrTemplate", err)
			}
		})
	}
}

func TestParseTemplate_Class(t *testing.T) {
	for src, want := range map[string]string{
		"Resources: {}":                                       "",
		"Nubo: {Class: stateful}\nResources: {}":              ClassStateful,
		"Metadata: {Nubo: {Class: stateless}}\nResources: {}": ClassStateless,
	} {
		tmpl, err := ParseTemplate([]byte(src), nil)
		if err != nil {
			t.Fatal(err)
		}
		if tmpl.Class != want {
			t.Errorf("%q: class %q, want %q", src, tmpl.Class, want)
		}
	}
}

func TestParseTemplate_CallsTransform(t *testing.T) {
	src := "Transform: AWS::Serverless-2016-10-31\nResources:\n  F: {Type: AWS::Serverless::Function}\n"
	called := false
	tmpl, err := ParseTemplate([]byte(src), func(m map[string]any) (map[string]any, error) {
		called = true
		if _, ok := m["Resources"].(map[string]any)["F"]; !ok {
			t.Error("transform did not get the long-form template")
		}
		return map[string]any{"Resources": map[string]any{"FRole": map[string]any{"Type": "Test::Thing"}}}, nil
	})
	if err != nil || !called {
		t.Fatalf("called %v, err %v", called, err)
	}
	if diff := cmp.Diff([]string{"FRole"}, tmpl.ResourceIDs()); diff != "" {
		t.Error(diff)
	}
	_, err = ParseTemplate([]byte(src), func(map[string]any) (map[string]any, error) { return nil, errors.New("event type X not supported yet") })
	if err == nil || !strings.Contains(err.Error(), "Transform (line 1): transform: event type X not supported yet") {
		t.Errorf("transform error: %v", err)
	}
}

func TestOrderStacks(t *testing.T) {
	order, err := OrderStacks([]string{"user", "payment", "shared", "content"}, map[string][]string{
		"user": {"payment", "shared"}, "payment": {"shared"}, "content": {"shared"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"shared", "content", "payment", "user"}, order); diff != "" {
		t.Error(diff)
	}
	_, err = OrderStacks([]string{"a", "b", "c"}, map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}})
	if err == nil || !strings.Contains(err.Error(), "a -> b -> c -> a") {
		t.Errorf("cycle: %v", err)
	}
}

func TestFindTemplates_OrdersByImportsAndNamesCycles(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, body string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("shared/template.yaml", "Resources:\n  A: {Type: T}\nOutputs:\n  O: {Value: x, Export: {Name: !Sub '${AWS::StackName}-o'}}\n")
	write("user.yaml", "Resources:\n  A: {Type: T, Properties: {V: !ImportValue shared-o}}\nOutputs:\n  O: {Value: x, Export: {Name: user-o}}\n")
	write("notes/readme.yaml", "title: not a template\n")
	found, err := FindTemplates(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range found {
		names = append(names, f.Stack)
	}
	if diff := cmp.Diff([]string{"shared", "user"}, names); diff != "" {
		t.Error(diff)
	}
	write("shared/template.yaml", "Resources:\n  A: {Type: T, Properties: {V: !ImportValue user-o}}\nOutputs:\n  O: {Value: x, Export: {Name: !Sub '${AWS::StackName}-o'}}\n")
	if _, err := FindTemplates(dir, nil); err == nil || !strings.Contains(err.Error(), "shared -> user -> shared") && !strings.Contains(err.Error(), "user -> shared -> user") {
		t.Errorf("cycle: %v", err)
	}
}

func TestFindTemplates_OrdersBySSMParameters(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		// "reader" sorts first but reads what "writer" writes, both ways.
		"areader.yaml":   "Parameters:\n  Url: {Type: 'AWS::SSM::Parameter::Value<String>', Default: /cfg/url}\nResources:\n  A: {Type: T, Properties: {V: !Ref Url}}\n",
		"bresolver.yaml": "Resources:\n  A: {Type: T, Properties: {V: '{{resolve:ssm:/cfg/key:2}}'}}\n",
		"writer.yaml":    "Resources:\n  U: {Type: AWS::SSM::Parameter, Properties: {Name: /cfg/url, Type: String, Value: x}}\n  K: {Type: AWS::SSM::Parameter, Properties: {Name: !Sub '/cfg/${Kind}', Type: String, Value: y}}\nParameters:\n  Kind: {Type: String, Default: key}\n",
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
	var names []string
	for _, f := range found {
		names = append(names, f.Stack)
	}
	if diff := cmp.Diff([]string{"writer", "areader", "bresolver"}, names); diff != "" {
		t.Error(diff)
	}
}

func FuzzParseTemplate(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/plan/*.yaml")
	for _, s := range seeds {
		b, _ := os.ReadFile(s)
		f.Add(b)
	}
	f.Add([]byte(`{"Resources": {"A": {"Type": "T", "Properties": {"X": {"Fn::Sub": "${A}"}}}}}`))
	f.Add([]byte("a: &x [*x]"))
	f.Fuzz(func(t *testing.T, src []byte) {
		tmpl, err := ParseTemplate(src, nil)
		if err != nil {
			return
		}
		_ = tmpl.ResourceIDs()
	})
}

func FuzzEvaluate(f *testing.F) {
	f.Add(`!Sub "${AWS::Region}-${Env}"`)
	f.Add(`!Join [",", !Split ["/", "a/b"]]`)
	f.Add(`!Select [1, !Cidr ["10.0.0.0/16", 3, 8]]`)
	f.Add(`!If [IsProd, !FindInMap [Regions, !Ref AWS::Region, Ami], !Base64 x]`)
	f.Add(`{"Fn::GetAtt": [Res, {"Ref": "Env"}]}`)
	f.Fuzz(func(t *testing.T, expr string) {
		if strings.ContainsAny(expr, "\n\r") {
			return
		}
		_, _ = evalExpr(t, expr)
	})
}
