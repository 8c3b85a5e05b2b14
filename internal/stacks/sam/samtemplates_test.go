package sam

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nubo-run/nubo/internal/iam/policy"
)

// samTemplatesFile finds aws-sam-translator's policy_templates.json through
// the machine's python3, if it has the package.
func samTemplatesFile(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import samtranslator, os; print(os.path.dirname(samtranslator.__file__))").Output()
	if err != nil {
		return ""
	}
	p := filepath.Join(strings.TrimSpace(string(out)), "policy_templates_data", "policy_templates.json")
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// roundTripJSON makes single-string Action/Resource lists comparable.
func roundTripJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSAMTemplates_MatchTranslator checks all our definitions against AWS's
// translator data when the machine has it (CI installs aws-sam-translator).
func TestSAMTemplates_MatchTranslator(t *testing.T) {
	path := samTemplatesFile(t)
	if path == "" {
		t.Skip("python3 with aws-sam-translator is not installed: nothing to compare against")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var data struct {
		Templates map[string]struct {
			Description string
			Parameters  map[string]any
			Definition  struct{ Statement []any }
		}
	}
	if err := json.Unmarshal(raw, &data); err != nil {
		t.Fatal(err)
	}
	ours := PolicyTemplateNames()
	var theirs []string
	for name := range data.Templates {
		theirs = append(theirs, name)
	}
	if d := cmp.Diff(len(theirs), len(ours)); d != "" {
		t.Errorf("template count (-translator +ours): %s", d)
	}
	for name, want := range data.Templates {
		got, ok := LookupPolicyTemplate(name)
		if !ok {
			t.Errorf("%s: missing", name)
			continue
		}
		var wantParams []string
		for p := range want.Parameters {
			wantParams = append(wantParams, p)
		}
		if d := cmp.Diff(sortedCopy(wantParams), sortedCopy(got.Parameters)); d != "" {
			t.Errorf("%s parameters (-translator +ours):\n%s", name, d)
		}
		if got.Description != want.Description {
			t.Errorf("%s description: %q, want %q", name, got.Description, want.Description)
		}
		if d := cmp.Diff(roundTripJSON(t, want.Definition.Statement), roundTripJSON(t, got.Statements)); d != "" {
			t.Errorf("%s statements (-translator +ours):\n%s", name, d)
		}
	}
}

func sortedCopy(s []string) []string {
	c := append([]string{}, s...)
	for i := range c {
		for j := i + 1; j < len(c); j++ {
			if c[j] < c[i] {
				c[i], c[j] = c[j], c[i]
			}
		}
	}
	return c
}

func TestSAMTemplates_ExpandAndEvaluate(t *testing.T) {
	if n := len(PolicyTemplateNames()); n != 81 {
		t.Fatalf("%d templates, want 81", n)
	}
	cases := []struct {
		name    string
		params  map[string]any
		action  string
		res     string
		allowed bool
	}{
		{"SQSSendMessagePolicy", map[string]any{"QueueName": "orders"}, "sqs:SendMessageBatch", "arn:aws:sqs:us-east-1:000000000000:orders", true},
		{"SQSSendMessagePolicy", map[string]any{"QueueName": "orders"}, "sqs:SendMessage", "arn:aws:sqs:us-east-1:000000000000:billing", false},
		{"DynamoDBCrudPolicy", map[string]any{"TableName": "Books"}, "dynamodb:Query", "arn:aws:dynamodb:us-east-1:000000000000:table/Books/index/ByAuthor", true},
		{"DynamoDBReadPolicy", map[string]any{"TableName": "Books"}, "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:000000000000:table/Books", false},
		{"SSMParameterReadPolicy", map[string]any{"ParameterName": "app/db"}, "ssm:GetParameter", "arn:aws:ssm:us-east-1:000000000000:parameter/app/db", true},
		{"SSMParameterWithSlashPrefixReadPolicy", map[string]any{"ParameterName": "/app/db"}, "ssm:GetParameter", "arn:aws:ssm:us-east-1:000000000000:parameter/app/db", true},
		{"S3ReadPolicy", map[string]any{"BucketName": "media"}, "s3:GetObject", "arn:aws:s3:::media/a.png", true},
		{"S3ReadPolicy", map[string]any{"BucketName": "media"}, "s3:PutObject", "arn:aws:s3:::media/a.png", false},
		{"LambdaInvokePolicy", map[string]any{"FunctionName": "worker"}, "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:000000000000:function:worker:live", true},
		{"StepFunctionsExecutionPolicy", map[string]any{"StateMachineName": "flow"}, "states:StartExecution", "arn:aws:states:us-east-1:000000000000:stateMachine:flow", true},
		{"EventBridgePutEventsPolicy", map[string]any{"EventBusName": "default"}, "events:PutEvents", "arn:aws:events:us-east-1:000000000000:event-bus/default", true},
		{"AWSSecretsManagerGetSecretValuePolicy", map[string]any{"SecretArn": "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCd"}, "secretsmanager:GetSecretValue", "arn:aws:secretsmanager:us-east-1:000000000000:secret:db-AbCd", true},
		{"VPCAccessPolicy", map[string]any{}, "ec2:CreateNetworkInterface", "*", true},
	}
	for _, tc := range cases {
		t.Run(tc.name+"/"+tc.action, func(t *testing.T) {
			tp, ok := LookupPolicyTemplate(tc.name)
			if !ok {
				t.Fatal("no such template")
			}
			stmts, err := tp.Expand(tc.params)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := ResolveStatements(stmts, "us-east-1", "000000000000")
			if err != nil {
				t.Fatal(err)
			}
			c, err := policy.Compile(tc.name, []byte(doc))
			if err != nil {
				t.Fatalf("%s: %v", doc, err)
			}
			req := policy.Request{Principal: "arn:aws:sts::000000000000:assumed-role/r/s", PrincipalARN: "arn:aws:iam::000000000000:role/r", Action: tc.action, Resource: tc.res}
			if got := policy.Evaluate(&policy.Policies{Identity: []*policy.Compiled{c}}, &req).Allowed; got != tc.allowed {
				t.Fatalf("allowed = %v, want %v; policy %s", got, tc.allowed, doc)
			}
		})
	}
}

func TestSAMTemplates_ExpandErrors(t *testing.T) {
	tp, _ := LookupPolicyTemplate("SQSSendMessagePolicy")
	if _, err := tp.Expand(map[string]any{}); err == nil || !strings.Contains(err.Error(), "missing parameter QueueName") {
		t.Fatalf("missing parameter: %v", err)
	}
	if _, err := tp.Expand(map[string]any{"QueueName": "q", "Other": "x"}); err == nil || !strings.Contains(err.Error(), "unknown parameter Other") {
		t.Fatalf("unknown parameter: %v", err)
	}
	// Intrinsics pass through for the stack engine to resolve.
	stmts, err := tp.Expand(map[string]any{"QueueName": map[string]any{"Fn::GetAtt": []any{"Queue", "QueueName"}}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(stmts)
	if !strings.Contains(string(b), `{"queueName":{"Fn::GetAtt":["Queue","QueueName"]}}`) {
		t.Fatalf("expanded %s", b)
	}
}
