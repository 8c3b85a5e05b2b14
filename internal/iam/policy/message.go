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
