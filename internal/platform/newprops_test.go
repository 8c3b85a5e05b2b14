package platform

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNewLambdaPropertiesAccepted: properties that have no local meaning
// (DurableConfig, VpcConfig, SnapStart, ...) deploy, each named by a plan
// warning, instead of failing the template; the managed policies SAM
// attaches for DurableConfig and Tracing: Active are known.
func TestNewLambdaPropertiesAccepted(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	lc := lambdaClientFor("http://" + p.EdgeAddr())
	dir := t.TempDir()
	tmpl := `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(event, context):\n    return 'still answers'\n"
      VpcConfig: {SubnetIds: [subnet-1], SecurityGroupIds: [sg-1]}
      SnapStart: {ApplyOn: PublishedVersions}
      RecursiveLoop: Terminate
      Tracing: Active
      DurableConfig: {ExecutionTimeout: 900, RetentionPeriodInDays: 7}
Outputs:
  Fn: {Value: !Ref Fn}
`
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	plan, res := deployStack(t, p, dir, nil)
	warnings := strings.Join(plan.Warnings, "\n")
	for _, want := range []string{"DurableConfig is accepted but has no effect here", "VpcConfig is accepted but has no effect here", "SnapStart is accepted but has no effect here"} {
		if !strings.Contains(warnings, want) {
			t.Errorf("no warning %q:\n%s", want, warnings)
		}
	}
	if strings.Contains(warnings, "RecursiveLoop") {
		t.Errorf("RecursiveLoop warned about, but it changes nothing a user relies on here:\n%s", warnings)
	}
	if got := invokeString(t, lc, res.Outputs["Fn"], `{}`); got != `"still answers"` {
		t.Errorf("answered %s", got)
	}
}
