package iam

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/iam/policy"
)

// STS returns the STS query handler: GetCallerIdentity and AssumeRole.
func (a *API) STS() http.Handler { return http.HandlerFunc(a.serveSTS) }

func (a *API) serveSTS(w http.ResponseWriter, r *http.Request) {
	f, err := parseForm(r)
	if err != nil {
		awsapi.WriteError(w, r, awsapi.Query, err, a.log)
		return
	}
	action := f.Get("Action")
	var res any
	switch action {
	case "GetCallerIdentity":
		res, err = a.getCallerIdentity(r.Context())
	case "AssumeRole":
		res, err = a.assumeRole(r, f)
	default:
		err = unknownAction(action, f, stsVersion)
	}
	if err != nil {
		awsapi.WriteError(w, r, awsapi.Query, err, a.log)
		return
	}
	writeQuery(w, r, stsNamespace, action, res, a.log)
}

type callerIdentityResult struct {
	UserID  string `xml:"UserId"`
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
}

// getCallerIdentity needs no permission, as on AWS.
func (a *API) getCallerIdentity(ctx context.Context) (any, error) {
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
	}
	return res, nil
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

// assumeRole issues temporary credentials for a role whose trust policy
// allows the caller. Within the account a trust policy that names the
// caller's role or session is enough; one that trusts the whole account
// also needs the caller's identity policies to allow sts:AssumeRole.
func (a *API) assumeRole(r *http.Request, f form) (any, error) {
	ctx := r.Context()
	roleARN, err := f.required("RoleArn")
	if err != nil {
		return nil, err
	}
	session, err := f.required("RoleSessionName")
	if err != nil {
		return nil, err
	}
	if len(session) < 2 || len(session) > 64 || validName("role session name", session, 64) != nil {
		return nil, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*", session)
	}
	caller, _ := awsapi.PrincipalFrom(ctx)
	sessionPolicy := f.Get("Policy")
	if sessionPolicy != "" {
		if _, err := CheckPolicy(sessionPolicy, policy.Identity); err != nil {
			return nil, awsapi.NewError(http.StatusBadRequest, "MalformedPolicyDocument", err.Error())
		}
		if len(sessionPolicy) > 2048 {
			return nil, awsapi.NewError(http.StatusBadRequest, "PackedPolicyTooLarge", "Packed policy consumes more than 100 percent of the allotted size")
		}
	}
	var sessionARNs []string
	for i := 1; ; i++ {
		arn := f.Get("PolicyArns.member." + strconv.Itoa(i) + ".arn")
		if arn == "" {
			break
		}
		if _, err := a.store.GetPolicy(ctx, arn); err != nil {
			return nil, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "session policy %s does not exist", arn)
		}
		sessionARNs = append(sessionARNs, arn)
	}
	st, err := parseSessionTags(f, caller)
	if err != nil {
		return nil, err
	}
	req := awsapi.AuthzRequest{Service: "sts", Action: "sts:AssumeRole", Resource: roleARN, HTTP: r,
		RequestTags: st.tags, Context: st.context(session)}
	role, err := a.store.RoleByARN(ctx, roleARN)
	if errors.Is(err, ErrNoSuchEntity) || errors.Is(err, ErrInvalidInput) {
		return nil, awsapi.AccessDenied("sts", "User: "+caller.ARN+" is not authorized to perform: sts:AssumeRole on resource: "+roleARN)
	}
	if err != nil {
		return nil, awsapi.InternalError(err)
	}
	req.ResourcePolicy = role.TrustPolicy
	req.ResourceTags = tagMap(role.Tags)
	// Passing session tags also needs sts:TagSession, and a new source
	// identity sts:SetSourceIdentity, in the trust policy (and, when it
	// trusts only the account, in the caller's policies).
	actions := []string{"sts:AssumeRole"}
	if len(st.tags) > 0 {
		actions = append(actions, "sts:TagSession")
	}
	if st.sourceID != "" && !st.inheritedSourceID {
		actions = append(actions, "sts:SetSourceIdentity")
	}
	for _, action := range actions {
		req.Action = action
		if err := a.authorizeAssume(ctx, caller, role, req); err != nil {
			if a.authz.Mode() == Enforce {
				return nil, err
			}
			if a.authz.Mode() == Audit {
				a.log.Warn("iam audit: would deny", "principal", caller.ARN, "action", action, "resource", roleARN, "err", err)
			}
		}
	}
	ttl := 3600 * time.Second
	if v := f.Get("DurationSeconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 900 || n > int(role.MaxSessionDuration) {
			return nil, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		ttl = time.Duration(n) * time.Second
	}
	p := SessionPrincipal(role.ARN, session)
	p.SessionPolicy, p.SessionPolicyARNs = sessionPolicy, sessionARNs
	p.Tags, p.TransitiveTagKeys, p.SourceIdentity = st.tags, st.transitive, st.sourceID
	creds, err := a.keys.Issue(p, ttl)
	if err != nil {
		return nil, awsapi.InternalError(err)
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

func (a *API) authorizeAssume(ctx context.Context, caller awsapi.Principal, role Role, req awsapi.AuthzRequest) error {
	denied := awsapi.AccessDenied("sts", "User: "+caller.ARN+" is not authorized to perform: "+req.Action+" on resource: "+role.ARN)
	ev, err := a.authz.Evaluate(ctx, req)
	if err != nil {
		return awsapi.InternalError(err)
	}
	trust, err := a.authz.resourcePolicy(role.TrustPolicy)
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
