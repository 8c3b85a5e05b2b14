package iam

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/iam/policy"
)

// compileUser compiles what authorizes an IAM user's requests: its inline
// and attached policies, those of each of its groups, and its permissions
// boundary. A user that no longer exists has none (fail closed).
func (a *Authorizer) compileUser(ctx context.Context, userARN string) (*compiledRole, error) {
	u, err := a.store.UserByARN(ctx, userARN)
	if errors.Is(err, ErrNoSuchEntity) || errors.Is(err, ErrInvalidInput) {
		return &compiledRole{missing: true}, nil
	}
	if err != nil {
		return nil, err
	}
	cr := &compiledRole{user: &u}
	a.addPolicies(ctx, cr, "user "+u.Name, u.Name, u.Inline, u.Attached)
	for _, name := range u.Groups {
		g, err := a.store.GetGroup(ctx, name)
		if errors.Is(err, ErrNoSuchEntity) {
			continue
		}
		if err != nil {
			return nil, err
		}
		a.addPolicies(ctx, cr, "group "+g.Name, g.Name, g.Inline, g.Attached)
	}
	if u.Boundary != "" {
		c, err := a.compileManaged(ctx, u.Boundary)
		if err != nil {
			c, _ = policy.Compile(u.Boundary, []byte(`{"Version":"2012-10-17","Statement":[]}`))
			a.log.Warn("iam: permissions boundary unreadable, denying", "user", u.Name, "policy", u.Boundary, "err", err)
		}
		cr.ps.Boundary = c
	}
	return cr, nil
}

// addPolicies compiles an identity's inline and attached policies into cr.
func (a *Authorizer) addPolicies(ctx context.Context, cr *compiledRole, who, name string, inline map[string]string, attached []string) {
	for _, pn := range sortedKeys(inline) {
		c, err := policy.Compile(name+"/"+pn, []byte(inline[pn]))
		if err != nil {
			a.log.Warn("iam: skipping malformed inline policy", "of", who, "policy", pn, "err", err)
			continue
		}
		cr.ps.Identity = append(cr.ps.Identity, c)
	}
	for _, arn := range attached {
		c, err := a.compileManaged(ctx, arn)
		if err != nil {
			a.log.Warn("iam: skipping attached policy", "of", who, "policy", arn, "err", err)
			continue
		}
		cr.ps.Identity = append(cr.ps.Identity, c)
	}
}

// federated reports whether p is a GetFederationToken session: its session
// policies always apply (none given allows nothing, as on AWS).
func federated(p awsapi.Principal) bool {
	return strings.Contains(p.ARN, ":federated-user/")
}

// userContext adds an IAM user's keys to a request context.
func userContext(c *caller, account string, set func(k, v string)) {
	set("aws:PrincipalArn", c.p.ARN)
	set("aws:PrincipalAccount", account)
	if federated(c.p) {
		set("aws:PrincipalType", "FederatedUser")
		if c.user != nil {
			set("aws:userid", account+":"+c.p.Session)
		}
	} else {
		set("aws:PrincipalType", "User")
		if c.user != nil {
			set("aws:userid", c.user.ID)
			set("aws:username", c.user.Name)
		}
	}
	if c.user != nil && !federated(c.p) {
		for _, t := range c.user.Tags {
			set("aws:PrincipalTag/"+t.Key, t.Value)
		}
	}
	for k, v := range c.p.Tags { // GetFederationToken's session tags
		set("aws:PrincipalTag/"+k, v)
	}
	if !c.p.Issued.IsZero() {
		set("aws:TokenIssueTime", c.p.Issued.UTC().Format("2006-01-02T15:04:05Z"))
		set("aws:MultiFactorAuthPresent", "false")
	}
}

// userID is GetCallerIdentity's UserId of a user's principal: the user's
// id, or ACCOUNT:NAME for a federated user.
func (a *API) userID(ctx context.Context, p awsapi.Principal) string {
	if federated(p) {
		return a.store.account.ID + ":" + p.Session
	}
	if strings.HasSuffix(p.UserARN, ":root") {
		return a.store.account.ID
	}
	if u, err := a.store.UserByARN(ctx, p.UserARN); err == nil {
		return u.ID
	}
	return "AIDAUNKNOWNUSER"
}

// simulateUser is SimulatePrincipalPolicy for a user: its policies, its
// groups' and its boundary, with PolicyInputList added.
func (a *API) simulateUser(c *awsapi.Call, in *simulateIn) (simulateResult, error) {
	ctx := c.Context()
	u, err := a.store.UserByARN(ctx, in.PolicySourceArn)
	if errors.Is(err, ErrNoSuchEntity) || errors.Is(err, ErrInvalidInput) {
		return simulateResult{}, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "The user with name %s cannot be found.", in.PolicySourceArn[strings.LastIndexByte(in.PolicySourceArn, '/')+1:])
	}
	if err != nil {
		return simulateResult{}, err
	}
	cr, err := a.authz.compileUser(ctx, u.ARN)
	if err != nil {
		return simulateResult{}, err
	}
	ps := cr.ps
	ps.Identity = slices.Clone(ps.Identity)
	inputs, err := compileInputs(in.PolicyInputList, "PolicyInputList", policy.Identity)
	if err != nil {
		return simulateResult{}, err
	}
	ps.Identity = append(ps.Identity, inputs...)
	who := caller{kind: kindUser, p: UserPrincipal(u.ARN), user: &u}
	return a.simulate(c.R, in, &who, ps)
}

// keysUsed throttles the recording of users' keys' last use: at most once
// a minute per key and node.
type keysUsed struct {
	mu   sync.Mutex
	last map[string]time.Time
}

const keyUseEvery = time.Minute

// keyUsed records that a user's long-term key signed a request (its
// signature was verified before anything is authorized): what
// GetAccessKeyLastUsed answers.
func (a *Authorizer) keyUsed(ctx context.Context, req awsapi.AuthzRequest) {
	p, ok := awsapi.PrincipalFrom(ctx)
	if !ok || req.Principal != nil || req.ServicePrincipal != "" || p.UserARN == "" || !p.Issued.IsZero() || p.AccessKeyID == "" {
		return
	}
	now := time.Now()
	a.keysUsed.mu.Lock()
	if a.keysUsed.last == nil {
		a.keysUsed.last = map[string]time.Time{}
	}
	if now.Sub(a.keysUsed.last[p.AccessKeyID]) < keyUseEvery {
		a.keysUsed.mu.Unlock()
		return
	}
	if len(a.keysUsed.last) > 10000 {
		clear(a.keysUsed.last)
	}
	a.keysUsed.last[p.AccessKeyID] = now
	a.keysUsed.mu.Unlock()
	err := a.store.recordKeyUse(ctx, p.AccessKeyID, req.Service, a.store.account.Region, now)
	if err != nil && !errors.Is(err, ErrNoSuchEntity) {
		a.log.Warn("iam: record access key use", "key", p.AccessKeyID, "err", err)
	}
}
