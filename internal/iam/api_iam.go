package iam

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/iam/policy"
)

// APIOptions configures the IAM and STS wire handlers.
type APIOptions struct {
	Store *Store
	// Authorizer authorizes the IAM and STS calls themselves and evaluates
	// AssumeRole and SimulatePrincipalPolicy. Required.
	Authorizer *Authorizer
	// Keys issues AssumeRole's temporary credentials.
	Keys   *awsapi.Keyring
	Logger *slog.Logger
}

// API serves IAM and STS over the query protocol. Register its handlers as
// awsapi.Service{Name: "iam", Protocol: awsapi.Query, Handler: api.IAM()} and
// awsapi.Service{Name: "sts", Protocol: awsapi.Query, Handler: api.STS()}.
type API struct {
	store *Store
	authz *Authorizer
	keys  *awsapi.Keyring
	log   *slog.Logger
}

// NewAPI validates o.
func NewAPI(o APIOptions) (*API, error) {
	if o.Store == nil || o.Authorizer == nil || o.Keys == nil {
		return nil, errors.New("iam api: a store, an authorizer and a keyring are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &API{store: o.Store, authz: o.Authorizer, keys: o.Keys, log: o.Logger}, nil
}

// IAM returns the IAM query handler.
func (a *API) IAM() http.Handler { return http.HandlerFunc(a.serveIAM) }

type iamHandler func(ctx context.Context, f form) (any, error)

func (a *API) serveIAM(w http.ResponseWriter, r *http.Request) {
	f, err := parseForm(r)
	if err != nil {
		awsapi.WriteError(w, r, awsapi.Query, err, a.log)
		return
	}
	action := f.Get("Action")
	h, resource := a.iamOperation(r.Context(), action, f)
	if h == nil {
		awsapi.WriteError(w, r, awsapi.Query, unknownAction(action, f, iamVersion), a.log)
		return
	}
	req := awsapi.AuthzRequest{Service: "iam", Action: "iam:" + action, Resource: resource, HTTP: r}
	a.iamConditionKeys(r.Context(), &req, f)
	if err := a.authz.Authorize(r.Context(), req); err != nil {
		awsapi.WriteError(w, r, awsapi.Query, err, a.log)
		return
	}
	res, err := h(r.Context(), f)
	if err != nil {
		awsapi.WriteError(w, r, awsapi.Query, iamError(err), a.log)
		return
	}
	writeQuery(w, r, iamNamespace, action, res, a.log)
}

// iamConditionKeys adds the condition keys IAM's service authorization
// reference lists for an operation: the tags it sets (aws:RequestTag/*,
// aws:TagKeys), those of the role or policy it acts on (aws:ResourceTag/*,
// iam:ResourceTag/*), iam:PermissionsBoundary and iam:PolicyARN.
func (a *API) iamConditionKeys(ctx context.Context, req *awsapi.AuthzRequest, f form) {
	if tags := f.tags(); len(tags) > 0 {
		req.RequestTags = tagMap(tags)
	}
	var resTags []Tag
	if _, ok := RoleNameFromARN(req.Resource); ok {
		if r, err := a.store.RoleByARN(ctx, req.Resource); err == nil {
			resTags = r.Tags
		}
	} else if strings.Contains(req.Resource, ":policy/") {
		if p, err := a.store.GetPolicy(ctx, req.Resource); err == nil {
			resTags = p.Tags
		}
	}
	cond := map[string][]string{}
	if len(resTags) > 0 {
		req.ResourceTags = tagMap(resTags)
		for _, t := range resTags {
			cond["iam:ResourceTag/"+t.Key] = []string{t.Value}
		}
	}
	switch req.Action {
	case "iam:UntagRole":
		if keys := f.list("TagKeys"); len(keys) > 0 {
			cond["aws:TagKeys"] = keys
		}
	case "iam:CreateRole", "iam:PutRolePermissionsBoundary":
		if pb := f.Get("PermissionsBoundary"); pb != "" {
			cond["iam:PermissionsBoundary"] = []string{pb}
		}
	case "iam:AttachRolePolicy", "iam:DetachRolePolicy":
		if arn := f.Get("PolicyArn"); arn != "" {
			cond["iam:PolicyARN"] = []string{arn}
		}
	}
	if len(cond) > 0 {
		req.Context = cond
	}
}

// iamOperation returns the handler for action and the resource to authorize.
func (a *API) iamOperation(ctx context.Context, action string, f form) (iamHandler, string) {
	acct := a.store.account.ID
	roleRes := func() string {
		name := f.Get("RoleName")
		if r, err := a.store.GetRole(ctx, name); err == nil {
			return r.ARN
		}
		path := f.Get("Path")
		if path == "" {
			path = "/"
		}
		return RoleARN(acct, path, name)
	}
	switch action {
	case "CreateRole":
		return a.createRole, roleRes()
	case "GetRole":
		return a.getRole, roleRes()
	case "ListRoles":
		return a.listRoles, "*"
	case "UpdateRole":
		return a.updateRole, roleRes()
	case "TagRole":
		return a.tagRole, roleRes()
	case "UntagRole":
		return a.untagRole, roleRes()
	case "ListRoleTags":
		return a.listRoleTags, roleRes()
	case "UpdateAssumeRolePolicy":
		return a.updateAssumeRolePolicy, roleRes()
	case "DeleteRole":
		return a.deleteRole, roleRes()
	case "PutRolePolicy":
		return a.putRolePolicy, roleRes()
	case "GetRolePolicy":
		return a.getRolePolicy, roleRes()
	case "ListRolePolicies":
		return a.listRolePolicies, roleRes()
	case "DeleteRolePolicy":
		return a.deleteRolePolicy, roleRes()
	case "AttachRolePolicy":
		return a.attachRolePolicy, roleRes()
	case "DetachRolePolicy":
		return a.detachRolePolicy, roleRes()
	case "ListAttachedRolePolicies":
		return a.listAttachedRolePolicies, roleRes()
	case "PutRolePermissionsBoundary":
		return a.putRolePermissionsBoundary, roleRes()
	case "DeleteRolePermissionsBoundary":
		return a.deleteRolePermissionsBoundary, roleRes()
	case "CreatePolicy":
		path := f.Get("Path")
		if path == "" {
			path = "/"
		}
		return a.createPolicy, PolicyARN(acct, path, f.Get("PolicyName"))
	case "GetPolicy":
		return a.getPolicy, f.Get("PolicyArn")
	case "GetPolicyVersion":
		return a.getPolicyVersion, f.Get("PolicyArn")
	case "CreatePolicyVersion":
		return a.createPolicyVersion, f.Get("PolicyArn")
	case "DeletePolicy":
		return a.deletePolicy, f.Get("PolicyArn")
	case "ListPolicies":
		return a.listPolicies, "*"
	case "SimulatePrincipalPolicy":
		return a.simulatePrincipalPolicy, f.Get("PolicySourceArn")
	case "SimulateCustomPolicy":
		return a.simulateCustomPolicy, "*"
	}
	return nil, ""
}

// iamError maps domain errors to IAM's codes.
func iamError(err error) error {
	var ae *awsapi.Error
	var mp *MalformedPolicyError
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.As(err, &mp):
		return awsapi.NewError(http.StatusBadRequest, "MalformedPolicyDocument", strings.TrimPrefix(mp.Err.Error(), policy.ErrMalformed.Error()+": "))
	case errors.Is(err, ErrNoSuchEntity):
		return awsapi.NewError(http.StatusNotFound, "NoSuchEntity", trimSentinel(err, ErrNoSuchEntity))
	case errors.Is(err, ErrEntityExists):
		return awsapi.NewError(http.StatusConflict, "EntityAlreadyExists", trimSentinel(err, ErrEntityExists))
	case errors.Is(err, ErrDeleteConflict):
		return awsapi.NewError(http.StatusConflict, "DeleteConflict", trimSentinel(err, ErrDeleteConflict))
	case errors.Is(err, ErrInvalidInput):
		return awsapi.NewError(http.StatusBadRequest, "ValidationError", trimSentinel(err, ErrInvalidInput))
	case errors.Is(err, ErrUnmodifiable):
		return awsapi.NewError(http.StatusBadRequest, "UnmodifiableEntity", trimSentinel(err, ErrUnmodifiable))
	case errors.Is(err, ErrLimitExceeded):
		return awsapi.NewError(http.StatusConflict, "LimitExceeded", trimSentinel(err, ErrLimitExceeded))
	}
	return awsapi.InternalError(err)
}

// trimSentinel removes the sentinel's text from a wrapped message.
func trimSentinel(err, sentinel error) string {
	s := err.Error()
	s = strings.ReplaceAll(s, ": "+sentinel.Error(), "")
	s = strings.TrimPrefix(s, sentinel.Error()+": ")
	return s
}

// ---- XML shapes (as aws-sdk-go-v2/service/iam deserializes them) ----

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
		x.PermissionsBoundary = &xmlBoundary{PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: r.Boundary}
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

func (a *API) createRole(ctx context.Context, f form) (any, error) {
	name, err := f.required("RoleName")
	if err != nil {
		return nil, err
	}
	doc, err := f.required("AssumeRolePolicyDocument")
	if err != nil {
		return nil, err
	}
	msd, err := f.int32("MaxSessionDuration")
	if err != nil {
		return nil, err
	}
	in := RoleInput{Name: name, Path: f.Get("Path"), TrustPolicy: doc, Description: f.Get("Description"),
		Boundary: f.Get("PermissionsBoundary"), Tags: f.tags()}
	if msd != nil {
		in.MaxSessionDuration = *msd
	}
	r, err := a.store.CreateRole(ctx, in)
	if errors.Is(err, ErrEntityExists) {
		return nil, awsapi.Errorf(http.StatusConflict, "EntityAlreadyExists", "Role with name %s already exists.", name)
	}
	if err != nil {
		return nil, err
	}
	return roleResult{Role: toXMLRole(r)}, nil
}

func (a *API) role(ctx context.Context, f form) (Role, error) {
	name, err := f.required("RoleName")
	if err != nil {
		return Role{}, err
	}
	r, err := a.store.GetRole(ctx, name)
	if errors.Is(err, ErrNoSuchEntity) {
		return Role{}, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "The role with name %s cannot be found.", name)
	}
	return r, err
}

func (a *API) getRole(ctx context.Context, f form) (any, error) {
	r, err := a.role(ctx, f)
	if err != nil {
		return nil, err
	}
	return roleResult{Role: toXMLRole(r)}, nil
}

type listRolesResult struct {
	Roles       xmlMembers[xmlRole] `xml:"Roles"`
	IsTruncated bool                `xml:"IsTruncated"`
	Marker      string              `xml:"Marker,omitempty"`
}

// page applies Marker/MaxItems paging to n items.
func page(f form, n int) (from, to int, marker string, err error) {
	max := 100
	if v, e := f.int32("MaxItems"); e != nil {
		return 0, 0, "", e
	} else if v != nil && *v > 0 {
		max = int(*v)
	}
	if m := f.Get("Marker"); m != "" {
		from, err = strconv.Atoi(m)
		if err != nil || from < 0 || from > n {
			return 0, 0, "", awsapi.Errorf(http.StatusBadRequest, "ValidationError", "invalid Marker %q", m)
		}
	}
	to = min(from+max, n)
	if to < n {
		marker = strconv.Itoa(to)
	}
	return from, to, marker, nil
}

func (a *API) listRoles(ctx context.Context, f form) (any, error) {
	prefix := f.Get("PathPrefix")
	if prefix == "" {
		prefix = "/"
	}
	roles, err := a.store.ListRoles(ctx, prefix)
	if err != nil {
		return nil, err
	}
	from, to, marker, err := page(f, len(roles))
	if err != nil {
		return nil, err
	}
	res := listRolesResult{IsTruncated: marker != "", Marker: marker}
	for _, r := range roles[from:to] {
		res.Roles.Member = append(res.Roles.Member, toXMLRole(r))
	}
	return res, nil
}

func (a *API) updateRole(ctx context.Context, f form) (any, error) {
	r, err := a.role(ctx, f)
	if err != nil {
		return nil, err
	}
	var desc *string
	if _, ok := f.Values["Description"]; ok {
		d := f.Get("Description")
		desc = &d
	}
	msd, err := f.int32("MaxSessionDuration")
	if err != nil {
		return nil, err
	}
	if _, err := a.store.UpdateRole(ctx, r.Name, desc, msd); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (a *API) tagRole(ctx context.Context, f form) (any, error) {
	r, err := a.role(ctx, f)
	if err != nil {
		return nil, err
	}
	if err := a.store.TagRole(ctx, r.Name, f.tags()); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

func (a *API) untagRole(ctx context.Context, f form) (any, error) {
	r, err := a.role(ctx, f)
	if err != nil {
		return nil, err
	}
	if err := a.store.UntagRole(ctx, r.Name, f.list("TagKeys")); err != nil {
		return nil, err
	}
	return struct{}{}, nil
}

type listRoleTagsResult struct {
	Tags        *xmlTags `xml:"Tags"`
	IsTruncated bool     `xml:"IsTruncated"`
}

func (a *API) listRoleTags(ctx context.Context, f form) (any, error) {
	r, err := a.role(ctx, f)
	if err != nil {
		return nil, err
	}
	res := listRoleTagsResult{Tags: toXMLTags(r.Tags)}
	if res.Tags == nil {
		res.Tags = &xmlTags{}
	}
	return res, nil
}

func (a *API) updateAssumeRolePolicy(ctx context.Context, f form) (any, error) {
	r, err := a.role(ctx, f)
	if err != nil {
		return nil, err
	}
	doc, err := f.required("PolicyDocument")
	if err != nil {
		return nil, err
	}
	if _, err := a.store.UpdateTrustPolicy(ctx, r.Name, doc); err != nil {
		return nil, err
	}
	return nil, nil
}

func (a *API) deleteRole(ctx context.Context, f form) (any, error) {
	r, err := a.role(ctx, f)
	if err != nil {
		return nil, err
	}
	return nil, a.store.DeleteRole(ctx, r.Name, false)
}

func (a *API) putRolePolicy(ctx context.Context, f form) (any, error) {
	r, err := a.role(ctx, f)
	if err != nil {
		return nil, err
	}
	name, err := f.required("PolicyName")
	if err != nil {
		return nil, err
	}
	doc, err := f.required("PolicyDocument")
	if err != nil {
		return nil, err
	}
	return nil, a.store.PutRolePolicy(ctx, r.Name, name, doc)
}

type getRolePolicyResult struct {
	RoleName       string `xml:"RoleName"`
	PolicyName     string `xml:"PolicyName"`
	PolicyDocument string `xml:"PolicyDocument"`
}

func (a *API) getRolePolicy(ctx context.Context, f form) (any, error) {
	r, err := a.role(ctx, f)
	if err != nil {
		return nil, err
	}
	name, err := f.required("PolicyName")
	if err != nil {
		return nil, err
	}
	doc, ok := r.Inline[name]
	if !ok {
		return nil, awsapi.Errorf(http.StatusNotFound, "NoSuchEntity", "The role policy with name %s cannot be found.", name)
	}
	return getRolePolicyResult{RoleName: r.Name, PolicyName: name, PolicyDocument: encodeDoc(doc)}, nil
}

type listRolePoliciesResult struct {
	PolicyNames xmlMembers[string] `xml:"PolicyNames"`
	IsTruncated bool               `xml:"IsTruncated"`
	Marker      string             `xml:"Marker,omitempty"`
}

func (a *API) listRolePolicies(ctx context.Context, f form) (any, error) {
	r, err := a.role(ctx, f)
	if err != nil {
		return nil, err
	}
	names := r.InlineNames()
	from, to, marker, err := page(f, len(names))
	if err != nil {
		return nil, err
	}
	res := listRolePoliciesResult{IsTruncated: marker != "", Marker: marker}
	res.PolicyNames.Member = append([]string{}, names[from:to]...)
	return res, nil
}

func (a *API) deleteRolePolicy(ctx context.Context, f form) (any, error) {
	r, err := a.role(ctx, f)
	if err != nil {
		return nil, err
	}
	name, err := f.required("PolicyName")
	if err != nil {
		return nil, err
	}
	return nil, a.store.DeleteRolePolicy(ctx, r.Name, name)
}

func (a *API) attachRolePolicy(ctx context.Context, f form) (any, error) {
	r, err := a.role(ctx, f)
	if err != nil {
		return nil, err
	}
	arn, err := f.required("PolicyArn")
	if err != nil {
		return nil, err
	}
	return nil, a.store.AttachRolePolicy(ctx, r.Name, arn)
}

func (a *API) detachRolePolicy(ctx context.Context, f form) (any, error) {
	r, err := a.role(ctx, f)
	if err != nil {
		return nil, err
	}
	arn, err := f.required("PolicyArn")
	if err != nil {
		return nil, err
	}
	return nil, a.store.DetachRolePolicy(ctx, r.Name, arn)
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

func (a *API) listAttachedRolePolicies(ctx context.Context, f form) (any, error) {
	r, err := a.role(ctx, f)
	if err != nil {
		return nil, err
	}
	from, to, marker, err := page(f, len(r.Attached))
	if err != nil {
		return nil, err
	}
	res := listAttachedResult{IsTruncated: marker != "", Marker: marker}
	for _, arn := range r.Attached[from:to] {
		res.AttachedPolicies.Member = append(res.AttachedPolicies.Member, xmlAttached{PolicyName: arn[strings.LastIndexByte(arn, '/')+1:], PolicyArn: arn})
	}
	return res, nil
}

func (a *API) putRolePermissionsBoundary(ctx context.Context, f form) (any, error) {
	r, err := a.role(ctx, f)
	if err != nil {
		return nil, err
	}
	arn, err := f.required("PermissionsBoundary")
	if err != nil {
		return nil, err
	}
	return nil, a.store.SetPermissionsBoundary(ctx, r.Name, arn)
}

func (a *API) deleteRolePermissionsBoundary(ctx context.Context, f form) (any, error) {
	r, err := a.role(ctx, f)
	if err != nil {
		return nil, err
	}
	return nil, a.store.SetPermissionsBoundary(ctx, r.Name, "")
}

// ---- managed policies ----

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
	n, err := a.store.AttachmentCount(ctx, p.ARN)
	if err != nil {
		return xmlPolicy{}, err
	}
	return xmlPolicy{
		PolicyName: p.Name, PolicyID: p.ID, Arn: p.ARN, Path: p.Path, DefaultVersionID: p.DefaultVersion,
		AttachmentCount: n, IsAttachable: true, Description: p.Description, CreateDate: isoTime(p.Created),
		UpdateDate: isoTime(p.Updated), Tags: toXMLTags(p.Tags),
	}, nil
}

type policyResult struct {
	Policy xmlPolicy `xml:"Policy"`
}

func (a *API) createPolicy(ctx context.Context, f form) (any, error) {
	name, err := f.required("PolicyName")
	if err != nil {
		return nil, err
	}
	doc, err := f.required("PolicyDocument")
	if err != nil {
		return nil, err
	}
	p, err := a.store.CreatePolicy(ctx, PolicyInput{Name: name, Path: f.Get("Path"), Document: doc, Description: f.Get("Description"), Tags: f.tags()})
	if err != nil {
		return nil, err
	}
	x, err := a.toXMLPolicy(ctx, p)
	return policyResult{Policy: x}, err
}

func (a *API) getPolicy(ctx context.Context, f form) (any, error) {
	arn, err := f.required("PolicyArn")
	if err != nil {
		return nil, err
	}
	p, err := a.store.GetPolicy(ctx, arn)
	if err != nil {
		return nil, err
	}
	x, err := a.toXMLPolicy(ctx, p)
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

func (a *API) getPolicyVersion(ctx context.Context, f form) (any, error) {
	arn, err := f.required("PolicyArn")
	if err != nil {
		return nil, err
	}
	id, err := f.required("VersionId")
	if err != nil {
		return nil, err
	}
	v, def, err := a.store.GetPolicyVersion(ctx, arn, id)
	if err != nil {
		return nil, err
	}
	return policyVersionResult{PolicyVersion: xmlPolicyVersion{Document: encodeDoc(v.Document), VersionID: v.ID, IsDefaultVersion: def, CreateDate: isoTime(v.Created)}}, nil
}

func (a *API) createPolicyVersion(ctx context.Context, f form) (any, error) {
	arn, err := f.required("PolicyArn")
	if err != nil {
		return nil, err
	}
	doc, err := f.required("PolicyDocument")
	if err != nil {
		return nil, err
	}
	setDefault := strings.EqualFold(f.Get("SetAsDefault"), "true")
	p, err := a.store.CreatePolicyVersion(ctx, arn, doc, setDefault)
	if err != nil {
		return nil, err
	}
	v := p.Versions[len(p.Versions)-1]
	return policyVersionResult{PolicyVersion: xmlPolicyVersion{VersionID: v.ID, IsDefaultVersion: v.ID == p.DefaultVersion, CreateDate: isoTime(v.Created)}}, nil
}

func (a *API) deletePolicy(ctx context.Context, f form) (any, error) {
	arn, err := f.required("PolicyArn")
	if err != nil {
		return nil, err
	}
	return nil, a.store.DeletePolicy(ctx, arn)
}

type listPoliciesResult struct {
	Policies    xmlMembers[xmlPolicy] `xml:"Policies"`
	IsTruncated bool                  `xml:"IsTruncated"`
	Marker      string                `xml:"Marker,omitempty"`
}

func (a *API) listPolicies(ctx context.Context, f form) (any, error) {
	scope := f.Get("Scope")
	ps, err := a.store.ListPolicies(ctx, scope != "Local")
	if err != nil {
		return nil, err
	}
	if scope == "AWS" {
		ps = slicesFilter(ps, func(p ManagedPolicy) bool { return p.AWSManaged })
	}
	from, to, marker, err := page(f, len(ps))
	if err != nil {
		return nil, err
	}
	res := listPoliciesResult{IsTruncated: marker != "", Marker: marker}
	for _, p := range ps[from:to] {
		x, err := a.toXMLPolicy(ctx, p)
		if err != nil {
			return nil, err
		}
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
