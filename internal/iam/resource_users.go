package iam

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/nubo-run/nubo/internal/stacks"
)

// The stack providers of IAM users and groups: AWS::IAM::User,
// AWS::IAM::Group, AWS::IAM::UserToGroupAddition and AWS::IAM::AccessKey,
// after their CloudFormation registry schemas. Like AWS::IAM::Role, an
// update replaces only what the resource's own properties named: policies
// and memberships set by other means stay.

// UserProvider is AWS::IAM::User: Ref is the user name, Fn::GetAtt gives Arn.
type UserProvider struct{ s *Store }

// NewUserProvider returns the provider over s.
func NewUserProvider(s *Store) *UserProvider { return &UserProvider{s: s} }

// Type implements stacks.Provider.
func (*UserProvider) Type() string { return "AWS::IAM::User" }

// Stateful implements stacks.Provider: a user is configuration.
func (*UserProvider) Stateful() bool { return false }

// Schema implements stacks.Provider.
func (*UserProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"UserName":            {Type: stacks.String, CreateOnly: true},
		"Path":                {Type: stacks.String},
		"Groups":              {Type: stacks.List},
		"LoginProfile":        {Type: stacks.Object},
		"ManagedPolicyArns":   {Type: stacks.List},
		"PermissionsBoundary": {Type: stacks.String},
		"Policies":            {Type: stacks.List},
		"Tags":                {Type: stacks.List},
		"Arn":                 {Type: stacks.String, ReadOnly: true},
	}}
}

type loginProfileModel struct {
	Password              string
	PasswordResetRequired bool
}

// principalModel is what AWS::IAM::User and AWS::IAM::Group share.
type principalModel struct {
	Path              string
	Policies          []inlinePolicy
	ManagedPolicyArns []string
}

// userModel is AWS::IAM::User's properties (stacks.Decode fills named
// fields only, not embedded ones).
type userModel struct {
	Path                string
	Policies            []inlinePolicy
	ManagedPolicyArns   []string
	UserName            string
	Groups              []string
	LoginProfile        *loginProfileModel
	PermissionsBoundary string
	Tags                []tagModel
}

// PhysicalIDFor implements stacks.Identifier: the user name, given or
// generated.
func (*UserProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	var m userModel
	if err := decode(props, &m); err != nil {
		return "", false
	}
	if m.UserName != "" {
		return m.UserName, true
	}
	return stacks.GeneratedName(ctx, 64), true
}

// policies resolves a model's inline documents and checks its managed
// policies exist.
func (s *Store) checkedPolicies(ctx context.Context, m principalModel) (map[string]string, []string, error) {
	inline, err := inlinePolicies(m.Policies)
	if err != nil {
		return nil, nil, err
	}
	attached := nonEmpty(m.ManagedPolicyArns)
	for _, arn := range attached {
		if _, err := s.GetPolicy(ctx, arn); err != nil {
			return nil, nil, fmt.Errorf("ManagedPolicyArns: policy %s: %w", arn, err)
		}
	}
	return inline, attached, nil
}

// merged is the next inline and attached sets: the model's, plus what the
// entity has that the previous model did not name.
func merged(curInline map[string]string, curAttached []string, was principalModel, inline map[string]string, attached []string) (map[string]string, []string) {
	oldInline, _ := inlinePolicies(was.Policies)
	next := map[string]string{}
	for n, d := range curInline {
		if _, mine := oldInline[n]; !mine {
			next[n] = d
		}
	}
	for n, d := range inline {
		next[n] = d
	}
	oldAttached := nonEmpty(was.ManagedPolicyArns)
	var nextAttached []string
	for _, arn := range curAttached {
		if !slices.Contains(oldAttached, arn) {
			nextAttached = append(nextAttached, arn)
		}
	}
	for _, arn := range attached {
		if !slices.Contains(nextAttached, arn) {
			nextAttached = append(nextAttached, arn)
		}
	}
	if len(next) == 0 {
		next = nil
	}
	return next, nextAttached
}

func (up *UserProvider) apply(ctx context.Context, name string, m, was userModel) (stacks.Attrs, error) {
	inline, attached, err := up.s.checkedPolicies(ctx, m.principal())
	if err != nil {
		return nil, err
	}
	for n, d := range inline {
		if err := checkInline(n, d, inline, maxUserInlineChars, "user "+name); err != nil {
			return nil, err
		}
	}
	if len(attached) > maxAttachedUser {
		return nil, fmt.Errorf("%w: Cannot exceed quota for PoliciesPerUser: %d", ErrLimitExceeded, maxAttachedUser)
	}
	if m.PermissionsBoundary != "" {
		if _, err := up.s.GetPolicy(ctx, m.PermissionsBoundary); err != nil {
			return nil, fmt.Errorf("PermissionsBoundary: policy %s: %w", m.PermissionsBoundary, err)
		}
	}
	var tags []Tag
	for _, t := range m.Tags {
		tags = append(tags, Tag(t))
	}
	if err := checkTags(tags, maxUserTags, "TagsPerUser"); err != nil {
		return nil, err
	}
	u, err := up.s.ModifyUser(ctx, name, func(u *User) error {
		u.Inline, u.Attached = merged(u.Inline, u.Attached, was.principal(), inline, attached)
		u.Boundary, u.Tags = m.PermissionsBoundary, tags
		switch {
		case m.LoginProfile == nil:
			u.Login = nil
		case u.Login == nil:
			u.Login = &LoginProfile{Created: up.s.now().UTC(), ResetRequired: m.LoginProfile.PasswordResetRequired}
		default:
			u.Login.ResetRequired = m.LoginProfile.PasswordResetRequired
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if p := orRoot(m.Path); p != u.Path {
		if u, err = up.s.UpdateUser(ctx, name, "", p); err != nil {
			return nil, err
		}
	}
	for _, g := range nonEmpty(m.Groups) {
		if err := up.s.AddUserToGroup(ctx, g, name); err != nil {
			return nil, fmt.Errorf("Groups: %s: %w", g, err)
		}
	}
	for _, g := range nonEmpty(was.Groups) {
		if !slices.Contains(m.Groups, g) {
			if err := up.s.RemoveUserFromGroup(ctx, g, name); err != nil && !errors.Is(err, ErrNoSuchEntity) {
				return nil, fmt.Errorf("Groups: %s: %w", g, err)
			}
		}
	}
	return stacks.Attrs{"Arn": u.ARN}, nil
}

// Create implements stacks.Provider.
func (up *UserProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m userModel
	if err := decode(props, &m); err != nil {
		return "", nil, err
	}
	name, _ := up.PhysicalIDFor(ctx, props)
	if _, err := up.s.CreateUser(ctx, name, orRoot(m.Path), "", nil); err != nil {
		return "", nil, err
	}
	attrs, err := up.apply(ctx, name, m, userModel{})
	if err != nil {
		_ = up.Delete(ctx, name)
		return "", nil, err
	}
	return name, attrs, nil
}

// Update implements stacks.Provider.
func (up *UserProvider) Update(ctx context.Context, physicalID string, old, new stacks.Props) (stacks.Attrs, error) {
	var m, was userModel
	if err := decode(new, &m); err != nil {
		return nil, err
	}
	_ = stacks.Decode(old, &was)
	return up.apply(ctx, physicalID, m, was)
}

// Delete implements stacks.Provider: the user goes with its policies, login
// profile and group memberships; access keys made outside the stack stop
// it, as on AWS.
func (up *UserProvider) Delete(ctx context.Context, physicalID string) error {
	u, err := up.s.ModifyUser(ctx, physicalID, func(u *User) error {
		u.Inline, u.Attached, u.Login, u.Boundary = nil, nil, nil, ""
		return nil
	})
	if err != nil {
		return notFound(err)
	}
	for _, g := range u.Groups {
		if err := up.s.RemoveUserFromGroup(ctx, g, u.Name); err != nil && !errors.Is(err, ErrNoSuchEntity) {
			return err
		}
	}
	return notFound(up.s.DeleteUser(ctx, physicalID))
}

// Read implements stacks.Provider.
func (up *UserProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	u, err := up.s.GetUser(ctx, physicalID)
	if err != nil {
		return nil, notFound(err)
	}
	out := stacks.Props{"UserName": u.Name, "Path": u.Path}
	if len(u.Attached) > 0 {
		out["ManagedPolicyArns"] = anyList(u.Attached)
	}
	if len(u.Groups) > 0 {
		out["Groups"] = anyList(u.Groups)
	}
	if u.Boundary != "" {
		out["PermissionsBoundary"] = u.Boundary
	}
	return out, nil
}

// GroupProvider is AWS::IAM::Group: Ref is the group name, Fn::GetAtt
// gives Arn.
type GroupProvider struct{ s *Store }

// NewGroupProvider returns the provider over s.
func NewGroupProvider(s *Store) *GroupProvider { return &GroupProvider{s: s} }

// Type implements stacks.Provider.
func (*GroupProvider) Type() string { return "AWS::IAM::Group" }

// Stateful implements stacks.Provider.
func (*GroupProvider) Stateful() bool { return false }

// Schema implements stacks.Provider.
func (*GroupProvider) Schema() stacks.Schema {
	return stacks.Schema{Properties: map[string]stacks.Property{
		"GroupName":         {Type: stacks.String, CreateOnly: true},
		"Path":              {Type: stacks.String},
		"ManagedPolicyArns": {Type: stacks.List},
		"Policies":          {Type: stacks.List},
		"Arn":               {Type: stacks.String, ReadOnly: true},
	}}
}

type groupModel struct {
	Path              string
	Policies          []inlinePolicy
	ManagedPolicyArns []string
	GroupName         string
}

func (m *userModel) principal() principalModel {
	return principalModel{Path: m.Path, Policies: m.Policies, ManagedPolicyArns: m.ManagedPolicyArns}
}

func (m *groupModel) principal() principalModel {
	return principalModel{Path: m.Path, Policies: m.Policies, ManagedPolicyArns: m.ManagedPolicyArns}
}

// PhysicalIDFor implements stacks.Identifier.
func (*GroupProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	var m groupModel
	if err := decode(props, &m); err != nil {
		return "", false
	}
	if m.GroupName != "" {
		return m.GroupName, true
	}
	return stacks.GeneratedName(ctx, 128), true
}

func (gp *GroupProvider) apply(ctx context.Context, name string, m, was groupModel) (stacks.Attrs, error) {
	inline, attached, err := gp.s.checkedPolicies(ctx, m.principal())
	if err != nil {
		return nil, err
	}
	for n, d := range inline {
		if err := checkInline(n, d, inline, maxGroupInline, "group "+name); err != nil {
			return nil, err
		}
	}
	g, err := gp.s.ModifyGroup(ctx, name, func(g *Group) error {
		g.Inline, g.Attached = merged(g.Inline, g.Attached, was.principal(), inline, attached)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if p := orRoot(m.Path); p != g.Path {
		if g, err = gp.s.UpdateGroup(ctx, name, "", p); err != nil {
			return nil, err
		}
	}
	return stacks.Attrs{"Arn": g.ARN}, nil
}

// Create implements stacks.Provider.
func (gp *GroupProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m groupModel
	if err := decode(props, &m); err != nil {
		return "", nil, err
	}
	name, _ := gp.PhysicalIDFor(ctx, props)
	if _, err := gp.s.CreateGroup(ctx, name, orRoot(m.Path)); err != nil {
		return "", nil, err
	}
	attrs, err := gp.apply(ctx, name, m, groupModel{})
	if err != nil {
		_ = gp.Delete(ctx, name)
		return "", nil, err
	}
	return name, attrs, nil
}

// Update implements stacks.Provider.
func (gp *GroupProvider) Update(ctx context.Context, physicalID string, old, new stacks.Props) (stacks.Attrs, error) {
	var m, was groupModel
	if err := decode(new, &m); err != nil {
		return nil, err
	}
	_ = stacks.Decode(old, &was)
	return gp.apply(ctx, physicalID, m, was)
}

// Delete implements stacks.Provider: the group goes with its policies;
// members added outside the stack stop it, as on AWS.
func (gp *GroupProvider) Delete(ctx context.Context, physicalID string) error {
	if _, err := gp.s.ModifyGroup(ctx, physicalID, func(g *Group) error {
		g.Inline, g.Attached = nil, nil
		return nil
	}); err != nil {
		return notFound(err)
	}
	return notFound(gp.s.DeleteGroup(ctx, physicalID))
}

// Read implements stacks.Provider.
func (gp *GroupProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	g, err := gp.s.GetGroup(ctx, physicalID)
	if err != nil {
		return nil, notFound(err)
	}
	out := stacks.Props{"GroupName": g.Name, "Path": g.Path}
	if len(g.Attached) > 0 {
		out["ManagedPolicyArns"] = anyList(g.Attached)
	}
	return out, nil
}
