package iam

import (
	"context"
	"net/http"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// The inputs of IAM's managed policy operations.
type (
	policyIn       struct{ PolicyArn string }
	createPolicyIn struct {
		PolicyName, Path, PolicyDocument, Description string
		Tags                                          []Tag
	}
	// policyVersionIn is GetPolicyVersion's and CreatePolicyVersion's.
	policyVersionIn struct {
		PolicyArn, VersionId, PolicyDocument string
		SetAsDefault                         bool
	}
	listPoliciesIn struct {
		Scope, Marker, PathPrefix, PolicyUsageFilter string
		OnlyAttached                                 bool
		MaxItems                                     int32
	}
)

type xmlPolicy struct {
	PolicyName                    string   `xml:"PolicyName"`
	PolicyID                      string   `xml:"PolicyId"`
	Arn                           string   `xml:"Arn"`
	Path                          string   `xml:"Path"`
	DefaultVersionID              string   `xml:"DefaultVersionId"`
	AttachmentCount               int      `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int      `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool     `xml:"IsAttachable"`
	Description                   string   `xml:"Description,omitempty"`
	CreateDate                    string   `xml:"CreateDate"`
	UpdateDate                    string   `xml:"UpdateDate"`
	Tags                          *xmlTags `xml:"Tags,omitempty"`
}

func (a *API) toXMLPolicy(ctx context.Context, p ManagedPolicy) (xmlPolicy, error) {
	usage, err := a.store.PolicyUsages(ctx)
	if err != nil {
		return xmlPolicy{}, err
	}
	return xmlPolicyOf(p, usage[p.ARN]), nil
}

func xmlPolicyOf(p ManagedPolicy, u PolicyUsage) xmlPolicy {
	return xmlPolicy{
		PolicyName: p.Name, PolicyID: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionID: p.DefaultVersion,
		AttachmentCount: u.Attached, PermissionsBoundaryUsageCount: u.Boundary, IsAttachable: true,
		Description: p.Description, CreateDate: isoTime(p.Created), UpdateDate: isoTime(p.Updated), Tags: toXMLTags(p.Tags),
	}
}

type policyResult struct {
	Policy xmlPolicy `xml:"Policy"`
}

func (a *API) createPolicy(c *awsapi.Call, in *createPolicyIn) (policyResult, error) {
	if err := required("PolicyName", in.PolicyName); err != nil {
		return policyResult{}, err
	}
	if err := required("PolicyDocument", in.PolicyDocument); err != nil {
		return policyResult{}, err
	}
	p, err := a.store.CreatePolicy(c.Context(), PolicyInput{Name: in.PolicyName, Path: in.Path, Document: in.PolicyDocument, Description: in.Description, Tags: in.Tags})
	if err != nil {
		return policyResult{}, err
	}
	x, err := a.toXMLPolicy(c.Context(), p)
	return policyResult{Policy: x}, err
}

func (a *API) getPolicy(c *awsapi.Call, in *policyIn) (policyResult, error) {
	if err := required("PolicyArn", in.PolicyArn); err != nil {
		return policyResult{}, err
	}
	p, err := a.store.GetPolicy(c.Context(), in.PolicyArn)
	if err != nil {
		return policyResult{}, err
	}
	x, err := a.toXMLPolicy(c.Context(), p)
	return policyResult{Policy: x}, err
}

type xmlPolicyVersion struct {
	Document         string `xml:"Document"`
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       string `xml:"CreateDate"`
}

type policyVersionResult struct {
	PolicyVersion xmlPolicyVersion `xml:"PolicyVersion"`
}

func (a *API) getPolicyVersion(c *awsapi.Call, in *policyVersionIn) (policyVersionResult, error) {
	if err := required("PolicyArn", in.PolicyArn); err != nil {
		return policyVersionResult{}, err
	}
	if err := required("VersionId", in.VersionId); err != nil {
		return policyVersionResult{}, err
	}
	v, def, err := a.store.GetPolicyVersion(c.Context(), in.PolicyArn, in.VersionId)
	if err != nil {
		return policyVersionResult{}, err
	}
	return policyVersionResult{PolicyVersion: xmlPolicyVersion{Document: encodeDoc(v.Document), VersionID: v.ID, IsDefaultVersion: def, CreateDate: isoTime(v.Created)}}, nil
}

func (a *API) createPolicyVersion(c *awsapi.Call, in *policyVersionIn) (policyVersionResult, error) {
	if err := required("PolicyArn", in.PolicyArn); err != nil {
		return policyVersionResult{}, err
	}
	if err := required("PolicyDocument", in.PolicyDocument); err != nil {
		return policyVersionResult{}, err
	}
	// The API refuses a sixth version (a template's update prunes the oldest).
	if err := a.versionQuota(c, in.PolicyArn); err != nil {
		return policyVersionResult{}, err
	}
	p, err := a.store.CreatePolicyVersion(c.Context(), in.PolicyArn, in.PolicyDocument, in.SetAsDefault)
	if err != nil {
		return policyVersionResult{}, err
	}
	v := p.Versions[len(p.Versions)-1]
	return policyVersionResult{PolicyVersion: xmlPolicyVersion{VersionID: v.ID, IsDefaultVersion: v.ID == p.DefaultVersion, CreateDate: isoTime(v.Created)}}, nil
}

func (a *API) deletePolicy(c *awsapi.Call, in *policyIn) (awsapi.None, error) {
	if err := required("PolicyArn", in.PolicyArn); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.DeletePolicy(c.Context(), in.PolicyArn)
}

type listPoliciesResult struct {
	Policies    xmlMembers[xmlPolicy] `xml:"Policies"`
	IsTruncated bool                  `xml:"IsTruncated"`
	Marker      string                `xml:"Marker,omitempty"`
}

func (a *API) listPolicies(c *awsapi.Call, in *listPoliciesIn) (listPoliciesResult, error) {
	ps, err := a.store.ListPolicies(c.Context(), in.Scope != "Local")
	if err != nil {
		return listPoliciesResult{}, err
	}
	switch in.Scope {
	case "", "All", "AWS", "Local":
	default:
		return listPoliciesResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]", in.Scope)
	}
	switch in.PolicyUsageFilter {
	case "", "PermissionsPolicy", "PermissionsBoundary":
	default:
		return listPoliciesResult{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'policyUsageFilter' failed to satisfy constraint: Member must satisfy enum value set: [PermissionsBoundary, PermissionsPolicy]", in.PolicyUsageFilter)
	}
	if in.Scope == "AWS" {
		ps = slicesFilter(ps, func(p ManagedPolicy) bool { return p.AWSManaged })
	}
	usage, err := a.store.PolicyUsages(c.Context())
	if err != nil {
		return listPoliciesResult{}, err
	}
	f := policyFilter{onlyAttached: in.OnlyAttached, pathPrefix: in.PathPrefix}
	ps = slicesFilter(ps, func(p ManagedPolicy) bool { return f.keep(p, usage[p.ARN]) })
	ps, marker, err := page(ps, in.Marker, in.MaxItems)
	if err != nil {
		return listPoliciesResult{}, err
	}
	res := listPoliciesResult{IsTruncated: marker != "", Marker: marker}
	for _, p := range ps {
		// IAM's listing leaves out Description and Tags (GetPolicy has them).
		x := xmlPolicyOf(p, usage[p.ARN])
		x.Description, x.Tags = "", nil
		res.Policies.Member = append(res.Policies.Member, x)
	}
	return res, nil
}

func slicesFilter[T any](in []T, keep func(T) bool) []T {
	var out []T
	for _, v := range in {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}
