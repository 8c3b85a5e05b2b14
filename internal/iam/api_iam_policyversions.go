package iam

import (
	"net/http"

	"github.com/nubo-run/nubo/internal/awsapi"
)

type (
	policyPagesIn struct {
		PolicyArn, Marker string
		MaxItems          int32
	}
	tagPolicyIn struct {
		PolicyArn string
		Tags      []Tag
	}
	untagPolicyIn struct {
		PolicyArn string
		TagKeys   []string
	}
)

// policyVersionOps are the IAM operations on managed policies' versions
// and tags.
func (a *API) policyVersionOps() []awsapi.Declared {
	onVersion := func(c *awsapi.Call, in *policyVersionIn) ([]awsapi.Target, error) {
		return a.target(c.Context(), in.PolicyArn, nil, nil), nil
	}
	onPages := func(c *awsapi.Call, in *policyPagesIn) ([]awsapi.Target, error) {
		return a.target(c.Context(), in.PolicyArn, nil, nil), nil
	}
	return []awsapi.Declared{
		awsapi.Op[policyPagesIn, listPolicyVersionsResult]{Name: "ListPolicyVersions", Action: "iam:ListPolicyVersions", Resources: onPages, Handler: a.listPolicyVersions},
		awsapi.Op[policyVersionIn, awsapi.None]{Name: "DeletePolicyVersion", Action: "iam:DeletePolicyVersion", Resources: onVersion, Handler: a.deletePolicyVersion},
		awsapi.Op[policyVersionIn, awsapi.None]{Name: "SetDefaultPolicyVersion", Action: "iam:SetDefaultPolicyVersion", Resources: onVersion, Handler: a.setDefaultPolicyVersion},
		awsapi.Op[tagPolicyIn, awsapi.None]{Name: "TagPolicy", Action: "iam:TagPolicy",
			Resources: func(c *awsapi.Call, in *tagPolicyIn) ([]awsapi.Target, error) {
				return a.target(c.Context(), in.PolicyArn, in.Tags, nil), nil
			},
			Handler: a.tagPolicy},
		awsapi.Op[untagPolicyIn, awsapi.None]{Name: "UntagPolicy", Action: "iam:UntagPolicy",
			Resources: func(c *awsapi.Call, in *untagPolicyIn) ([]awsapi.Target, error) {
				var cond map[string][]string
				if len(in.TagKeys) > 0 {
					cond = map[string][]string{"aws:TagKeys": in.TagKeys}
				}
				return a.target(c.Context(), in.PolicyArn, nil, cond), nil
			},
			Handler: a.untagPolicy},
		awsapi.Op[policyPagesIn, listRoleTagsResult]{Name: "ListPolicyTags", Action: "iam:ListPolicyTags", Resources: onPages, Handler: a.listPolicyTags},
	}
}

type listPolicyVersionsResult struct {
	Versions    xmlMembers[xmlPolicyVersion] `xml:"Versions"`
	IsTruncated bool                         `xml:"IsTruncated"`
	Marker      string                       `xml:"Marker,omitempty"`
}

// managedPolicy is the policy an operation names, or IAM's NoSuchEntity.
func (a *API) managedPolicy(c *awsapi.Call, arn string) (ManagedPolicy, error) {
	if err := required("PolicyArn", arn); err != nil {
		return ManagedPolicy{}, err
	}
	p, err := a.store.GetPolicy(c.Context(), arn)
	if err != nil {
		return ManagedPolicy{}, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "Policy %s was not found.", arn)
	}
	return p, nil
}

func (a *API) listPolicyVersions(c *awsapi.Call, in *policyPagesIn) (listPolicyVersionsResult, error) {
	p, err := a.managedPolicy(c, in.PolicyArn)
	if err != nil {
		return listPolicyVersionsResult{}, err
	}
	// Newest first, as IAM lists them.
	vs := make([]PolicyVersion, 0, len(p.Versions))
	for i := len(p.Versions) - 1; i >= 0; i-- {
		vs = append(vs, p.Versions[i])
	}
	vs, next, err := page(vs, in.Marker, in.MaxItems)
	if err != nil {
		return listPolicyVersionsResult{}, err
	}
	res := listPolicyVersionsResult{IsTruncated: next != "", Marker: next}
	res.Versions.Member = []xmlPolicyVersion{}
	for _, v := range vs {
		res.Versions.Member = append(res.Versions.Member, xmlPolicyVersion{VersionID: v.ID, IsDefaultVersion: v.ID == p.DefaultVersion, CreateDate: isoTime(v.Created)})
	}
	return res, nil
}

func (a *API) versionArgs(c *awsapi.Call, in *policyVersionIn) error {
	if _, err := a.managedPolicy(c, in.PolicyArn); err != nil {
		return err
	}
	return required("VersionId", in.VersionId)
}

func (a *API) deletePolicyVersion(c *awsapi.Call, in *policyVersionIn) (awsapi.None, error) {
	if err := a.versionArgs(c, in); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.DeletePolicyVersion(c.Context(), in.PolicyArn, in.VersionId)
}

func (a *API) setDefaultPolicyVersion(c *awsapi.Call, in *policyVersionIn) (awsapi.None, error) {
	if err := a.versionArgs(c, in); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.SetDefaultPolicyVersion(c.Context(), in.PolicyArn, in.VersionId)
}

func (a *API) tagPolicy(c *awsapi.Call, in *tagPolicyIn) (awsapi.None, error) {
	if _, err := a.managedPolicy(c, in.PolicyArn); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.TagPolicy(c.Context(), in.PolicyArn, in.Tags)
}

func (a *API) untagPolicy(c *awsapi.Call, in *untagPolicyIn) (awsapi.None, error) {
	if _, err := a.managedPolicy(c, in.PolicyArn); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.UntagPolicy(c.Context(), in.PolicyArn, in.TagKeys)
}

func (a *API) listPolicyTags(c *awsapi.Call, in *policyPagesIn) (listRoleTagsResult, error) {
	p, err := a.managedPolicy(c, in.PolicyArn)
	if err != nil {
		return listRoleTagsResult{}, err
	}
	res := listRoleTagsResult{Tags: toXMLTags(p.Tags)}
	if res.Tags == nil {
		res.Tags = &xmlTags{}
	}
	return res, nil
}

// versionQuota refuses CreatePolicyVersion on a policy that has all the
// versions IAM allows.
func (a *API) versionQuota(c *awsapi.Call, arn string) error {
	if cur, err := a.store.GetPolicy(c.Context(), arn); err == nil && !cur.AWSManaged && len(cur.Versions) >= maxPolicyVersions {
		return awsapi.Errorf(http.StatusConflict, "LimitExceeded", "A managed policy can have up to %d versions. Before you create a new version, you must delete an existing version.", maxPolicyVersions)
	}
	return nil
}
