package iam

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/iam/policy"
)

// The STS operations of IAM users' long-term keys.
type (
	sessionTokenIn struct {
		DurationSeconds         *int32
		SerialNumber, TokenCode string
	}
	federationTokenIn struct {
		Name, Policy string
		PolicyArns   []struct {
			Arn string `query:"arn"`
		}
		DurationSeconds *int32
		Tags            []Tag
	}
	accessKeyInfoIn struct{ AccessKeyId string }
)

type sessionTokenResult struct {
	Credentials xmlCredentials `xml:"Credentials"`
}

type xmlFederatedUser struct {
	FederatedUserID string `xml:"FederatedUserId"`
	Arn             string `xml:"Arn"`
}

type federationTokenResult struct {
	Credentials      xmlCredentials   `xml:"Credentials"`
	FederatedUser    xmlFederatedUser `xml:"FederatedUser"`
	PackedPolicySize int              `xml:"PackedPolicySize"`
}

type accessKeyInfoResult struct {
	Account string `xml:"Account"`
}

func (a *API) stsUserOps() []awsapi.Declared {
	return append(a.webIdentityOps(),
		// GetSessionToken needs no permission, as on AWS.
		awsapi.Op[sessionTokenIn, sessionTokenResult]{Name: "GetSessionToken", Action: awsapi.NoPermission, Handler: a.getSessionToken},
		awsapi.Op[federationTokenIn, federationTokenResult]{Name: "GetFederationToken", Action: "sts:GetFederationToken",
			Resources: func(c *awsapi.Call, in *federationTokenIn) ([]awsapi.Target, error) {
				return []awsapi.Target{{Resource: a.federatedARN(in.Name), RequestTags: tagMap(in.Tags)}}, nil
			},
			Handler: a.getFederationToken},
		awsapi.Op[accessKeyInfoIn, accessKeyInfoResult]{Name: "GetAccessKeyInfo", Action: "sts:GetAccessKeyInfo", Handler: a.getAccessKeyInfo},
	)
}

func (a *API) federatedARN(name string) string {
	return "arn:aws:sts::" + a.store.account.ID + ":federated-user/" + name
}

// longTermCaller is the user (or the account's root) whose long-term key
// signed the request; temporary credentials cannot call these operations.
func longTermCaller(ctx context.Context, op string) (string, error) {
	p, _ := awsapi.PrincipalFrom(ctx)
	switch {
	case p.Root:
		return p.ARN, nil
	case p.UserARN != "" && p.Issued.IsZero():
		return p.UserARN, nil
	}
	return "", awsapi.Errorf(http.StatusForbidden, "AccessDenied", "Cannot call %s with session credentials", op)
}

// duration is a token's lifetime: 900 s to 36 h (1 h for the root user),
// 12 h by default.
func duration(d *int32, root bool) (time.Duration, error) {
	if d == nil {
		if root {
			return time.Hour, nil
		}
		return 12 * time.Hour, nil
	}
	max := int32(129600)
	if root {
		max = 3600
	}
	if *d < 900 || *d > max {
		return 0, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%d' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and %d", *d, max)
	}
	return time.Duration(*d) * time.Second, nil
}

func toXMLCredentials(c awsapi.Credentials) xmlCredentials {
	return xmlCredentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: isoTime(c.Expiration)}
}

func (a *API) getSessionToken(c *awsapi.Call, in *sessionTokenIn) (sessionTokenResult, error) {
	who, err := longTermCaller(c.Context(), "GetSessionToken")
	if err != nil {
		return sessionTokenResult{}, err
	}
	root := strings.HasSuffix(who, ":root")
	ttl, err := duration(in.DurationSeconds, root)
	if err != nil {
		return sessionTokenResult{}, err
	}
	creds, err := a.keys.Issue(UserPrincipal(who), ttl)
	if err != nil {
		return sessionTokenResult{}, awsapi.InternalError(err)
	}
	return sessionTokenResult{Credentials: toXMLCredentials(creds)}, nil
}

func (a *API) getFederationToken(c *awsapi.Call, in *federationTokenIn) (federationTokenResult, error) {
	if err := required("Name", in.Name); err != nil {
		return federationTokenResult{}, err
	}
	if len(in.Name) < 2 || len(in.Name) > 32 || validName("name", in.Name, 32) != nil {
		return federationTokenResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'name' failed to satisfy constraint: Member must have length between 2 and 32 and satisfy regular expression pattern: [\\w+=,.@-]*", in.Name)
	}
	who, err := longTermCaller(c.Context(), "GetFederationToken")
	if err != nil {
		return federationTokenResult{}, err
	}
	ttl, err := duration(in.DurationSeconds, strings.HasSuffix(who, ":root"))
	if err != nil {
		return federationTokenResult{}, err
	}
	if in.Policy != "" {
		if _, err := CheckPolicy(in.Policy, policy.Identity); err != nil {
			return federationTokenResult{}, awsapi.NewError(http.StatusBadRequest, "MalformedPolicyDocument", err.Error())
		}
		if len(in.Policy) > 2048 {
			return federationTokenResult{}, awsapi.NewError(http.StatusBadRequest, "PackedPolicyTooLarge", "Packed policy consumes more than 100 percent of the allotted size")
		}
	}
	p := awsapi.Principal{ARN: a.federatedARN(in.Name), UserARN: who, Session: in.Name, SessionPolicy: in.Policy, Tags: tagMap(in.Tags)}
	for _, pa := range in.PolicyArns {
		if pa.Arn == "" {
			break
		}
		if _, err := a.store.GetPolicy(c.Context(), pa.Arn); err != nil {
			return federationTokenResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "session policy %s does not exist", pa.Arn)
		}
		p.SessionPolicyARNs = append(p.SessionPolicyARNs, pa.Arn)
	}
	creds, err := a.keys.Issue(p, ttl)
	if err != nil {
		return federationTokenResult{}, awsapi.InternalError(err)
	}
	return federationTokenResult{Credentials: toXMLCredentials(creds),
		FederatedUser: xmlFederatedUser{FederatedUserID: a.store.account.ID + ":" + in.Name, Arn: p.ARN}}, nil
}

// getAccessKeyInfo names the account of an access key: every key nubo
// knows belongs to its one account.
func (a *API) getAccessKeyInfo(c *awsapi.Call, in *accessKeyInfoIn) (accessKeyInfoResult, error) {
	if err := required("AccessKeyId", in.AccessKeyId); err != nil {
		return accessKeyInfoResult{}, err
	}
	if n := len(in.AccessKeyId); n < 16 || n > 128 {
		return accessKeyInfoResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'accessKeyId' failed to satisfy constraint: Member must have length between 16 and 128", in.AccessKeyId)
	}
	return accessKeyInfoResult{Account: a.store.account.ID}, nil
}
