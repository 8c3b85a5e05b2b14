package iam

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/iam/policy"
)

// The query APIs' versions and the namespaces of their replies.
const (
	iamVersion   = "2010-05-08"
	stsVersion   = "2011-06-15"
	iamNamespace = "https://iam.amazonaws.com/doc/" + iamVersion + "/"
	stsNamespace = "https://sts.amazonaws.com/doc/" + stsVersion + "/"
)

// APIOptions configures the IAM, STS and nubo IAM APIs.
type APIOptions struct {
	Store *Store
	// Authorizer authorizes the IAM and STS calls themselves and evaluates
	// AssumeRole and SimulatePrincipalPolicy. Required.
	Authorizer *Authorizer
	// Keys issues AssumeRole's temporary credentials.
	Keys   *awsapi.Keyring
	Logger *slog.Logger
}

// API holds what the IAM, STS and nubo IAM operation tables serve. Build
// the tables with IAM, STS and Admin and serve each one's Service() on the
// edge.
type API struct {
	store *Store
	authz *Authorizer
	keys  *awsapi.Keyring
	log   *slog.Logger
	oidc  *oidcKeys // OpenID Connect issuers' signing keys (AssumeRoleWithWebIdentity)
}

// NewAPI validates o.
func NewAPI(o APIOptions) (*API, error) {
	if o.Store == nil || o.Authorizer == nil || o.Keys == nil {
		return nil, errors.New("iam api: a store, an authorizer and a keyring are required")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &API{store: o.Store, authz: o.Authorizer, keys: o.Keys, log: o.Logger, oidc: newOIDCKeys()}, nil
}

// IAM returns the IAM API (query protocol, signing name "iam"): each
// operation is authorized as its IAM action on the role or policy it names,
// with the condition keys IAM's service authorization reference lists for
// it (see target).
func (a *API) IAM() (*awsapi.API, error) {
	return awsapi.NewAPI(awsapi.Spec{
		Service:      "iam",
		SDKID:        "iam",
		Protocol:     awsapi.Query,
		QueryVersion: iamVersion,
		XMLNamespace: iamNamespace,
		Authorizer:   a.authz,
		Logger:       a.log,
		MapError:     iamError,
		Ops:          slices.Concat(a.roleOps(), a.policyOps(), a.userOps(), a.groupOps(), a.policyVersionOps(), a.instanceProfileOps(), a.providerOps(), a.mfaOps(), a.serviceLinkedOps(), a.gaadOps(), a.accountOps(), a.tagOps()),
	})
}

// roleOps are the IAM operations on roles.
func (a *API) roleOps() []awsapi.Declared {
	onRole := func(c *awsapi.Call, in *roleIn) ([]awsapi.Target, error) {
		return a.roleTarget(c.Context(), in.RoleName, "", nil, nil), nil
	}
	onRolePolicy := func(c *awsapi.Call, in *rolePolicyIn) ([]awsapi.Target, error) {
		return a.roleTarget(c.Context(), in.RoleName, "", nil, nil), nil
	}
	onRolePages := func(c *awsapi.Call, in *rolePagesIn) ([]awsapi.Target, error) {
		return a.roleTarget(c.Context(), in.RoleName, "", nil, nil), nil
	}
	// Attaching and detaching name the policy in iam:PolicyARN.
	onAttachment := func(c *awsapi.Call, in *attachmentIn) ([]awsapi.Target, error) {
		return a.roleTarget(c.Context(), in.RoleName, "", nil, condition("iam:PolicyARN", in.PolicyArn)), nil
	}
	return []awsapi.Declared{
		awsapi.Op[createRoleIn, roleResult]{Name: "CreateRole", Action: "iam:CreateRole",
			Resources: func(c *awsapi.Call, in *createRoleIn) ([]awsapi.Target, error) {
				return a.roleTarget(c.Context(), in.RoleName, in.Path, in.Tags, condition("iam:PermissionsBoundary", in.PermissionsBoundary)), nil
			},
			Handler: a.createRole},
		awsapi.Op[roleIn, roleResult]{Name: "GetRole", Action: "iam:GetRole", Resources: onRole, Handler: a.getRole},
		awsapi.Op[listRolesIn, listRolesResult]{Name: "ListRoles", Action: "iam:ListRoles", Handler: a.listRoles},
		awsapi.Op[updateRoleIn, emptyResult]{Name: "UpdateRole", Action: "iam:UpdateRole",
			Resources: func(c *awsapi.Call, in *updateRoleIn) ([]awsapi.Target, error) {
				return a.roleTarget(c.Context(), in.RoleName, "", nil, nil), nil
			},
			Handler: a.updateRole},
		awsapi.Op[tagRoleIn, emptyResult]{Name: "TagRole", Action: "iam:TagRole",
			Resources: func(c *awsapi.Call, in *tagRoleIn) ([]awsapi.Target, error) {
				return a.roleTarget(c.Context(), in.RoleName, "", in.Tags, nil), nil
			},
			Handler: a.tagRole},
		awsapi.Op[untagRoleIn, emptyResult]{Name: "UntagRole", Action: "iam:UntagRole",
			Resources: func(c *awsapi.Call, in *untagRoleIn) ([]awsapi.Target, error) {
				var cond map[string][]string
				if len(in.TagKeys) > 0 {
					cond = map[string][]string{"aws:TagKeys": in.TagKeys}
				}
				return a.roleTarget(c.Context(), in.RoleName, "", nil, cond), nil
			},
			Handler: a.untagRole},
		awsapi.Op[roleIn, listRoleTagsResult]{Name: "ListRoleTags", Action: "iam:ListRoleTags", Resources: onRole, Handler: a.listRoleTags},
		awsapi.Op[rolePolicyIn, awsapi.None]{Name: "UpdateAssumeRolePolicy", Action: "iam:UpdateAssumeRolePolicy",
			Resources: onRolePolicy, Handler: a.updateAssumeRolePolicy},
		awsapi.Op[roleIn, awsapi.None]{Name: "DeleteRole", Action: "iam:DeleteRole", Resources: onRole, Handler: a.deleteRole},
		awsapi.Op[rolePolicyIn, awsapi.None]{Name: "PutRolePolicy", Action: "iam:PutRolePolicy", Resources: onRolePolicy, Handler: a.putRolePolicy},
		awsapi.Op[rolePolicyIn, getRolePolicyResult]{Name: "GetRolePolicy", Action: "iam:GetRolePolicy", Resources: onRolePolicy, Handler: a.getRolePolicy},
		awsapi.Op[rolePagesIn, listRolePoliciesResult]{Name: "ListRolePolicies", Action: "iam:ListRolePolicies", Resources: onRolePages, Handler: a.listRolePolicies},
		awsapi.Op[rolePolicyIn, awsapi.None]{Name: "DeleteRolePolicy", Action: "iam:DeleteRolePolicy", Resources: onRolePolicy, Handler: a.deleteRolePolicy},
		awsapi.Op[attachmentIn, awsapi.None]{Name: "AttachRolePolicy", Action: "iam:AttachRolePolicy", Resources: onAttachment, Handler: a.attachRolePolicy},
		awsapi.Op[attachmentIn, awsapi.None]{Name: "DetachRolePolicy", Action: "iam:DetachRolePolicy", Resources: onAttachment, Handler: a.detachRolePolicy},
		awsapi.Op[rolePagesIn, listAttachedResult]{Name: "ListAttachedRolePolicies", Action: "iam:ListAttachedRolePolicies", Resources: onRolePages, Handler: a.listAttachedRolePolicies},
		awsapi.Op[boundaryIn, awsapi.None]{Name: "PutRolePermissionsBoundary", Action: "iam:PutRolePermissionsBoundary",
			Resources: func(c *awsapi.Call, in *boundaryIn) ([]awsapi.Target, error) {
				return a.roleTarget(c.Context(), in.RoleName, "", nil, condition("iam:PermissionsBoundary", in.PermissionsBoundary)), nil
			},
			Handler: a.putRolePermissionsBoundary},
		awsapi.Op[roleIn, awsapi.None]{Name: "DeleteRolePermissionsBoundary", Action: "iam:DeleteRolePermissionsBoundary",
			Resources: onRole, Handler: a.deleteRolePermissionsBoundary},
	}
}

// policyOps are the IAM operations on managed policies and the policy
// simulator's.
func (a *API) policyOps() []awsapi.Declared {
	onPolicy := func(c *awsapi.Call, in *policyIn) ([]awsapi.Target, error) {
		return a.target(c.Context(), in.PolicyArn, nil, nil), nil
	}
	onVersion := func(c *awsapi.Call, in *policyVersionIn) ([]awsapi.Target, error) {
		return a.target(c.Context(), in.PolicyArn, nil, nil), nil
	}
	return []awsapi.Declared{
		awsapi.Op[createPolicyIn, policyResult]{Name: "CreatePolicy", Action: "iam:CreatePolicy",
			Resources: func(c *awsapi.Call, in *createPolicyIn) ([]awsapi.Target, error) {
				return a.target(c.Context(), PolicyARN(a.store.account.ID, orRoot(in.Path), in.PolicyName), in.Tags, nil), nil
			},
			Handler: a.createPolicy},
		awsapi.Op[policyIn, policyResult]{Name: "GetPolicy", Action: "iam:GetPolicy", Resources: onPolicy, Handler: a.getPolicy},
		awsapi.Op[policyVersionIn, policyVersionResult]{Name: "GetPolicyVersion", Action: "iam:GetPolicyVersion", Resources: onVersion, Handler: a.getPolicyVersion},
		awsapi.Op[policyVersionIn, policyVersionResult]{Name: "CreatePolicyVersion", Action: "iam:CreatePolicyVersion", Resources: onVersion, Handler: a.createPolicyVersion},
		awsapi.Op[policyIn, awsapi.None]{Name: "DeletePolicy", Action: "iam:DeletePolicy", Resources: onPolicy, Handler: a.deletePolicy},
		awsapi.Op[listPoliciesIn, listPoliciesResult]{Name: "ListPolicies", Action: "iam:ListPolicies", Handler: a.listPolicies},
		awsapi.Op[simulateIn, simulateResult]{Name: "SimulatePrincipalPolicy", Action: "iam:SimulatePrincipalPolicy",
			Resources: func(c *awsapi.Call, in *simulateIn) ([]awsapi.Target, error) {
				return a.target(c.Context(), in.PolicySourceArn, nil, nil), nil
			},
			Handler: a.simulatePrincipalPolicy},
		awsapi.Op[simulateIn, simulateResult]{Name: "SimulateCustomPolicy", Action: "iam:SimulateCustomPolicy", Handler: a.simulateCustomPolicy},
	}
}

// roleTarget is an operation on the role named name: its ARN if it exists,
// else the one it would have under path ("/" if none).
func (a *API) roleTarget(ctx context.Context, name, path string, requestTags []Tag, cond map[string][]string) []awsapi.Target {
	arn := RoleARN(a.store.account.ID, orRoot(path), name)
	if r, err := a.store.GetRole(ctx, name); err == nil {
		arn = r.ARN
	}
	return a.target(ctx, arn, requestTags, cond)
}

// target is the authorization question of an operation on resource: the
// tags it sets (aws:RequestTag/*, aws:TagKeys), those of the role or policy
// it acts on (aws:ResourceTag/*, iam:ResourceTag/*) and the operation's own
// condition keys (iam:PermissionsBoundary, iam:PolicyARN, aws:TagKeys).
func (a *API) target(ctx context.Context, resource string, requestTags []Tag, keys map[string][]string) []awsapi.Target {
	t := awsapi.Target{Resource: resource, RequestTags: tagMap(requestTags)}
	var resTags []Tag
	if _, ok := RoleNameFromARN(resource); ok {
		if r, err := a.store.RoleByARN(ctx, resource); err == nil {
			resTags = r.Tags
		}
	} else if strings.Contains(resource, ":policy/") {
		if p, err := a.store.GetPolicy(ctx, resource); err == nil {
			resTags = p.Tags
		}
	}
	cond := map[string][]string{}
	if len(resTags) > 0 {
		t.ResourceTags = tagMap(resTags)
		for _, tg := range resTags {
			cond["iam:ResourceTag/"+tg.Key] = []string{tg.Value}
		}
	}
	for k, v := range keys {
		cond[k] = v
	}
	if len(cond) > 0 {
		t.Context = cond
	}
	return []awsapi.Target{t}
}

// condition is a condition key with one value, or none when value is "".
func condition(key, value string) map[string][]string {
	if value == "" {
		return nil
	}
	return map[string][]string{key: {value}}
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
	case errors.Is(err, awsapi.ErrInvalidToken):
		return awsapi.NewError(http.StatusBadRequest, "ValidationError", trimSentinel(err, awsapi.ErrInvalidToken))
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

// required is IAM's error for a required parameter the request lacks.
func required(name, value string) error {
	if value != "" {
		return nil
	}
	return awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", lowerFirst(name))
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]|0x20) + s[1:]
}

// page is IAM's Marker/MaxItems paging (100 items by default); a Marker it
// did not issue is a ValidationError naming it (iamError).
func page[T any](items []T, marker string, maxItems int32) ([]T, string, error) {
	p, next, err := awsapi.Page(items, marker, int(maxItems), 100)
	if err != nil {
		return nil, "", fmt.Errorf("invalid Marker %q: %w", marker, err)
	}
	return p, next, nil
}

func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
