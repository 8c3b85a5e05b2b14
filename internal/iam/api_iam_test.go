package iam

import (
	"context"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"

	"github.com/nubo-run/nubo/internal/iam/awsmanaged"
)

func TestIAM_RoleLifecycle(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())

	out, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{
		RoleName: aws.String("app-fn"), Path: aws.String("/service/"), AssumeRolePolicyDocument: aws.String(lambdaTrust),
		Description: aws.String("the app function"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	r := out.Role
	if got, want := aws.ToString(r.Arn), "arn:aws:iam::000000000000:role/service/app-fn"; got != want {
		t.Fatalf("arn = %s, want %s", got, want)
	}
	if id := aws.ToString(r.RoleId); len(id) != 21 || id[:4] != "AROA" {
		t.Fatalf("role id %q", id)
	}
	if aws.ToInt32(r.MaxSessionDuration) != 3600 || r.CreateDate == nil {
		t.Fatalf("role %+v", r)
	}

	_, err = c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("APP-FN"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	mustContain(t, apiError(t, err, "EntityAlreadyExists"), "Role with name APP-FN already exists.")
	_, err = c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(`{"Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`)})
	mustContain(t, apiError(t, err, "MalformedPolicyDocument"), "Principal")
	_, err = c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("bad name!"), AssumeRolePolicyDocument: aws.String(lambdaTrust)})
	apiError(t, err, "ValidationError")

	got, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("app-fn")})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := url.QueryUnescape(aws.ToString(got.Role.AssumeRolePolicyDocument))
	if err != nil || doc != lambdaTrust {
		t.Fatalf("trust policy round trip: %q %v", doc, err)
	}
	if len(got.Role.Tags) != 1 || aws.ToString(got.Role.Tags[0].Value) != "data" {
		t.Fatalf("tags %+v", got.Role.Tags)
	}

	if _, err := c.UpdateRole(ctx, &awsiam.UpdateRoleInput{RoleName: aws.String("app-fn"), Description: aws.String("changed"), MaxSessionDuration: aws.Int32(7200)}); err != nil {
		t.Fatal(err)
	}
	got, _ = c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("app-fn")})
	if aws.ToString(got.Role.Description) != "changed" || aws.ToInt32(got.Role.MaxSessionDuration) != 7200 {
		t.Fatalf("after update: %+v", got.Role)
	}

	inline := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"*"}]}`
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("app-fn"), PolicyName: aws.String("invoke"), PolicyDocument: aws.String(inline)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("app-fn"), PolicyName: aws.String("bad"), PolicyDocument: aws.String(`{"Statement":[{"Effect":"Allow","Action":"x:y"}]}`)})
	apiError(t, err, "MalformedPolicyDocument")
	gp, err := c.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("app-fn"), PolicyName: aws.String("invoke")})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := url.QueryUnescape(aws.ToString(gp.PolicyDocument)); d != inline {
		t.Fatalf("inline policy %q", d)
	}
	_, err = c.GetRolePolicy(ctx, &awsiam.GetRolePolicyInput{RoleName: aws.String("app-fn"), PolicyName: aws.String("nope")})
	apiError(t, err, "NoSuchEntity")
	lp, err := c.ListRolePolicies(ctx, &awsiam.ListRolePoliciesInput{RoleName: aws.String("app-fn")})
	if err != nil || !cmp.Equal(lp.PolicyNames, []string{"invoke"}) {
		t.Fatalf("ListRolePolicies = %v, %v", lp, err)
	}

	basic := "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("app-fn"), PolicyArn: aws.String(basic)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("app-fn"), PolicyArn: aws.String("arn:aws:iam::aws:policy/NoSuchPolicy")})
	apiError(t, err, "NoSuchEntity")
	la, err := c.ListAttachedRolePolicies(ctx, &awsiam.ListAttachedRolePoliciesInput{RoleName: aws.String("app-fn")})
	if err != nil || len(la.AttachedPolicies) != 1 || aws.ToString(la.AttachedPolicies[0].PolicyName) != "AWSLambdaBasicExecutionRole" {
		t.Fatalf("ListAttachedRolePolicies = %+v, %v", la, err)
	}

	lr, err := c.ListRoles(ctx, &awsiam.ListRolesInput{})
	if err != nil || len(lr.Roles) != 1 || lr.IsTruncated {
		t.Fatalf("ListRoles = %+v, %v", lr, err)
	}
	lr, err = c.ListRoles(ctx, &awsiam.ListRolesInput{PathPrefix: aws.String("/other/")})
	if err != nil || len(lr.Roles) != 0 {
		t.Fatalf("ListRoles with prefix = %+v, %v", lr, err)
	}

	_, err = c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("app-fn")})
	apiError(t, err, "DeleteConflict")
	if _, err := c.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("app-fn"), PolicyArn: aws.String(basic)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRolePolicy(ctx, &awsiam.DeleteRolePolicyInput{RoleName: aws.String("app-fn"), PolicyName: aws.String("invoke")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteRole(ctx, &awsiam.DeleteRoleInput{RoleName: aws.String("app-fn")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("app-fn")})
	mustContain(t, apiError(t, err, "NoSuchEntity"), "The role with name app-fn cannot be found.")
}

func TestIAM_ManagedPolicies(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	cp, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("read"), Path: aws.String("/app/"), PolicyDocument: aws.String(doc), Description: aws.String("reads")})
	if err != nil {
		t.Fatal(err)
	}
	arn := aws.ToString(cp.Policy.Arn)
	if arn != "arn:aws:iam::000000000000:policy/app/read" || aws.ToString(cp.Policy.DefaultVersionId) != "v1" {
		t.Fatalf("policy %+v", cp.Policy)
	}
	_, err = c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("read"), PolicyDocument: aws.String(doc)})
	apiError(t, err, "EntityAlreadyExists")

	gp, err := c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if err != nil || aws.ToString(gp.Policy.PolicyName) != "read" || aws.ToInt32(gp.Policy.AttachmentCount) != 0 {
		t.Fatalf("GetPolicy = %+v, %v", gp, err)
	}
	gv, err := c.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v1")})
	if err != nil || !gv.PolicyVersion.IsDefaultVersion {
		t.Fatalf("GetPolicyVersion = %+v, %v", gv, err)
	}
	if d, _ := url.QueryUnescape(aws.ToString(gv.PolicyVersion.Document)); d != doc {
		t.Fatalf("version document %q", d)
	}
	_, err = c.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String(arn), VersionId: aws.String("v9")})
	apiError(t, err, "NoSuchEntity")

	aws1, err := c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonSQSFullAccess")})
	if err != nil || aws.ToString(aws1.Policy.Path) != "/" {
		t.Fatalf("AWS managed GetPolicy = %+v, %v", aws1, err)
	}
	av, err := c.GetPolicyVersion(ctx, &awsiam.GetPolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonSQSFullAccess"), VersionId: aws1.Policy.DefaultVersionId})
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := url.QueryUnescape(aws.ToString(av.PolicyVersion.Document)); d != `{"Version":"2012-10-17","Statement":[{"Action":["sqs:*"],"Resource":"*","Effect":"Allow"}]}` {
		t.Fatalf("AmazonSQSFullAccess document %s", d)
	}
	_, err = c.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonSQSFullAccess")})
	apiError(t, err, "UnmodifiableEntity")

	if _, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	gp, _ = c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if aws.ToInt32(gp.Policy.AttachmentCount) != 1 {
		t.Fatalf("attachment count %d", aws.ToInt32(gp.Policy.AttachmentCount))
	}
	_, err = c.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(arn)})
	apiError(t, err, "DeleteConflict")
	if _, err := c.DetachRolePolicy(ctx, &awsiam.DetachRolePolicyInput{RoleName: aws.String("r"), PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeletePolicy(ctx, &awsiam.DeletePolicyInput{PolicyArn: aws.String(arn)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: aws.String(arn)})
	apiError(t, err, "NoSuchEntity")
}

func TestIAM_SimulatePrincipalPolicy(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	if _, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("sim"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("sim"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"ssm:GetParameter","Resource":"arn:aws:ssm:*:*:parameter/secret/*"}]}`
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("sim"), PolicyName: aws.String("no-secrets"), PolicyDocument: aws.String(deny)}); err != nil {
		t.Fatal(err)
	}
	out, err := c.SimulatePrincipalPolicy(ctx, &awsiam.SimulatePrincipalPolicyInput{
		PolicySourceArn: aws.String("arn:aws:iam::000000000000:role/sim"),
		ActionNames:     []string{"ssm:GetParameter", "ssm:PutParameter"},
		ResourceArns:    []string{"arn:aws:ssm:us-east-1:000000000000:parameter/app/x", "arn:aws:ssm:us-east-1:000000000000:parameter/secret/x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ Action, Resource, Decision, Source, Type string }
	var got []row
	for _, r := range out.EvaluationResults {
		rw := row{Action: aws.ToString(r.EvalActionName), Resource: aws.ToString(r.EvalResourceName), Decision: string(r.EvalDecision)}
		if len(r.MatchedStatements) > 0 {
			rw.Source, rw.Type = aws.ToString(r.MatchedStatements[0].SourcePolicyId), string(r.MatchedStatements[0].SourcePolicyType)
		}
		got = append(got, rw)
	}
	want := []row{
		{"ssm:GetParameter", "arn:aws:ssm:us-east-1:000000000000:parameter/app/x", "allowed", "AmazonSSMReadOnlyAccess", "aws-managed"},
		{"ssm:GetParameter", "arn:aws:ssm:us-east-1:000000000000:parameter/secret/x", "explicitDeny", "no-secrets", "role"},
		{"ssm:PutParameter", "arn:aws:ssm:us-east-1:000000000000:parameter/app/x", "implicitDeny", "", ""},
		{"ssm:PutParameter", "arn:aws:ssm:us-east-1:000000000000:parameter/secret/x", "implicitDeny", "", ""},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("simulation (-want +got):\n%s", d)
	}
}

func TestIAM_VersionsTrustAndLists(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	doc := func(a string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + a + `","Resource":"*"}]}`
	}
	cp, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("v"), PolicyDocument: aws.String(doc("s3:GetObject"))})
	if err != nil {
		t.Fatal(err)
	}
	pv, err := c.CreatePolicyVersion(ctx, &awsiam.CreatePolicyVersionInput{PolicyArn: cp.Policy.Arn, PolicyDocument: aws.String(doc("s3:PutObject")), SetAsDefault: true})
	if err != nil || aws.ToString(pv.PolicyVersion.VersionId) != "v2" || !pv.PolicyVersion.IsDefaultVersion {
		t.Fatalf("CreatePolicyVersion = %+v, %v", pv, err)
	}
	gp, _ := c.GetPolicy(ctx, &awsiam.GetPolicyInput{PolicyArn: cp.Policy.Arn})
	if aws.ToString(gp.Policy.DefaultVersionId) != "v2" {
		t.Fatalf("default version %s", aws.ToString(gp.Policy.DefaultVersionId))
	}

	lp, err := c.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	if err != nil || len(lp.Policies) != 1 || aws.ToString(lp.Policies[0].PolicyName) != "v" {
		t.Fatalf("ListPolicies Local = %+v, %v", lp, err)
	}
	all, err := c.ListPolicies(ctx, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, MaxItems: aws.Int32(5)})
	if err != nil || len(all.Policies) != 5 || !all.IsTruncated || aws.ToString(all.Marker) == "" {
		t.Fatalf("ListPolicies AWS page = %d %v %v", len(all.Policies), all.IsTruncated, err)
	}
	seen := map[string]bool{}
	// Fourteen pages of about 46 kB: with retries, as the SDK's defaults
	// have them (its client can close a connection while it still reads the
	// response, aws/aws-sdk-go-v2#2737, and retries net.ErrClosed).
	retrying := awsiam.NewFromConfig(h.cfg(h.root()), func(o *awsiam.Options) { o.RetryMaxAttempts = 3 })
	for pages := awsiam.NewListPoliciesPaginator(retrying, &awsiam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws}); pages.HasMorePages(); {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Policies {
			seen[aws.ToString(p.PolicyName)] = true
		}
	}
	if len(seen) != len(awsmanaged.All()) || !seen["AWSXrayWriteOnlyAccess"] || !seen["ComprehendReadOnly"] || seen["v"] {
		t.Fatalf("ListPolicies AWS: %d policies, want %d", len(seen), len(awsmanaged.All()))
	}

	if _, err := c.CreateRole(ctx, &awsiam.CreateRoleInput{RoleName: aws.String("t"), AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
		t.Fatal(err)
	}
	states := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"states.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	if _, err := c.UpdateAssumeRolePolicy(ctx, &awsiam.UpdateAssumeRolePolicyInput{RoleName: aws.String("t"), PolicyDocument: aws.String(states)}); err != nil {
		t.Fatal(err)
	}
	exists, trusted, err := h.store.TrustsService(ctx, "arn:aws:iam::000000000000:role/t", "states.amazonaws.com")
	if err != nil || !exists || !trusted {
		t.Fatalf("after UpdateAssumeRolePolicy: %v %v %v", exists, trusted, err)
	}
}
