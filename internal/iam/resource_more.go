package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/nubo-run/nubo/internal/stacks"
)

// More IAM stack providers: AWS::IAM::UserToGroupAddition,
// AWS::IAM::AccessKey, AWS::IAM::InstanceProfile, AWS::IAM::OIDCProvider
// and AWS::IAM::ServiceLinkedRole, after their registry schemas.

// UserToGroupAdditionProvider is AWS::IAM::UserToGroupAddition: Ref is its
// generated id; which users it added is recorded in the store so Delete
// takes out only those.
type UserToGroupAdditionProvider struct{ s *Store }

// NewUserToGroupAdditionProvider returns the provider over s.
func NewUserToGroupAdditionProvider(s *Store) *UserToGroupAdditionProvider {
	return &UserToGroupAdditionProvider{s: s}
}

// Type implements stacks.Provider.
func (*UserToGroupAdditionProvider) Type() string { return "AWS::IAM::UserToGroupAddition" }

// Stateful implements stacks.Provider.
func (*UserToGroupAdditionProvider) Stateful() bool { return false }

// Schema implements stacks.Provider.
func (*UserToGroupAdditionProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"GroupName": {Type: stacks.String, Required: true},
		"Users":     {Type: stacks.List, Required: true},
		"Id":        {Type: stacks.String, ReadOnly: true},
	}}
}

type groupAddition struct {
	GroupName string   `json:"group"`
	Users     []string `json:"users"`
}

func groupAdditionKey(id string) string { return "stackgroupadds." + keyPart(id) }

// PhysicalIDFor implements stacks.Identifier: a generated name.
func (*UserToGroupAdditionProvider) PhysicalIDFor(ctx context.Context, _ stacks.Props) (string, bool) {
	return stacks.GeneratedName(ctx, 128), true
}

func (gp *UserToGroupAdditionProvider) apply(ctx context.Context, id string, prev groupAddition, props stacks.Props) error {
	var next groupAddition
	if err := decode(props, &next); err != nil {
		return err
	}
	next.Users = nonEmpty(next.Users)
	for _, u := range next.Users {
		if err := gp.s.AddUserToGroup(ctx, next.GroupName, u); err != nil {
			return fmt.Errorf("user %q to group %q: %w", u, next.GroupName, err)
		}
	}
	for _, u := range prev.Users {
		if !strings.EqualFold(prev.GroupName, next.GroupName) || !slices.Contains(next.Users, u) {
			if err := gp.s.RemoveUserFromGroup(ctx, prev.GroupName, u); err != nil && !errors.Is(err, ErrNoSuchEntity) {
				return fmt.Errorf("user %q from group %q: %w", u, prev.GroupName, err)
			}
		}
	}
	b, err := json.Marshal(next)
	if err != nil {
		return err
	}
	kv, err := gp.s.bucketKV()
	if err != nil {
		return err
	}
	_, err = kv.Put(ctx, groupAdditionKey(id), b)
	return err
}

func (gp *UserToGroupAdditionProvider) record(ctx context.Context, id string) (groupAddition, error) {
	var g groupAddition
	_, err := gp.s.get(ctx, groupAdditionKey(id), &g)
	return g, err
}

// Create implements stacks.Provider.
func (gp *UserToGroupAdditionProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	id, _ := gp.PhysicalIDFor(ctx, props)
	if err := gp.apply(ctx, id, groupAddition{}, props); err != nil {
		return "", nil, err
	}
	return id, stacks.Attrs{"Id": id}, nil
}

// Update implements stacks.Provider.
func (gp *UserToGroupAdditionProvider) Update(ctx context.Context, physicalID string, _, new stacks.Props) (stacks.Attrs, error) {
	prev, err := gp.record(ctx, physicalID)
	if err != nil {
		return nil, notFound(err)
	}
	return stacks.Attrs{"Id": physicalID}, gp.apply(ctx, physicalID, prev, new)
}

// Delete implements stacks.Provider.
func (gp *UserToGroupAdditionProvider) Delete(ctx context.Context, physicalID string) error {
	prev, err := gp.record(ctx, physicalID)
	if err != nil {
		return notFound(err)
	}
	for _, u := range prev.Users {
		if err := gp.s.RemoveUserFromGroup(ctx, prev.GroupName, u); err != nil && !errors.Is(err, ErrNoSuchEntity) {
			return err
		}
	}
	kv, err := gp.s.bucketKV()
	if err != nil {
		return err
	}
	return kv.Purge(ctx, groupAdditionKey(physicalID))
}

// Read implements stacks.Provider.
func (gp *UserToGroupAdditionProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	prev, err := gp.record(ctx, physicalID)
	if err != nil {
		return nil, notFound(err)
	}
	return stacks.Props{"GroupName": prev.GroupName, "Users": anyList(prev.Users)}, nil
}

// AccessKeyProvider is AWS::IAM::AccessKey: Ref is the access key id,
// Fn::GetAtt gives SecretAccessKey.
type AccessKeyProvider struct{ s *Store }

// NewAccessKeyProvider returns the provider over s.
func NewAccessKeyProvider(s *Store) *AccessKeyProvider { return &AccessKeyProvider{s: s} }

// Type implements stacks.Provider.
func (*AccessKeyProvider) Type() string { return "AWS::IAM::AccessKey" }

// Stateful implements stacks.Provider: a new key is a new secret.
func (*AccessKeyProvider) Stateful() bool { return false }

// Schema implements stacks.Provider: a new Serial rotates the key.
func (*AccessKeyProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"UserName":        {Type: stacks.String, Required: true, CreateOnly: true},
		"Serial":          {Type: stacks.Integer, CreateOnly: true},
		"Status":          {Type: stacks.String},
		"Id":              {Type: stacks.String, ReadOnly: true},
		"SecretAccessKey": {Type: stacks.String, ReadOnly: true},
	}}
}

type accessKeyModel struct {
	UserName, Status string
	Serial           int
}

func (m *accessKeyModel) status() (string, error) {
	switch m.Status {
	case "", KeyActive:
		return KeyActive, nil
	case "Inactive":
		return "Inactive", nil
	}
	return "", fmt.Errorf("%w: Status %q must be Active or Inactive", ErrInvalidInput, m.Status)
}

// Create implements stacks.Provider.
func (ap *AccessKeyProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m accessKeyModel
	if err := decode(props, &m); err != nil {
		return "", nil, err
	}
	status, err := m.status()
	if err != nil {
		return "", nil, err
	}
	k, err := ap.s.CreateAccessKey(ctx, m.UserName)
	if err != nil {
		return "", nil, fmt.Errorf("user %q: %w", m.UserName, err)
	}
	if status != KeyActive {
		if err := ap.s.UpdateAccessKey(ctx, k.UserName, k.ID, status); err != nil {
			return "", nil, err
		}
	}
	return k.ID, stacks.Attrs{"Id": k.ID, "SecretAccessKey": k.Secret}, nil
}

// Update implements stacks.Provider: Status only (the rest replaces the key).
func (ap *AccessKeyProvider) Update(ctx context.Context, physicalID string, _, new stacks.Props) (stacks.Attrs, error) {
	var m accessKeyModel
	if err := decode(new, &m); err != nil {
		return nil, err
	}
	status, err := m.status()
	if err != nil {
		return nil, err
	}
	k, err := ap.s.AccessKey(ctx, physicalID)
	if err != nil {
		return nil, notFound(err)
	}
	if err := ap.s.UpdateAccessKey(ctx, k.UserName, k.ID, status); err != nil {
		return nil, err
	}
	return stacks.Attrs{"Id": k.ID, "SecretAccessKey": k.Secret}, nil
}

// Delete implements stacks.Provider.
func (ap *AccessKeyProvider) Delete(ctx context.Context, physicalID string) error {
	k, err := ap.s.AccessKey(ctx, physicalID)
	if err != nil {
		return notFound(err)
	}
	return notFound(ap.s.DeleteAccessKey(ctx, k.UserName, k.ID))
}

// Read implements stacks.Provider.
func (ap *AccessKeyProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	k, err := ap.s.AccessKey(ctx, physicalID)
	if err != nil {
		return nil, notFound(err)
	}
	return stacks.Props{"UserName": k.UserName, "Status": k.Status}, nil
}

// InstanceProfileProvider is AWS::IAM::InstanceProfile: Ref is the name,
// Fn::GetAtt gives Arn.
type InstanceProfileProvider struct{ s *Store }

// NewInstanceProfileProvider returns the provider over s.
func NewInstanceProfileProvider(s *Store) *InstanceProfileProvider {
	return &InstanceProfileProvider{s: s}
}

// Type implements stacks.Provider.
func (*InstanceProfileProvider) Type() string { return "AWS::IAM::InstanceProfile" }

// Stateful implements stacks.Provider.
func (*InstanceProfileProvider) Stateful() bool { return false }

// Schema implements stacks.Provider.
func (*InstanceProfileProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"InstanceProfileName": {Type: stacks.String, CreateOnly: true},
		"Path":                {Type: stacks.String, CreateOnly: true},
		"Roles":               {Type: stacks.List, Required: true},
		"Arn":                 {Type: stacks.String, ReadOnly: true},
	}}
}

type instanceProfileModel struct {
	InstanceProfileName, Path string
	Roles                     []string
}

// PhysicalIDFor implements stacks.Identifier.
func (*InstanceProfileProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	var m instanceProfileModel
	if err := decode(props, &m); err != nil {
		return "", false
	}
	if m.InstanceProfileName != "" {
		return m.InstanceProfileName, true
	}
	return stacks.GeneratedName(ctx, 128), true
}

func (ip *InstanceProfileProvider) setRoles(ctx context.Context, name string, roles []string) (InstanceProfile, error) {
	roles = roleNames(roles)
	if len(roles) > 1 {
		return InstanceProfile{}, fmt.Errorf("%w: Roles: an instance profile holds one role at most", ErrLimitExceeded)
	}
	for _, r := range roles {
		if _, err := ip.s.GetRole(ctx, r); err != nil {
			return InstanceProfile{}, fmt.Errorf("Roles: role %q: %w", r, err)
		}
	}
	return ip.s.ModifyInstanceProfile(ctx, name, func(p *InstanceProfile) error {
		p.Roles = roles
		return nil
	})
}

// Create implements stacks.Provider.
func (ip *InstanceProfileProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m instanceProfileModel
	if err := decode(props, &m); err != nil {
		return "", nil, err
	}
	name, _ := ip.PhysicalIDFor(ctx, props)
	if _, err := ip.s.CreateInstanceProfile(ctx, name, orRoot(m.Path), nil); err != nil {
		return "", nil, err
	}
	p, err := ip.setRoles(ctx, name, m.Roles)
	if err != nil {
		_ = ip.s.DeleteInstanceProfile(ctx, name)
		return "", nil, err
	}
	return name, stacks.Attrs{"Arn": p.ARN}, nil
}

// Update implements stacks.Provider: Roles.
func (ip *InstanceProfileProvider) Update(ctx context.Context, physicalID string, _, new stacks.Props) (stacks.Attrs, error) {
	var m instanceProfileModel
	if err := decode(new, &m); err != nil {
		return nil, err
	}
	p, err := ip.setRoles(ctx, physicalID, m.Roles)
	if err != nil {
		return nil, notFound(err)
	}
	return stacks.Attrs{"Arn": p.ARN}, nil
}

// Delete implements stacks.Provider: the profile goes with its role link.
func (ip *InstanceProfileProvider) Delete(ctx context.Context, physicalID string) error {
	if _, err := ip.s.ModifyInstanceProfile(ctx, physicalID, func(p *InstanceProfile) error { p.Roles = nil; return nil }); err != nil {
		return notFound(err)
	}
	return notFound(ip.s.DeleteInstanceProfile(ctx, physicalID))
}

// Read implements stacks.Provider.
func (ip *InstanceProfileProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	p, err := ip.s.GetInstanceProfile(ctx, physicalID)
	if err != nil {
		return nil, notFound(err)
	}
	return stacks.Props{"InstanceProfileName": p.Name, "Path": p.Path, "Roles": anyList(p.Roles)}, nil
}

// OIDCProviderProvider is AWS::IAM::OIDCProvider: Ref and Fn::GetAtt Arn
// are its ARN.
type OIDCProviderProvider struct{ s *Store }

// NewOIDCProviderProvider returns the provider over s.
func NewOIDCProviderProvider(s *Store) *OIDCProviderProvider { return &OIDCProviderProvider{s: s} }

// Type implements stacks.Provider.
func (*OIDCProviderProvider) Type() string { return "AWS::IAM::OIDCProvider" }

// Stateful implements stacks.Provider.
func (*OIDCProviderProvider) Stateful() bool { return false }

// Schema implements stacks.Provider.
func (*OIDCProviderProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"Url":            {Type: stacks.String, CreateOnly: true},
		"ClientIdList":   {Type: stacks.List},
		"ThumbprintList": {Type: stacks.List},
		"Tags":           {Type: stacks.List},
		"Arn":            {Type: stacks.String, ReadOnly: true},
	}}
}

type oidcModel struct {
	Url                          string
	ClientIdList, ThumbprintList []string
	Tags                         []tagModel
}

func (m *oidcModel) tags() []Tag {
	var out []Tag
	for _, t := range m.Tags {
		out = append(out, Tag(t))
	}
	return out
}

// Create implements stacks.Provider.
func (op *OIDCProviderProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m oidcModel
	if err := decode(props, &m); err != nil {
		return "", nil, err
	}
	if m.Url == "" {
		return "", nil, fmt.Errorf("%w: Url is required", ErrInvalidInput)
	}
	p, err := op.s.CreateOIDCProvider(ctx, m.Url, nonEmpty(m.ClientIdList), nonEmpty(m.ThumbprintList), m.tags())
	if err != nil {
		return "", nil, err
	}
	return p.ARN, stacks.Attrs{"Arn": p.ARN}, nil
}

// Update implements stacks.Provider: client ids, thumbprints and tags.
func (op *OIDCProviderProvider) Update(ctx context.Context, physicalID string, _, new stacks.Props) (stacks.Attrs, error) {
	var m oidcModel
	if err := decode(new, &m); err != nil {
		return nil, err
	}
	ids, prints, tags := nonEmpty(m.ClientIdList), nonEmpty(m.ThumbprintList), m.tags()
	if err := checkClientIDs(ids); err != nil {
		return nil, err
	}
	if err := checkThumbprints(prints); err != nil {
		return nil, err
	}
	if err := checkTags(tags, maxUserTags, "TagsPerOpenIdConnectProvider"); err != nil {
		return nil, err
	}
	err := op.s.ModifyOIDCProvider(ctx, physicalID, func(p *OIDCProvider) error {
		p.ClientIDs, p.Thumbprints, p.Tags = dedupe(ids), prints, tags
		return nil
	})
	if err != nil {
		return nil, notFound(err)
	}
	return stacks.Attrs{"Arn": physicalID}, nil
}

// Delete implements stacks.Provider.
func (op *OIDCProviderProvider) Delete(ctx context.Context, physicalID string) error {
	return notFound(op.s.DeleteOIDCProvider(ctx, physicalID))
}

// Read implements stacks.Provider.
func (op *OIDCProviderProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	p, err := op.s.GetOIDCProvider(ctx, physicalID)
	if err != nil {
		return nil, notFound(err)
	}
	return stacks.Props{"Url": "https://" + p.URL, "ClientIdList": anyList(p.ClientIDs), "ThumbprintList": anyList(p.Thumbprints)}, nil
}

// ServiceLinkedRoleProvider is AWS::IAM::ServiceLinkedRole: Ref is the
// role's name.
type ServiceLinkedRoleProvider struct{ s *Store }

// NewServiceLinkedRoleProvider returns the provider over s.
func NewServiceLinkedRoleProvider(s *Store) *ServiceLinkedRoleProvider {
	return &ServiceLinkedRoleProvider{s: s}
}

// Type implements stacks.Provider.
func (*ServiceLinkedRoleProvider) Type() string { return "AWS::IAM::ServiceLinkedRole" }

// Stateful implements stacks.Provider.
func (*ServiceLinkedRoleProvider) Stateful() bool { return false }

// Schema implements stacks.Provider.
func (*ServiceLinkedRoleProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"AWSServiceName": {Type: stacks.String, CreateOnly: true},
		"CustomSuffix":   {Type: stacks.String, CreateOnly: true},
		"Description":    {Type: stacks.String},
		"RoleName":       {Type: stacks.String, ReadOnly: true},
	}}
}

type serviceLinkedModel struct{ AWSServiceName, CustomSuffix, Description string }

// Create implements stacks.Provider.
func (sp *ServiceLinkedRoleProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m serviceLinkedModel
	if err := decode(props, &m); err != nil {
		return "", nil, err
	}
	if m.AWSServiceName == "" {
		return "", nil, fmt.Errorf("%w: AWSServiceName is required", ErrInvalidInput)
	}
	r, err := sp.s.CreateServiceLinkedRole(ctx, m.AWSServiceName, m.CustomSuffix, m.Description)
	if err != nil {
		return "", nil, err
	}
	return r.Name, stacks.Attrs{"RoleName": r.Name}, nil
}

// Update implements stacks.Provider: Description.
func (sp *ServiceLinkedRoleProvider) Update(ctx context.Context, physicalID string, _, new stacks.Props) (stacks.Attrs, error) {
	var m serviceLinkedModel
	if err := decode(new, &m); err != nil {
		return nil, err
	}
	if _, err := sp.s.UpdateRole(ctx, physicalID, &m.Description, nil); err != nil {
		return nil, notFound(err)
	}
	return stacks.Attrs{"RoleName": physicalID}, nil
}

// Delete implements stacks.Provider.
func (sp *ServiceLinkedRoleProvider) Delete(ctx context.Context, physicalID string) error {
	return notFound(sp.s.DeleteRole(ctx, physicalID, true))
}

// Read implements stacks.Provider.
func (sp *ServiceLinkedRoleProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	r, err := sp.s.GetRole(ctx, physicalID)
	if err != nil {
		return nil, notFound(err)
	}
	out := stacks.Props{"AWSServiceName": strings.TrimSuffix(strings.TrimPrefix(r.Path, "/aws-service-role/"), "/")}
	if r.Description != "" {
		out["Description"] = r.Description
	}
	return out, nil
}
