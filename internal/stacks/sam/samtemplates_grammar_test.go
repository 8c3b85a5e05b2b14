package sam

import (
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/iam/policy"
)

// TestPolicyTemplatesPassIAMGrammar: every SAM policy template, expanded
// with plain parameter values, is a document IAM's grammar accepts (AWS
// accepts them), so a role built from them deploys.
func TestPolicyTemplatesPassIAMGrammar(t *testing.T) {
	for _, name := range PolicyTemplateNames() {
		tmpl, _ := LookupPolicyTemplate(name)
		params := map[string]any{}
		for _, p := range tmpl.Parameters {
			params[p] = "value1"
			if strings.HasSuffix(p, "Arn") { // the parameter is a whole ARN
				params[p] = "arn:aws:service:us-east-1:000000000000:thing/value1"
			}
		}
		stmts, err := tmpl.Expand(params)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		doc, err := ResolveStatements(stmts, "us-east-1", "000000000000")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := policy.CheckGrammar([]byte(doc), policy.GrammarOptions{Kind: policy.Identity}); err != nil {
			t.Errorf("%s: %v\n%s", name, err, doc)
		}
	}
}
