package policy

import (
	"strconv"
	"strings"
	"time"
)

// Request is what is being authorized.
type Request struct {
	// Principal is the caller as AWS reports it: a role session
	// (arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION), a user or root ARN,
	// or a service principal such as "apigateway.amazonaws.com".
	Principal string
	// PrincipalARN is aws:PrincipalArn: for a role session, the role's ARN.
	// Empty means Principal.
	PrincipalARN string
	// Action is "service:Operation", e.g. "ssm:GetParameter".
	Action string
	// Resource is the resource's ARN ("*" or "" for actions without one).
	Resource string
	// Context holds condition keys and their values (aws:SourceArn,
	// aws:SecureTransport, aws:username, ...). Keys match case-insensitively.
	Context map[string][]string
	// Time is the request time for aws:CurrentTime and aws:EpochTime; zero is now.
	Time time.Time
}

// evalRequest is a Request during one evaluation.
type evalRequest struct {
	*Request
	principalARN string
	account      string
	service      bool
	// bounded is set for an IAM principal with a permissions boundary: a
	// resource-based Deny with NotPrincipal always applies to it.
	bounded bool
	now     time.Time
}

func newEvalRequest(r *Request) evalRequest {
	e := evalRequest{Request: r, principalARN: r.PrincipalARN}
	if e.principalARN == "" {
		e.principalARN = r.Principal
	}
	e.account = arnField(e.principalARN, 4)
	e.service = r.Principal != "" && !strings.HasPrefix(r.Principal, "arn:")
	return e
}

// arnField returns field i (0-based) of an ARN, without allocating.
func arnField(arn string, i int) string {
	if !strings.HasPrefix(arn, "arn:") {
		return ""
	}
	for ; i > 0; i-- {
		c := strings.IndexByte(arn, ':')
		if c < 0 {
			return ""
		}
		arn = arn[c+1:]
	}
	if c := strings.IndexByte(arn, ':'); c >= 0 {
		return arn[:c]
	}
	return arn
}

// lookup finds a condition key; global keys the evaluator knows are derived
// from the request when the context does not carry them.
func (r *evalRequest) lookup(key string) ([]string, bool) {
	if v, ok := r.Context[key]; ok {
		return v, true
	}
	for k, v := range r.Context {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	switch strings.ToLower(key) {
	case "aws:principalarn":
		if r.principalARN != "" && !r.service {
			return []string{r.principalARN}, true
		}
	case "aws:principalaccount":
		if r.account != "" {
			return []string{r.account}, true
		}
	case "aws:currenttime":
		return []string{r.time().UTC().Format(time.RFC3339)}, true
	case "aws:epochtime":
		return []string{strconv.FormatInt(r.time().Unix(), 10)}, true
	case "aws:principalservicename":
		if r.service {
			return []string{r.Principal}, true
		}
	}
	return nil, false
}

func (r *evalRequest) time() time.Time {
	if r.now.IsZero() {
		r.now = r.Time
		if r.now.IsZero() {
			r.now = time.Now()
		}
	}
	return r.now
}

func (r *evalRequest) variable(key string) (string, bool) {
	v, ok := r.lookup(key)
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// Policies are the policies that apply to one request.
type Policies struct {
	// Identity are the principal's identity-based policies (inline and managed).
	Identity []*Compiled
	// Resource are the resource's resource-based policies.
	Resource []*Compiled
	// Boundary is the principal's permissions boundary; nil means none.
	Boundary *Compiled
	// Session are the session policies of a role session (AssumeRole's
	// Policy and PolicyArns); empty means none. Like a boundary, they limit
	// what the identity-based policies allow.
	Session []*Compiled
}

// Reason says why a decision was made.
type Reason uint8

// Reasons, in the words of AWS's denial messages.
const (
	AllowedByIdentity Reason = iota
	AllowedByResource
	ExplicitDenyIdentity
	ExplicitDenyResource
	ExplicitDenyBoundary
	NoIdentityAllow
	NoResourceAllow
	NoBoundaryAllow
	ExplicitDenySession
	NoSessionAllow
)

func (r Reason) String() string {
	switch r {
	case AllowedByIdentity:
		return "allowed by an identity-based policy"
	case AllowedByResource:
		return "allowed by a resource-based policy"
	case ExplicitDenyIdentity:
		return "explicit deny in an identity-based policy"
	case ExplicitDenyResource:
		return "explicit deny in a resource-based policy"
	case ExplicitDenyBoundary:
		return "explicit deny in a permissions boundary"
	case NoIdentityAllow:
		return "no identity-based policy allows"
	case NoResourceAllow:
		return "no resource-based policy allows"
	case NoBoundaryAllow:
		return "permissions boundary does not allow"
	case ExplicitDenySession:
		return "explicit deny in a session policy"
	case NoSessionAllow:
		return "session policy does not allow"
	}
	return "unknown"
}

// ExplicitDeny reports whether the reason is an explicit Deny statement.
func (r Reason) ExplicitDeny() bool {
	return r == ExplicitDenyIdentity || r == ExplicitDenyResource || r == ExplicitDenyBoundary || r == ExplicitDenySession
}

// Match is the statement that decided a request.
type Match struct {
	Policy *Compiled
	Index  int
	// By says how a resource-based policy's Principal named the caller.
	By PrincipalMatch
}

// Statement returns the matched statement, or nil.
func (m Match) Statement() *Statement {
	if m.Policy == nil {
		return nil
	}
	return m.Policy.Statement(m.Index)
}

// Decision is the outcome of evaluating a request.
type Decision struct {
	Allowed bool
	Reason  Reason
	// Match is the deciding statement: the Deny, or the Allow. Empty for
	// implicit denials.
	Match Match
	// BoundaryAllowed reports whether the permissions boundary (if any) allowed.
	BoundaryAllowed bool
}

// Evaluate decides req against ps with AWS's policy evaluation logic:
//
//  1. an explicit Deny in any policy (identity, resource, boundary, session)
//     denies;
//  2. within one account, an Allow in a resource-based policy that names the
//     caller allows (a boundary or session policy limits it unless it names
//     the caller's own session or user ARN; naming the account only
//     delegates to the identity-based policies), and an Allow in an
//     identity-based policy allows if the boundary and session policies also
//     allow;
//  3. across accounts both the identity-based and the resource-based policy
//     must allow;
//  4. otherwise the request is implicitly denied.
func Evaluate(ps *Policies, req *Request) Decision {
	r := newEvalRequest(req)
	r.bounded = ps.Boundary != nil && !r.service
	if m, ok := find(ps.Identity, &r, Deny, false); ok {
		return Decision{Reason: ExplicitDenyIdentity, Match: m}
	}
	if m, ok := find(ps.Resource, &r, Deny, true); ok {
		return Decision{Reason: ExplicitDenyResource, Match: m}
	}
	boundaryOK := true
	if ps.Boundary != nil && !r.service {
		one := []*Compiled{ps.Boundary}
		if m, ok := find(one, &r, Deny, false); ok {
			return Decision{Reason: ExplicitDenyBoundary, Match: m}
		}
		_, boundaryOK = find(one, &r, Allow, false)
	}
	sessionOK := true
	if len(ps.Session) > 0 && !r.service {
		if m, ok := find(ps.Session, &r, Deny, false); ok {
			return Decision{Reason: ExplicitDenySession, Match: m}
		}
		_, sessionOK = find(ps.Session, &r, Allow, false)
	}
	// limited is the reason an allow is cut down by a boundary or session policy.
	limited := NoBoundaryAllow
	if boundaryOK && !sessionOK {
		limited = NoSessionAllow
	}
	limitsOK := boundaryOK && sessionOK
	var rm Match
	rpAllow, how := false, NoPrincipal
	for _, p := range ps.Resource {
		x, y := p.candidates(r.Action)
		for _, list := range [2][]int{x, y} {
			for _, i := range list {
				s := &p.stmts[i]
				if s.effect != Allow {
					continue
				}
				if ok, pm := s.applies(&r, true); ok && pm > how {
					rm, rpAllow, how = Match{Policy: p, Index: s.index}, true, pm
				}
			}
		}
	}
	rm.By = how
	direct := how == ByCallerARN
	if r.service {
		if rpAllow {
			return Decision{Allowed: true, Reason: AllowedByResource, Match: rm, BoundaryAllowed: true}
		}
		return Decision{Reason: NoResourceAllow, BoundaryAllowed: true}
	}
	im, idAllow := find(ps.Identity, &r, Allow, false)
	resAccount := arnField(req.Resource, 4)
	if isAccountID(resAccount) && r.account != "" && resAccount != r.account {
		switch {
		case !idAllow:
			return Decision{Reason: NoIdentityAllow, BoundaryAllowed: boundaryOK}
		case !limitsOK:
			return Decision{Reason: limited, Match: im, BoundaryAllowed: boundaryOK}
		case !rpAllow:
			return Decision{Reason: NoResourceAllow, BoundaryAllowed: true}
		}
		return Decision{Allowed: true, Reason: AllowedByResource, Match: rm, BoundaryAllowed: true}
	}
	// Within the account, a resource-based policy that names the account
	// delegates to the account's identity-based policies: it grants nothing
	// by itself ("Principal: AWS account principals").
	if how == ByAccount {
		rpAllow = false
	}
	switch {
	case rpAllow && (direct || limitsOK):
		return Decision{Allowed: true, Reason: AllowedByResource, Match: rm, BoundaryAllowed: boundaryOK}
	case idAllow && limitsOK:
		return Decision{Allowed: true, Reason: AllowedByIdentity, Match: im, BoundaryAllowed: true}
	case idAllow || rpAllow:
		if !idAllow {
			im = rm
		}
		return Decision{Reason: limited, Match: im, BoundaryAllowed: boundaryOK}
	}
	return Decision{Reason: NoIdentityAllow, BoundaryAllowed: boundaryOK}
}

// find returns the first statement with effect e that applies.
func find(ps []*Compiled, r *evalRequest, e Effect, checkPrincipal bool) (Match, bool) {
	for _, p := range ps {
		x, y := p.candidates(r.Action)
		for _, list := range [2][]int{x, y} {
			for _, i := range list {
				s := &p.stmts[i]
				if s.effect != e {
					continue
				}
				if ok, _ := s.applies(r, checkPrincipal); ok {
					return Match{Policy: p, Index: s.index}, true
				}
			}
		}
	}
	return Match{}, false
}

// Allows reports whether the single policy c allows req on its own (no
// boundary, no resource policy): used for trust policies and reports.
func (c *Compiled) Allows(req *Request, checkPrincipal bool) bool {
	r := newEvalRequest(req)
	one := []*Compiled{c}
	if _, ok := find(one, &r, Deny, checkPrincipal); ok {
		return false
	}
	_, ok := find(one, &r, Allow, checkPrincipal)
	return ok
}

// AllowStatements lists the indexes of c's Allow statements; the report of
// granted-but-unused permissions is built from it.
func (c *Compiled) AllowStatements() []int {
	var out []int
	for i := range c.stmts {
		if c.stmts[i].effect == Allow {
			out = append(out, c.stmts[i].index)
		}
	}
	return out
}

// StatementCovers reports whether statement i's actions and resources cover
// req, conditions aside: a use recorded without its request context still
// counts as using the statement that granted it.
func (c *Compiled) StatementCovers(i int, req *Request) bool {
	r := newEvalRequest(req)
	for j := range c.stmts {
		if c.stmts[j].index == i {
			s := &c.stmts[j]
			if !s.matchAction(&r) {
				return false
			}
			m, ok := s.matchResource(&r)
			return m && ok
		}
	}
	return false
}

// isAccountID reports whether s is a 12-digit account id (AWS managed
// policies live in the pseudo-account "aws", which is not another account).
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
