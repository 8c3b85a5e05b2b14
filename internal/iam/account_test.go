package iam

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

func TestAccountAliasAndPasswordPolicy(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())

	// Aliases: one per account, the last one set.
	out, err := c.ListAccountAliases(ctx, &awsiam.ListAccountAliasesInput{})
	if err != nil || len(out.AccountAliases) != 0 {
		t.Fatalf("%v %+v", err, out)
	}
	for _, a := range []string{"my-team", "my-team-2"} {
		if _, err := c.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String(a)}); err != nil {
			t.Fatal(err)
		}
	}
	out, err = c.ListAccountAliases(ctx, &awsiam.ListAccountAliasesInput{})
	if err != nil || len(out.AccountAliases) != 1 || out.AccountAliases[0] != "my-team-2" {
		t.Fatalf("%v %+v", err, out)
	}
	for _, bad := range []string{"My-Team", "a", "double--dash", "-lead"} {
		_, err := c.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String(bad)})
		mustContain(t, apiError(t, err, "ValidationError"), "accountAlias")
	}
	_, err = c.DeleteAccountAlias(ctx, &awsiam.DeleteAccountAliasInput{AccountAlias: aws.String("my-team")})
	mustContain(t, apiError(t, err, "NoSuchEntity"), "my-team cannot be found")
	if _, err := c.DeleteAccountAlias(ctx, &awsiam.DeleteAccountAliasInput{AccountAlias: aws.String("my-team-2")}); err != nil {
		t.Fatal(err)
	}

	// The password policy: none, set (omitted fields take defaults),
	// enforced on login profiles, deleted.
	_, err = c.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	mustContain(t, apiError(t, err, "NoSuchEntity"), "Password Policy with domain name "+testAccount)
	if _, err := c.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(12),
		RequireNumbers: true, RequireUppercaseCharacters: true, MaxPasswordAge: aws.Int32(90)}); err != nil {
		t.Fatal(err)
	}
	pp, err := c.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{})
	if err != nil {
		t.Fatal(err)
	}
	p := pp.PasswordPolicy
	if *p.MinimumPasswordLength != 12 || !p.RequireNumbers || !p.RequireUppercaseCharacters || p.RequireSymbols || !p.ExpirePasswords || *p.MaxPasswordAge != 90 || p.PasswordReusePrevention != nil {
		t.Fatalf("%+v", p)
	}
	_, err = c.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{MinimumPasswordLength: aws.Int32(200)})
	mustContain(t, apiError(t, err, "ValidationError"), "minimumPasswordLength")
	if _, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("ada")}); err != nil {
		t.Fatal(err)
	}
	for pw, msg := range map[string]string{"Short1A": "minimum length of 12", "longenoughbutlower1": "uppercase", "LongEnoughNoDigits": "number"} {
		_, err := c.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("ada"), Password: aws.String(pw)})
		mustContain(t, apiError(t, err, "PasswordPolicyViolation"), msg)
	}
	if _, err := c.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("ada"), Password: aws.String("Correct-Horse-1")}); err != nil {
		t.Fatal(err)
	}
	// Updating it without the optional fields resets them to defaults.
	if _, err := c.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
	if pp, err = c.GetAccountPasswordPolicy(ctx, &awsiam.GetAccountPasswordPolicyInput{}); err != nil || *pp.PasswordPolicy.MinimumPasswordLength != 6 || pp.PasswordPolicy.ExpirePasswords {
		t.Fatalf("%v %+v", err, pp)
	}
	if _, err := c.DeleteAccountPasswordPolicy(ctx, &awsiam.DeleteAccountPasswordPolicyInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteAccountPasswordPolicy(ctx, &awsiam.DeleteAccountPasswordPolicyInput{})
	apiError(t, err, "NoSuchEntity")

	// A session whose role may only read the alias list.
	mustRole(t, h, "reader", lambdaTrust)
	if _, err := c.PutRolePolicy(ctx, &awsiam.PutRolePolicyInput{RoleName: aws.String("reader"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListAccountAliases","Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	rc := h.iam(h.session("reader", "s"))
	if _, err := rc.ListAccountAliases(ctx, &awsiam.ListAccountAliasesInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = rc.CreateAccountAlias(ctx, &awsiam.CreateAccountAliasInput{AccountAlias: aws.String("mine")})
	mustContain(t, apiError(t, err, "AccessDenied"), "iam:CreateAccountAlias")
	_, err = rc.UpdateAccountPasswordPolicy(ctx, &awsiam.UpdateAccountPasswordPolicyInput{})
	mustContain(t, apiError(t, err, "AccessDenied"), "iam:UpdateAccountPasswordPolicy")
}

func TestAccountSummaryAndCredentialReport(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	for _, u := range []string{"ada", "bob"} {
		if _, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
	}
	key, err := c.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{UserName: aws.String("ada")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateLoginProfile(ctx, &awsiam.CreateLoginProfileInput{UserName: aws.String("bob"), Password: aws.String("pw-123456")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("devs")}); err != nil {
		t.Fatal(err)
	}
	sum, err := c.GetAccountSummary(ctx, &awsiam.GetAccountSummaryInput{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.SummaryMap["Users"] != 2 || sum.SummaryMap["Groups"] != 1 || sum.SummaryMap["UsersQuota"] != 5000 || sum.SummaryMap["AccessKeysPerUserQuota"] != 2 {
		t.Fatalf("%v", sum.SummaryMap)
	}

	_, err = c.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
	apiError(t, err, "ReportNotPresent")
	gen, err := c.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{})
	if err != nil || gen.State != types.ReportStateTypeStarted {
		t.Fatalf("%v %+v", err, gen)
	}
	if gen, err = c.GenerateCredentialReport(ctx, &awsiam.GenerateCredentialReportInput{}); err != nil || gen.State != types.ReportStateTypeComplete {
		t.Fatalf("%v %+v", err, gen)
	}
	rep, err := c.GetCredentialReport(ctx, &awsiam.GetCredentialReportInput{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ReportFormat != types.ReportFormatTypeTextCsv || rep.GeneratedTime == nil {
		t.Fatalf("%+v", rep)
	}
	rows, err := csv.NewReader(strings.NewReader(string(rep.Content))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0][0] != "user" || rows[1][0] != "<root_account>" || len(rows[0]) != 22 {
		t.Fatalf("%q", rows)
	}
	byUser := map[string][]string{}
	for _, r := range rows[1:] {
		if len(r) != len(rows[0]) {
			t.Fatalf("row %q has %d columns", r, len(r))
		}
		byUser[r[0]] = r
	}
	if byUser["ada"][8] != "true" || byUser["ada"][3] != "false" || byUser["bob"][3] != "true" || byUser["bob"][8] != "false" {
		t.Fatalf("%q %q (key %s)", byUser["ada"], byUser["bob"], *key.AccessKey.AccessKeyId)
	}
}

func TestListEntitiesAndContextKeys(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"},"Bool":{"aws:SecureTransport":"true"}}}]}`
	pol, err := c.CreatePolicy(ctx, &awsiam.CreatePolicyInput{PolicyName: aws.String("read"), PolicyDocument: aws.String(doc)})
	if err != nil {
		t.Fatal(err)
	}
	arn := pol.Policy.Arn
	mustRole(t, h, "app", lambdaTrust)
	for _, step := range []func() error{
		func() error {
			_, err := c.AttachRolePolicy(ctx, &awsiam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: arn})
			return err
		},
		func() error {
			_, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("ada")})
			return err
		},
		func() error {
			_, err := c.AttachUserPolicy(ctx, &awsiam.AttachUserPolicyInput{UserName: aws.String("ada"), PolicyArn: arn})
			return err
		},
		func() error {
			_, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String("bob"), PermissionsBoundary: arn})
			return err
		},
		func() error {
			_, err := c.CreateGroup(ctx, &awsiam.CreateGroupInput{GroupName: aws.String("devs")})
			return err
		},
		func() error {
			_, err := c.AttachGroupPolicy(ctx, &awsiam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: arn})
			return err
		},
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		entity, usage        string
		groups, users, roles int
	}{
		{"", "", 1, 2, 1},
		{"", "PermissionsPolicy", 1, 1, 1},
		{"", "PermissionsBoundary", 0, 1, 0},
		{"Role", "", 0, 0, 1},
	} {
		in := &awsiam.ListEntitiesForPolicyInput{PolicyArn: arn, EntityFilter: types.EntityType(tc.entity), PolicyUsageFilter: types.PolicyUsageType(tc.usage)}
		out, err := c.ListEntitiesForPolicy(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if len(out.PolicyGroups) != tc.groups || len(out.PolicyUsers) != tc.users || len(out.PolicyRoles) != tc.roles {
			t.Fatalf("%+v: %+v %+v %+v", tc, out.PolicyGroups, out.PolicyUsers, out.PolicyRoles)
		}
	}
	// Paged one at a time.
	n, pages := 0, awsiam.NewListEntitiesForPolicyPaginator(c, &awsiam.ListEntitiesForPolicyInput{PolicyArn: arn, MaxItems: aws.Int32(1)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.PolicyGroups) + len(out.PolicyUsers) + len(out.PolicyRoles)
	}
	if n != 4 {
		t.Fatalf("paged %d entities", n)
	}
	_, err = c.ListEntitiesForPolicy(ctx, &awsiam.ListEntitiesForPolicyInput{PolicyArn: aws.String("arn:aws:iam::" + testAccount + ":policy/none")})
	apiError(t, err, "NoSuchEntity")

	// Context keys: the role's attached policy, plus an input policy.
	role, err := c.GetRole(ctx, &awsiam.GetRoleInput{RoleName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	extra := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`
	keys, err := c.GetContextKeysForPrincipalPolicy(ctx, &awsiam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: role.Role.Arn, PolicyInputList: []string{extra}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(keys.ContextKeyNames, ",") != "aws:RequestedRegion,aws:SecureTransport,aws:SourceIp" {
		t.Fatalf("%v", keys.ContextKeyNames)
	}
	ck, err := c.GetContextKeysForCustomPolicy(ctx, &awsiam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{extra}})
	if err != nil || strings.Join(ck.ContextKeyNames, ",") != "aws:SourceIp" {
		t.Fatalf("%v %+v", err, ck)
	}
	_, err = c.GetContextKeysForCustomPolicy(ctx, &awsiam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{"{not json"}})
	apiError(t, err, "InvalidInput")

	// UpdateRoleDescription answers with the role.
	upd, err := c.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: aws.String("app"), Description: aws.String("the app")})
	if err != nil || *upd.Role.Description != "the app" || *upd.Role.RoleName != "app" {
		t.Fatalf("%v %+v", err, upd)
	}
	_, err = c.UpdateRoleDescription(ctx, &awsiam.UpdateRoleDescriptionInput{RoleName: aws.String("none"), Description: aws.String("x")})
	apiError(t, err, "NoSuchEntity")
}

func TestRootAccessKeysAndGAADPaging(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	// The root user's one key is nubo's own credentials.
	keys, err := c.ListAccessKeys(ctx, &awsiam.ListAccessKeysInput{})
	if err != nil || len(keys.AccessKeyMetadata) != 1 || *keys.AccessKeyMetadata[0].AccessKeyId != h.root().AccessKeyID {
		t.Fatalf("%v %+v", err, keys)
	}
	_, err = c.CreateAccessKey(ctx, &awsiam.CreateAccessKeyInput{})
	mustContain(t, apiError(t, err, "LimitExceeded"), "root")

	for _, u := range []string{"u1", "u2", "u3"} {
		if _, err := c.CreateUser(ctx, &awsiam.CreateUserInput{UserName: aws.String(u)}); err != nil {
			t.Fatal(err)
		}
	}
	mustRole(t, h, "r1", lambdaTrust)
	seen := map[string]int{}
	pages := awsiam.NewGetAccountAuthorizationDetailsPaginator(c, &awsiam.GetAccountAuthorizationDetailsInput{
		Filter: []types.EntityType{types.EntityTypeUser, types.EntityTypeRole}, MaxItems: aws.Int32(2)})
	n := 0
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n++
		if got := len(out.UserDetailList) + len(out.RoleDetailList); got > 2 || got == 0 {
			t.Fatalf("page %d has %d entities", n, got)
		}
		for _, u := range out.UserDetailList {
			seen[*u.UserName]++
		}
		for _, r := range out.RoleDetailList {
			seen[*r.RoleName]++
		}
		if len(out.GroupDetailList)+len(out.Policies) != 0 {
			t.Fatalf("filtered out kinds answered: %+v", out)
		}
	}
	if n != 2 || len(seen) != 4 || seen["u1"] != 1 || seen["r1"] != 1 {
		t.Fatalf("%d pages, %v", n, seen)
	}
	_, err = c.GetAccountAuthorizationDetails(ctx, &awsiam.GetAccountAuthorizationDetailsInput{Marker: aws.String("bogus")})
	apiError(t, err, "ValidationError")
}

// AddRoleToInstanceProfile needs iam:PassRole on the role, as IAM's
// reference says.
func TestAddRoleToInstanceProfileNeedsPassRole(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	mustRole(t, h, "ec2-app", lambdaTrust)
	mustRole(t, h, "admin", lambdaTrust)
	if _, err := c.CreateInstanceProfile(ctx, &awsiam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip")}); err != nil {
		t.Fatal(err)
	}
	putInline(t, h, "admin", "ip", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:AddRoleToInstanceProfile","Resource":"*"}]}`)
	ac := h.iam(h.session("admin", "s"))
	add := func() error {
		_, err := ac.AddRoleToInstanceProfile(ctx, &awsiam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String("ec2-app")})
		return err
	}
	mustContain(t, apiError(t, add(), "AccessDenied"), "iam:PassRole")
	putInline(t, h, "admin", "pass", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"*",`+
		`"Condition":{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}}]}`)
	if err := add(); err != nil {
		t.Fatal(err)
	}
}

func TestSAMLProviderAndMFADeviceTags(t *testing.T) {
	h := newHarness(t, Enforce)
	ctx := context.Background()
	c := h.iam(h.root())
	prov, err := c.CreateSAMLProvider(ctx, &awsiam.CreateSAMLProviderInput{Name: aws.String("corp"), SAMLMetadataDocument: aws.String(newIdP(t).metadata())})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := c.CreateVirtualMFADevice(ctx, &awsiam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("phone")})
	if err != nil {
		t.Fatal(err)
	}
	tags := []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}, {Key: aws.String("env"), Value: aws.String("dev")}}
	if _, err := c.TagSAMLProvider(ctx, &awsiam.TagSAMLProviderInput{SAMLProviderArn: prov.SAMLProviderArn, Tags: tags}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagSAMLProvider(ctx, &awsiam.UntagSAMLProviderInput{SAMLProviderArn: prov.SAMLProviderArn, TagKeys: []string{"env"}}); err != nil {
		t.Fatal(err)
	}
	st, err := c.ListSAMLProviderTags(ctx, &awsiam.ListSAMLProviderTagsInput{SAMLProviderArn: prov.SAMLProviderArn})
	if err != nil || len(st.Tags) != 1 || *st.Tags[0].Key != "team" {
		t.Fatalf("%v %+v", err, st)
	}
	serial := dev.VirtualMFADevice.SerialNumber
	if _, err := c.TagMFADevice(ctx, &awsiam.TagMFADeviceInput{SerialNumber: serial, Tags: tags}); err != nil {
		t.Fatal(err)
	}
	mt, err := c.ListMFADeviceTags(ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: serial})
	if err != nil || len(mt.Tags) != 2 {
		t.Fatalf("%v %+v", err, mt)
	}
	_, err = c.ListMFADeviceTags(ctx, &awsiam.ListMFADeviceTagsInput{SerialNumber: aws.String("arn:aws:iam::" + testAccount + ":mfa/none")})
	apiError(t, err, "NoSuchEntity")
	_, err = c.TagSAMLProvider(ctx, &awsiam.TagSAMLProviderInput{SAMLProviderArn: aws.String("arn:aws:iam::" + testAccount + ":saml-provider/none"), Tags: tags})
	apiError(t, err, "NoSuchEntity")

	// A session allowed to tag only providers whose team is "a".
	mustRole(t, h, "tagger", lambdaTrust)
	putInline(t, h, "tagger", "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:TagSAMLProvider","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/team":"a"}}}]}`)
	tc := h.iam(h.session("tagger", "s"))
	if _, err := tc.TagSAMLProvider(ctx, &awsiam.TagSAMLProviderInput{SAMLProviderArn: prov.SAMLProviderArn, Tags: tags[1:]}); err != nil {
		t.Fatal(err)
	}
	_, err = tc.TagMFADevice(ctx, &awsiam.TagMFADeviceInput{SerialNumber: serial, Tags: tags})
	mustContain(t, apiError(t, err, "AccessDenied"), "iam:TagMFADevice")
}
