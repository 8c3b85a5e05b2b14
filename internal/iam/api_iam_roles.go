package iam

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// The inputs of IAM's role operations, as awsapi.DecodeQuery reads them
// (Tags.member.N.Key, TagKeys.member.N, ...).
type (
	roleIn       struct{ RoleName string }
	createRoleIn struct {
		RoleName, Path, AssumeRolePolicyDocument, Description, PermissionsBoundary string
		MaxSessionDuration                                                         *int32
		Tags                                                                       []Tag
	}
	listRolesIn struct {
		PathPrefix, Marker string
		MaxItems           int32
	}
	updateRoleIn struct {
		RoleName           string
		Description        *string
		MaxSessionDuration *int32
	}
	tagRoleIn struct {
		RoleName string
		Tags     []Tag
	}
	untagRoleIn struct {
		RoleName string
		TagKeys  []string
	}
	// rolePolicyIn is an inline policy of a role (and
	// UpdateAssumeRolePolicy's trust policy).
	rolePolicyIn struct{ RoleName, PolicyName, PolicyDocument string }
	rolePagesIn  struct {
		RoleName, Marker string
		MaxItems         int32
	}
	attachmentIn struct{ RoleName, PolicyArn string }
	boundaryIn   struct{ RoleName, PermissionsBoundary string }
)

// ---- XML shapes (as aws-sdk-go-v2/service/iam deserializes them) ----

// emptyResult is the empty <ActionResult/> some operations answer with.
type emptyResult struct{}

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type xmlTags struct {
	Member []xmlTag `xml:"member"`
}

type xmlBoundary struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
}

type xmlRole struct {
	Path                     string       `xml:"Path"`
	RoleName                 string       `xml:"RoleName"`
	RoleID                   string       `xml:"RoleId"`
	Arn                      string       `xml:"Arn"`
	CreateDate               string       `xml:"CreateDate"`
	AssumeRolePolicyDocument string       `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string       `xml:"Description,omitempty"`
	MaxSessionDuration       int32        `xml:"MaxSessionDuration,omitempty"`
	PermissionsBoundary      *xmlBoundary `xml:"PermissionsBoundary,omitempty"`
	Tags                     *xmlTags     `xml:"Tags,omitempty"`
	RoleLastUsed             *xmlRoleUse  `xml:"RoleLastUsed,omitempty"`
}

// xmlRoleUse is GetRole's RoleLastUsed: an empty element for a role never used.
type xmlRoleUse struct {
	LastUsedDate string `xml:"LastUsedDate,omitempty"`
	Region       string `xml:"Region,omitempty"`
}

// listed is a role as ListRoles returns it: IAM's listing operations leave
// out PermissionsBoundary, RoleLastUsed and Tags (GetRole has them).
func (x xmlRole) listed() xmlRole {
	x.PermissionsBoundary, x.Tags, x.RoleLastUsed = nil, nil, nil
	return x
}

// encodeDoc URL-encodes a policy document, as IAM returns documents.
func encodeDoc(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

func toXMLTags(tags []Tag) *xmlTags {
	if len(tags) == 0 {
		return nil
	}
	t := &xmlTags{}
	for _, tg := range tags {
		t.Member = append(t.Member, xmlTag(tg))
	}
	return t
}

func toXMLRole(r Role) xmlRole {
	x := xmlRole{
		Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: r.ARN, CreateDate: isoTime(r.Created),
		AssumeRolePolicyDocument: encodeDoc(r.TrustPolicy), Description: r.Description, MaxSessionDuration: r.MaxSessionDuration,
		Tags: toXMLTags(r.Tags),
	}
	if r.Boundary != "" {
		x.PermissionsBoundary = &xmlBoundary{PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: r.Boundary}
	}
	return x
}

type roleResult struct {
	Role xmlRole `xml:"Role"`
}

type xmlMembers[T any] struct {
	Member []T `xml:"member"`
}

// ---- roles ----

func (a *API) createRole(c *awsapi.Call, in *createRoleIn) (roleResult, error) {
	if err := required("RoleName", in.RoleName); err != nil {
		return roleResult{}, err
	}
	if err := required("AssumeRolePolicyDocument", in.AssumeRolePolicyDocument); err != nil {
		return roleResult{}, err
	}
	ri := RoleInput{Name: in.RoleName, Path: in.Path, TrustPolicy: in.AssumeRolePolicyDocument, Description: in.Description,
		Boundary: in.PermissionsBoundary, Tags: in.Tags}
	if in.MaxSessionDuration != nil {
		ri.MaxSessionDuration = *in.MaxSessionDuration
	}
	r, err := a.store.CreateRole(c.Context(), ri)
	if errors.Is(err, ErrEntityExists) {
		return roleResult{}, awsapi.Errorf(http.StatusConflict, "EntityAlreadyExists", "Role with name %s already exists.", in.RoleName)
	}
	if err != nil {
		return roleResult{}, err
	}
	return roleResult{Role: toXMLRole(r)}, nil
}

// role is the role an operation names, or IAM's NoSuchEntity.
func (a *API) role(ctx context.Context, name string) (Role, error) {
	if err := required("RoleName", name); err != nil {
		return Role{}, err
	}
	r, err := a.store.GetRole(ctx, name)
	if errors.Is(err, ErrNoSuchEntity) {
		return Role{}, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "The role with name %s cannot be found.", name)
	}
	return r, err
}

func (a *API) getRole(c *awsapi.Call, in *roleIn) (roleResult, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return roleResult{}, err
	}
	x := toXMLRole(r)
	use, ok, err := a.store.LastUse(c.Context(), r)
	if err != nil {
		return roleResult{}, err
	}
	x.RoleLastUsed = &xmlRoleUse{}
	if ok {
		x.RoleLastUsed = &xmlRoleUse{LastUsedDate: isoTime(use.Date), Region: use.Region}
	}
	return roleResult{Role: x}, nil
}

type listRolesResult struct {
	Roles       xmlMembers[xmlRole] `xml:"Roles"`
	IsTruncated bool                `xml:"IsTruncated"`
	Marker      string              `xml:"Marker,omitempty"`
}

func (a *API) listRoles(c *awsapi.Call, in *listRolesIn) (listRolesResult, error) {
	roles, err := a.store.ListRoles(c.Context(), orRoot(in.PathPrefix))
	if err != nil {
		return listRolesResult{}, err
	}
	roles, marker, err := page(roles, in.Marker, in.MaxItems)
	if err != nil {
		return listRolesResult{}, err
	}
	res := listRolesResult{IsTruncated: marker != "", Marker: marker}
	for _, r := range roles {
		res.Roles.Member = append(res.Roles.Member, toXMLRole(r).listed())
	}
	return res, nil
}

func (a *API) updateRole(c *awsapi.Call, in *updateRoleIn) (emptyResult, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return emptyResult{}, err
	}
	_, err = a.store.UpdateRole(c.Context(), r.Name, in.Description, in.MaxSessionDuration)
	return emptyResult{}, err
}

func (a *API) tagRole(c *awsapi.Call, in *tagRoleIn) (emptyResult, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return emptyResult{}, err
	}
	return emptyResult{}, a.store.TagRole(c.Context(), r.Name, in.Tags)
}

func (a *API) untagRole(c *awsapi.Call, in *untagRoleIn) (emptyResult, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return emptyResult{}, err
	}
	return emptyResult{}, a.store.UntagRole(c.Context(), r.Name, in.TagKeys)
}

type listRoleTagsResult struct {
	Tags        *xmlTags `xml:"Tags"`
	IsTruncated bool     `xml:"IsTruncated"`
}

func (a *API) listRoleTags(c *awsapi.Call, in *roleIn) (listRoleTagsResult, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return listRoleTagsResult{}, err
	}
	res := listRoleTagsResult{Tags: toXMLTags(r.Tags)}
	if res.Tags == nil {
		res.Tags = &xmlTags{}
	}
	return res, nil
}

func (a *API) updateAssumeRolePolicy(c *awsapi.Call, in *rolePolicyIn) (awsapi.None, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := required("PolicyDocument", in.PolicyDocument); err != nil {
		return awsapi.None{}, err
	}
	_, err = a.store.UpdateTrustPolicy(c.Context(), r.Name, in.PolicyDocument)
	return awsapi.None{}, err
}

func (a *API) deleteRole(c *awsapi.Call, in *roleIn) (awsapi.None, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := a.inInstanceProfile(c.Context(), r.Name); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.DeleteRole(c.Context(), r.Name, false)
}

func (a *API) putRolePolicy(c *awsapi.Call, in *rolePolicyIn) (awsapi.None, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := required("PolicyName", in.PolicyName); err != nil {
		return awsapi.None{}, err
	}
	if err := required("PolicyDocument", in.PolicyDocument); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.PutRolePolicy(c.Context(), r.Name, in.PolicyName, in.PolicyDocument)
}

type getRolePolicyResult struct {
	RoleName       string `xml:"RoleName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

func (a *API) getRolePolicy(c *awsapi.Call, in *rolePolicyIn) (getRolePolicyResult, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return getRolePolicyResult{}, err
	}
	if err := required("PolicyName", in.PolicyName); err != nil {
		return getRolePolicyResult{}, err
	}
	doc, ok := r.Inline[in.PolicyName]
	if !ok {
		return getRolePolicyResult{}, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "The role policy with name %s cannot be found.", in.PolicyName)
	}
	return getRolePolicyResult{RoleName: r.Name, PolicyName: in.PolicyName, PolicyDocument: encodeDoc(doc)}, nil
}

type listRolePoliciesResult struct {
	PolicyNames xmlMembers[string] `xml:"PolicyNames"`
	IsTruncated bool               `xml:"IsTruncated"`
	Marker      string             `xml:"Marker,omitempty"`
}

func (a *API) listRolePolicies(c *awsapi.Call, in *rolePagesIn) (listRolePoliciesResult, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return listRolePoliciesResult{}, err
	}
	names, marker, err := page(r.InlineNames(), in.Marker, in.MaxItems)
	if err != nil {
		return listRolePoliciesResult{}, err
	}
	res := listRolePoliciesResult{IsTruncated: marker != "", Marker: marker}
	res.PolicyNames.Member = append([]string{}, names...)
	return res, nil
}

func (a *API) deleteRolePolicy(c *awsapi.Call, in *rolePolicyIn) (awsapi.None, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := required("PolicyName", in.PolicyName); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.DeleteRolePolicy(c.Context(), r.Name, in.PolicyName)
}

func (a *API) attachRolePolicy(c *awsapi.Call, in *attachmentIn) (awsapi.None, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := required("PolicyArn", in.PolicyArn); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.AttachRolePolicy(c.Context(), r.Name, in.PolicyArn)
}

func (a *API) detachRolePolicy(c *awsapi.Call, in *attachmentIn) (awsapi.None, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := required("PolicyArn", in.PolicyArn); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.DetachRolePolicy(c.Context(), r.Name, in.PolicyArn)
}

type xmlAttached struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type listAttachedResult struct {
	AttachedPolicies xmlMembers[xmlAttached] `xml:"AttachedPolicies"`
	IsTruncated      bool                    `xml:"IsTruncated"`
	Marker           string                  `xml:"Marker,omitempty"`
}

func (a *API) listAttachedRolePolicies(c *awsapi.Call, in *rolePagesIn) (listAttachedResult, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return listAttachedResult{}, err
	}
	arns, marker, err := page(r.Attached, in.Marker, in.MaxItems)
	if err != nil {
		return listAttachedResult{}, err
	}
	res := listAttachedResult{IsTruncated: marker != "", Marker: marker}
	for _, arn := range arns {
		res.AttachedPolicies.Member = append(res.AttachedPolicies.Member, xmlAttached{PolicyName: arn[strings.LastIndexByte(arn, '/')+1:], PolicyArn: arn})
	}
	return res, nil
}

func (a *API) putRolePermissionsBoundary(c *awsapi.Call, in *boundaryIn) (awsapi.None, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := required("PermissionsBoundary", in.PermissionsBoundary); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.SetPermissionsBoundary(c.Context(), r.Name, in.PermissionsBoundary)
}

func (a *API) deleteRolePermissionsBoundary(c *awsapi.Call, in *roleIn) (awsapi.None, error) {
	r, err := a.role(c.Context(), in.RoleName)
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, a.store.SetPermissionsBoundary(c.Context(), r.Name, "")
}
