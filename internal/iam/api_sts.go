package iam

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/iam/policy"
)

// STS returns the STS API (query protocol, signing name "sts"):
// GetCallerIdentity, which needs no permission as on AWS, and AssumeRole,
// authorized by the role's trust policy (stsAuthorizer).
func (a *API) STS() (*awsapi.API, error) {
	return awsapi.NewAPI(awsapi.Spec{
		Service:      "sts",
		SDKID:        "sts",
		Protocol:     awsapi.Query,
		QueryVersion: stsVersion,
		XMLNamespace: stsNamespace,
		Authorizer:   stsAuthorizer{a},
		Unsigned:     []string{"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"},
		Logger:       a.log,
		Ops: append([]awsapi.Declared{
			awsapi.Op[struct{}, callerIdentityResult]{Name: "GetCallerIdentity", Action: awsapi.NoPermission,
				Handler: a.getCallerIdentity},
			awsapi.Op[assumeRoleIn, assumeRoleResult]{Name: "AssumeRole", Action: "sts:AssumeRole",
				Resources: a.assumeRoleTarget, Handler: a.assumeRole},
		}, a.stsUserOps()...),
	})
}

type callerIdentityResult struct {
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
}

func (a *API) getCallerIdentity(c *awsapi.Call, _ *struct{}) (callerIdentityResult, error) {
	ctx := c.Context()
	p, _ := awsapi.PrincipalFrom(ctx)
	res := callerIdentityResult{UserID: a.store.account.ID, Account: a.store.account.ID, Arn: p.ARN}
	if p.RoleARN != "" {
		if r, err := a.store.RoleByARN(ctx, p.RoleARN); err == nil {
			res.UserID = r.ID + ":" + p.Session
		} else {
			res.UserID = "AROA" + "UNKNOWNROLE" + ":" + p.Session
		}
		if acct, err := awsapi.ParseARN(p.ARN); err == nil {
			res.Account = acct.AccountID
		}
	} else if p.UserARN != "" {
		res.UserID = a.userID(ctx, p)
	}
	return res, nil
}

// assumeRoleIn is AssumeRole's input. The unexported fields are what
// checking it found (prepare), for the handler.
type assumeRoleIn struct {
	RoleArn, RoleSessionName, Policy string
	PolicyArns                       []struct {
		Arn string `query:"arn"`
	}
	Tags              []Tag
	TransitiveTagKeys []string
	SourceIdentity    *string
	DurationSeconds   *int32

	prepared    bool
	role        Role
	st          sessionTags
	sessionARNs []string
}

type xmlCredentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type xmlAssumedRoleUser struct {
	AssumedRoleID string `xml:"AssumedRoleId"`
	Arn           string `xml:"Arn"`
}

type assumeRoleResult struct {
	Credentials      xmlCredentials     `xml:"Credentials"`
	AssumedRoleUser  xmlAssumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize int                `xml:"PackedPolicySize"`
	SourceIdentity   string             `xml:"SourceIdentity,omitempty"`
}

// prepare checks an AssumeRole request (session name, session policies,
// session tags) and finds its role: a role that does not exist is
// AccessDenied, as on AWS.
func (a *API) prepare(ctx context.Context, in *assumeRoleIn) error {
	if in.prepared {
		return nil
	}
	if err := required("RoleArn", in.RoleArn); err != nil {
		return err
	}
	session := in.RoleSessionName
	if err := required("RoleSessionName", session); err != nil {
		return err
	}
	switch {
	case len(session) < 2:
		return awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2", session)
	case len(session) > 64:
		return awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64", session)
	case validName("role session name", session, 64) != nil:
		return awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", session)
	}
	caller, _ := awsapi.PrincipalFrom(ctx)
	if in.Policy != "" {
		if _, err := CheckPolicy(in.Policy, policy.Identity); err != nil {
			return awsapi.NewError(http.StatusBadRequest, "MalformedPolicyDocument", err.Error())
		}
		if len(in.Policy) > 2048 {
			return awsapi.NewError(http.StatusBadRequest, "PackedPolicyTooLarge", "Packed policy consumes more than 100 percent of the allotted size")
		}
	}
	in.sessionARNs = nil
	for _, p := range in.PolicyArns {
		if p.Arn == "" {
			break
		}
		if _, err := a.store.GetPolicy(ctx, p.Arn); err != nil {
			return awsapi.Errorf(http.StatusBadRequest, "ValidationError", "session policy %s does not exist", p.Arn)
		}
		in.sessionARNs = append(in.sessionARNs, p.Arn)
	}
	st, err := parseSessionTags(in, caller)
	if err != nil {
		return err
	}
	role, err := a.store.RoleByARN(ctx, in.RoleArn)
	if errors.Is(err, ErrNoSuchEntity) || errors.Is(err, ErrInvalidInput) {
		return awsapi.AccessDenied("sts", "User: "+caller.ARN+" is not authorized to perform: sts:AssumeRole on resource: "+in.RoleArn)
	}
	if err != nil {
		return awsapi.InternalError(err)
	}
	in.role, in.st, in.prepared = role, st, true
	return nil
}

// assumeRoleTarget is AssumeRole's authorization question: the role, with
// its trust policy as the resource policy and its tags, the session tags
// as request tags, and STS's condition keys (sts:RoleSessionName,
// sts:TransitiveTagKeys, sts:SourceIdentity).
func (a *API) assumeRoleTarget(c *awsapi.Call, in *assumeRoleIn) ([]awsapi.Target, error) {
	if err := a.prepare(c.Context(), in); err != nil {
		return nil, err
	}
	return []awsapi.Target{{
		Resource: in.RoleArn, ResourcePolicy: in.role.TrustPolicy, ResourceTags: tagMap(in.role.Tags),
		RequestTags: in.st.tags, Context: in.st.context(in.RoleSessionName),
	}}, nil
}

// assumeRole issues temporary credentials for the role (authorized by
// stsAuthorizer).
func (a *API) assumeRole(c *awsapi.Call, in *assumeRoleIn) (assumeRoleResult, error) {
	if err := a.prepare(c.Context(), in); err != nil {
		return assumeRoleResult{}, err
	}
	role, st, session := in.role, in.st, in.RoleSessionName
	ttl := 3600 * time.Second
	if in.DurationSeconds != nil {
		n := *in.DurationSeconds
		if n < 900 || n > role.MaxSessionDuration {
			return assumeRoleResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		ttl = time.Duration(n) * time.Second
	}
	p := SessionPrincipal(role.ARN, session)
	p.SessionPolicy, p.SessionPolicyARNs = in.Policy, in.sessionARNs
	p.Tags, p.TransitiveTagKeys, p.SourceIdentity = st.tags, st.transitive, st.sourceID
	creds, err := a.keys.Issue(p, ttl)
	if err != nil {
		return assumeRoleResult{}, awsapi.InternalError(err)
	}
	if err := a.store.NoteRoleUsed(c.Context(), role.Name); err != nil {
		a.log.Warn("iam: role last used", "role", role.ARN, "err", err)
	}
	return assumeRoleResult{
		Credentials: xmlCredentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey,
			SessionToken: creds.SessionToken, Expiration: isoTime(creds.Expiration)},
		AssumedRoleUser: xmlAssumedRoleUser{AssumedRoleID: role.ID + ":" + session, Arn: p.ARN},
		SourceIdentity:  st.sourceID,
	}, nil
}

// tagMap returns tags as a map (nil for none).
func tagMap(tags []Tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// stsAuthorizer authorizes STS's operations. sts:AssumeRole is decided by
// the role's trust policy (the target's ResourcePolicy): it must allow the
// caller, and when it trusts the caller's account rather than naming the
// caller, the caller's own policies must allow it too. A request that
// passes session tags (its RequestTags, inherited transitive ones
// included) also needs sts:TagSession, and one that sets a source identity
// the caller's session does not already carry (sts:SourceIdentity)
// sts:SetSourceIdentity, each asked the same way. Under --iam audit a
// denial is logged and the request goes on; under --iam off nothing is
// asked. Other actions are the Authorizer's.
type stsAuthorizer struct{ a *API }

func (z stsAuthorizer) Authorize(ctx context.Context, req awsapi.AuthzRequest) error {
	authz := z.a.authz
	if req.Action != "sts:AssumeRole" {
		return authz.Authorize(ctx, req)
	}
	if authz.Mode() == Off {
		return nil
	}
	caller, _ := awsapi.PrincipalFrom(ctx)
	actions := []string{"sts:AssumeRole"}
	if len(req.RequestTags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if _, set := req.Context["sts:SourceIdentity"]; set && caller.SourceIdentity == "" {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	for _, action := range actions {
		req.Action = action
		if err := z.a.authorizeAssume(ctx, caller, req); err != nil {
			if authz.Mode() == Enforce {
				return err
			}
			z.a.log.Warn("iam audit: would deny", "principal", caller.ARN, "action", action, "resource", req.Resource, "err", err)
		}
	}
	return nil
}

// authorizeAssume decides one of AssumeRole's actions on the role
// req.Resource whose trust policy is req.ResourcePolicy.
func (a *API) authorizeAssume(ctx context.Context, caller awsapi.Principal, req awsapi.AuthzRequest) error {
	denied := awsapi.AccessDenied("sts", "User: "+caller.ARN+" is not authorized to perform: "+req.Action+" on resource: "+req.Resource)
	ev, err := a.authz.Evaluate(ctx, req)
	if err != nil {
		return awsapi.InternalError(err)
	}
	trust, err := a.authz.resourcePolicy(req.ResourcePolicy)
	if err != nil || !trust.Allows(&ev.Request, true) {
		return denied // the trust policy does not name the caller
	}
	d := ev.Decision
	if !d.Allowed {
		return awsapi.AccessDenied("sts", policy.DenialMessage(&ev.Request, d))
	}
	// A trust policy naming only the account delegated to the caller's own
	// policies: Evaluate then required an identity-based Allow.
	return nil
}
