package iam

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/iam/policy"
)

// simulateIn is the input of SimulatePrincipalPolicy and
// SimulateCustomPolicy (which has no PolicySourceArn).
type simulateIn struct {
	PolicySourceArn, CallerArn, ResourcePolicy string
	PolicyInputList                            []string
	PermissionsBoundaryPolicyInputList         []string
	ActionNames, ResourceArns                  []string
	ContextEntries                             []contextEntry
}

// contextEntry is a condition key the simulated request carries.
type contextEntry struct {
	ContextKeyName, ContextKeyType string
	ContextKeyValues               []string
}

type xmlMatched struct {
	SourcePolicyID   string `xml:"SourcePolicyId"`
	SourcePolicyType string `xml:"SourcePolicyType"`
}

type xmlBoundaryDetail struct {
	AllowedByPermissionsBoundary bool `xml:"AllowedByPermissionsBoundary"`
}

type xmlEvaluation struct {
	EvalActionName                    string                 `xml:"EvalActionName"`
	EvalResourceName                  string                 `xml:"EvalResourceName"`
	EvalDecision                      string                 `xml:"EvalDecision"`
	MatchedStatements                 xmlMembers[xmlMatched] `xml:"MatchedStatements"`
	MissingContextValues              xmlMembers[string]     `xml:"MissingContextValues"`
	PermissionsBoundaryDecisionDetail *xmlBoundaryDetail     `xml:"PermissionsBoundaryDecisionDetail,omitempty"`
}

type simulateResult struct {
	EvaluationResults xmlMembers[xmlEvaluation] `xml:"EvaluationResults"`
	IsTruncated       bool                      `xml:"IsTruncated"`
}

// simulatePrincipalPolicy evaluates actions × resources for a role with its
// policies (plus PolicyInputList, an optional boundary override and an
// optional resource policy), as IAM's policy simulator does. The request
// context is the one a real request by a session of the role would carry
// (requestContext: the role's tags, aws:TokenIssueTime, ...; the caller's
// address for aws:SourceIp), with ContextEntries overriding it.
func (a *API) simulatePrincipalPolicy(c *awsapi.Call, in *simulateIn) (simulateResult, error) {
	ctx := c.Context()
	src := in.PolicySourceArn
	if err := required("PolicySourceArn", src); err != nil {
		return simulateResult{}, err
	}
	if _, ok := UserNameFromARN(src); ok {
		return a.simulateUser(c, in) // authz_users.go
	}
	r, err := a.store.RoleByARN(ctx, src)
	if errors.Is(err, ErrNoSuchEntity) || errors.Is(err, ErrInvalidInput) {
		return simulateResult{}, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "Unable to find the role %s; simulation supports roles.", src)
	}
	if err != nil {
		return simulateResult{}, err
	}
	cr, err := a.authz.compileRole(ctx, r.ARN)
	if err != nil {
		return simulateResult{}, err
	}
	ps := cr.ps
	ps.Identity = append([]*policy.Compiled{}, ps.Identity...)
	inputs, err := compileInputs(in.PolicyInputList, "PolicyInputList", policy.Identity)
	if err != nil {
		return simulateResult{}, err
	}
	ps.Identity = append(ps.Identity, inputs...)
	// The simulated request is made by a session of the role: the caller
	// named in CallerArn if it is one, else the role itself.
	p := awsapi.Principal{ARN: r.ARN, RoleARN: r.ARN, Issued: time.Now().UTC().Truncate(time.Second)}
	if caller := in.CallerArn; caller != "" {
		p.ARN = caller
		if name, session, ok := parseSessionARN(caller); ok && strings.EqualFold(name, r.Name) {
			p.Session = session
		}
	}
	who := caller{kind: kindRoleSession, p: p, role: &r}
	return a.simulate(c.R, in, &who, ps)
}

// simulateCustomPolicy evaluates PolicyInputList (and an optional boundary
// and resource policy) for CallerArn, with the request context a real
// request by that caller would carry: a role session's ARN brings its role's
// tags, the account's root ARN the root user's keys.
func (a *API) simulateCustomPolicy(c *awsapi.Call, in *simulateIn) (simulateResult, error) {
	inputs, err := compileInputs(in.PolicyInputList, "PolicyInputList", policy.Identity)
	if err != nil {
		return simulateResult{}, err
	}
	if len(inputs) == 0 {
		return simulateResult{}, awsapi.NewError(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at 'policyInputList' failed to satisfy constraint: Member must not be null")
	}
	ps := policy.Policies{Identity: inputs}
	who := caller{kind: kindAnonymous}
	if arn := in.CallerArn; arn != "" {
		who, err = a.callerFromARN(c.Context(), arn)
		if err != nil {
			return simulateResult{}, err
		}
	}
	return a.simulate(c.R, in, &who, ps)
}

// callerFromARN is the caller a simulation's CallerArn names.
func (a *API) callerFromARN(ctx context.Context, arn string) (caller, error) {
	parsed, err := awsapi.ParseARN(arn)
	if err != nil {
		return caller{}, awsapi.Errorf(http.StatusBadRequest, "InvalidInput", "CallerArn %q is not an ARN", arn)
	}
	now := time.Now().UTC().Truncate(time.Second)
	if name, session, ok := parseSessionARN(arn); ok {
		p := awsapi.Principal{ARN: arn, Session: session, Issued: now, RoleARN: RoleARN(parsed.AccountID, "/", name)}
		c := caller{kind: kindRoleSession, p: p}
		if r, err := a.store.GetRole(ctx, name); err == nil {
			c.p.RoleARN, c.role = r.ARN, &r
		}
		return c, nil
	}
	if name, ok := RoleNameFromARN(arn); ok {
		p := awsapi.Principal{ARN: arn, RoleARN: arn, Issued: now}
		c := caller{kind: kindRoleSession, p: p}
		if r, err := a.store.GetRole(ctx, name); err == nil && r.ARN == arn {
			c.role = &r
		}
		return c, nil
	}
	if parsed.Service == "iam" && parsed.Resource == "root" {
		return caller{kind: kindRoot, p: awsapi.Principal{ARN: arn, Root: true}}, nil
	}
	return caller{kind: kindOther, p: awsapi.Principal{ARN: arn}}, nil
}

// parseSessionARN splits arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
func parseSessionARN(arn string) (role, session string, ok bool) {
	parsed, err := awsapi.ParseARN(arn)
	if err != nil || parsed.Service != "sts" {
		return "", "", false
	}
	rest, ok := strings.CutPrefix(parsed.Resource, "assumed-role/")
	if !ok {
		return "", "", false
	}
	role, session, ok = strings.Cut(rest, "/")
	return role, session, ok && role != "" && session != ""
}

// compileInputs validates and compiles the policies of the list parameter name.
func compileInputs(docs []string, name string, k policy.Kind) ([]*policy.Compiled, error) {
	var out []*policy.Compiled
	for i, doc := range docs {
		if _, err := CheckPolicy(doc, k); err != nil {
			var mp *MalformedPolicyError
			if errors.As(err, &mp) {
				err = &MalformedPolicyError{Err: fmt.Errorf("%w (%s.member.%d)", mp.Err, name, i+1)}
			}
			return nil, iamError(err)
		}
		c, err := policy.Compile(name+"."+strconv.Itoa(i+1), []byte(doc))
		if err != nil {
			return nil, iamError(&MalformedPolicyError{Err: err})
		}
		out = append(out, c)
	}
	return out, nil
}

// simulate evaluates ActionNames × ResourceArns for c with ps plus the
// request's boundary and resource policy inputs.
func (a *API) simulate(r *http.Request, in *simulateIn, c *caller, ps policy.Policies) (simulateResult, error) {
	actions := in.ActionNames
	if len(actions) == 0 {
		return simulateResult{}, awsapi.NewError(http.StatusBadRequest, "ValidationError", "ActionNames must not be empty")
	}
	resources := in.ResourceArns
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	pb, err := compileInputs(in.PermissionsBoundaryPolicyInputList, "PermissionsBoundaryPolicyInputList", policy.Identity)
	if err != nil {
		return simulateResult{}, err
	}
	if len(pb) > 0 {
		ps.Boundary = pb[0]
	}
	if doc := in.ResourcePolicy; doc != "" {
		if _, err := CheckPolicy(doc, policy.ResourceBased); err != nil {
			return simulateResult{}, iamError(err)
		}
		rp, err := policy.Compile("ResourcePolicy", []byte(doc))
		if err != nil {
			return simulateResult{}, iamError(&MalformedPolicyError{Err: err})
		}
		ps.Resource = []*policy.Compiled{rp}
	}
	entries := map[string][]string{}
	for _, e := range in.ContextEntries {
		if e.ContextKeyName == "" {
			break
		}
		entries[e.ContextKeyName] = e.ContextKeyValues
	}
	now := time.Now()
	var res simulateResult
	for _, act := range actions {
		for _, resource := range resources {
			areq := awsapi.AuthzRequest{Action: act, Resource: resource, HTTP: r, Context: entries}
			req := policy.Request{Principal: c.arn(), PrincipalARN: c.principalARN(), Action: act, Resource: resource,
				Context: a.authz.requestContext(c, &areq, now), Time: now}
			res.EvaluationResults.Member = append(res.EvaluationResults.Member, evaluation(&ps, &req))
		}
	}
	return res, nil
}

// evaluation is one simulated action × resource.
func evaluation(ps *policy.Policies, req *policy.Request) xmlEvaluation {
	d := policy.Evaluate(ps, req)
	ev := xmlEvaluation{EvalActionName: req.Action, EvalResourceName: req.Resource, EvalDecision: "implicitDeny"}
	switch {
	case d.Allowed:
		ev.EvalDecision = "allowed"
	case d.Reason.ExplicitDeny():
		ev.EvalDecision = "explicitDeny"
	}
	if d.Match.Policy != nil {
		ev.MatchedStatements.Member = append(ev.MatchedStatements.Member, matched(d))
	}
	if ps.Boundary != nil {
		ev.PermissionsBoundaryDecisionDetail = &xmlBoundaryDetail{AllowedByPermissionsBoundary: d.BoundaryAllowed && d.Reason != policy.ExplicitDenyBoundary}
	}
	return ev
}

func matched(d policy.Decision) xmlMatched {
	name := d.Match.Policy.Name
	switch {
	case d.Reason == policy.AllowedByResource || d.Reason == policy.ExplicitDenyResource:
		return xmlMatched{SourcePolicyID: name, SourcePolicyType: "resource"}
	case strings.HasPrefix(name, "arn:aws:iam::aws:policy/"):
		return xmlMatched{SourcePolicyID: name[strings.LastIndexByte(name, '/')+1:], SourcePolicyType: "aws-managed"}
	case strings.HasPrefix(name, "arn:"):
		return xmlMatched{SourcePolicyID: name[strings.LastIndexByte(name, '/')+1:], SourcePolicyType: "user-managed"}
	case strings.HasPrefix(name, "PolicyInputList") || strings.HasPrefix(name, "PermissionsBoundaryPolicyInputList"):
		return xmlMatched{SourcePolicyID: name, SourcePolicyType: "none"}
	}
	return xmlMatched{SourcePolicyID: name[strings.IndexByte(name, '/')+1:], SourcePolicyType: "role"}
}
