package iam

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// trustRoot lets the account (the server's key pair) assume the role and tag
// its sessions.
const trustRoot = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}`

func mustTaggedRole(t *testing.T, h *harness, name, trust string, tags map[string]string) {
	t.Helper()
	in := &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}
	for k, v := range tags {
		in.Tags = append(in.Tags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if _, err := h.iam(h.root()).CreateRole(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// assume calls STS AssumeRole with the server's key pair and returns the
// session's credentials.
func assume(t *testing.T, h *harness, in *sts.AssumeRoleInput) awsapi.Credentials {
	t.Helper()
	out, err := h.sts(h.root()).AssumeRole(context.Background(), in)
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", aws.ToString(in.RoleArn), err)
	}
	return awsapi.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey), SessionToken: aws.ToString(out.Credentials.SessionToken)}
}

func putParam(t *testing.T, h *harness, name string) {
	t.Helper()
	if _, err := h.ssm(h.root()).PutParameter(context.Background(), &ssm.PutParameterInput{Name: aws.String(name), Value: aws.String("v"), Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
}

func getParam(h *harness, c awsapi.Credentials, name string) error {
	_, err := h.ssm(c).GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(name)})
	return err
}

func simulate(t *testing.T, h *harness, role, caller, action, resource string, ctxKeys map[string]string) string {
	t.Helper()
	in := &awsiam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(RoleARN(testAccount, "/", role)), CallerArn: aws.String(caller),
		ActionNames: []string{action}, ResourceArns: []string{resource}}
	for k, v := range ctxKeys {
		in.ContextEntries = append(in.ContextEntries, iamtypes.ContextEntry{ContextKeyName: aws.String(k), ContextKeyValues: []string{v}, ContextKeyType: iamtypes.ContextKeyTypeEnumString})
	}
	out, err := h.iam(h.root()).SimulatePrincipalPolicy(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return string(out.EvaluationResults[0].EvalDecision)
}

const paramPrefix = "arn:aws:ssm:us-east-1:000000000000:parameter/"

// IAM's "AWS global condition context keys" (aws:PrincipalTag): a role's
// tags are in its sessions' request context, for real requests as for the
// simulator, with no key passed by hand.
func TestContext_RoleTagsInRealRequests(t *testing.T) {
	h := newHarness(t, Enforce)
	putParam(t, h, "/app/x")
	putParam(t, h, "/blue/x")
	putParam(t, h, "/red/x")

	mustTaggedRole(t, h, "prod-role", trustRoot, map[string]string{"env": "prod"})
	putInline(t, h, "prod-role", "p", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/env":"prod"}}}]}`)
	sess := assume(t, h, &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(testAccount, "/", "prod-role")), RoleSessionName: aws.String("sess")})
	mustContain(t, apiError(t, getParam(h, sess, "/app/x"), "AccessDeniedException"), `with an explicit deny in an identity-based policy (condition StringEquals aws:PrincipalTag/env "prod", request value "prod")`)
	if got := simulate(t, h, "prod-role", SessionARN(RoleARN(testAccount, "/", "prod-role"), "sess"), "ssm:GetParameter", paramPrefix+"app/x", nil); got != "explicitDeny" {
		t.Errorf("simulator: %s, want explicitDeny", got)
	}

	mustTaggedRole(t, h, "team-role", trustRoot, map[string]string{"team": "blue"})
	putInline(t, h, "team-role", "p", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"arn:aws:ssm:*:*:parameter/${aws:PrincipalTag/team}/*"}]}`)
	team := assume(t, h, &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(testAccount, "/", "team-role")), RoleSessionName: aws.String("sess")})
	if err := getParam(h, team, "/blue/x"); err != nil {
		t.Fatalf("${aws:PrincipalTag/team} = blue: %v", err)
	}
	apiError(t, getParam(h, team, "/red/x"), "AccessDeniedException")
	if got := simulate(t, h, "team-role", SessionARN(RoleARN(testAccount, "/", "team-role"), "sess"), "ssm:GetParameter", paramPrefix+"blue/x", nil); got != "allowed" {
		t.Errorf("simulator: %s, want allowed", got)
	}
}

// "AWS global condition context keys" (aws:TokenIssueTime): a request made
// with temporary credentials carries the time they were issued, sealed in
// the session token (any node rebuilds it).
func TestContext_TokenIssueTime(t *testing.T) {
	h := newHarness(t, Enforce)
	putParam(t, h, "/app/x")
	mustRole(t, h, "temp", trustRoot)
	putInline(t, h, "temp", "p", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Null":{"aws:TokenIssueTime":"false"}}}]}`)
	sess := assume(t, h, &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(testAccount, "/", "temp")), RoleSessionName: aws.String("sess")})
	mustContain(t, apiError(t, getParam(h, sess, "/app/x"), "AccessDeniedException"), "explicit deny")
	if got := simulate(t, h, "temp", SessionARN(RoleARN(testAccount, "/", "temp"), "sess"), "ssm:GetParameter", paramPrefix+"app/x", nil); got != "explicitDeny" {
		t.Errorf("simulator: %s, want explicitDeny", got)
	}

	// The issue time is the token's, to the second.
	_, p, err := h.keys.Lookup(sess.AccessKeyID, sess.SessionToken)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(p.Issued); p.Issued.IsZero() || d < 0 || d > time.Minute {
		t.Fatalf("issued %v", p.Issued)
	}
}

// contextKeys evaluates a request by p (or a service principal) and
// returns the sorted names of its request context's keys.
func contextKeys(t *testing.T, h *harness, req awsapi.AuthzRequest) []string {
	t.Helper()
	m, err := h.authz.RequestContext(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestContext_KeysPerPrincipal lists, per kind of principal, the keys of the
// request context nubo builds ("AWS global condition context keys").
func TestContext_KeysPerPrincipal(t *testing.T) {
	h := newHarness(t, Enforce)
	mustTaggedRole(t, h, "fn-role", trustRoot, map[string]string{"team": "blue"})
	sess := assume(t, h, &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(testAccount, "/", "fn-role")), RoleSessionName: aws.String("fn"),
		SourceIdentity: aws.String("alice")})
	_, sp, err := h.keys.Lookup(sess.AccessKeyID, sess.SessionToken)
	if err != nil {
		t.Fatal(err)
	}
	_, root, err := h.keys.Lookup(h.root().AccessKeyID, "")
	if err != nil {
		t.Fatal(err)
	}
	httpReq := httptest.NewRequest("POST", "/", nil)
	get := func(p *awsapi.Principal) awsapi.AuthzRequest {
		return awsapi.AuthzRequest{Service: "ssm", Action: "ssm:GetParameter", Resource: paramPrefix + "x", Principal: p, HTTP: httpReq}
	}
	common := []string{"aws:CurrentTime", "aws:EpochTime", "aws:RequestedRegion", "aws:SecureTransport", "aws:SourceIp"}
	iamPrincipal := []string{"aws:PrincipalAccount", "aws:PrincipalArn", "aws:PrincipalIsAWSService", "aws:PrincipalType", "aws:ViaAWSService", "aws:userid"}
	for _, c := range []struct {
		name string
		req  awsapi.AuthzRequest
		want []string
	}{
		{"root (the account's key pair)", get(&root), append(slices.Clone(common), iamPrincipal...)},
		{"IAM role session", get(&sp), append(append(slices.Clone(common), iamPrincipal...),
			"aws:MultiFactorAuthPresent", "aws:PrincipalTag/team", "aws:RoleSessionName", "aws:SourceIdentity", "aws:TokenIssueTime")},
		{"role session, via CloudFormation", func() awsapi.AuthzRequest {
			r := get(&sp)
			r.CalledVia = []string{"cloudformation.amazonaws.com"}
			return r
		}(), append(append(slices.Clone(common), iamPrincipal...),
			"aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast",
			"aws:MultiFactorAuthPresent", "aws:PrincipalTag/team", "aws:RoleSessionName", "aws:SourceIdentity", "aws:TokenIssueTime")},
		{"service principal invoking a function", awsapi.AuthzRequest{Service: "lambda", Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:000000000000:function:f",
			ServicePrincipal: "apigateway.amazonaws.com", Context: map[string][]string{"aws:SourceArn": {"arn:aws:execute-api:us-east-1:000000000000:api1/$default/GET/x"}}},
			[]string{"aws:CurrentTime", "aws:EpochTime", "aws:PrincipalIsAWSService", "aws:PrincipalServiceName", "aws:RequestedRegion", "aws:SourceAccount", "aws:SourceArn"}},
		{"anonymous (function URL, AuthType NONE)", awsapi.AuthzRequest{Service: "lambda", Action: "lambda:InvokeFunctionUrl", Resource: "arn:aws:lambda:us-east-1:000000000000:function:f",
			ServicePrincipal: "anonymous", Context: map[string][]string{"lambda:FunctionUrlAuthType": {"NONE"}}},
			[]string{"aws:CurrentTime", "aws:EpochTime", "aws:PrincipalType", "aws:RequestedRegion", "lambda:FunctionUrlAuthType"}},
		{"tags in the request and on the resource", func() awsapi.AuthzRequest {
			r := get(&sp)
			r.RequestTags = map[string]string{"cost": "1"}
			r.ResourceTags = map[string]string{"owner": "x"}
			return r
		}(), append(append(slices.Clone(common), iamPrincipal...),
			"aws:MultiFactorAuthPresent", "aws:PrincipalTag/team", "aws:RequestTag/cost", "aws:ResourceTag/owner", "aws:RoleSessionName", "aws:SourceIdentity", "aws:TagKeys", "aws:TokenIssueTime")},
	} {
		t.Run(c.name, func(t *testing.T) {
			slices.Sort(c.want)
			if got := contextKeys(t, h, c.req); !slices.Equal(got, c.want) {
				t.Errorf("keys:\n got %s\nwant %s", strings.Join(got, " "), strings.Join(c.want, " "))
			}
		})
	}

	// The values a role session's context carries.
	m, err := h.authz.RequestContext(context.Background(), get(&sp))
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"aws:PrincipalArn": RoleARN(testAccount, "/", "fn-role"), "aws:PrincipalAccount": testAccount, "aws:PrincipalType": "AssumedRole",
		"aws:PrincipalTag/team": "blue", "aws:RoleSessionName": "fn", "aws:SourceIdentity": "alice", "aws:MultiFactorAuthPresent": "false",
		"aws:PrincipalIsAWSService": "false", "aws:ViaAWSService": "false", "aws:RequestedRegion": "us-east-1",
	} {
		if got := m[k]; len(got) != 1 || got[0] != want {
			t.Errorf("%s = %v, want %s", k, got, want)
		}
	}
	if uid := m["aws:userid"]; len(uid) != 1 || !strings.HasPrefix(uid[0], "AROA") || !strings.HasSuffix(uid[0], ":fn") {
		t.Errorf("aws:userid = %v", uid)
	}
}

// "Passing session tags in AWS STS": Tags on AssumeRole become the session's
// aws:PrincipalTag/* (over the role's tags of the same key), need
// sts:TagSession in the trust policy, and TransitiveTagKeys pass on through
// role chaining, where they cannot be overridden.
func TestSTS_SessionTags(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	putParam(t, h, "/blue/x")
	putParam(t, h, "/red/x")
	const byTeam = `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"arn:aws:ssm:*:*:parameter/${aws:PrincipalTag/team}/*"},
		{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession"],"Resource":"*"}]}`
	mustTaggedRole(t, h, "tagged", trustRoot, map[string]string{"team": "red"})
	putInline(t, h, "tagged", "p", byTeam)
	arn := RoleARN(testAccount, "/", "tagged")

	// The role's tag, then a session tag overriding it.
	plain := assume(t, h, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("plain")})
	if err := getParam(h, plain, "/red/x"); err != nil {
		t.Fatalf("role tag team=red: %v", err)
	}
	blue := assume(t, h, &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("blue"),
		Tags:              []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}, {Key: aws.String("cost"), Value: aws.String("c1")}},
		TransitiveTagKeys: []string{"team"}})
	if err := getParam(h, blue, "/blue/x"); err != nil {
		t.Fatalf("session tag team=blue: %v", err)
	}
	apiError(t, getParam(h, blue, "/red/x"), "AccessDeniedException")

	// Without sts:TagSession in the trust policy, tags are refused.
	mustRole(t, h, "no-tags", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`)
	_, err := h.sts(h.root()).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(testAccount, "/", "no-tags")), RoleSessionName: aws.String("x1"),
		Tags: []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}})
	mustContain(t, apiError(t, err, "AccessDenied"), "is not authorized to perform: sts:TagSession on resource: arn:aws:iam::000000000000:role/no-tags")
	if _, err := h.sts(h.root()).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(testAccount, "/", "no-tags")), RoleSessionName: aws.String("x2")}); err != nil {
		t.Fatalf("without tags: %v", err)
	}
	// A trust policy condition on the passed tags (aws:RequestTag).
	mustRole(t, h, "cond", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/tagged"},"Action":["sts:AssumeRole","sts:TagSession"],
		"Condition":{"StringEquals":{"aws:RequestTag/team":"blue"}}}]}`)
	putInline(t, h, "cond", "p", byTeam)

	// Role chaining: the transitive team=blue passes on and cannot be overridden;
	// cost (not transitive) does not.
	chained, err := h.sts(blue).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(testAccount, "/", "cond")), RoleSessionName: aws.String("chain")})
	if err != nil {
		t.Fatalf("chained: %v", err)
	}
	cc := awsapi.Credentials{AccessKeyID: aws.ToString(chained.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(chained.Credentials.SecretAccessKey), SessionToken: aws.ToString(chained.Credentials.SessionToken)}
	if err := getParam(h, cc, "/blue/x"); err != nil {
		t.Fatalf("transitive team=blue: %v", err)
	}
	_, p, err := h.keys.Lookup(cc.AccessKeyID, cc.SessionToken)
	if err != nil || p.Tags["team"] != "blue" || p.Tags["cost"] != "" || !slices.Equal(p.TransitiveTagKeys, []string{"team"}) {
		t.Fatalf("chained session tags %v %v %v", p.Tags, p.TransitiveTagKeys, err)
	}
	_, err = h.sts(blue).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(testAccount, "/", "cond")), RoleSessionName: aws.String("chain2"),
		Tags: []ststypes.Tag{{Key: aws.String("Team"), Value: aws.String("red")}}})
	apiError(t, err, "InvalidParameterValue")
	// The plain session (team=red from the role, not a session tag) does not meet the condition.
	_, err = h.sts(plain).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(testAccount, "/", "cond")), RoleSessionName: aws.String("chain3")})
	apiError(t, err, "AccessDenied")

	// Bad input names the field.
	for _, in := range []*sts.AssumeRoleInput{
		{Tags: []ststypes.Tag{{Key: aws.String(""), Value: aws.String("v")}}},
		{Tags: []ststypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}, {Key: aws.String("A"), Value: aws.String("2")}}},
		{Tags: []ststypes.Tag{{Key: aws.String("a"), Value: aws.String("1")}}, TransitiveTagKeys: []string{"b"}},
		{Tags: []ststypes.Tag{{Key: aws.String("bad*key"), Value: aws.String("1")}}},
		{SourceIdentity: aws.String("x")},
		{Tags: func() (ts []ststypes.Tag) {
			for i := range 51 {
				ts = append(ts, ststypes.Tag{Key: aws.String(fmt.Sprintf("k%d", i)), Value: aws.String("v")})
			}
			return ts
		}()},
	} {
		in.RoleArn, in.RoleSessionName = aws.String(arn), aws.String("bad")
		_, err := h.sts(h.root()).AssumeRole(ctx, in)
		var code string
		if err != nil {
			code = err.Error()
		}
		if !strings.Contains(code, "ValidationError") && !strings.Contains(code, "InvalidParameterValue") {
			t.Errorf("%+v: %v", in, err)
		}
	}
}

// A deny by condition is logged with the condition key and the request's value.
func TestEnforce_LogNamesDenyCondition(t *testing.T) {
	var buf syncBuffer
	h := newHarnessLog(t, Enforce, slog.New(slog.NewJSONHandler(&buf, nil)))
	putParam(t, h, "/app/x")
	mustTaggedRole(t, h, "prod-role", trustRoot, map[string]string{"env": "prod"})
	putInline(t, h, "prod-role", "p", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"ssm:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/env":"prod"}}}]}`)
	sess := assume(t, h, &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(testAccount, "/", "prod-role")), RoleSessionName: aws.String("sess")})
	apiError(t, getParam(h, sess, "/app/x"), "AccessDeniedException")
	var found bool
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var e map[string]any
		if json.Unmarshal([]byte(line), &e) == nil && e["msg"] == "iam: access denied" {
			found = e["deny_condition"] == `StringEquals aws:PrincipalTag/env "prod", request value "prod"`
			if !found {
				t.Fatalf("logged %v", e)
			}
		}
	}
	if !found {
		t.Fatalf("no denial logged:\n%s", buf.String())
	}
}

// IAM's own condition keys: the tags a request sets and those of the role it
// acts on, and iam:PermissionsBoundary ("Actions, resources, and condition
// keys for AWS Identity and Access Management").
func TestIAM_ConditionKeysOfOperations(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	mustRole(t, h, "admin", trustRoot)
	putInline(t, h, "admin", "p", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"iam:CreateRole","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"blue"},"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}},
		{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"},
		{"Effect":"Deny","Action":"iam:GetRole","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/env":"prod","iam:ResourceTag/env":"prod"}}},
		{"Effect":"Allow","Action":"iam:PutRolePermissionsBoundary","Resource":"*","Condition":{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}}}]}`)
	sess := assume(t, h, &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(testAccount, "/", "admin")), RoleSessionName: aws.String("sess")})
	c := h.iam(sess)
	create := func(name string, tags ...iamtypes.Tag) error {
		_, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(lambdaTrust), Tags: tags})
		return err
	}
	apiError(t, create("untagged"), "AccessDenied")
	apiError(t, create("red", iamtypes.Tag{Key: aws.String("team"), Value: aws.String("red")}), "AccessDenied")
	apiError(t, create("extra", iamtypes.Tag{Key: aws.String("team"), Value: aws.String("blue")}, iamtypes.Tag{Key: aws.String("env"), Value: aws.String("prod")}), "AccessDenied")
	if err := create("blue", iamtypes.Tag{Key: aws.String("team"), Value: aws.String("blue")}); err != nil {
		t.Fatalf("team=blue: %v", err)
	}

	mustTaggedRole(t, h, "prod", lambdaTrust, map[string]string{"env": "prod"})
	_, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("prod")})
	mustContain(t, apiError(t, err, "AccessDenied"), `(condition StringEquals aws:ResourceTag/env "prod", request value "prod" and StringEquals iam:ResourceTag/env "prod", request value "prod")`)
	if _, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("blue")}); err != nil {
		t.Fatalf("GetRole blue: %v", err)
	}

	_, err = c.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("blue"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	apiError(t, err, "AccessDenied")
	if _, err := c.PutRolePermissionsBoundary(ctx, &awsiam.PutRolePermissionsBoundaryInput{RoleName: aws.String("blue"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")}); err != nil {
		t.Fatalf("the allowed boundary: %v", err)
	}
}

// SSM's condition keys of Parameter Store operations: ssm:Overwrite, the
// tags PutParameter sets, and a parameter's own tags (aws:ResourceTag/*).
func TestSSM_ConditionKeysOfOperations(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	putParam(t, h, "/app/x")
	if _, err := h.ssm(h.root()).PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/secret"), Value: aws.String("v"), Type: ssmtypes.ParameterTypeString,
		Tags: []ssmtypes.Tag{{Key: aws.String("secret"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	mustRole(t, h, "writer", trustRoot)
	putInline(t, h, "writer", "p", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"ssm:PutParameter","Resource":"*","Condition":{"StringEquals":{"ssm:Overwrite":"false","aws:RequestTag/team":"blue"}}},
		{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*"},
		{"Effect":"Deny","Action":"ssm:GetParameter","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/secret":"true"}}}]}`)
	sess := assume(t, h, &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(testAccount, "/", "writer")), RoleSessionName: aws.String("sess")})
	c := h.ssm(sess)
	_, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/x"), Value: aws.String("w"), Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true)})
	apiError(t, err, "AccessDeniedException")
	_, err = c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/new1"), Value: aws.String("w"), Type: ssmtypes.ParameterTypeString})
	apiError(t, err, "AccessDeniedException")
	if _, err := c.PutParameter(ctx, &ssm.PutParameterInput{Name: aws.String("/app/new2"), Value: aws.String("w"), Type: ssmtypes.ParameterTypeString,
		Tags: []ssmtypes.Tag{{Key: aws.String("team"), Value: aws.String("blue")}}}); err != nil {
		t.Fatalf("new, tagged team=blue: %v", err)
	}
	if err := getParam(h, sess, "/app/x"); err != nil {
		t.Fatal(err)
	}
	mustContain(t, apiError(t, getParam(h, sess, "/app/secret"), "AccessDeniedException"), `aws:ResourceTag/secret "true"`)
}

// TagRole/UntagRole change the role's tags, and so its sessions'
// aws:PrincipalTag/*, from the next request on.
func TestIAM_TagRoleChangesPrincipalTags(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	putParam(t, h, "/app/x")
	mustRole(t, h, "r", trustRoot)
	putInline(t, h, "r", "p", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"*","Resource":"*"},
		{"Effect":"Deny","Action":"ssm:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/env":"prod"}}}]}`)
	sess := assume(t, h, &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(testAccount, "/", "r")), RoleSessionName: aws.String("sess")})
	if err := getParam(h, sess, "/app/x"); err != nil {
		t.Fatal(err)
	}
	c := h.iam(h.root())
	if _, err := c.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("r"), Tags: []iamtypes.Tag{{Key: aws.String("Env"), Value: aws.String("dev")}, {Key: aws.String("team"), Value: aws.String("blue")}}}); err != nil {
		t.Fatal(err)
	}
	// Role tag keys match regardless of case: env replaces Env.
	if _, err := c.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("r"), Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("prod")}}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.ListRoleTags(ctx, &awsiam.ListRoleTagsInput{RoleName: aws.String("r")})
	if err != nil || len(out.Tags) != 2 || aws.ToString(out.Tags[1].Key) != "env" || aws.ToString(out.Tags[1].Value) != "prod" {
		t.Fatalf("ListRoleTags = %+v, %v", out, err)
	}
	apiError(t, getParam(h, sess, "/app/x"), "AccessDeniedException")
	if _, err := c.UntagRole(ctx, &awsiam.UntagRoleInput{RoleName: aws.String("r"), TagKeys: []string{"ENV"}}); err != nil {
		t.Fatal(err)
	}
	if err := getParam(h, sess, "/app/x"); err != nil {
		t.Fatalf("after UntagRole: %v", err)
	}
	_, err = c.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("r"), Tags: []iamtypes.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}})
	apiError(t, err, "ValidationError")
	_, err = c.TagRole(ctx, &awsiam.TagRoleInput{RoleName: aws.String("missing"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	apiError(t, err, "NoSuchEntity")
}

// An implicit denial that a condition decided names the Allow's condition
// that did not hold, in the message and the log.
func TestEnforce_UnmetConditionNamed(t *testing.T) {
	var buf syncBuffer
	h := newHarnessLog(t, Enforce, slog.New(slog.NewJSONHandler(&buf, nil)))
	putParam(t, h, "/app/x")
	mustRole(t, h, "r", trustRoot)
	putInline(t, h, "r", "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`)
	sess := assume(t, h, &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(testAccount, "/", "r")), RoleSessionName: aws.String("sess")})
	want := `IpAddress aws:SourceIp "10.0.0.0/8", request value "127.0.0.1"`
	mustContain(t, apiError(t, getParam(h, sess, "/app/x"), "AccessDeniedException"),
		`because no identity-based policy allows the ssm:GetParameter action (an Allow statement's condition did not hold: `+want+`)`)
	if !strings.Contains(buf.String(), `"unmet_condition":"IpAddress aws:SourceIp \"10.0.0.0/8\", request value \"127.0.0.1\""`) {
		t.Fatalf("log:\n%s", buf.String())
	}
}

// The simulator's ContextEntries replace the keys it derives, however their
// names are spelled (condition key names are case-insensitive).
func TestSimulate_ContextEntriesOverrideDerivedKeys(t *testing.T) {
	h := newHarness(t, Enforce)
	mustTaggedRole(t, h, "r", trustRoot, map[string]string{"team": "red"})
	putInline(t, h, "r", "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}`)
	caller := SessionARN(RoleARN(testAccount, "/", "r"), "sess")
	for i := 0; i < 20; i++ { // map order must not matter
		if got := simulate(t, h, "r", caller, "ssm:GetParameter", paramPrefix+"x", map[string]string{"AWS:PRINCIPALTAG/TEAM": "blue"}); got != "allowed" {
			t.Fatalf("run %d: %s", i, got)
		}
	}
	if got := simulate(t, h, "r", caller, "ssm:GetParameter", paramPrefix+"x", nil); got != "implicitDeny" {
		t.Fatalf("the role's tag team=red: %s", got)
	}
}

// SimulateCustomPolicy evaluates the given policies for CallerArn with that
// caller's request context, and names bad input.
func TestIAM_SimulateCustomPolicy(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	mustTaggedRole(t, h, "r", trustRoot, map[string]string{"env": "prod"})
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameter","Resource":"*"},
		{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/env":"prod"}}},
		{"Effect":"Deny","Action":"ssm:GetParameter","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalType":"Account"}}}]}`
	for caller, want := range map[string]string{
		SessionARN(RoleARN(testAccount, "/", "r"), "sess"): "explicitDeny", // the role's tags
		"arn:aws:iam::000000000000:root":                   "explicitDeny", // aws:PrincipalType Account
		"arn:aws:iam::000000000000:role/other":             "allowed",
	} {
		out, err := c.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"ssm:GetParameter"},
			ResourceArns: []string{paramPrefix + "x"}, CallerArn: aws.String(caller)})
		if err != nil {
			t.Fatal(err)
		}
		if got := string(out.EvaluationResults[0].EvalDecision); got != want {
			t.Errorf("%s: %s, want %s", caller, got, want)
		}
	}
	_, err := c.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Statement":[{"Effect":"Allow"}]}`}, ActionNames: []string{"s3:GetObject"}})
	mustContain(t, apiError(t, err, "MalformedPolicyDocument"), "PolicyInputList.member.1")
	_, err = c.SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"s3:GetObject"}, CallerArn: aws.String("not-an-arn")})
	apiError(t, err, "InvalidInput")

	// A session may simulate only with iam:SimulateCustomPolicy.
	sess := assume(t, h, &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(testAccount, "/", "r")), RoleSessionName: aws.String("sess")})
	_, err = h.iam(sess).SimulateCustomPolicy(ctx, &awsiam.SimulateCustomPolicyInput{PolicyInputList: []string{doc}, ActionNames: []string{"s3:GetObject"}})
	mustContain(t, apiError(t, err, "AccessDenied"), "iam:SimulateCustomPolicy")
}

// The request context of AssumeRole as a trust policy sees it ("Passing
// session tags in AWS STS", "Monitor and control actions taken with assumed
// roles" for sts:SourceIdentity, "AWS STS condition keys"): real AssumeRole
// calls by a tagged role session.
func TestSTS_TrustPolicyConditions(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	mustTaggedRole(t, h, "caller", trustRoot, map[string]string{"team": "blue"})
	putInline(t, h, "caller", "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Resource":"*"}]}`)
	caller := assume(t, h, &sts.AssumeRoleInput{RoleArn: aws.String(RoleARN(testAccount, "/", "caller")), RoleSessionName: aws.String("sess")})
	trust := func(cond string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/caller"},
			"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Condition":{` + cond + `}}]}`
	}
	tag := func(kv ...string) (ts []ststypes.Tag) {
		for i := 0; i < len(kv); i += 2 {
			ts = append(ts, ststypes.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
		}
		return ts
	}
	for i, c := range []struct {
		name, cond string
		in         sts.AssumeRoleInput
		allowed    bool
	}{
		{"sts:RoleSessionName matches", `"StringEquals":{"sts:RoleSessionName":"alice"}`, sts.AssumeRoleInput{RoleSessionName: aws.String("alice")}, true},
		{"sts:RoleSessionName differs", `"StringEquals":{"sts:RoleSessionName":"alice"}`, sts.AssumeRoleInput{RoleSessionName: aws.String("bob")}, false},
		{"the caller's role tag", `"StringEquals":{"aws:PrincipalTag/team":"blue"}`, sts.AssumeRoleInput{}, true},
		{"a tag the caller lacks", `"StringEquals":{"aws:PrincipalTag/team":"red"}`, sts.AssumeRoleInput{}, false},
		{"aws:RequestTag of a passed tag", `"StringEquals":{"aws:RequestTag/project":"p1"}`, sts.AssumeRoleInput{Tags: tag("project", "p1")}, true},
		{"ForAllValues aws:TagKeys allows only listed keys", `"ForAllValues:StringEquals":{"aws:TagKeys":["project"]}`, sts.AssumeRoleInput{Tags: tag("project", "p1", "cost", "c")}, false},
		{"ForAllValues aws:TagKeys with listed keys", `"ForAllValues:StringEquals":{"aws:TagKeys":["project","cost"]}`, sts.AssumeRoleInput{Tags: tag("project", "p1", "cost", "c")}, true},
		{"sts:TransitiveTagKeys", `"ForAnyValue:StringEquals":{"sts:TransitiveTagKeys":"project"}`, sts.AssumeRoleInput{Tags: tag("project", "p1"), TransitiveTagKeys: []string{"project"}}, true},
		{"sts:TransitiveTagKeys absent", `"ForAnyValue:StringEquals":{"sts:TransitiveTagKeys":"project"}`, sts.AssumeRoleInput{Tags: tag("project", "p1")}, false},
		{"sts:SourceIdentity matches", `"StringLike":{"sts:SourceIdentity":"admin-*"}`, sts.AssumeRoleInput{SourceIdentity: aws.String("admin-alice")}, true},
		{"sts:SourceIdentity differs", `"StringLike":{"sts:SourceIdentity":"admin-*"}`, sts.AssumeRoleInput{SourceIdentity: aws.String("bob")}, false},
		{"aws:TokenIssueTime of the calling session", `"Null":{"aws:TokenIssueTime":"false"}`, sts.AssumeRoleInput{}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			name := fmt.Sprintf("target-%02d", i)
			mustRole(t, h, name, trust(c.cond))
			in := c.in
			in.RoleArn = aws.String(RoleARN(testAccount, "/", name))
			if in.RoleSessionName == nil {
				in.RoleSessionName = aws.String("sess")
			}
			_, err := h.sts(caller).AssumeRole(ctx, &in)
			if c.allowed && err != nil {
				t.Fatalf("denied: %v", err)
			}
			if !c.allowed {
				apiError(t, err, "AccessDenied")
			}
		})
	}
}
