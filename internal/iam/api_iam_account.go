package iam

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/iam/policy"
)

type (
	aliasIn      struct{ AccountAlias string }
	aliasPagesIn struct {
		Marker   string
		MaxItems int32
	}
	passwordPolIn struct {
		MinimumPasswordLength                                  *int32
		RequireSymbols, RequireNumbers                         bool
		RequireUppercaseCharacters, RequireLowercaseCharacters bool
		AllowUsersToChangePassword, HardExpiry                 bool
		MaxPasswordAge, PasswordReusePrevention                *int32
	}
	roleDescriptionIn struct{ RoleName, Description string }
	entitiesIn        struct {
		PolicyArn, EntityFilter, PathPrefix, PolicyUsageFilter, Marker string
		MaxItems                                                       int32
	}
	contextKeysIn struct {
		PolicySourceArn string
		PolicyInputList []string
	}
)

type listAliasesResult struct {
	AccountAliases xmlMembers[string] `xml:"AccountAliases"`
	IsTruncated    bool               `xml:"IsTruncated"`
	Marker         string             `xml:"Marker,omitempty"`
}

type xmlPasswordPolicy struct {
	MinimumPasswordLength      int32  `xml:"MinimumPasswordLength"`
	RequireSymbols             bool   `xml:"RequireSymbols"`
	RequireNumbers             bool   `xml:"RequireNumbers"`
	RequireUppercaseCharacters bool   `xml:"RequireUppercaseCharacters"`
	RequireLowercaseCharacters bool   `xml:"RequireLowercaseCharacters"`
	AllowUsersToChangePassword bool   `xml:"AllowUsersToChangePassword"`
	ExpirePasswords            bool   `xml:"ExpirePasswords"`
	MaxPasswordAge             *int32 `xml:"MaxPasswordAge,omitempty"`
	PasswordReusePrevention    *int32 `xml:"PasswordReusePrevention,omitempty"`
	HardExpiry                 *bool  `xml:"HardExpiry,omitempty"`
}

type passwordPolicyResult struct {
	PasswordPolicy xmlPasswordPolicy `xml:"PasswordPolicy"`
}

type xmlEntry struct {
	Key   string `xml:"key"`
	Value int    `xml:"value"`
}

type accountSummaryResult struct {
	SummaryMap struct {
		Entry []xmlEntry `xml:"entry"`
	} `xml:"SummaryMap"`
}

type generateReportResult struct {
	State       string `xml:"State"`
	Description string `xml:"Description"`
}

type getReportResult struct {
	Content       string `xml:"Content"`
	ReportFormat  string `xml:"ReportFormat"`
	GeneratedTime string `xml:"GeneratedTime"`
}

type xmlPolicyGroup struct {
	GroupName string `xml:"GroupName"`
	GroupID   string `xml:"GroupId"`
}
type xmlPolicyUser struct {
	UserName string `xml:"UserName"`
	UserID   string `xml:"UserId"`
}
type xmlPolicyRole struct {
	RoleName string `xml:"RoleName"`
	RoleID   string `xml:"RoleId"`
}

type entitiesResult struct {
	PolicyGroups xmlMembers[xmlPolicyGroup] `xml:"PolicyGroups"`
	PolicyUsers  xmlMembers[xmlPolicyUser]  `xml:"PolicyUsers"`
	PolicyRoles  xmlMembers[xmlPolicyRole]  `xml:"PolicyRoles"`
	IsTruncated  bool                       `xml:"IsTruncated"`
	Marker       string                     `xml:"Marker,omitempty"`
}

type contextKeysResult struct {
	ContextKeyNames xmlMembers[string] `xml:"ContextKeyNames"`
}

// accountOps are the IAM operations on the account's own settings and the
// cheap reads over every entity.
func (a *API) accountOps() []awsapi.Declared {
	return []awsapi.Declared{
		awsapi.Op[aliasIn, awsapi.None]{Name: "CreateAccountAlias", Action: "iam:CreateAccountAlias", Handler: a.createAccountAlias},
		awsapi.Op[aliasIn, awsapi.None]{Name: "DeleteAccountAlias", Action: "iam:DeleteAccountAlias", Handler: a.deleteAccountAlias},
		awsapi.Op[aliasPagesIn, listAliasesResult]{Name: "ListAccountAliases", Action: "iam:ListAccountAliases", Handler: a.listAccountAliases},
		awsapi.Op[awsapi.None, passwordPolicyResult]{Name: "GetAccountPasswordPolicy", Action: "iam:GetAccountPasswordPolicy", Handler: a.getPasswordPolicy},
		awsapi.Op[passwordPolIn, awsapi.None]{Name: "UpdateAccountPasswordPolicy", Action: "iam:UpdateAccountPasswordPolicy", Handler: a.updatePasswordPolicy},
		awsapi.Op[awsapi.None, awsapi.None]{Name: "DeleteAccountPasswordPolicy", Action: "iam:DeleteAccountPasswordPolicy", Handler: a.deletePasswordPolicy},
		awsapi.Op[awsapi.None, accountSummaryResult]{Name: "GetAccountSummary", Action: "iam:GetAccountSummary", Handler: a.getAccountSummary},
		awsapi.Op[awsapi.None, generateReportResult]{Name: "GenerateCredentialReport", Action: "iam:GenerateCredentialReport", Handler: a.generateCredentialReport},
		awsapi.Op[awsapi.None, getReportResult]{Name: "GetCredentialReport", Action: "iam:GetCredentialReport", Handler: a.getCredentialReport},
		awsapi.Op[roleDescriptionIn, roleResult]{Name: "UpdateRoleDescription", Action: "iam:UpdateRoleDescription",
			Resources: func(c *awsapi.Call, in *roleDescriptionIn) ([]awsapi.Target, error) {
				return a.roleTarget(c.Context(), in.RoleName, "", nil, nil), nil
			},
			Handler: a.updateRoleDescription},
		awsapi.Op[entitiesIn, entitiesResult]{Name: "ListEntitiesForPolicy", Action: "iam:ListEntitiesForPolicy",
			Resources: func(c *awsapi.Call, in *entitiesIn) ([]awsapi.Target, error) {
				return a.target(c.Context(), in.PolicyArn, nil, nil), nil
			},
			Handler: a.listEntitiesForPolicy},
		awsapi.Op[contextKeysIn, contextKeysResult]{Name: "GetContextKeysForPrincipalPolicy", Action: "iam:GetContextKeysForPrincipalPolicy",
			Resources: func(c *awsapi.Call, in *contextKeysIn) ([]awsapi.Target, error) {
				return a.target(c.Context(), in.PolicySourceArn, nil, nil), nil
			},
			Handler: a.getContextKeysForPrincipal},
		awsapi.Op[contextKeysIn, contextKeysResult]{Name: "GetContextKeysForCustomPolicy", Action: "iam:GetContextKeysForCustomPolicy", Handler: a.getContextKeysForCustom},
	}
}

func (a *API) createAccountAlias(c *awsapi.Call, in *aliasIn) (awsapi.None, error) {
	if err := required("AccountAlias", in.AccountAlias); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.SetAccountAlias(c.Context(), in.AccountAlias)
}

func (a *API) deleteAccountAlias(c *awsapi.Call, in *aliasIn) (awsapi.None, error) {
	if err := required("AccountAlias", in.AccountAlias); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.DeleteAccountAlias(c.Context(), in.AccountAlias)
}

func (a *API) listAccountAliases(c *awsapi.Call, in *aliasPagesIn) (listAliasesResult, error) {
	alias, err := a.store.AccountAlias(c.Context())
	if err != nil {
		return listAliasesResult{}, err
	}
	out := listAliasesResult{AccountAliases: xmlMembers[string]{Member: []string{}}}
	if alias != "" {
		out.AccountAliases.Member = []string{alias}
	}
	return out, nil
}

func (a *API) getPasswordPolicy(c *awsapi.Call, _ *awsapi.None) (passwordPolicyResult, error) {
	p, err := a.store.GetPasswordPolicy(c.Context())
	if err != nil {
		return passwordPolicyResult{}, err
	}
	x := xmlPasswordPolicy{MinimumPasswordLength: p.MinimumPasswordLength, RequireSymbols: p.RequireSymbols, RequireNumbers: p.RequireNumbers,
		RequireUppercaseCharacters: p.RequireUppercaseCharacters, RequireLowercaseCharacters: p.RequireLowercaseCharacters,
		AllowUsersToChangePassword: p.AllowUsersToChangePassword, ExpirePasswords: p.MaxPasswordAge > 0}
	if p.MaxPasswordAge > 0 {
		x.MaxPasswordAge = &p.MaxPasswordAge
		x.HardExpiry = &p.HardExpiry
	}
	if p.PasswordReusePrevention > 0 {
		x.PasswordReusePrevention = &p.PasswordReusePrevention
	}
	return passwordPolicyResult{PasswordPolicy: x}, nil
}

// updatePasswordPolicy replaces the policy: a parameter left out takes its
// default (length 6, the rest off), as IAM does.
func (a *API) updatePasswordPolicy(c *awsapi.Call, in *passwordPolIn) (awsapi.None, error) {
	p := PasswordPolicy{MinimumPasswordLength: 6, RequireSymbols: in.RequireSymbols, RequireNumbers: in.RequireNumbers,
		RequireUppercaseCharacters: in.RequireUppercaseCharacters, RequireLowercaseCharacters: in.RequireLowercaseCharacters,
		AllowUsersToChangePassword: in.AllowUsersToChangePassword, HardExpiry: in.HardExpiry}
	if in.MinimumPasswordLength != nil {
		p.MinimumPasswordLength = *in.MinimumPasswordLength
	}
	if in.MaxPasswordAge != nil {
		if *in.MaxPasswordAge < 1 {
			p.MaxPasswordAge = -1 // refused by PutPasswordPolicy
		} else {
			p.MaxPasswordAge = *in.MaxPasswordAge
		}
	}
	if in.PasswordReusePrevention != nil {
		if *in.PasswordReusePrevention < 1 {
			p.PasswordReusePrevention = -1
		} else {
			p.PasswordReusePrevention = *in.PasswordReusePrevention
		}
	}
	return awsapi.None{}, a.store.PutPasswordPolicy(c.Context(), p)
}

func (a *API) deletePasswordPolicy(c *awsapi.Call, _ *awsapi.None) (awsapi.None, error) {
	return awsapi.None{}, a.store.DeletePasswordPolicy(c.Context())
}

// getAccountSummary counts the account's entities, with IAM's default
// quotas beside them.
func (a *API) getAccountSummary(c *awsapi.Call, _ *awsapi.None) (accountSummaryResult, error) {
	ctx := c.Context()
	users, err := a.store.ListUsers(ctx, "/")
	if err != nil {
		return accountSummaryResult{}, err
	}
	groups, err := a.store.ListGroups(ctx, "/")
	if err != nil {
		return accountSummaryResult{}, err
	}
	roles, err := a.store.ListRoles(ctx, "/")
	if err != nil {
		return accountSummaryResult{}, err
	}
	policies, err := a.store.ListPolicies(ctx, false)
	if err != nil {
		return accountSummaryResult{}, err
	}
	ips, err := a.store.ListInstanceProfiles(ctx, "/")
	if err != nil {
		return accountSummaryResult{}, err
	}
	oidc, err := a.store.ListOIDCProviders(ctx)
	if err != nil {
		return accountSummaryResult{}, err
	}
	saml, err := a.store.ListSAMLProviders(ctx)
	if err != nil {
		return accountSummaryResult{}, err
	}
	mfa, err := a.store.ListMFADevices(ctx)
	if err != nil {
		return accountSummaryResult{}, err
	}
	inUse, versions := 0, 0
	for _, d := range mfa {
		if d.User != "" {
			inUse++
		}
	}
	for _, p := range policies {
		versions += len(p.Versions)
	}
	m := map[string]int{
		"Users": len(users), "UsersQuota": 5000, "Groups": len(groups), "GroupsQuota": 300,
		"Roles": len(roles), "RolesQuota": 1000, "Policies": len(policies), "PoliciesQuota": 1500,
		"InstanceProfiles": len(ips), "InstanceProfilesQuota": 1000, "Providers": len(oidc) + len(saml),
		"MFADevices": len(mfa), "MFADevicesInUse": inUse, "AccountMFAEnabled": 0,
		"AccountAccessKeysPresent": 1, "AccountSigningCertificatesPresent": 0,
		"ServerCertificates": 0, "ServerCertificatesQuota": 20,
		"PolicyVersionsInUse": versions, "PolicyVersionsInUseQuota": 10000, "VersionsPerPolicyQuota": 5,
		"AttachedPoliciesPerGroupQuota": 10, "AttachedPoliciesPerRoleQuota": 10, "AttachedPoliciesPerUserQuota": 10,
		"GroupsPerUserQuota": 10, "AccessKeysPerUserQuota": 2, "SigningCertificatesPerUserQuota": 2,
		"GroupPolicySizeQuota": 5120, "RolePolicySizeQuota": 10240, "UserPolicySizeQuota": 2048,
		"PolicySizeQuota": 6144, "AssumeRolePolicySizeQuota": 2048, "GlobalEndpointTokenVersion": 1,
	}
	var out accountSummaryResult
	for _, k := range sortedKeys(m) {
		out.SummaryMap.Entry = append(out.SummaryMap.Entry, xmlEntry{Key: k, Value: m[k]})
	}
	return out, nil
}

func (a *API) updateRoleDescription(c *awsapi.Call, in *roleDescriptionIn) (roleResult, error) {
	if err := required("RoleName", in.RoleName); err != nil {
		return roleResult{}, err
	}
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return roleResult{}, err
	}
	r, err = a.store.UpdateRole(c.Context(), r.Name, &in.Description, nil)
	if err != nil {
		return roleResult{}, err
	}
	return roleResult{Role: toXMLRole(r)}, nil
}

// listEntitiesForPolicy lists the groups, users and roles a managed policy
// is attached to (PolicyUsageFilter PermissionsPolicy) or bounds
// (PermissionsBoundary), both when the filter is empty.
func (a *API) listEntitiesForPolicy(c *awsapi.Call, in *entitiesIn) (entitiesResult, error) {
	ctx := c.Context()
	if err := required("PolicyArn", in.PolicyArn); err != nil {
		return entitiesResult{}, err
	}
	if _, err := a.store.GetPolicy(ctx, in.PolicyArn); err != nil {
		if errors.Is(err, ErrNoSuchEntity) || errors.Is(err, ErrInvalidInput) {
			return entitiesResult{}, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "Policy %s does not exist or is not attachable.", in.PolicyArn)
		}
		return entitiesResult{}, err
	}
	switch in.EntityFilter {
	case "", "User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy":
	default:
		return entitiesResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'entityFilter' failed to satisfy constraint: Member must satisfy enum value set: [LocalManagedPolicy, Role, AWSManagedPolicy, User, Group]", in.EntityFilter)
	}
	switch in.PolicyUsageFilter {
	case "", "PermissionsPolicy", "PermissionsBoundary":
	default:
		return entitiesResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'policyUsageFilter' failed to satisfy constraint: Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]", in.PolicyUsageFilter)
	}
	uses := func(attached []string, boundary string) bool {
		return in.PolicyUsageFilter != "PermissionsBoundary" && slices.Contains(attached, in.PolicyArn) ||
			in.PolicyUsageFilter != "PermissionsPolicy" && boundary == in.PolicyArn
	}
	want := func(kind string) bool { return in.EntityFilter == "" || in.EntityFilter == kind }
	prefix := orRoot(in.PathPrefix)
	// One list of every entity, paged together: groups, users, then roles.
	type entity struct{ kind, name, id string }
	var all []entity
	if want("Group") {
		gs, err := a.store.ListGroups(ctx, prefix)
		if err != nil {
			return entitiesResult{}, err
		}
		for _, g := range gs {
			if uses(g.Attached, "") {
				all = append(all, entity{"Group", g.Name, g.ID})
			}
		}
	}
	if want("User") {
		us, err := a.store.ListUsers(ctx, prefix)
		if err != nil {
			return entitiesResult{}, err
		}
		for _, u := range us {
			if uses(u.Attached, u.Boundary) {
				all = append(all, entity{"User", u.Name, u.ID})
			}
		}
	}
	if want("Role") {
		rs, err := a.store.ListRoles(ctx, prefix)
		if err != nil {
			return entitiesResult{}, err
		}
		for _, r := range rs {
			if uses(r.Attached, r.Boundary) {
				all = append(all, entity{"Role", r.Name, r.ID})
			}
		}
	}
	items, next, err := page(all, in.Marker, in.MaxItems)
	if err != nil {
		return entitiesResult{}, err
	}
	out := entitiesResult{PolicyGroups: xmlMembers[xmlPolicyGroup]{Member: []xmlPolicyGroup{}}, PolicyUsers: xmlMembers[xmlPolicyUser]{Member: []xmlPolicyUser{}},
		PolicyRoles: xmlMembers[xmlPolicyRole]{Member: []xmlPolicyRole{}}, IsTruncated: next != "", Marker: next}
	for _, e := range items {
		switch e.kind {
		case "Group":
			out.PolicyGroups.Member = append(out.PolicyGroups.Member, xmlPolicyGroup{GroupName: e.name, GroupID: e.id})
		case "User":
			out.PolicyUsers.Member = append(out.PolicyUsers.Member, xmlPolicyUser{UserName: e.name, UserID: e.id})
		default:
			out.PolicyRoles.Member = append(out.PolicyRoles.Member, xmlPolicyRole{RoleName: e.name, RoleID: e.id})
		}
	}
	return out, nil
}

// policyContextKeys are the condition keys documents use, sorted, each once.
func policyContextKeys(docs []string, field string) (contextKeysResult, error) {
	seen := map[string]bool{}
	for _, d := range docs {
		p, err := policy.Parse([]byte(d))
		if err != nil {
			return contextKeysResult{}, awsapi.Errorf(http.StatusBadRequest, "InvalidInput", "%s: %v", field, err)
		}
		for _, st := range p.Statements {
			for _, keys := range st.Condition {
				for k := range keys {
					seen[k] = true
				}
			}
		}
	}
	out := contextKeysResult{ContextKeyNames: xmlMembers[string]{Member: sortedKeys(seen)}}
	if out.ContextKeyNames.Member == nil {
		out.ContextKeyNames.Member = []string{}
	}
	return out, nil
}

func (a *API) getContextKeysForCustom(c *awsapi.Call, in *contextKeysIn) (contextKeysResult, error) {
	if len(in.PolicyInputList) == 0 {
		return contextKeysResult{}, awsapi.NewError(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at 'policyInputList' failed to satisfy constraint: Member must not be null")
	}
	return policyContextKeys(in.PolicyInputList, "PolicyInputList")
}

// getContextKeysForPrincipal reads the condition keys of every policy of a
// user (with its groups'), group or role, and of PolicyInputList.
func (a *API) getContextKeysForPrincipal(c *awsapi.Call, in *contextKeysIn) (contextKeysResult, error) {
	if err := required("PolicySourceArn", in.PolicySourceArn); err != nil {
		return contextKeysResult{}, err
	}
	docs, err := a.principalDocuments(c.Context(), in.PolicySourceArn)
	if err != nil {
		return contextKeysResult{}, err
	}
	return policyContextKeys(append(docs, in.PolicyInputList...), "PolicyInputList")
}

// principalDocuments are the identity policies of the user, group or role
// arn names: inline, then attached managed ones (default versions).
func (a *API) principalDocuments(ctx context.Context, arn string) ([]string, error) {
	var inline []map[string]string
	var attached []string
	notFound := awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "The entity %s does not exist.", arn)
	switch {
	case strings.Contains(arn, ":user/"):
		u, err := a.store.UserByARN(ctx, arn)
		if err != nil {
			return nil, notFound
		}
		inline, attached = append(inline, u.Inline), append(attached, u.Attached...)
		for _, gn := range u.Groups {
			g, err := a.store.GetGroup(ctx, gn)
			if err != nil {
				continue
			}
			inline, attached = append(inline, g.Inline), append(attached, g.Attached...)
		}
	case strings.Contains(arn, ":group/"):
		g, err := a.store.GetGroup(ctx, arn[strings.LastIndexByte(arn, '/')+1:])
		if err != nil || g.ARN != arn {
			return nil, notFound
		}
		inline, attached = append(inline, g.Inline), append(attached, g.Attached...)
	default:
		r, err := a.store.RoleByARN(ctx, arn)
		if err != nil {
			return nil, notFound
		}
		inline, attached = append(inline, r.Inline), append(attached, r.Attached...)
	}
	var docs []string
	for _, m := range inline {
		for _, n := range sortedKeys(m) {
			docs = append(docs, m[n])
		}
	}
	for _, p := range attached {
		mp, err := a.store.GetPolicy(ctx, p)
		if err != nil {
			continue
		}
		docs = append(docs, mp.Document())
	}
	return docs, nil
}

// credentialReport is the last report GenerateCredentialReport made.
type credentialReport struct {
	Generated time.Time `json:"generated"`
	CSV       string    `json:"csv"`
}

// generateCredentialReport makes the report at once; like IAM it answers
// STARTED when no report existed, COMPLETE when one did (a report older than
// four hours is made anew).
func (a *API) generateCredentialReport(c *awsapi.Call, _ *awsapi.None) (generateReportResult, error) {
	ctx := c.Context()
	var old credentialReport
	_, err := a.store.get(ctx, credReportKey, &old)
	if err != nil && !errors.Is(err, ErrNoSuchEntity) {
		return generateReportResult{}, err
	}
	now := a.store.now().UTC()
	if err == nil && now.Sub(old.Generated) < 4*time.Hour {
		return generateReportResult{State: "COMPLETE"}, nil
	}
	body, err := a.credentialCSV(ctx, now)
	if err != nil {
		return generateReportResult{}, err
	}
	rep := credentialReport{Generated: now, CSV: body}
	if err := upsert(ctx, a.store, credReportKey, func(*credentialReport, bool) (*credentialReport, error) { return &rep, nil }); err != nil {
		return generateReportResult{}, err
	}
	if old.Generated.IsZero() {
		return generateReportResult{State: "STARTED", Description: "No report exists. Starting a new report generation task"}, nil
	}
	return generateReportResult{State: "COMPLETE"}, nil
}

func (a *API) getCredentialReport(c *awsapi.Call, _ *awsapi.None) (getReportResult, error) {
	var rep credentialReport
	if _, err := a.store.get(c.Context(), credReportKey, &rep); err != nil {
		if errors.Is(err, ErrNoSuchEntity) {
			return getReportResult{}, awsapi.NewError(http.StatusGone, "ReportNotPresent", "Credential report not present")
		}
		return getReportResult{}, err
	}
	if a.store.now().Sub(rep.Generated) > 4*time.Hour {
		return getReportResult{}, awsapi.NewError(http.StatusGone, "ReportExpired", "Credential report has expired")
	}
	return getReportResult{Content: base64.StdEncoding.EncodeToString([]byte(rep.CSV)), ReportFormat: "text/csv", GeneratedTime: isoTime(rep.Generated)}, nil
}

// credentialCSV is IAM's credential report: the root user's row (nubo's
// own keys: one active access key) and one row per user.
func (a *API) credentialCSV(ctx context.Context, now time.Time) (string, error) {
	users, err := a.store.ListUsers(ctx, "/")
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	header := []string{"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "password_last_changed",
		"password_next_rotation", "mfa_active", "access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
		"access_key_1_last_used_region", "access_key_1_last_used_service", "access_key_2_active", "access_key_2_last_rotated",
		"access_key_2_last_used_date", "access_key_2_last_used_region", "access_key_2_last_used_service",
		"cert_1_active", "cert_1_last_rotated", "cert_2_active", "cert_2_last_rotated"}
	ts := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05+00:00") }
	rows := [][]string{header, {"<root_account>", "arn:aws:iam::" + a.store.account.ID + ":root", ts(now), "not_supported", "no_information", "not_supported",
		"not_supported", "false", "true", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "N/A", "N/A", "N/A", "false", "N/A", "false", "N/A"}}
	for _, u := range users {
		row := []string{u.Name, u.ARN, ts(u.Created), "false", "N/A", "N/A", "N/A", strconv.FormatBool(len(u.MFA) > 0)}
		if u.Login != nil {
			row[3], row[4], row[5] = "true", "no_information", ts(u.Login.Created)
		}
		keys, err := a.store.UserAccessKeys(ctx, u.Name)
		if err != nil {
			return "", err
		}
		for i := range 2 {
			if i >= len(keys) {
				row = append(row, "false", "N/A", "N/A", "N/A", "N/A")
				continue
			}
			k := keys[i]
			used, region, service := "N/A", "N/A", "N/A"
			if !k.LastUsed.IsZero() {
				used, region, service = ts(k.LastUsed), k.LastUsedRegion, k.LastUsedService
			}
			row = append(row, strconv.FormatBool(k.Status == "Active"), ts(k.Created), used, region, service)
		}
		rows = append(rows, append(row, "false", "N/A", "false", "N/A"))
	}
	if err := w.WriteAll(rows); err != nil {
		return "", err
	}
	return buf.String(), nil
}
