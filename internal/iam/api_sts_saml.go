package iam

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/iam/policy"
)

type assumeSAMLIn struct {
	RoleArn, PrincipalArn, SAMLAssertion, Policy string
	PolicyArns                                   []struct {
		Arn string `query:"arn"`
	}
	DurationSeconds *int32
}

type assumeSAMLResult struct {
	Credentials      xmlCredentials     `xml:"Credentials"`
	AssumedRoleUser  xmlAssumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize int                `xml:"PackedPolicySize"`
	Subject          string             `xml:"Subject"`
	SubjectType      string             `xml:"SubjectType"`
	Issuer           string             `xml:"Issuer"`
	Audience         string             `xml:"Audience"`
	NameQualifier    string             `xml:"NameQualifier"`
	SourceIdentity   string             `xml:"SourceIdentity,omitempty"`
}

// samlContext is the trust policy's request context (IAM's SAML keys).
func samlContext(s *samlAssertion, prov SAMLProvider, account, qualifier string) map[string][]string {
	m := map[string][]string{
		"SAML:aud":              {s.Recipient},
		"SAML:sub":              {s.Subject},
		"SAML:sub_type":         {s.subjectType()},
		"SAML:iss":              {s.Issuer},
		"SAML:namequalifier":    {qualifier},
		"SAML:doc":              {account + "/" + prov.Name},
		"aws:FederatedProvider": {prov.ARN},
	}
	// The eduPerson and other attributes IAM maps to SAML: keys, by their
	// friendly names (urn:oid:... names are IAM's too, not mapped here).
	for name, vs := range s.Attributes {
		if k, ok := strings.CutPrefix(name, "urn:mace:dir:attribute-def:"); ok {
			m["SAML:"+strings.ToLower(k)] = vs
		}
	}
	return m
}

func (a *API) assumeRoleWithSAML(c *awsapi.Call, in *assumeSAMLIn) (assumeSAMLResult, error) {
	ctx := c.Context()
	for _, r := range [][2]string{{"RoleArn", in.RoleArn}, {"PrincipalArn", in.PrincipalArn}, {"SAMLAssertion", in.SAMLAssertion}} {
		if err := required(r[0], r[1]); err != nil {
			return assumeSAMLResult{}, err
		}
	}
	if n := len(in.SAMLAssertion); n < 4 || n > 100000 {
		return assumeSAMLResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'sAMLAssertion' failed to satisfy constraint: Member must have length between 4 and 100000")
	}
	if in.Policy != "" {
		if _, err := CheckPolicy(in.Policy, policy.Identity); err != nil {
			return assumeSAMLResult{}, awsapi.NewError(http.StatusBadRequest, "MalformedPolicyDocument", err.Error())
		}
		if len(in.Policy) > 2048 {
			return assumeSAMLResult{}, awsapi.NewError(http.StatusBadRequest, "PackedPolicyTooLarge", "Packed policy consumes more than 100 percent of the allotted size")
		}
	}
	var sessionARNs []string
	for _, p := range in.PolicyArns {
		if p.Arn == "" {
			break
		}
		if _, err := a.store.GetPolicy(ctx, p.Arn); err != nil {
			return assumeSAMLResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "session policy %s does not exist", p.Arn)
		}
		sessionARNs = append(sessionARNs, p.Arn)
	}
	prov, err := a.store.GetSAMLProvider(ctx, in.PrincipalArn)
	if errors.Is(err, ErrNoSuchEntity) || errors.Is(err, ErrInvalidInput) {
		return assumeSAMLResult{}, invalidToken("SAML provider " + in.PrincipalArn + " does not exist in this account")
	}
	if err != nil {
		return assumeSAMLResult{}, err
	}
	certs, err := samlCertificates(prov.Metadata)
	if err != nil {
		return assumeSAMLResult{}, invalidToken("The SAML provider's metadata has no usable signing certificate: " + err.Error())
	}
	now := a.store.now()
	s, err := verifySAML(in.SAMLAssertion, certs, now)
	switch {
	case errors.Is(err, errSAMLExpired):
		return assumeSAMLResult{}, awsapi.NewError(http.StatusBadRequest, "ExpiredTokenException", trimSentinel(err, errSAMLExpired))
	case err != nil:
		return assumeSAMLResult{}, invalidToken(trimSentinel(err, errSAML))
	}
	if !s.rolePairs(in.RoleArn, in.PrincipalArn) {
		return assumeSAMLResult{}, awsapi.NewError(http.StatusForbidden, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")
	}
	if s.SessionName == "" {
		return assumeSAMLResult{}, invalidToken("The assertion has no " + samlSessionAttr + " attribute")
	}
	if len(s.SessionName) < 2 || len(s.SessionName) > 64 || validName("role session name", s.SessionName, 64) != nil {
		return assumeSAMLResult{}, invalidToken("The RoleSessionName attribute must be 2 to 64 characters of [\\w+=,.@-]")
	}
	denied := awsapi.NewError(http.StatusForbidden, "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML")
	role, err := a.store.RoleByARN(ctx, in.RoleArn)
	if err != nil {
		if errors.Is(err, ErrNoSuchEntity) || errors.Is(err, ErrInvalidInput) {
			return assumeSAMLResult{}, denied
		}
		return assumeSAMLResult{}, err
	}
	qualifier := nameQualifier(s.Issuer, a.store.account.ID, prov.Name)
	if mode := a.authz.Mode(); mode != Off {
		req := policy.Request{Principal: prov.ARN, Action: "sts:AssumeRoleWithSAML", Resource: role.ARN,
			Context: samlContext(s, prov, a.store.account.ID, qualifier), Time: now}
		trust, err := a.authz.resourcePolicy(role.TrustPolicy)
		if err != nil || !trust.Allows(&req, true) {
			if mode == Enforce {
				return assumeSAMLResult{}, denied
			}
			a.log.Warn("iam audit: would deny", "principal", prov.ARN, "action", req.Action, "resource", role.ARN, "sub", s.Subject)
		}
	}
	ttl := time.Hour
	if s.SessionSeconds > 0 {
		ttl = time.Duration(min(s.SessionSeconds, int(role.MaxSessionDuration))) * time.Second
	}
	if in.DurationSeconds != nil {
		n := *in.DurationSeconds
		if n < 900 || n > role.MaxSessionDuration {
			return assumeSAMLResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		ttl = time.Duration(n) * time.Second
	}
	p := SessionPrincipal(role.ARN, s.SessionName)
	p.SessionPolicy, p.SessionPolicyARNs = in.Policy, sessionARNs
	creds, err := a.keys.Issue(p, ttl)
	if err != nil {
		return assumeSAMLResult{}, awsapi.InternalError(err)
	}
	out := assumeSAMLResult{
		Credentials:     toXMLCredentials(creds),
		AssumedRoleUser: xmlAssumedRoleUser{AssumedRoleID: role.ID + ":" + s.SessionName, Arn: p.ARN},
		Subject:         s.Subject,
		SubjectType:     s.subjectType(),
		Issuer:          s.Issuer,
		Audience:        s.Recipient,
		NameQualifier:   qualifier,
	}
	if v := s.Attributes[samlSourceIdent]; len(v) > 0 {
		out.SourceIdentity = v[0]
	}
	return out, nil
}
