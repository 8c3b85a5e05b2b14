package policy

import (
	"fmt"
	"sort"
	"strings"
)

// Compiled is a policy compiled once into matchers; it is immutable and safe
// for concurrent use.
type Compiled struct {
	// Name identifies the policy in decisions and messages: a managed
	// policy's ARN, or "ROLE/inline/NAME" for an inline policy.
	Name   string
	Policy *Policy
	stmts  []cstmt
	// byService indexes statements by the (lower-case) service prefix of
	// their actions; anyService holds those that may match any service
	// (NotAction, "*", wildcards in the prefix). Evaluation only looks at
	// the statements that can match the request's service.
	byService  map[string][]int
	anyService []int
	// usesContext is set when a statement has a Condition or a policy
	// variable in Resource: only then does evaluation read the request
	// context.
	usesContext bool
}

// UsesContext reports whether evaluating c can read the request context
// (a Condition, or a policy variable in a Resource).
func (c *Compiled) UsesContext() bool { return c != nil && c.usesContext }

// UsesContext reports whether any of the policies can read the request
// context; when none can, a caller may skip building it.
func (ps *Policies) UsesContext() bool {
	if ps.Boundary.UsesContext() {
		return true
	}
	for _, list := range [...][]*Compiled{ps.Identity, ps.Resource, ps.Session} {
		for _, c := range list {
			if c.UsesContext() {
				return true
			}
		}
	}
	return false
}

type cstmt struct {
	index        int
	effect       Effect
	principal    *cprincipals
	notPrincipal *cprincipals
	actions      []pattern
	notAction    bool
	resources    []pattern
	notResource  bool
	anyResource  bool // no Resource element (trust policies)
	conds        []condition
}

type cprincipals struct {
	wildcard bool
	aws      []string // ARNs, account ids, "*"
	service  []string
	other    []string // Federated, CanonicalUser
}

// Compile parses and compiles doc; name is how decisions will refer to it.
func Compile(name string, doc []byte) (*Compiled, error) {
	p, err := Parse(doc)
	if err != nil {
		return nil, err
	}
	return p.Compile(name)
}

// Compile compiles p. Errors name the statement and the element.
func (p *Policy) Compile(name string) (*Compiled, error) {
	vars := p.Version == Version2012
	c := &Compiled{Name: name, Policy: p, stmts: make([]cstmt, 0, len(p.Statements))}
	for i := range p.Statements {
		s := &p.Statements[i]
		cs := cstmt{index: i, effect: s.Effect}
		acts := s.Action
		if s.NotAction != nil {
			acts, cs.notAction = s.NotAction, true
		}
		for _, a := range acts {
			cs.actions = append(cs.actions, compilePattern(a, true, false, true))
		}
		res := s.Resource
		if s.NotResource != nil {
			res, cs.notResource = s.NotResource, true
		}
		if res == nil {
			cs.anyResource = true
		}
		for _, r := range res {
			rp := compilePattern(r, true, vars, false)
			c.usesContext = c.usesContext || rp.kind == dynamic
			cs.resources = append(cs.resources, rp)
		}
		cs.principal = compilePrincipals(s.Principal)
		cs.notPrincipal = compilePrincipals(s.NotPrincipal)
		ops := make([]string, 0, len(s.Condition))
		for op := range s.Condition {
			ops = append(ops, op)
		}
		sort.Strings(ops)
		for _, opName := range ops {
			op, err := parseOperator(opName)
			if err != nil {
				return nil, malformed("statement %d: Condition: %v", i, err)
			}
			keys := make([]string, 0, len(s.Condition[opName]))
			for k := range s.Condition[opName] {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				cond, err := compileCondition(op, k, s.Condition[opName][k], vars)
				if err != nil {
					return nil, malformed("statement %d: Condition: %v", i, err)
				}
				cs.conds = append(cs.conds, cond)
			}
		}
		c.usesContext = c.usesContext || len(cs.conds) > 0
		c.stmts = append(c.stmts, cs)
		c.index(len(c.stmts)-1, s)
	}
	return c, nil
}

func (c *Compiled) index(i int, s *Statement) {
	if s.NotAction != nil {
		c.anyService = append(c.anyService, i)
		return
	}
	seen := map[string]bool{}
	for _, a := range s.Action {
		svc, _, ok := strings.Cut(a, ":")
		if !ok || strings.ContainsAny(svc, "*?$") {
			c.anyService = append(c.anyService, i)
			return
		}
		seen[strings.ToLower(svc)] = true
	}
	if c.byService == nil {
		c.byService = map[string][]int{}
	}
	for svc := range seen {
		c.byService[svc] = append(c.byService[svc], i)
	}
}

// candidates returns the statements that may match action.
func (c *Compiled) candidates(action string) (a, b []int) {
	svc, _, _ := strings.Cut(action, ":")
	var buf [64]byte
	if len(svc) <= len(buf) {
		n := copy(buf[:], svc)
		for i := 0; i < n; i++ {
			if buf[i] >= 'A' && buf[i] <= 'Z' {
				buf[i] += 'a' - 'A'
			}
		}
		return c.byService[string(buf[:n])], c.anyService
	}
	return c.byService[strings.ToLower(svc)], c.anyService
}

func compilePrincipals(p *Principals) *cprincipals {
	if p == nil {
		return nil
	}
	c := &cprincipals{wildcard: p.Wildcard}
	for typ, vals := range p.ByType {
		switch typ {
		case "AWS":
			for _, v := range vals {
				if v == "*" {
					c.wildcard = true
				}
				c.aws = append(c.aws, v)
			}
		case "Service":
			c.service = append(c.service, vals...)
		default:
			c.other = append(c.other, vals...)
		}
	}
	return c
}

// Statement returns the source statement at index i.
func (c *Compiled) Statement(i int) *Statement { return &c.Policy.Statements[i] }

// PrincipalMatch says how a Principal element named the caller.
type PrincipalMatch uint8

// How a Principal element matched, weakest first.
const (
	NoPrincipal    PrincipalMatch = iota
	ByWildcard                    // "*"
	ByAccount                     // an account id or its root ARN
	ByService                     // a service principal
	ByPrincipalARN                // the role's ARN (aws:PrincipalArn)
	ByCallerARN                   // the caller's own ARN: a user or a role session
)

// match reports how the request's principal is named. AWS does not limit an
// Allow that names the caller's own ARN (ByCallerARN) by a permissions boundary.
func (p *cprincipals) match(r *evalRequest) PrincipalMatch {
	if r.service {
		for _, s := range p.service {
			if strings.EqualFold(s, r.Principal) {
				return ByService
			}
		}
		if p.wildcard {
			return ByWildcard
		}
		return NoPrincipal
	}
	best := NoPrincipal
	if p.wildcard {
		best = ByWildcard
	}
	for _, v := range p.aws {
		switch {
		case v == r.Principal:
			return ByCallerARN
		case v == r.principalARN:
			best = max(best, ByPrincipalARN)
		case r.account != "" && (v == r.account || v == "arn:aws:iam::"+r.account+":root"):
			best = max(best, ByAccount)
		}
	}
	for _, v := range p.other {
		if v == r.Principal {
			return ByCallerARN
		}
	}
	return best
}

func (s *cstmt) matchAction(r *evalRequest) bool {
	for i := range s.actions {
		if m, _ := s.actions[i].match(r.Action, r); m {
			return !s.notAction
		}
	}
	return s.notAction
}

// matchResource reports whether the statement covers the resource; ok is
// false when a policy variable has no value (the statement does not apply).
func (s *cstmt) matchResource(r *evalRequest) (matched, ok bool) {
	if s.anyResource {
		return true, true
	}
	for i := range s.resources {
		m, ok := s.resources[i].match(r.Resource, r)
		if !ok {
			if s.notResource {
				return false, false
			}
			continue
		}
		if m {
			return !s.notResource, true
		}
	}
	return s.notResource, true
}

// applies reports whether the statement matches the request and, when
// checkPrincipal is set, how its Principal named the caller.
func (s *cstmt) applies(r *evalRequest, checkPrincipal bool) (bool, PrincipalMatch) {
	if !s.matchAction(r) {
		return false, NoPrincipal
	}
	if m, ok := s.matchResource(r); !m || !ok {
		return false, NoPrincipal
	}
	pm := NoPrincipal
	if checkPrincipal {
		switch {
		case s.principal != nil:
			if pm = s.principal.match(r); pm == NoPrincipal {
				return false, NoPrincipal
			}
		case s.notPrincipal != nil:
			// "Permissions boundaries for IAM entities": a Deny with
			// NotPrincipal always denies a principal that has a boundary,
			// whatever NotPrincipal names.
			bounded := r.bounded && s.effect == Deny
			if !bounded && s.notPrincipal.match(r) != NoPrincipal {
				return false, NoPrincipal
			}
			pm = ByWildcard
		default:
			return false, NoPrincipal
		}
	}
	for i := range s.conds {
		res, ok := s.conds[i].eval(r)
		if !ok || !res {
			return false, NoPrincipal
		}
	}
	return true, pm
}

func (s *cstmt) String() string { return fmt.Sprintf("statement %d", s.index) }
