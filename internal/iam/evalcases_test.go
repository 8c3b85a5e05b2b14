package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

// The AWS documentation pages the cases of TestEvaluationCases come from.
const (
	docEval     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html"
	docOps      = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html"
	docGlobal   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html"
	docBoundary = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html"
	docSession  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session"
	docMulti    = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html"
	docVars     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html"
	docTags     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_session-tags.html"
	docNotPrin  = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html"
	docAction   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html"
	docResource = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html"
	docNotAct   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html"
	docNotRes   = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html"
	docCond     = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_logic_multiple_context_keys_or_values.html"
	docLambdaRP = "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html"
)

const (
	evFn      = "arn:aws:lambda:us-east-1:000000000000:function:"
	evSession = "sess" // every case's role session name
)

// evalCase is one documented evaluation: a role (its tags, inline policies,
// boundary), a session of it (AssumeRole's session policy and tags), and a
// request: ssm:GetParameter on a parameter, or lambda:InvokeFunction on a
// function with a resource-based policy.
type evalCase struct {
	name     string
	doc      string
	identity []string
	boundary string
	session  string // AssumeRole Policy
	fnPolicy string // the function's resource-based policy ({{role}}, {{session}} are replaced)
	roleTags map[string]string
	sessTags map[string]string
	param    string // ssm:GetParameter on this parameter, or
	fn       string // lambda:InvokeFunction on this function
	want     string // allowed, implicitDeny, explicitDeny
}

func evPol(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func evJS(v any) string { b, _ := json.Marshal(v); return string(b) }

func evStmt(effect string, action, resource any, conds ...string) string {
	s := `{"Effect":"` + effect + `","Action":` + evJS(action) + `,"Resource":` + evJS(resource)
	if len(conds) > 0 {
		s += `,"Condition":{` + strings.Join(conds, ",") + `}`
	}
	return s + "}"
}

func evAllow(action, resource any, conds ...string) string {
	return evStmt("Allow", action, resource, conds...)
}
func evDeny(action, resource any, conds ...string) string {
	return evStmt("Deny", action, resource, conds...)
}

// evCond is one operator block: evCond("StringEquals", "aws:PrincipalTag/team", "blue").
func evCond(op, key string, values ...string) string {
	var v any = values
	if len(values) == 1 {
		v = values[0]
	}
	return evJS(op) + `:{` + evJS(key) + `:` + evJS(v) + `}`
}

// evRP is a function policy statement.
func evRP(effect, principal string, conds ...string) string {
	s := `{"Effect":"` + effect + `","Principal":` + principal + `,"Action":"lambda:InvokeFunction","Resource":"*"`
	if len(conds) > 0 {
		s += `,"Condition":{` + strings.Join(conds, ",") + `}`
	}
	return s + "}"
}

func evalCases() []evalCase {
	P := paramPrefix
	allowAll := evPol(evAllow("*", "*"))
	get := func(resource string, conds ...string) []string {
		return []string{evPol(evAllow("ssm:GetParameter", resource, conds...))}
	}
	denyIf := func(conds ...string) []string {
		return []string{evPol(evAllow("*", "*"), evDeny("*", "*", conds...))}
	}
	blue := map[string]string{"team": "blue"}
	return []evalCase{
		// Policy evaluation logic.
		{name: "by default every request is implicitly denied", doc: docEval, param: "/app/x", want: "implicitDeny"},
		{name: "an identity-based Allow allows", doc: docEval, identity: get(P + "app/x"), param: "/app/x", want: "allowed"},
		{name: "an Allow for another action does not allow", doc: docEval, identity: []string{evPol(evAllow("ssm:PutParameter", P+"app/x"))}, param: "/app/x", want: "implicitDeny"},
		{name: "an Allow for another resource does not allow", doc: docEval, identity: get(P + "app/y"), param: "/app/x", want: "implicitDeny"},
		{name: "an explicit Deny overrides an Allow in the same policy", doc: docEval, identity: []string{evPol(evAllow("ssm:*", "*"), evDeny("ssm:GetParameter", P+"app/x"))}, param: "/app/x", want: "explicitDeny"},
		{name: "an explicit Deny overrides an Allow in another policy", doc: docEval, identity: []string{allowAll, evPol(evDeny("ssm:*", "*"))}, param: "/app/x", want: "explicitDeny"},
		{name: "a Deny for another resource does not deny", doc: docEval, identity: []string{evPol(evAllow("*", "*"), evDeny("ssm:*", P+"app/y"))}, param: "/app/x", want: "allowed"},
		{name: "Allow * on * allows", doc: docEval, identity: []string{allowAll}, param: "/app/x", want: "allowed"},
		{name: "an Allow with NotAction allows the actions it does not list", doc: docNotAct, identity: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"lambda:*","Resource":"*"}]}`}, param: "/app/x", want: "allowed"},
		{name: "an Allow with NotAction does not allow the listed action", doc: docNotAct, identity: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"ssm:GetParameter","Resource":"*"}]}`}, param: "/app/x", want: "implicitDeny"},
		{name: "a Deny with NotResource spares the listed resources", doc: docNotRes, identity: []string{allowAll, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ssm:*","NotResource":"` + P + `app/*"}]}`}, param: "/app/x", want: "allowed"},
		{name: "a Deny with NotResource denies every other resource", doc: docNotRes, identity: []string{allowAll, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ssm:*","NotResource":"` + P + `app/y"}]}`}, param: "/app/x", want: "explicitDeny"},
		{name: "an action wildcard matches", doc: docAction, identity: []string{evPol(evAllow("ssm:Get*", "*"))}, param: "/app/x", want: "allowed"},
		{name: "action names are case-insensitive", doc: docAction, identity: []string{evPol(evAllow("SSM:getparameter", "*"))}, param: "/app/x", want: "allowed"},
		{name: "resource ARNs are case-sensitive", doc: docResource, identity: get(P + "APP/x"), param: "/app/x", want: "implicitDeny"},
		{name: "a resource wildcard * matches", doc: docResource, identity: get(P + "app/*"), param: "/app/x", want: "allowed"},
		{name: "a resource wildcard ? matches one character", doc: docResource, identity: get(P + "app/?"), param: "/app/x", want: "allowed"},

		// Resource-based policies (a function's policy) within one account.
		{name: "a function policy naming the role allows without an identity policy", doc: docEval, fnPolicy: evPol(evRP("Allow", `{"AWS":"{{role}}"}`)), fn: "f", want: "allowed"},
		{name: "a function policy naming the session allows without an identity policy", doc: docEval, fnPolicy: evPol(evRP("Allow", `{"AWS":"{{session}}"}`)), fn: "f", want: "allowed"},
		{name: "a function policy naming the account alone does not allow", doc: docEval, fnPolicy: evPol(evRP("Allow", `{"AWS":"000000000000"}`)), fn: "f", want: "implicitDeny"},
		{name: "a function policy naming the account with an identity Allow allows", doc: docEval, identity: []string{evPol(evAllow("lambda:InvokeFunction", "*"))}, fnPolicy: evPol(evRP("Allow", `{"AWS":"arn:aws:iam::000000000000:root"}`)), fn: "f", want: "allowed"},
		{name: "a Deny in the function policy overrides an identity Allow", doc: docEval, identity: []string{allowAll}, fnPolicy: evPol(evRP("Deny", `"*"`)), fn: "f", want: "explicitDeny"},
		{name: "a function policy naming another account's role does not allow", doc: docLambdaRP, fnPolicy: evPol(evRP("Allow", `{"AWS":"arn:aws:iam::444455556666:role/other"}`)), fn: "f", want: "implicitDeny"},
		{name: "a function policy allowing Principal * allows", doc: docLambdaRP, fnPolicy: evPol(evRP("Allow", `"*"`)), fn: "f", want: "allowed"},
		{name: "a function policy condition sees the caller's role tags", doc: docGlobal, roleTags: blue, fnPolicy: evPol(evRP("Allow", `"*"`, evCond("StringEquals", "aws:PrincipalTag/team", "blue"))), fn: "f", want: "allowed"},
		{name: "a function policy condition on a tag the caller lacks does not allow", doc: docGlobal, fnPolicy: evPol(evRP("Allow", `"*"`, evCond("StringEquals", "aws:PrincipalTag/team", "blue"))), fn: "f", want: "implicitDeny"},

		// Permissions boundaries.
		{name: "the boundary and the identity policy both allowing allows", doc: docBoundary, identity: []string{allowAll}, boundary: evPol(evAllow("ssm:GetParameter", "*")), param: "/app/x", want: "allowed"},
		{name: "an action outside the boundary is denied", doc: docBoundary, identity: []string{allowAll}, boundary: evPol(evAllow("s3:*", "*")), param: "/app/x", want: "implicitDeny"},
		{name: "a boundary alone grants nothing", doc: docBoundary, boundary: allowAll, param: "/app/x", want: "implicitDeny"},
		{name: "an explicit Deny in the boundary denies", doc: docBoundary, identity: []string{allowAll}, boundary: evPol(evAllow("*", "*"), evDeny("ssm:*", "*")), param: "/app/x", want: "explicitDeny"},
		{name: "a boundary limited to other resources denies", doc: docBoundary, identity: []string{allowAll}, boundary: evPol(evAllow("ssm:GetParameter", P+"app/y")), param: "/app/x", want: "implicitDeny"},
		{name: "a boundary limits a function policy naming the role", doc: docBoundary, boundary: evPol(evAllow("ssm:*", "*")), fnPolicy: evPol(evRP("Allow", `{"AWS":"{{role}}"}`)), fn: "f", want: "implicitDeny"},
		{name: "a boundary does not limit a function policy naming the session", doc: docBoundary, boundary: evPol(evAllow("ssm:*", "*")), fnPolicy: evPol(evRP("Allow", `{"AWS":"{{session}}"}`)), fn: "f", want: "allowed"},
		{name: "a Deny with NotPrincipal always denies a principal with a boundary", doc: docBoundary, identity: []string{allowAll}, boundary: allowAll,
			fnPolicy: evPol(`{"Effect":"Deny","NotPrincipal":{"AWS":["{{session}}","{{role}}","arn:aws:iam::000000000000:root"]},"Action":"lambda:*","Resource":"*"}`), fn: "f", want: "explicitDeny"},
		{name: "a Deny with NotPrincipal naming the session spares it without a boundary", doc: docNotPrin, identity: []string{allowAll},
			fnPolicy: evPol(`{"Effect":"Deny","NotPrincipal":{"AWS":["{{session}}","{{role}}","arn:aws:iam::000000000000:root"]},"Action":"lambda:*","Resource":"*"}`), fn: "f", want: "allowed"},
		{name: "a Deny with NotPrincipal naming someone else denies", doc: docNotPrin, identity: []string{allowAll},
			fnPolicy: evPol(`{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::000000000000:role/other"},"Action":"lambda:*","Resource":"*"}`), fn: "f", want: "explicitDeny"},

		// Session policies.
		{name: "a session policy allowing what the role allows allows", doc: docSession, identity: []string{allowAll}, session: evPol(evAllow("ssm:GetParameter", "*")), param: "/app/x", want: "allowed"},
		{name: "a session policy not allowing the action denies", doc: docSession, identity: []string{allowAll}, session: evPol(evAllow("s3:*", "*")), param: "/app/x", want: "implicitDeny"},
		{name: "a session policy grants nothing the role does not allow", doc: docSession, identity: []string{evPol(evAllow("ssm:PutParameter", "*"))}, session: allowAll, param: "/app/x", want: "implicitDeny"},
		{name: "an explicit Deny in a session policy denies", doc: docSession, identity: []string{allowAll}, session: evPol(evAllow("*", "*"), evDeny("ssm:GetParameter", "*")), param: "/app/x", want: "explicitDeny"},
		{name: "a session policy limited to a path allows inside it", doc: docSession, identity: []string{allowAll}, session: evPol(evAllow("ssm:*", P+"app/*")), param: "/app/x", want: "allowed"},

		// Condition operators, on the keys a real request carries.
		{name: "StringEquals on a role tag", doc: docOps, roleTags: blue, identity: get("*", evCond("StringEquals", "aws:PrincipalTag/team", "blue")), param: "/app/x", want: "allowed"},
		{name: "StringEquals is case-sensitive", doc: docOps, roleTags: blue, identity: get("*", evCond("StringEquals", "aws:PrincipalTag/team", "Blue")), param: "/app/x", want: "implicitDeny"},
		{name: "StringEqualsIgnoreCase ignores case", doc: docOps, roleTags: blue, identity: get("*", evCond("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "BLUE")), param: "/app/x", want: "allowed"},
		{name: "StringLike on aws:PrincipalArn", doc: docOps, identity: get("*", evCond("StringLike", "aws:PrincipalArn", "arn:aws:iam::000000000000:role/case-*")), param: "/app/x", want: "allowed"},
		{name: "a Deny with StringNotEquals spares the listed region", doc: docOps, identity: denyIf(evCond("StringNotEquals", "aws:RequestedRegion", "us-east-1")), param: "/app/x", want: "allowed"},
		{name: "a Deny with StringNotEquals denies other regions", doc: docOps, identity: denyIf(evCond("StringNotEquals", "aws:RequestedRegion", "eu-west-1")), param: "/app/x", want: "explicitDeny"},
		{name: "ArnLike on aws:PrincipalArn", doc: docOps, identity: get("*", evCond("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/*")), param: "/app/x", want: "allowed"},
		{name: "a Deny with ArnNotLike denies other principals", doc: docOps, identity: denyIf(evCond("ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:role/admin-*")), param: "/app/x", want: "explicitDeny"},
		{name: "IpAddress matches the caller's address", doc: docOps, identity: get("*", evCond("IpAddress", "aws:SourceIp", "127.0.0.0/8")), param: "/app/x", want: "allowed"},
		{name: "IpAddress for another network does not match", doc: docOps, identity: get("*", evCond("IpAddress", "aws:SourceIp", "10.0.0.0/8")), param: "/app/x", want: "implicitDeny"},
		{name: "a Deny with NotIpAddress spares the listed network", doc: docOps, identity: denyIf(evCond("NotIpAddress", "aws:SourceIp", "127.0.0.0/8")), param: "/app/x", want: "allowed"},
		{name: "Bool aws:SecureTransport false denies a plain-HTTP request", doc: docOps, identity: denyIf(evCond("Bool", "aws:SecureTransport", "false")), param: "/app/x", want: "explicitDeny"},
		{name: "DateGreaterThan on aws:CurrentTime", doc: docOps, identity: get("*", evCond("DateGreaterThan", "aws:CurrentTime", "2020-01-01T00:00:00Z")), param: "/app/x", want: "allowed"},
		{name: "DateLessThan on aws:CurrentTime in the past does not match", doc: docOps, identity: get("*", evCond("DateLessThan", "aws:CurrentTime", "2020-01-01T00:00:00Z")), param: "/app/x", want: "implicitDeny"},
		{name: "NumericGreaterThan on aws:EpochTime", doc: docOps, identity: get("*", evCond("NumericGreaterThan", "aws:EpochTime", "1577836800")), param: "/app/x", want: "allowed"},
		{name: "StringEqualsIfExists is true for an absent key", doc: docOps, identity: get("*", evCond("StringEqualsIfExists", "aws:username", "bob")), param: "/app/x", want: "allowed"},
		{name: "StringEquals is false for an absent key (aws:username of a role session)", doc: docOps, identity: get("*", evCond("StringEquals", "aws:username", "bob")), param: "/app/x", want: "implicitDeny"},
		{name: "Null true matches an absent key", doc: docOps, identity: get("*", evCond("Null", "aws:username", "true")), param: "/app/x", want: "allowed"},
		{name: "several values of one key are ORed", doc: docCond, roleTags: blue, identity: get("*", evCond("StringEquals", "aws:PrincipalTag/team", "red", "blue")), param: "/app/x", want: "allowed"},
		{name: "several keys are ANDed", doc: docCond, roleTags: map[string]string{"team": "blue", "env": "prod"}, identity: get("*", `"StringEquals":{"aws:PrincipalTag/team":"blue","aws:PrincipalTag/env":"dev"}`), param: "/app/x", want: "implicitDeny"},
		{name: "several operators are ANDed", doc: docCond, roleTags: blue, identity: get("*", evCond("StringEquals", "aws:PrincipalTag/team", "blue"), evCond("IpAddress", "aws:SourceIp", "127.0.0.1/32")), param: "/app/x", want: "allowed"},

		// AWS global condition context keys of a role session.
		{name: "aws:PrincipalType is AssumedRole", doc: docGlobal, identity: get("*", evCond("StringEquals", "aws:PrincipalType", "AssumedRole")), param: "/app/x", want: "allowed"},
		{name: "aws:PrincipalType is not User", doc: docGlobal, identity: get("*", evCond("StringEquals", "aws:PrincipalType", "User")), param: "/app/x", want: "implicitDeny"},
		{name: "aws:PrincipalAccount is the role's account", doc: docGlobal, identity: get("*", evCond("StringEquals", "aws:PrincipalAccount", "000000000000")), param: "/app/x", want: "allowed"},
		{name: "aws:userid is role-id:session-name", doc: docGlobal, identity: get("*", evCond("StringLike", "aws:userid", "AROA*:"+evSession)), param: "/app/x", want: "allowed"},
		{name: "aws:RoleSessionName is the session name", doc: docGlobal, identity: get("*", evCond("StringEquals", "aws:RoleSessionName", evSession)), param: "/app/x", want: "allowed"},
		{name: "aws:TokenIssueTime is present for temporary credentials", doc: docGlobal, identity: denyIf(evCond("Null", "aws:TokenIssueTime", "false")), param: "/app/x", want: "explicitDeny"},
		{name: "aws:TokenIssueTime is a date", doc: docGlobal, identity: get("*", evCond("DateGreaterThan", "aws:TokenIssueTime", "2020-01-01T00:00:00Z")), param: "/app/x", want: "allowed"},
		{name: "aws:MultiFactorAuthPresent is false for a session without MFA", doc: docGlobal, identity: denyIf(evCond("BoolIfExists", "aws:MultiFactorAuthPresent", "false")), param: "/app/x", want: "explicitDeny"},
		{name: "aws:MultiFactorAuthAge is absent without MFA", doc: docGlobal, identity: get("*", evCond("NumericLessThan", "aws:MultiFactorAuthAge", "3600")), param: "/app/x", want: "implicitDeny"},
		{name: "aws:PrincipalIsAWSService is false for a role session", doc: docGlobal, identity: get("*", evCond("Bool", "aws:PrincipalIsAWSService", "false")), param: "/app/x", want: "allowed"},
		{name: "aws:ViaAWSService is false for a direct call", doc: docGlobal, identity: get("*", evCond("Bool", "aws:ViaAWSService", "false")), param: "/app/x", want: "allowed"},
		{name: "aws:PrincipalServiceName is absent for a role session", doc: docGlobal, identity: get("*", evCond("Null", "aws:PrincipalServiceName", "true")), param: "/app/x", want: "allowed"},
		{name: "a Deny on a role tag in aws:PrincipalTag denies", doc: docGlobal, roleTags: map[string]string{"env": "prod"}, identity: denyIf(evCond("StringEquals", "aws:PrincipalTag/env", "prod")), param: "/app/x", want: "explicitDeny"},

		// Session tags.
		{name: "a session tag overrides the role's tag of the same key", doc: docTags, roleTags: map[string]string{"team": "red"}, sessTags: blue, identity: get("*", evCond("StringEquals", "aws:PrincipalTag/team", "blue")), param: "/app/x", want: "allowed"},
		{name: "a session tag is in aws:PrincipalTag", doc: docTags, sessTags: map[string]string{"project": "p1"}, identity: get("*", evCond("StringEquals", "aws:PrincipalTag/project", "p1")), param: "/app/x", want: "allowed"},

		// Policy variables.
		{name: "${aws:PrincipalTag/team} in Resource matches the tag's path", doc: docVars, roleTags: blue, identity: get(P + "${aws:PrincipalTag/team}/*"), param: "/blue/x", want: "allowed"},
		{name: "${aws:PrincipalTag/team} in Resource does not match another path", doc: docVars, roleTags: blue, identity: get(P + "${aws:PrincipalTag/team}/*"), param: "/red/x", want: "implicitDeny"},
		{name: "a variable whose key is absent makes the statement not apply", doc: docVars, identity: get(P + "${aws:username}/*"), param: "/app/x", want: "implicitDeny"},
		{name: "a variable's default value is used when its key is absent", doc: docVars, identity: get(P + "${aws:username, 'app'}/*"), param: "/app/x", want: "allowed"},
		{name: "${aws:RoleSessionName} in Resource", doc: docVars, identity: get(P + "${aws:RoleSessionName}/*"), param: "/sess/x", want: "allowed"},

		// Single-valued vs. multivalued context keys.
		{name: "ForAllValues is true when the key is absent", doc: docMulti, identity: get("*", evCond("ForAllValues:StringEquals", "aws:TagKeys", "a", "b")), param: "/app/x", want: "allowed"},
		{name: "ForAnyValue is false when the key is absent", doc: docMulti, identity: get("*", evCond("ForAnyValue:StringEquals", "aws:TagKeys", "a", "b")), param: "/app/x", want: "implicitDeny"},
		{name: "ForAllValues is true for an empty string (a null data set)", doc: docMulti, sessTags: map[string]string{"x": ""}, identity: get("*", evCond("ForAllValues:StringEquals", "aws:PrincipalTag/x", "a", "b")), param: "/app/x", want: "allowed"},
		{name: "a Deny with ForAllValues fires on an empty string", doc: docMulti, sessTags: map[string]string{"x": ""}, identity: denyIf(evCond("ForAllValues:StringEquals", "aws:PrincipalTag/x", "a", "b")), param: "/app/x", want: "explicitDeny"},
	}
}

// TestEvaluationCases runs each documented case twice, and both answers
// must be the documentation's: as a real request (STS AssumeRole with the
// SDK, then the call with the session's credentials, over the listener) and
// through the policy simulator (SimulatePrincipalPolicy; SimulateCustomPolicy
// for session policies, which limit a session as a boundary does).
func TestEvaluationCases(t *testing.T) {
	h := newHarness(t, Enforce)
	for _, p := range []string{"/app/x", "/blue/x", "/red/x", "/sess/x"} {
		putParam(t, h, p)
	}
	cases := evalCases()
	if len(cases) < 60 {
		t.Fatalf("%d cases", len(cases))
	}
	seen := map[string]bool{}
	for i, c := range cases {
		if seen[c.name] || c.doc == "" || (c.param == "") == (c.fn == "") {
			t.Fatalf("case %q: duplicate, no doc page, or not exactly one of param/fn", c.name)
		}
		seen[c.name] = true
		t.Run(c.name, func(t *testing.T) {
			real, sim := runEvalCase(t, h, i, c)
			if real != c.want || sim != c.want {
				t.Errorf("real request: %s, simulator: %s; %s says %s", real, sim, c.doc, c.want)
			}
		})
	}
}

func runEvalCase(t *testing.T, h *harness, i int, c evalCase) (real, sim string) {
	t.Helper()
	ctx := context.Background()
	root := h.iam(h.root())
	roleName := fmt.Sprintf("case-%02d", i)
	roleARN := RoleARN(testAccount, "/", roleName)
	sessionARN := SessionARN(roleARN, evSession)
	mustTaggedRole(t, h, roleName, trustRoot, c.roleTags)
	for j, doc := range c.identity {
		putInline(t, h, roleName, fmt.Sprintf("p%d", j), doc)
	}
	if c.boundary != "" {
		out, err := root.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String(roleName + "-boundary"), PolicyDocument: aws.String(c.boundary)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := root.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String(roleName), PermissionsBoundary: out.Policy.Arn}); err != nil {
			t.Fatal(err)
		}
	}
	fnPolicy := strings.NewReplacer("{{role}}", roleARN, "{{session}}", sessionARN).Replace(c.fnPolicy)
	fnName := roleName + "-" + c.fn
	action, resource := "ssm:GetParameter", paramPrefix+strings.TrimPrefix(c.param, "/")
	if c.fn != "" {
		action, resource = "lambda:InvokeFunction", evFn+fnName
		h.setFunctionPolicy(fnName, fnPolicy)
	}

	// The real request, with the session's credentials.
	in := &sts.AssumeRoleInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String(evSession)}
	if c.session != "" {
		in.Policy = aws.String(c.session)
	}
	for _, k := range slices.Sorted(maps.Keys(c.sessTags)) {
		in.Tags = append(in.Tags, ststypes.Tag{Key: aws.String(k), Value: aws.String(c.sessTags[k])})
	}
	creds := assume(t, h, in)
	if c.fn != "" {
		real = decisionOf(t, invoke(h, creds, fnName))
	} else {
		real = decisionOf(t, getParam(h, creds, c.param))
	}

	// The simulator, told the session tags (as on AWS, which cannot know them).
	var entries []iamtypes.ContextEntry
	for k, v := range c.sessTags {
		entries = append(entries, iamtypes.ContextEntry{ContextKeyName: aws.String("aws:PrincipalTag/" + k), ContextKeyValues: []string{v}, ContextKeyType: iamtypes.ContextKeyTypeEnumString})
	}
	var rp *string
	if fnPolicy != "" {
		rp = aws.String(fnPolicy)
	}
	var results []iamtypes.EvaluationResult
	if c.session == "" {
		out, err := root.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(roleARN), CallerArn: aws.String(sessionARN),
			ActionNames: []string{action}, ResourceArns: []string{resource}, ResourcePolicy: rp, ContextEntries: entries})
		if err != nil {
			t.Fatal(err)
		}
		results = out.EvaluationResults
	} else {
		if c.boundary != "" {
			t.Fatal("a case cannot have both a session policy and a boundary: the simulator takes one limiting policy")
		}
		out, err := root.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{PolicyInputList: c.identity, PermissionsBoundaryPolicyInputList: []string{c.session},
			CallerArn: aws.String(sessionARN), ActionNames: []string{action}, ResourceArns: []string{resource}, ResourcePolicy: rp, ContextEntries: entries})
		if err != nil {
			t.Fatal(err)
		}
		results = out.EvaluationResults
	}
	if len(results) != 1 {
		t.Fatalf("simulator: %d results", len(results))
	}
	return real, string(results[0].EvalDecision)
}

// decisionOf maps a call's outcome to the simulator's words.
func decisionOf(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return "allowed"
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDeniedException" {
		t.Fatalf("call: %v", err)
	}
	if strings.Contains(ae.ErrorMessage(), "with an explicit deny") {
		return "explicitDeny"
	}
	return "implicitDeny"
}
