package iam

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/iam/policy"
)

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
// optional resource policy), as IAM's policy simulator does.
func (a *API) simulatePrincipalPolicy(ctx context.Context, f form) (any, error) {
	src, err := f.required("PolicySourceArn")
	if err != nil {
		return nil, err
	}
	actions := f.list("ActionNames")
	if len(actions) == 0 {
		return nil, awsapi.NewError(http.StatusBadRequest, "ValidationError", "ActionNames must not be empty")
	}
	resources := f.list("ResourceArns")
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	r, err := a.store.RoleByARN(ctx, src)
	if errors.Is(err, ErrNoSuchEntity) || errors.Is(err, ErrInvalidInput) {
		return nil, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "Unable to find the role %s; simulation supports roles.", src)
	}
	if err != nil {
		return nil, err
	}
	cr, err := a.authz.compileRole(ctx, r.ARN)
	if err != nil {
		return nil, err
	}
	ps := cr.ps
	ps.Identity = append([]*policy.Compiled{}, ps.Identity...)
	for i, doc := range f.list("PolicyInputList") {
		if _, err := CheckPolicy(doc, policy.Identity); err != nil {
			return nil, iamError(err)
		}
		c, _ := policy.Compile("PolicyInputList."+strconv.Itoa(i+1), []byte(doc))
		ps.Identity = append(ps.Identity, c)
	}
	if pb := f.list("PermissionsBoundaryPolicyInputList"); len(pb) > 0 {
		if _, err := CheckPolicy(pb[0], policy.Identity); err != nil {
			return nil, iamError(err)
		}
		ps.Boundary, _ = policy.Compile("PermissionsBoundaryPolicyInputList.1", []byte(pb[0]))
	}
	if doc := f.Get("ResourcePolicy"); doc != "" {
		if _, err := CheckPolicy(doc, policy.ResourceBased); err != nil {
			return nil, iamError(err)
		}
		c, _ := policy.Compile("ResourcePolicy", []byte(doc))
		ps.Resource = []*policy.Compiled{c}
	}
	ctxKeys := map[string][]string{}
	for i := 1; ; i++ {
		p := "ContextEntries.member." + strconv.Itoa(i)
		name := f.Get(p + ".ContextKeyName")
		if name == "" {
			break
		}
		ctxKeys[name] = f.list(p + ".ContextKeyValues")
	}
	caller := f.Get("CallerArn")
	if caller == "" {
		caller = r.ARN
	}
	var res simulateResult
	for _, act := range actions {
		for _, resource := range resources {
			req := policy.Request{Principal: caller, PrincipalARN: r.ARN, Action: act, Resource: resource, Context: ctxKeys}
			d := policy.Evaluate(&ps, &req)
			ev := xmlEvaluation{EvalActionName: act, EvalResourceName: resource, EvalDecision: "implicitDeny"}
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
			res.EvaluationResults.Member = append(res.EvaluationResults.Member, ev)
		}
	}
	return res, nil
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
