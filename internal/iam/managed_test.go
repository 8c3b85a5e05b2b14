package iam

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nubo-run/nubo/internal/iam/policy"
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

// TestManagedPolicies_ARNs checks the ARN (path included) of every AWS
// managed policy aws-sam-translator knows by name against ours. The
// translator's list also has policies AWS has deprecated since (no longer
// listed by ListPolicies, so not in the generated data): at most a few.
func TestManagedPolicies_ARNs(t *testing.T) {
	var arns map[string]string
	if !pythonJSON(t, `import json, os, samtranslator
print(json.dumps(json.load(open(os.path.join(os.path.dirname(samtranslator.__file__), "internal/data/aws_managed_policies.json")))["aws"]))`, &arns) {
		t.Skip("python3 with aws-sam-translator is not installed")
	}
	st := &Store{}
	var missing []string
	for name, want := range arns {
		got, ok := st.ManagedPolicyARN(name)
		if !ok {
			missing = append(missing, name)
			continue
		}
		if got != want {
			t.Errorf("ManagedPolicyARN(%s) = %s, SAM says %s", name, got, want)
		}
		if p, err := st.GetPolicy(t.Context(), want); err != nil || p.Name != name || !p.AWSManaged {
			t.Errorf("GetPolicy(%s) = %+v, %v", want, p.Name, err)
		}
	}
	if len(missing) > 20 {
		t.Errorf("%d of SAM's %d managed policies are unknown: %v", len(missing), len(arns), missing)
	}
	for _, name := range []string{"AWSXrayWriteOnlyAccess", "ComprehendReadOnly", "TranslateReadOnly", "AWSLambdaBasicExecutionRole", "AWSLambdaBasicDurableExecutionRolePolicy"} {
		if _, ok := st.ManagedPolicyARN(name); !ok {
			t.Errorf("%s is unknown", name)
		}
	}
}

// TestManagedPolicies_Documents checks the documents of the policies moto
// also copies from AWS, where both are at the same version, and that every
// AWS managed policy passes nubo's policy checks (AWS accepted them).
func TestManagedPolicies_Documents(t *testing.T) {
	all := awsManagedPolicies()
	for _, p := range all {
		if _, err := CheckPolicy(p.Document(), policy.Identity); err != nil {
			t.Errorf("%s: %v", p.ARN, err)
		}
		if _, err := policy.Compile(p.ARN, []byte(p.Document())); err != nil {
			t.Errorf("%s: compile: %v", p.ARN, err)
		}
	}
	var docs map[string]struct {
		Path             string
		DefaultVersionID string `json:"DefaultVersionId"`
		Document         struct{ Statement any }
	}
	if !pythonJSON(t, `from moto.iam.aws_managed_policies import aws_managed_policies_data as d; print(d)`, &docs) {
		t.Skip("python3 with moto is not installed")
	}
	same := 0
	for _, p := range all {
		want, ok := docs[p.Name]
		if !ok || want.DefaultVersionID != p.DefaultVersion {
			continue
		}
		same++
		if want.Path != p.Path {
			t.Errorf("%s: path %s, moto says %s", p.ARN, p.Path, want.Path)
		}
		var got struct{ Statement any }
		if err := json.Unmarshal([]byte(p.Document()), &got); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(normalizeStatements(want.Document.Statement), normalizeStatements(got.Statement)); d != "" {
			t.Errorf("%s statements (-moto +ours):\n%s", p.Name, d)
		}
	}
	if same < len(all)/2 {
		t.Errorf("only %d of %d policies are at moto's version", same, len(all))
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
