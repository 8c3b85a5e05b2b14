package iam

import (
	"context"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// principalKind is the kind of caller a request context is built for.
type principalKind uint8

const (
	kindAnonymous   principalKind = iota // no credentials (a function URL with AuthType NONE)
	kindRoot                             // the server's own key pair: the account's root user
	kindRoleSession                      // temporary credentials of a role session
	kindUser                             // an IAM user's key, or a session of one (GetSessionToken, GetFederationToken)
	kindService                          // an AWS service principal acting on its own behalf
	kindOther                            // any other signed principal: no policies of its own
)

// caller is who makes a request, with what its request context needs.
type caller struct {
	kind principalKind
	p    awsapi.Principal
	// role is the session's role; nil when it does not exist (yet).
	role *Role
	// user is the IAM user; nil when it does not exist (any more).
	user *User
	// service is the service principal ("apigateway.amazonaws.com").
	service string
}

// arn is the caller as AWS names it in messages and Principal elements.
func (c *caller) arn() string {
	switch c.kind {
	case kindService:
		return c.service
	case kindAnonymous:
		return "anonymous"
	}
	return c.p.ARN
}

// principalARN is aws:PrincipalArn: a session's role ARN, else the caller.
func (c *caller) principalARN() string {
	if c.kind == kindRoleSession {
		return c.p.RoleARN
	}
	if c.kind == kindRoot || c.kind == kindOther || c.kind == kindUser {
		return c.p.ARN
	}
	return ""
}

// callerOf classifies a request's principal.
func callerOf(p awsapi.Principal, servicePrincipal string) caller {
	switch {
	case servicePrincipal == "anonymous" || servicePrincipal == "*":
		return caller{kind: kindAnonymous}
	case servicePrincipal != "":
		return caller{kind: kindService, service: servicePrincipal}
	case p.Root || p.UserARN != "" && strings.HasSuffix(p.UserARN, ":root"):
		return caller{kind: kindRoot, p: p} // the server's key, or a session of it (GetSessionToken)
	case p.RoleARN != "":
		return caller{kind: kindRoleSession, p: p}
	case p.UserARN != "":
		return caller{kind: kindUser, p: p}
	case p.ARN == "":
		return caller{kind: kindAnonymous}
	}
	return caller{kind: kindOther, p: p}
}

// requestContext builds the request context AWS evaluates a request's
// policies with: the global condition keys of "AWS global condition context
// keys" that a request of this kind carries, then the request's own
// service-specific keys (req.Context, which win). It is the one place both
// the request path (Authorizer.Evaluate) and the policy simulator
// (SimulatePrincipalPolicy, SimulateCustomPolicy) take the context from.
//
//	all:           aws:CurrentTime, aws:EpochTime, aws:RequestedRegion;
//	               aws:SecureTransport, aws:SourceIp (over HTTP)
//	IAM principal: aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
//	               aws:userid, aws:PrincipalIsAWSService=false, aws:ViaAWSService
//	               (and aws:CalledVia, aws:CalledViaFirst/Last when a service
//	               calls for the caller)
//	role session:  + aws:PrincipalTag/* (role tags, then session tags),
//	               aws:RoleSessionName, aws:TokenIssueTime,
//	               aws:MultiFactorAuthPresent=false, aws:SourceIdentity (if set)
//	service:       aws:PrincipalServiceName, aws:PrincipalIsAWSService=true,
//	               aws:SourceArn, aws:SourceAccount (from the invoking resource)
//	anonymous:     aws:PrincipalType=Anonymous
//	tags:          aws:RequestTag/*, aws:TagKeys, aws:ResourceTag/*
func (a *Authorizer) requestContext(c *caller, req *awsapi.AuthzRequest, now time.Time) map[string][]string {
	m := make(map[string][]string, 24+len(req.Context))
	// One backing array for the single values: a request's context costs a
	// few allocations, not one per key.
	one := make([]string, 0, 24)
	set := func(k, v string) {
		one = append(one, v)
		n := len(one)
		m[k] = one[n-1 : n : n]
	}
	set("aws:CurrentTime", now.UTC().Format(time.RFC3339))
	set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	set("aws:RequestedRegion", a.store.account.Region)
	if req.HTTP != nil {
		set("aws:SecureTransport", strconv.FormatBool(req.HTTP.TLS != nil))
		if host, _, err := net.SplitHostPort(req.HTTP.RemoteAddr); err == nil {
			set("aws:SourceIp", host)
		}
	}
	switch c.kind {
	case kindService:
		set("aws:PrincipalServiceName", c.service)
		set("aws:PrincipalIsAWSService", "true")
		if src := req.Context["aws:SourceArn"]; len(src) > 0 && len(req.Context["aws:SourceAccount"]) == 0 {
			acct := a.store.account.ID
			if parsed, err := awsapi.ParseARN(src[0]); err == nil && parsed.AccountID != "" {
				acct = parsed.AccountID
			}
			set("aws:SourceAccount", acct)
		}
	case kindAnonymous:
		set("aws:PrincipalType", "Anonymous")
	case kindRoot:
		set("aws:PrincipalArn", c.p.ARN)
		set("aws:PrincipalAccount", a.store.account.ID)
		set("aws:PrincipalType", "Account")
		set("aws:userid", a.store.account.ID)
	case kindRoleSession:
		a.sessionContext(c, set)
	case kindUser:
		userContext(c, a.store.account.ID, set)
	case kindOther:
		set("aws:PrincipalArn", c.p.ARN)
		if parsed, err := awsapi.ParseARN(c.p.ARN); err == nil && parsed.AccountID != "" {
			set("aws:PrincipalAccount", parsed.AccountID)
		}
	}
	if c.kind != kindService && c.kind != kindAnonymous {
		set("aws:PrincipalIsAWSService", "false")
		set("aws:ViaAWSService", strconv.FormatBool(len(req.CalledVia) > 0))
		if n := len(req.CalledVia); n > 0 {
			m["aws:CalledVia"] = req.CalledVia
			set("aws:CalledViaFirst", req.CalledVia[0])
			set("aws:CalledViaLast", req.CalledVia[n-1])
		}
	}
	if len(req.RequestTags) > 0 {
		keys := make([]string, 0, len(req.RequestTags))
		for k, v := range req.RequestTags {
			set("aws:RequestTag/"+k, v)
			keys = append(keys, k)
		}
		sort.Strings(keys)
		m["aws:TagKeys"] = keys
	}
	for k, v := range req.ResourceTags {
		set("aws:ResourceTag/"+k, v)
	}
	for k, v := range req.Context {
		// Key names match regardless of case: a key given here replaces the
		// derived one however it is spelled.
		if _, ok := m[k]; !ok {
			for have := range m {
				if strings.EqualFold(have, k) {
					delete(m, have)
				}
			}
		}
		m[k] = v
	}
	return m
}

// sessionContext adds a role session's keys.
func (a *Authorizer) sessionContext(c *caller, set func(k, v string)) {
	p := c.p
	set("aws:PrincipalArn", p.RoleARN)
	if parsed, err := awsapi.ParseARN(p.RoleARN); err == nil && parsed.AccountID != "" {
		set("aws:PrincipalAccount", parsed.AccountID)
	}
	set("aws:PrincipalType", "AssumedRole")
	if p.Session != "" {
		set("aws:RoleSessionName", p.Session)
	}
	if c.role != nil {
		set("aws:userid", c.role.ID+":"+p.Session)
		for _, t := range c.role.Tags {
			set("aws:PrincipalTag/"+t.Key, t.Value)
		}
	}
	// Session tags override the role's tags of the same key (tag keys are
	// case-insensitive: drop a role tag that differs only in case).
	for k, v := range p.Tags {
		if c.role != nil {
			for _, t := range c.role.Tags {
				if t.Key != k && strings.EqualFold(t.Key, k) {
					set("aws:PrincipalTag/"+t.Key, v)
				}
			}
		}
		set("aws:PrincipalTag/"+k, v)
	}
	if !p.Issued.IsZero() {
		set("aws:TokenIssueTime", p.Issued.UTC().Format(time.RFC3339))
	}
	// Temporary credentials always carry aws:MultiFactorAuthPresent; nubo's
	// sessions are never MFA-authenticated, so aws:MultiFactorAuthAge is absent.
	set("aws:MultiFactorAuthPresent", "false")
	if p.SourceIdentity != "" {
		set("aws:SourceIdentity", p.SourceIdentity)
	}
}

// RequestContext returns the whole request context req would be evaluated
// with, every key whether or not a policy reads it (Evaluate builds it only
// when one can).
func (a *Authorizer) RequestContext(ctx context.Context, req awsapi.AuthzRequest) (map[string][]string, error) {
	var p awsapi.Principal
	if req.Principal != nil {
		p = *req.Principal
	} else if pp, ok := awsapi.PrincipalFrom(ctx); ok {
		p = pp
	}
	c, _, err := a.resolveCaller(ctx, p, req.ServicePrincipal)
	if err != nil {
		return nil, err
	}
	return a.requestContext(&c, &req, time.Now()), nil
}

// resolveCaller classifies p and loads what its context and policies need:
// a session's role (cached with its compiled policies).
func (a *Authorizer) resolveCaller(ctx context.Context, p awsapi.Principal, servicePrincipal string) (caller, *compiledRole, error) {
	c := callerOf(p, servicePrincipal)
	switch c.kind {
	case kindRoleSession:
		cr, err := a.roleFor(ctx, p.RoleARN)
		if err != nil {
			return c, nil, err
		}
		if !cr.missing {
			c.role = &cr.role
		}
		return c, cr, nil
	case kindUser:
		cr, err := a.roleFor(ctx, p.UserARN)
		if err != nil {
			return c, nil, err
		}
		c.user = cr.user
		return c, cr, nil
	}
	return c, nil, nil
}
