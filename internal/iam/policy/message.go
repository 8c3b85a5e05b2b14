package policy

import (
	"encoding/json"
	"strings"
)

// DenialMessage is AWS's AccessDenied message for a denied request, e.g.
//
//	User: arn:aws:sts::000000000000:assumed-role/R/F is not authorized to perform:
//	ssm:GetParameter on resource: arn:aws:ssm:us-east-1:000000000000:parameter/x
//	because no identity-based policy allows the ssm:GetParameter action
func DenialMessage(req *Request, d Decision) string {
	var b strings.Builder
	b.WriteString("User: ")
	b.WriteString(req.Principal)
	b.WriteString(" is not authorized to perform: ")
	b.WriteString(req.Action)
	if req.Resource != "" && req.Resource != "*" {
		b.WriteString(" on resource: ")
		b.WriteString(req.Resource)
	}
	switch d.Reason {
	case ExplicitDenyIdentity, ExplicitDenyResource, ExplicitDenyBoundary, ExplicitDenySession:
		b.WriteString(" with an ")
		b.WriteString(d.Reason.String())
		if d.Match.Policy != nil && strings.HasPrefix(d.Match.Policy.Name, "arn:") {
			b.WriteString(": ")
			b.WriteString(d.Match.Policy.Name)
		}
		// nubo names the condition that made the Deny apply (AWS does not).
		if conds := DecidingConditions(req, d); len(conds) > 0 {
			b.WriteString(" (condition ")
			b.WriteString(JoinConditions(conds))
			b.WriteString(")")
		}
	case NoBoundaryAllow:
		b.WriteString(" because no permissions boundary allows the ")
		b.WriteString(req.Action)
		b.WriteString(" action")
	case NoSessionAllow:
		b.WriteString(" because no session policy allows the ")
		b.WriteString(req.Action)
		b.WriteString(" action")
	default:
		b.WriteString(" because ")
		b.WriteString(d.Reason.String())
		b.WriteString(" the ")
		b.WriteString(req.Action)
		b.WriteString(" action")
	}
	return b.String()
}

// Suggestion is the smallest statement that would allow a denied request, and
// where it belongs.
type Suggestion struct {
	// Where is "identity-based policy", "resource-based policy" or
	// "permissions boundary"; empty when only removing a Deny would help.
	Where     string
	Statement Statement
}

// JSON renders the statement as one line of JSON.
func (s Suggestion) JSON() string {
	b, _ := json.Marshal(s.Statement)
	return string(b)
}

// Suggest returns the smallest statement that would allow req, for nubo's log.
// ok is false for explicit denials: no Allow overrides a Deny.
func Suggest(req *Request, d Decision) (Suggestion, bool) {
	if d.Allowed || d.Reason.ExplicitDeny() {
		return Suggestion{}, false
	}
	res := req.Resource
	if res == "" {
		res = "*"
	}
	st := Statement{Effect: Allow, Action: []string{req.Action}, Resource: []string{res}}
	switch d.Reason {
	case NoBoundaryAllow:
		return Suggestion{Where: "permissions boundary", Statement: st}, true
	case NoSessionAllow:
		return Suggestion{Where: "session policy", Statement: st}, true
	case NoResourceAllow:
		p := &Principals{ByType: map[string][]string{}}
		if strings.HasPrefix(req.Principal, "arn:") {
			p.ByType["AWS"] = []string{req.Principal}
		} else {
			p.ByType["Service"] = []string{req.Principal}
		}
		st.Principal = p
		for _, k := range []string{"aws:SourceArn", "aws:SourceAccount"} {
			if v, ok := req.Context[k]; ok && len(v) > 0 {
				op := "ArnLike"
				if k == "aws:SourceAccount" {
					op = "StringEquals"
				}
				if st.Condition == nil {
					st.Condition = map[string]map[string][]string{}
				}
				if st.Condition[op] == nil {
					st.Condition[op] = map[string][]string{}
				}
				st.Condition[op][k] = v[:1]
			}
		}
		return Suggestion{Where: "resource-based policy", Statement: st}, true
	}
	return Suggestion{Where: "identity-based policy", Statement: st}, true
}

// ConditionMatch is one condition of a deciding statement and the request
// context's value for its key.
type ConditionMatch struct {
	Operator string
	Key      string
	// Values are the policy's values.
	Values []string
	// Request are the request context's values; Present is false when the
	// key is not in the request context.
	Request []string
	Present bool
}

// String renders the condition and what the request carried, e.g.
// StringEquals aws:PrincipalTag/env = ["prod"] matched the request's ["prod"].
func (c ConditionMatch) String() string {
	got := "the key is absent from the request"
	if c.Present {
		got = "request value " + quoteList(c.Request)
	}
	return c.Operator + " " + c.Key + " " + quoteList(c.Values) + ", " + got
}

func quoteList(vs []string) string {
	b, _ := json.Marshal(vs)
	if len(vs) == 1 {
		b, _ = json.Marshal(vs[0])
	}
	return string(b)
}

// DecidingConditions returns the conditions of the statement that decided
// req (all of which held), with the request's values for their keys: what
// a deny-by-condition turned on.
func DecidingConditions(req *Request, d Decision) []ConditionMatch {
	if d.Match.Policy == nil {
		return nil
	}
	r := newEvalRequest(req)
	var out []ConditionMatch
	for i := range d.Match.Policy.stmts {
		s := &d.Match.Policy.stmts[i]
		if s.index != d.Match.Index {
			continue
		}
		for j := range s.conds {
			c := &s.conds[j]
			v, ok := r.lookup(c.key)
			out = append(out, ConditionMatch{Operator: c.op.name, Key: c.key, Values: c.raw, Request: v, Present: ok && len(v) > 0})
		}
	}
	return out
}

// UnmetConditions explains an implicit denial that a condition decided: the
// first Allow statement of the policies the denial names (identity-based,
// boundary, session or resource-based) that covers the action and resource
// (and, in a resource-based policy, names the caller) but whose conditions
// did not all hold, with the conditions that failed. ok is false when no
// such statement exists.
func UnmetConditions(ps *Policies, req *Request, d Decision) (m Match, failed []ConditionMatch, ok bool) {
	if d.Allowed || d.Reason.ExplicitDeny() {
		return Match{}, nil, false
	}
	r := newEvalRequest(req)
	r.bounded = ps.Boundary != nil && !r.service
	var list []*Compiled
	checkPrincipal := false
	switch d.Reason {
	case NoBoundaryAllow:
		if ps.Boundary != nil {
			list = []*Compiled{ps.Boundary}
		}
	case NoSessionAllow:
		list = ps.Session
	case NoResourceAllow:
		list, checkPrincipal = ps.Resource, true
	default:
		list = ps.Identity
	}
	for _, p := range list {
		x, y := p.candidates(r.Action)
		for _, idx := range [2][]int{x, y} {
			for _, i := range idx {
				s := &p.stmts[i]
				if s.effect != Allow || len(s.conds) == 0 || !s.matchAction(&r) {
					continue
				}
				if mr, okr := s.matchResource(&r); !mr || !okr {
					continue
				}
				if checkPrincipal && (s.principal == nil || s.principal.match(&r) == NoPrincipal) {
					continue
				}
				for j := range s.conds {
					c := &s.conds[j]
					if res, okc := c.eval(&r); okc && res {
						continue
					}
					v, present := r.lookup(c.key)
					failed = append(failed, ConditionMatch{Operator: c.op.name, Key: c.key, Values: c.raw, Request: v, Present: present && len(v) > 0})
				}
				if len(failed) > 0 {
					return Match{Policy: p, Index: s.index}, failed, true
				}
			}
		}
	}
	return Match{}, nil, false
}

// JoinConditions renders conditions for a message or a log line.
func JoinConditions(cs []ConditionMatch) string {
	var b strings.Builder
	for i, c := range cs {
		if i > 0 {
			b.WriteString(" and ")
		}
		b.WriteString(c.String())
	}
	return b.String()
}
