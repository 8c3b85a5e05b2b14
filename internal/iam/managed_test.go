package iam

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// pythonJSON runs a python3 snippet that prints JSON; ok is false when the
// machine lacks python3 or the package the snippet imports.
func pythonJSON(t *testing.T, script string, v any) bool {
	t.Helper()
	out, err := exec.Command("python3", "-c", script).Output()
	if err != nil {
		return false
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatalf("python output: %v", err)
	}
	return true
}

// newerThanTranslator are built-in policies AWS published after the
// aws-sam-translator on these machines listed its managed policies (their
// ARNs are from AWS's managed policy reference).
var newerThanTranslator = map[string]bool{"AWSLambdaBasicDurableExecutionRolePolicy": true}

// TestManagedPolicies_ARNs checks each built-in policy's ARN (its path
// included) against aws-sam-translator's map of managed policy names.
func TestManagedPolicies_ARNs(t *testing.T) {
	var arns map[string]string
	if !pythonJSON(t, `import json, os, samtranslator
print(json.dumps(json.load(open(os.path.join(os.path.dirname(samtranslator.__file__), "internal/data/aws_managed_policies.json")))["aws"]))`, &arns) {
		t.Skip("python3 with aws-sam-translator is not installed")
	}
	st := &Store{}
	m, err := awsManagedPolicies()
	if err != nil {
		t.Fatal(err)
	}
	st.managed = m
	for arn, p := range m {
		want, ok := arns[p.Name]
		switch {
		case !ok && newerThanTranslator[p.Name]:
			// Published after the installed translator's list was made.
		case !ok || want != arn:
			t.Errorf("%s: ARN %s, SAM says %s", p.Name, arn, want)
		}
		if got, ok := st.ManagedPolicyARN(p.Name); !ok || got != arn {
			t.Errorf("ManagedPolicyARN(%s) = %s", p.Name, got)
		}
	}
}

// TestManagedPolicies_Documents checks each built-in document against moto's
// copy of AWS's managed policies, when moto is installed.
func TestManagedPolicies_Documents(t *testing.T) {
	var docs map[string]struct {
		Path             string
		DefaultVersionID string `json:"DefaultVersionId"`
		Document         struct{ Statement any }
	}
	if !pythonJSON(t, `from moto.iam.aws_managed_policies import aws_managed_policies_data as d; print(d)`, &docs) {
		t.Skip("python3 with moto is not installed")
	}
	m, err := awsManagedPolicies()
	if err != nil {
		t.Fatal(err)
	}
	for arn, p := range m {
		want, ok := docs[p.Name]
		if !ok {
			t.Errorf("%s: not in moto's data", p.Name)
			continue
		}
		if want.Path != p.Path || want.DefaultVersionID != p.DefaultVersion {
			t.Errorf("%s: path %s version %s, want %s %s", arn, p.Path, p.DefaultVersion, want.Path, want.DefaultVersionID)
		}
		var got struct{ Statement any }
		if err := json.Unmarshal([]byte(p.Document()), &got); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(normalizeStatements(want.Document.Statement), normalizeStatements(got.Statement)); d != "" {
			t.Errorf("%s statements (-AWS +ours):\n%s", p.Name, d)
		}
	}
}

// normalizeStatements turns single values into one-element lists and a single
// statement into a list, so equivalent documents compare equal.
func normalizeStatements(v any) any {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	out := make([]any, 0, len(list))
	for _, s := range list {
		m, _ := s.(map[string]any)
		n := map[string]any{}
		for k, val := range m {
			switch k {
			case "Action", "Resource", "NotAction", "NotResource":
				if str, ok := val.(string); ok {
					val = []any{str}
				}
			case "Condition":
				val = normalizeCondition(val)
			}
			n[k] = val
		}
		out = append(out, n)
	}
	return out
}

func normalizeCondition(v any) any {
	ops, _ := v.(map[string]any)
	out := map[string]any{}
	for op, keys := range ops {
		km, _ := keys.(map[string]any)
		nk := map[string]any{}
		for k, val := range km {
			if str, ok := val.(string); ok {
				val = []any{str}
			}
			nk[strings.ToLower(k)] = val
		}
		out[op] = nk
	}
	return out
}
