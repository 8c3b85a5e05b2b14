package iam

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/iam/policy"
)

type webIdentityIn struct {
	RoleArn, RoleSessionName, WebIdentityToken, ProviderId, Policy string
	PolicyArns                                                     []struct {
		Arn string `query:"arn"`
	}
	DurationSeconds *int32
}

type webIdentityResult struct {
	Credentials                 xmlCredentials     `xml:"Credentials"`
	SubjectFromWebIdentityToken string             `xml:"SubjectFromWebIdentityToken"`
	AssumedRoleUser             xmlAssumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize            int                `xml:"PackedPolicySize"`
	Provider                    string             `xml:"Provider"`
	Audience                    string             `xml:"Audience"`
}

func (a *API) webIdentityOps() []awsapi.Declared {
	// Identity-based policies do not apply (the caller has no AWS
	// credentials): the role's trust policy decides, in the handler.
	return []awsapi.Declared{
		awsapi.Op[webIdentityIn, webIdentityResult]{Name: "AssumeRoleWithWebIdentity", Action: awsapi.NoPermission, Handler: a.assumeRoleWithWebIdentity},
		awsapi.Op[assumeSAMLIn, assumeSAMLResult]{Name: "AssumeRoleWithSAML", Action: awsapi.NoPermission, Handler: a.assumeRoleWithSAML},
	}
}

func invalidToken(msg string) error {
	return awsapi.NewError(http.StatusBadRequest, "InvalidIdentityToken", msg)
}

// checkSessionName is STS's check of RoleSessionName.
func checkSessionName(session string) error {
	if err := required("RoleSessionName", session); err != nil {
		return err
	}
	if len(session) < 2 || len(session) > 64 || validName("role session name", session, 64) != nil {
		return awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must have length between 2 and 64 and satisfy regular expression pattern: [\\w+=,.@-]*", session)
	}
	return nil
}

// verifyWebIdentity checks a token against the OpenID Connect provider of
// its issuer: registered in IAM, an audience among the provider's client
// ids, not expired, signed by a key of the issuer's JWKS.
func (a *API) verifyWebIdentity(ctx context.Context, token string) (*jwt, OIDCProvider, string, error) {
	t, err := parseJWT(token)
	if err != nil {
		return nil, OIDCProvider{}, "", invalidToken("Couldn't parse the token: " + err.Error())
	}
	iss := t.claims.Iss
	if !strings.HasPrefix(iss, "https://") {
		iss = "https://" + iss
	}
	u, err := OIDCIssuer(iss)
	if err != nil {
		return nil, OIDCProvider{}, "", invalidToken("The token's issuer is not a valid URL")
	}
	prov, err := a.store.GetOIDCProvider(ctx, a.store.oidcARN(u))
	if errors.Is(err, ErrNoSuchEntity) {
		return nil, OIDCProvider{}, "", invalidToken("No OpenIDConnect provider found in your account for " + iss)
	}
	if err != nil {
		return nil, OIDCProvider{}, "", err
	}
	aud := ""
	for _, x := range t.claims.Aud {
		for _, id := range prov.ClientIDs {
			if x == id && aud == "" {
				aud = x
			}
		}
	}
	if aud == "" {
		return nil, OIDCProvider{}, "", invalidToken("Incorrect token audience")
	}
	now := a.store.now()
	if t.claims.Exp == nil {
		return nil, OIDCProvider{}, "", invalidToken("The token has no expiration time")
	}
	if exp := time.Unix(int64(*t.claims.Exp), 0); !now.Before(exp) {
		return nil, OIDCProvider{}, "", awsapi.Errorf(http.StatusBadRequest, "ExpiredTokenException",
			"Token expired: current date/time %s must be before the expiration date/time %s", now.UTC().Format(time.RFC1123), exp.UTC().Format(time.RFC1123))
	}
	if t.claims.Nbf != nil && now.Add(5*time.Minute).Before(time.Unix(int64(*t.claims.Nbf), 0)) {
		return nil, OIDCProvider{}, "", invalidToken("The token is not valid yet")
	}
	key, err := a.oidc.key(ctx, iss, t.header.Kid, prov.Thumbprints)
	if err != nil {
		return nil, OIDCProvider{}, "", awsapi.Errorf(http.StatusBadRequest, "IDPCommunicationError", "Couldn't retrieve verification key from your identity provider: %v", err)
	}
	if err := t.verify(key); err != nil {
		return nil, OIDCProvider{}, "", invalidToken("The token's signature is not valid: " + err.Error())
	}
	return t, prov, aud, nil
}

// webIdentityContext is the trust policy's request context: the
// provider's keys (PROVIDER:aud, :sub, :azp, :amr) and aws:FederatedProvider.
func webIdentityContext(t *jwt, prov OIDCProvider, aud string) map[string][]string {
	m := map[string][]string{
		prov.URL + ":aud":       {aud},
		prov.URL + ":oaud":      {aud},
		prov.URL + ":sub":       {t.claims.Sub},
		"aws:FederatedProvider": {prov.ARN},
	}
	if t.claims.Azp != "" {
		m[prov.URL+":azp"] = []string{t.claims.Azp}
	}
	if amr, ok := t.raw["amr"].([]any); ok {
		for _, v := range amr {
			if s, ok := v.(string); ok {
				m[prov.URL+":amr"] = append(m[prov.URL+":amr"], s)
			}
		}
	}
	return m
}

func (a *API) assumeRoleWithWebIdentity(c *awsapi.Call, in *webIdentityIn) (webIdentityResult, error) {
	ctx := c.Context()
	if err := required("RoleArn", in.RoleArn); err != nil {
		return webIdentityResult{}, err
	}
	if err := checkSessionName(in.RoleSessionName); err != nil {
		return webIdentityResult{}, err
	}
	if err := required("WebIdentityToken", in.WebIdentityToken); err != nil {
		return webIdentityResult{}, err
	}
	if n := len(in.WebIdentityToken); n < 4 || n > 20000 {
		return webIdentityResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length between 4 and 20000")
	}
	var sessionARNs []string
	if in.Policy != "" {
		if _, err := CheckPolicy(in.Policy, policy.Identity); err != nil {
			return webIdentityResult{}, awsapi.NewError(http.StatusBadRequest, "MalformedPolicyDocument", err.Error())
		}
		if len(in.Policy) > 2048 {
			return webIdentityResult{}, awsapi.NewError(http.StatusBadRequest, "PackedPolicyTooLarge", "Packed policy consumes more than 100 percent of the allotted size")
		}
	}
	for _, p := range in.PolicyArns {
		if p.Arn == "" {
			break
		}
		if _, err := a.store.GetPolicy(ctx, p.Arn); err != nil {
			return webIdentityResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "session policy %s does not exist", p.Arn)
		}
		sessionARNs = append(sessionARNs, p.Arn)
	}
	t, prov, aud, err := a.verifyWebIdentity(ctx, in.WebIdentityToken)
	if err != nil {
		return webIdentityResult{}, err
	}
	denied := awsapi.NewError(http.StatusForbidden, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity")
	role, err := a.store.RoleByARN(ctx, in.RoleArn)
	if err != nil {
		if errors.Is(err, ErrNoSuchEntity) || errors.Is(err, ErrInvalidInput) {
			return webIdentityResult{}, denied
		}
		return webIdentityResult{}, err
	}
	if mode := a.authz.Mode(); mode != Off {
		req := policy.Request{Principal: prov.ARN, Action: "sts:AssumeRoleWithWebIdentity", Resource: role.ARN,
			Context: webIdentityContext(t, prov, aud), Time: a.store.now()}
		trust, err := a.authz.resourcePolicy(role.TrustPolicy)
		if err != nil || !trust.Allows(&req, true) {
			if mode == Enforce {
				return webIdentityResult{}, denied
			}
			a.log.Warn("iam audit: would deny", "principal", prov.ARN, "action", req.Action, "resource", role.ARN, "sub", t.claims.Sub)
		}
	}
	ttl := time.Hour
	if in.DurationSeconds != nil {
		n := *in.DurationSeconds
		if n < 900 || n > role.MaxSessionDuration {
			return webIdentityResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		ttl = time.Duration(n) * time.Second
	}
	p := SessionPrincipal(role.ARN, in.RoleSessionName)
	p.SessionPolicy, p.SessionPolicyARNs = in.Policy, sessionARNs
	creds, err := a.keys.Issue(p, ttl)
	if err != nil {
		return webIdentityResult{}, awsapi.InternalError(err)
	}
	return webIdentityResult{
		Credentials:                 toXMLCredentials(creds),
		SubjectFromWebIdentityToken: t.claims.Sub,
		AssumedRoleUser:             xmlAssumedRoleUser{AssumedRoleID: role.ID + ":" + in.RoleSessionName, Arn: p.ARN},
		Provider:                    t.claims.Iss,
		Audience:                    aud,
	}, nil
}
