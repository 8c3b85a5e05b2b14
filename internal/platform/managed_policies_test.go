package platform

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/nubo-run/nubo/internal/stacks"
)

// TestManagedPoliciesAttachAndEnforce: AWS managed policies SAM attaches by
// itself (Tracing: Active adds AWSXrayWriteOnlyAccess) or by name
// (ComprehendReadOnly, TranslateReadOnly) and by ARN (ManagedPolicyArns of
// an AWS::IAM::Role) deploy, and the roles allow what the policies allow
// and nothing more, as IAM's policy simulator evaluates them.
func TestManagedPoliciesAttachAndEnforce(t *testing.T) {
	p := startPlatform(t, Options{})
	c := clientsFor(p.EndpointURL())
	dir := t.TempDir()
	template := `Transform: AWS::Serverless-2016-10-31
Resources:
  Traced:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(event, context):\n    return 1\n"
      Tracing: Active
  Language:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(event, context):\n    return 1\n"
      Policies: [ComprehendReadOnly, TranslateReadOnly]
  Plain:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]
      ManagedPolicyArns: [arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess]
Outputs:
  TracedRole: {Value: !GetAtt TracedRole.Arn}
  LanguageRole: {Value: !GetAtt LanguageRole.Arn}
  PlainRole: {Value: !GetAtt Plain.Arn}
`
	res, err := p.Stacks.Deploy(context.Background(), stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "managed", Template: template, BaseDir: dir}}, nil)
	if err != nil {
		t.Fatalf("deploy: %v", err)
	}
	ctx := context.Background()
	// The traced function reads back as declared (TracingConfig included):
	// no drift.
	drift, err := p.Stacks.Drift(ctx, "managed")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range drift.Resources {
		if r.Status != stacks.DriftInSync {
			t.Errorf("drift of %s (%s): %s %s %+v", r.LogicalID, r.Type, r.Status, r.Reason, r.Props)
		}
	}
	attached := func(roleARN string) []string {
		name := roleARN[strings.LastIndexByte(roleARN, '/')+1:]
		out, err := c.iam.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		var arns []string
		for _, p := range out.AttachedPolicies {
			arns = append(arns, aws.ToString(p.PolicyArn))
		}
		return arns
	}
	if got := strings.Join(attached(res.Outputs["TracedRole"]), " "); !strings.Contains(got, "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess") ||
		!strings.Contains(got, "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole") {
		t.Fatalf("Traced's role attaches %s", got)
	}
	if got := strings.Join(attached(res.Outputs["LanguageRole"]), " "); !strings.Contains(got, "arn:aws:iam::aws:policy/ComprehendReadOnly") ||
		!strings.Contains(got, "arn:aws:iam::aws:policy/TranslateReadOnly") {
		t.Fatalf("Language's role attaches %s", got)
	}
	for _, tc := range []struct {
		role, action, resource, want string
	}{
		{"TracedRole", "xray:PutTraceSegments", "*", "allowed"},
		{"TracedRole", "xray:GetSamplingRules", "*", "allowed"},
		{"TracedRole", "xray:GetTraceSummaries", "*", "implicitDeny"},
		{"TracedRole", "logs:PutLogEvents", "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/x:log-stream:s", "allowed"},
		{"LanguageRole", "comprehend:DetectSentiment", "*", "allowed"},
		{"LanguageRole", "comprehend:CreateEndpoint", "*", "implicitDeny"},
		{"LanguageRole", "translate:TranslateText", "*", "allowed"},
		{"LanguageRole", "translate:ImportTerminology", "*", "implicitDeny"},
		{"LanguageRole", "xray:PutTraceSegments", "*", "implicitDeny"},
		{"PlainRole", "dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:000000000000:table/t", "allowed"},
		{"PlainRole", "dynamodb:PutItem", "arn:aws:dynamodb:us-east-1:000000000000:table/t", "implicitDeny"},
	} {
		out, err := c.iam.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
			PolicySourceArn: aws.String(res.Outputs[tc.role]), ActionNames: []string{tc.action}, ResourceArns: []string{tc.resource},
		})
		if err != nil {
			t.Fatalf("%s %s: %v", tc.role, tc.action, err)
		}
		if got := out.EvaluationResults[0].EvalDecision; got != types.PolicyEvaluationDecisionType(tc.want) {
			t.Errorf("%s %s on %s: %s, want %s", tc.role, tc.action, tc.resource, got, tc.want)
		}
	}
}

// TestIAMStackRefusesMalformedPolicies: a template whose role, policy or
// managed policy holds a document IAM's grammar refuses fails to deploy,
// naming the resource and IAM's message.
func TestIAMStackRefusesMalformedPolicies(t *testing.T) {
	p := startPlatform(t, Options{})
	trust := `
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: sts:AssumeRole}]`
	for i, tc := range []struct{ name, resources, want string }{
		{"role inline policy", `
  BadRole:
    Type: AWS::IAM::Role
    Properties:` + trust + `
      Policies:
        - PolicyName: p
          PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: GetParameter, Resource: "*"}]}`,
			"Actions/Conditions must be prefaced by a vendor"},
		{"role trust policy", `
  BadTrust:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement: [{Effect: Allow, Principal: {Service: lambda.amazonaws.com}, Action: s3:GetObject}]`,
			"Trust Policy statement actions can only be sts:AssumeRole"},
		{"policy", `
  Role:
    Type: AWS::IAM::Role
    Properties:` + trust + `
  BadPolicy:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: p
      Roles: [!Ref Role]
      PolicyDocument: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ssm:GetParameter, Resource: my-parameter}]}`,
			`Resource my-parameter must be in ARN format or "*".`},
		{"managed policy", `
  BadManaged:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument: {Version: "2008-10-17", Statement: [{Effect: Allow, Action: ssm:GetParameter, Resource: "*"}]}`,
			"Policy document must be version 2012-10-17 or greater."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			template := "Resources:" + tc.resources + "\n"
			_, err := p.Stacks.Deploy(context.Background(), stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "bad" + string(rune('a'+i)), Template: template, BaseDir: t.TempDir()}}, nil)
			if err == nil {
				t.Fatal("deployed")
			}
			t.Log(err)
			logical := strings.Fields(tc.resources)[0]
			logical = strings.TrimSuffix(logical, ":")
			if tc.name == "policy" {
				logical = "BadPolicy"
			}
			if !strings.Contains(err.Error(), logical) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q names neither %s nor %q", err, logical, tc.want)
			}
		})
	}
}
