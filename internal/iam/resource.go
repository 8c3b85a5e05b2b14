package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/nubo-run/nubo/internal/stacks"
)

// The stack providers of IAM: AWS::IAM::Role, AWS::IAM::Policy and
// AWS::IAM::ManagedPolicy, after their CloudFormation registry schemas.

// RoleProvider is AWS::IAM::Role: Ref is the role name, Fn::GetAtt gives
// Arn and RoleId.
type RoleProvider struct{ s *Store }

// NewRoleProvider returns the provider over s.
func NewRoleProvider(s *Store) *RoleProvider { return &RoleProvider{s: s} }

// Type implements stacks.Provider.
func (*RoleProvider) Type() string { return "AWS::IAM::Role" }

// Stateful implements stacks.Provider: a role is configuration.
func (*RoleProvider) Stateful() bool { return false }

// Schema implements stacks.Provider.
func (*RoleProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"AssumeRolePolicyDocument": {Type: stacks.Any, Required: true},
			"Description":              {Type: stacks.String},
			"ManagedPolicyArns":        {Type: stacks.List},
			"MaxSessionDuration":       {Type: stacks.Integer},
			"Path":                     {Type: stacks.String, CreateOnly: true},
			"PermissionsBoundary":      {Type: stacks.String},
			"Policies":                 {Type: stacks.List},
			"RoleName":                 {Type: stacks.String, CreateOnly: true},
			"Tags":                     {Type: stacks.List},
			"Arn":                      {Type: stacks.String, ReadOnly: true},
			"RoleId":                   {Type: stacks.String, ReadOnly: true},
		},
	}
}

// PhysicalIDFor implements stacks.Identifier: a role's id is its name,
// given or generated.
func (*RoleProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	var m roleModel
	if err := decode(props, &m); err != nil {
		return "", false
	}
	return m.name(ctx), true
}

// roleModel is AWS::IAM::Role's properties. Policy documents stay as the
// template holds them (an object, or JSON text): docString reads them.
type roleModel struct {
	RoleName                 string
	Path                     string
	Description              string
	PermissionsBoundary      string
	MaxSessionDuration       int32
	AssumeRolePolicyDocument any
	Policies                 []inlinePolicy
	ManagedPolicyArns        []string
	Tags                     []tagModel
}

type tagModel struct{ Key, Value string }

func (m *roleModel) name(ctx context.Context) string {
	if m.RoleName != "" {
		return m.RoleName
	}
	return stacks.GeneratedName(ctx, 64)
}

// decode is stacks.Decode with its errors marked ErrInvalidInput.
func decode(props stacks.Props, model any) error {
	if err := stacks.Decode(props, model); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidInput, err)
	}
	return nil
}

func (m *roleModel) input(name string) (RoleInput, error) {
	trust, err := docString("AssumeRolePolicyDocument", m.AssumeRolePolicyDocument)
	if err != nil {
		return RoleInput{}, err
	}
	in := RoleInput{Name: name, Path: m.Path, TrustPolicy: trust, Description: m.Description,
		Boundary: m.PermissionsBoundary, MaxSessionDuration: m.MaxSessionDuration}
	if in.Inline, err = inlinePolicies(m.Policies); err != nil {
		return RoleInput{}, err
	}
	in.Attached = nonEmpty(m.ManagedPolicyArns)
	for _, t := range m.Tags {
		in.Tags = append(in.Tags, Tag(t))
	}
	return in, nil
}

// Create implements stacks.Provider.
func (rp *RoleProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m roleModel
	if err := decode(props, &m); err != nil {
		return "", nil, err
	}
	name := m.name(ctx)
	in, err := m.input(name)
	if err != nil {
		return "", nil, err
	}
	if _, err := rp.s.GetRole(ctx, name); err == nil {
		return "", nil, fmt.Errorf("role %q: %w", name, ErrEntityExists)
	}
	r, err := rp.s.PutRole(ctx, in)
	if err != nil {
		return "", nil, err
	}
	return r.Name, stacks.Attrs{"Arn": r.ARN, "RoleId": r.ID}, nil
}

// Update implements stacks.Provider. Inline policies an AWS::IAM::Policy
// put on the role and managed policies an AWS::IAM::ManagedPolicy attached
// to it stay: only what the role's own properties named is replaced.
func (rp *RoleProvider) Update(ctx context.Context, physicalID string, old, new stacks.Props) (stacks.Attrs, error) {
	var m, was roleModel
	if err := decode(new, &m); err != nil {
		return nil, err
	}
	_ = stacks.Decode(old, &was) // what decodes of the old properties
	in, err := m.input(physicalID)
	if err != nil {
		return nil, err
	}
	cur, err := rp.s.GetRole(ctx, physicalID)
	if err != nil {
		return nil, err
	}
	oldInline, _ := inlinePolicies(was.Policies)
	for name, doc := range cur.Inline {
		if _, mine := oldInline[name]; mine {
			continue
		}
		if _, set := in.Inline[name]; !set {
			if in.Inline == nil {
				in.Inline = map[string]string{}
			}
			in.Inline[name] = doc
		}
	}
	oldAttached := nonEmpty(was.ManagedPolicyArns)
	for _, arn := range cur.Attached {
		if !slices.Contains(oldAttached, arn) && !slices.Contains(in.Attached, arn) {
			in.Attached = append(in.Attached, arn)
		}
	}
	r, err := rp.s.PutRole(ctx, in)
	if err != nil {
		return nil, err
	}
	return stacks.Attrs{"Arn": r.ARN, "RoleId": r.ID}, nil
}

// Delete implements stacks.Provider: the role goes with its policies.
func (rp *RoleProvider) Delete(ctx context.Context, physicalID string) error {
	return notFound(rp.s.DeleteRole(ctx, physicalID, true))
}

// Read implements stacks.Provider.
func (rp *RoleProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	r, err := rp.s.GetRole(ctx, physicalID)
	if err != nil {
		return nil, notFound(err)
	}
	out := stacks.Props{"RoleName": r.Name, "Path": r.Path, "AssumeRolePolicyDocument": parsedDoc(r.TrustPolicy),
		"MaxSessionDuration": float64(r.MaxSessionDuration)}
	if r.Description != "" {
		out["Description"] = r.Description
	}
	if r.Boundary != "" {
		out["PermissionsBoundary"] = r.Boundary
	}
	if len(r.Attached) > 0 {
		out["ManagedPolicyArns"] = anyList(r.Attached)
	}
	if len(r.Inline) > 0 {
		var ps []any
		for _, n := range r.InlineNames() {
			ps = append(ps, map[string]any{"PolicyName": n, "PolicyDocument": parsedDoc(r.Inline[n])})
		}
		out["Policies"] = ps
	}
	if len(r.Tags) > 0 {
		var ts []any
		for _, t := range r.Tags {
			ts = append(ts, map[string]any{"Key": t.Key, "Value": t.Value})
		}
		out["Tags"] = ts
	}
	return out, nil
}

// PolicyProvider is AWS::IAM::Policy: an inline policy put on each of its
// Roles. Which roles hold it is recorded in the store (stackpolicies.ID),
// so it can be read, updated and removed by its physical id.
type PolicyProvider struct{ s *Store }

// NewPolicyProvider returns the provider over s.
func NewPolicyProvider(s *Store) *PolicyProvider { return &PolicyProvider{s: s} }

// Type implements stacks.Provider.
func (*PolicyProvider) Type() string { return "AWS::IAM::Policy" }

// Stateful implements stacks.Provider.
func (*PolicyProvider) Stateful() bool { return false }

// Schema implements stacks.Provider.
func (*PolicyProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"PolicyName":     {Type: stacks.String, Required: true},
			"PolicyDocument": {Type: stacks.Any, Required: true},
			"Roles":          {Type: stacks.List},
			"Groups":         {Type: stacks.List},
			"Users":          {Type: stacks.List},
			"Id":             {Type: stacks.String, ReadOnly: true},
		},
	}
}

type stackPolicy struct {
	Name   string   `json:"name"`
	Roles  []string `json:"roles"`
	Users  []string `json:"users,omitempty"`
	Groups []string `json:"groups,omitempty"`
}

// dropUserPolicy and dropGroupPolicy remove an inline policy if it is there.
func (s *Store) dropUserPolicy(ctx context.Context, user, name string) error {
	_, err := s.ModifyUser(ctx, user, func(u *User) error { delete(u.Inline, name); return nil })
	if errors.Is(err, ErrNoSuchEntity) {
		return nil
	}
	return err
}

func (s *Store) dropGroupPolicy(ctx context.Context, group, name string) error {
	_, err := s.ModifyGroup(ctx, group, func(g *Group) error { delete(g.Inline, name); return nil })
	if errors.Is(err, ErrNoSuchEntity) {
		return nil
	}
	return err
}

// putOthers puts the policy on next's users and groups and takes it off
// those of prev that next no longer names.
func (pp *PolicyProvider) putOthers(ctx context.Context, prev, next stackPolicy, doc string) error {
	for _, u := range next.Users {
		if err := pp.s.PutUserPolicy(ctx, u, next.Name, doc); err != nil {
			return fmt.Errorf("user %q: %w", u, err)
		}
	}
	for _, g := range next.Groups {
		if err := pp.s.PutGroupPolicy(ctx, g, next.Name, doc); err != nil {
			return fmt.Errorf("group %q: %w", g, err)
		}
	}
	for _, u := range prev.Users {
		if prev.Name != next.Name || !slices.Contains(next.Users, u) {
			if err := pp.s.dropUserPolicy(ctx, u, prev.Name); err != nil {
				return fmt.Errorf("user %q: %w", u, err)
			}
		}
	}
	for _, g := range prev.Groups {
		if prev.Name != next.Name || !slices.Contains(next.Groups, g) {
			if err := pp.s.dropGroupPolicy(ctx, g, prev.Name); err != nil {
				return fmt.Errorf("group %q: %w", g, err)
			}
		}
	}
	return nil
}

func stackPolicyKey(id string) string { return "stackpolicies." + keyPart(id) }

// policyModel is AWS::IAM::Policy's properties.
type policyModel struct {
	PolicyName     string
	PolicyDocument any
	Roles          []string
	Groups         []string
	Users          []string
}

func (pp *PolicyProvider) apply(ctx context.Context, id string, prev stackPolicy, props stacks.Props) error {
	var m policyModel
	if err := decode(props, &m); err != nil {
		return err
	}
	doc, err := docString("PolicyDocument", m.PolicyDocument)
	if err != nil {
		return err
	}
	next := stackPolicy{Name: m.PolicyName, Roles: roleNames(m.Roles), Users: nonEmpty(m.Users), Groups: nonEmpty(m.Groups)}
	if len(next.Roles)+len(next.Users)+len(next.Groups) == 0 {
		return fmt.Errorf("%w: AWS::IAM::Policy: At least one of [Groups,Roles,Users] must be non-empty.", ErrInvalidInput)
	}
	if err := pp.putOthers(ctx, prev, next, doc); err != nil {
		return err
	}
	for _, r := range next.Roles {
		if err := pp.s.PutRolePolicy(ctx, r, next.Name, doc); err != nil {
			return fmt.Errorf("role %q: %w", r, err)
		}
	}
	for _, r := range prev.Roles {
		if prev.Name != next.Name || !slices.Contains(next.Roles, r) {
			if err := pp.s.DeleteRolePolicy(ctx, r, prev.Name); err != nil && !errors.Is(err, ErrNoSuchEntity) {
				return fmt.Errorf("role %q: %w", r, err)
			}
		}
	}
	b, err := json.Marshal(next)
	if err != nil {
		return err
	}
	kv, err := pp.s.bucketKV()
	if err != nil {
		return err
	}
	_, err = kv.Put(ctx, stackPolicyKey(id), b)
	return err
}

// PhysicalIDFor implements stacks.Identifier: the id is a generated name.
func (*PolicyProvider) PhysicalIDFor(ctx context.Context, _ stacks.Props) (string, bool) {
	return stacks.GeneratedName(ctx, 128), true
}

// Create implements stacks.Provider.
func (pp *PolicyProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	id, _ := pp.PhysicalIDFor(ctx, props)
	if err := pp.apply(ctx, id, stackPolicy{}, props); err != nil {
		return "", nil, err
	}
	return id, stacks.Attrs{"Id": id}, nil
}

// Update implements stacks.Provider.
func (pp *PolicyProvider) Update(ctx context.Context, physicalID string, old, new stacks.Props) (stacks.Attrs, error) {
	var prev stackPolicy
	if _, err := pp.s.get(ctx, stackPolicyKey(physicalID), &prev); err != nil && !errors.Is(err, ErrNoSuchEntity) {
		return nil, err
	}
	if err := pp.apply(ctx, physicalID, prev, new); err != nil {
		return nil, err
	}
	return stacks.Attrs{"Id": physicalID}, nil
}

// Delete implements stacks.Provider.
func (pp *PolicyProvider) Delete(ctx context.Context, physicalID string) error {
	var prev stackPolicy
	rev, err := pp.s.get(ctx, stackPolicyKey(physicalID), &prev)
	if err != nil {
		return notFound(err)
	}
	for _, r := range prev.Roles {
		if err := pp.s.DeleteRolePolicy(ctx, r, prev.Name); err != nil && !errors.Is(err, ErrNoSuchEntity) {
			return fmt.Errorf("role %q: %w", r, err)
		}
	}
	if err := pp.putOthers(ctx, prev, stackPolicy{}, ""); err != nil {
		return err
	}
	return pp.s.remove(ctx, stackPolicyKey(physicalID), rev)
}

// Read implements stacks.Provider: the document as the first role holds it.
func (pp *PolicyProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	var rec stackPolicy
	if _, err := pp.s.get(ctx, stackPolicyKey(physicalID), &rec); err != nil {
		return nil, notFound(err)
	}
	out := stacks.Props{"PolicyName": rec.Name}
	var held []string
	for _, r := range rec.Roles {
		doc, err := pp.s.GetRolePolicy(ctx, r, rec.Name)
		if errors.Is(err, ErrNoSuchEntity) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if _, ok := out["PolicyDocument"]; !ok {
			out["PolicyDocument"] = parsedDoc(doc)
		}
		held = append(held, r)
	}
	if len(held) > 0 {
		out["Roles"] = anyList(held)
	}
	return out, nil
}

// ManagedPolicyProvider is AWS::IAM::ManagedPolicy: Ref is the policy ARN,
// Fn::GetAtt gives PolicyArn, PolicyId and DefaultVersionId.
type ManagedPolicyProvider struct{ s *Store }

// NewManagedPolicyProvider returns the provider over s.
func NewManagedPolicyProvider(s *Store) *ManagedPolicyProvider { return &ManagedPolicyProvider{s: s} }

// Type implements stacks.Provider.
func (*ManagedPolicyProvider) Type() string { return "AWS::IAM::ManagedPolicy" }

// Stateful implements stacks.Provider.
func (*ManagedPolicyProvider) Stateful() bool { return false }

// Schema implements stacks.Provider.
func (*ManagedPolicyProvider) Schema() stacks.Schema {
	return stacks.Schema{
		Properties: map[string]stacks.Property{
			"ManagedPolicyName": {Type: stacks.String, CreateOnly: true},
			"Path":              {Type: stacks.String, CreateOnly: true},
			"Description":       {Type: stacks.String, CreateOnly: true},
			"PolicyDocument":    {Type: stacks.Any, Required: true},
			"Roles":             {Type: stacks.List},
			"Groups":            {Type: stacks.List},
			"Users":             {Type: stacks.List},
			"PolicyArn":         {Type: stacks.String, ReadOnly: true},
			"PolicyId":          {Type: stacks.String, ReadOnly: true},
			"DefaultVersionId":  {Type: stacks.String, ReadOnly: true},
		},
	}
}

func managedAttrs(p ManagedPolicy) stacks.Attrs {
	return stacks.Attrs{"PolicyArn": p.ARN, "PolicyId": p.ID, "DefaultVersionId": p.DefaultVersion}
}

func roleNames(roles []string) []string {
	var out []string
	for _, r := range nonEmpty(roles) {
		if name, ok := RoleNameFromARN(r); ok {
			r = name
		}
		out = append(out, r)
	}
	return out
}

// managedPolicyModel is AWS::IAM::ManagedPolicy's properties.
type managedPolicyModel struct {
	ManagedPolicyName string
	Path              string
	Description       string
	PolicyDocument    any
	Roles             []string
	Groups            []string
	Users             []string
}

func (m *managedPolicyModel) name(ctx context.Context) string {
	if m.ManagedPolicyName != "" {
		return m.ManagedPolicyName
	}
	return stacks.GeneratedName(ctx, 128)
}

// PhysicalIDFor implements stacks.Identifier: the id is the policy's ARN.
func (mp *ManagedPolicyProvider) PhysicalIDFor(ctx context.Context, props stacks.Props) (string, bool) {
	var m managedPolicyModel
	if err := decode(props, &m); err != nil {
		return "", false
	}
	path := m.Path
	if path == "" {
		path = "/"
	}
	return PolicyARN(mp.s.account.ID, path, m.name(ctx)), true
}

// Create implements stacks.Provider.
func (mp *ManagedPolicyProvider) Create(ctx context.Context, props stacks.Props) (string, stacks.Attrs, error) {
	var m managedPolicyModel
	if err := decode(props, &m); err != nil {
		return "", nil, err
	}
	doc, err := docString("PolicyDocument", m.PolicyDocument)
	if err != nil {
		return "", nil, err
	}
	name := m.name(ctx)
	p, err := mp.s.CreatePolicy(ctx, PolicyInput{Name: name, Path: m.Path, Document: doc, Description: m.Description})
	if err != nil {
		return "", nil, err
	}
	if err := mp.s.attachOthers(ctx, p.ARN, m.Users, m.Groups, nil, nil); err != nil {
		return "", nil, errors.Join(err, mp.Delete(ctx, p.ARN))
	}
	for _, r := range roleNames(m.Roles) {
		if err := mp.s.AttachRolePolicy(ctx, r, p.ARN); err != nil {
			return "", nil, errors.Join(fmt.Errorf("attach to role %q: %w", r, err), mp.Delete(ctx, p.ARN))
		}
	}
	return p.ARN, managedAttrs(p), nil
}

// Update implements stacks.Provider: a changed document becomes the new
// default version; roles are attached and detached to match.
func (mp *ManagedPolicyProvider) Update(ctx context.Context, physicalID string, old, new stacks.Props) (stacks.Attrs, error) {
	p, err := mp.s.GetPolicy(ctx, physicalID)
	if err != nil {
		return nil, err
	}
	var m, was managedPolicyModel
	if err := decode(new, &m); err != nil {
		return nil, err
	}
	_ = stacks.Decode(old, &was) // what decodes of the old properties
	doc, err := docString("PolicyDocument", m.PolicyDocument)
	if err != nil {
		return nil, err
	}
	if doc != p.Document() {
		if p, err = mp.s.CreatePolicyVersion(ctx, physicalID, doc, true); err != nil {
			return nil, err
		}
	}
	if err := mp.s.attachOthers(ctx, physicalID, m.Users, m.Groups, was.Users, was.Groups); err != nil {
		return nil, err
	}
	want, had := roleNames(m.Roles), roleNames(was.Roles)
	for _, r := range want {
		if err := mp.s.AttachRolePolicy(ctx, r, physicalID); err != nil {
			return nil, fmt.Errorf("attach to role %q: %w", r, err)
		}
	}
	for _, r := range had {
		if !slices.Contains(want, r) {
			if err := mp.s.DetachRolePolicy(ctx, r, physicalID); err != nil && !errors.Is(err, ErrNoSuchEntity) {
				return nil, fmt.Errorf("detach from role %q: %w", r, err)
			}
		}
	}
	return managedAttrs(p), nil
}

// attachedTo lists the roles that attach arn.
func (mp *ManagedPolicyProvider) attachedTo(ctx context.Context, arn string) ([]string, error) {
	roles, err := mp.s.ListRoles(ctx, "/")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range roles {
		if slices.Contains(r.Attached, arn) {
			out = append(out, r.Name)
		}
	}
	return out, nil
}

// attachOthers attaches arn to users and groups and detaches it from those
// of hadUsers and hadGroups no longer named.
func (s *Store) attachOthers(ctx context.Context, arn string, users, groups, hadUsers, hadGroups []string) error {
	users, groups = nonEmpty(users), nonEmpty(groups)
	for _, u := range users {
		if _, err := s.ModifyUser(ctx, u, func(x *User) error { return attach(&x.Attached, arn, maxAttachedUser, "PoliciesPerUser") }); err != nil {
			return fmt.Errorf("attach to user %q: %w", u, err)
		}
	}
	for _, g := range groups {
		if _, err := s.ModifyGroup(ctx, g, func(x *Group) error { return attach(&x.Attached, arn, maxAttachedUser, "PoliciesPerGroup") }); err != nil {
			return fmt.Errorf("attach to group %q: %w", g, err)
		}
	}
	for _, u := range nonEmpty(hadUsers) {
		if !slices.Contains(users, u) {
			if _, err := s.ModifyUser(ctx, u, func(x *User) error { _ = detach(&x.Attached, arn); return nil }); err != nil && !errors.Is(err, ErrNoSuchEntity) {
				return fmt.Errorf("detach from user %q: %w", u, err)
			}
		}
	}
	for _, g := range nonEmpty(hadGroups) {
		if !slices.Contains(groups, g) {
			if _, err := s.ModifyGroup(ctx, g, func(x *Group) error { _ = detach(&x.Attached, arn); return nil }); err != nil && !errors.Is(err, ErrNoSuchEntity) {
				return fmt.Errorf("detach from group %q: %w", g, err)
			}
		}
	}
	return nil
}

// detachEverywhere detaches arn from every user and group.
func (s *Store) detachEverywhere(ctx context.Context, arn string) error {
	users, err := s.ListUsers(ctx, "/")
	if err != nil {
		return err
	}
	groups, err := s.ListGroups(ctx, "/")
	if err != nil {
		return err
	}
	var hadUsers, hadGroups []string
	for _, u := range users {
		if slices.Contains(u.Attached, arn) {
			hadUsers = append(hadUsers, u.Name)
		}
	}
	for _, g := range groups {
		if slices.Contains(g.Attached, arn) {
			hadGroups = append(hadGroups, g.Name)
		}
	}
	return s.attachOthers(ctx, arn, nil, nil, hadUsers, hadGroups)
}

// Delete implements stacks.Provider: detached from every role, user and
// group, then deleted.
func (mp *ManagedPolicyProvider) Delete(ctx context.Context, physicalID string) error {
	if err := mp.s.detachEverywhere(ctx, physicalID); err != nil {
		return err
	}
	roles, err := mp.attachedTo(ctx, physicalID)
	if err != nil {
		return err
	}
	for _, r := range roles {
		if err := mp.s.DetachRolePolicy(ctx, r, physicalID); err != nil && !errors.Is(err, ErrNoSuchEntity) {
			return fmt.Errorf("detach from role %q: %w", r, err)
		}
	}
	return notFound(mp.s.DeletePolicy(ctx, physicalID))
}

// Read implements stacks.Provider.
func (mp *ManagedPolicyProvider) Read(ctx context.Context, physicalID string) (stacks.Props, error) {
	p, err := mp.s.GetPolicy(ctx, physicalID)
	if err != nil {
		return nil, notFound(err)
	}
	out := stacks.Props{"ManagedPolicyName": p.Name, "Path": p.Path, "PolicyDocument": parsedDoc(p.Document())}
	if p.Description != "" {
		out["Description"] = p.Description
	}
	roles, err := mp.attachedTo(ctx, physicalID)
	if err != nil {
		return nil, err
	}
	if len(roles) > 0 {
		out["Roles"] = anyList(roles)
	}
	return out, nil
}

// ---- property helpers ----

// notFound marks a missing entity as stacks.ErrNotFound too.
func notFound(err error) error {
	if errors.Is(err, ErrNoSuchEntity) {
		return fmt.Errorf("%w: %w", stacks.ErrNotFound, err)
	}
	return err
}

// docString returns a policy document property as JSON text: templates give
// an object, or (rarely) a JSON string.
func docString(field string, v any) (string, error) {
	switch d := v.(type) {
	case nil:
		return "", fmt.Errorf("%w: %s is required", ErrInvalidInput, field)
	case string:
		return d, nil
	case map[string]any:
		b, err := json.Marshal(d)
		if err != nil {
			return "", fmt.Errorf("%w: %s: %v", ErrInvalidInput, field, err)
		}
		return string(b), nil
	}
	return "", fmt.Errorf("%w: %s must be a policy document (an object), not %T", ErrInvalidInput, field, v)
}

// parsedDoc is a stored document as the object a template holds.
func parsedDoc(doc string) any {
	var v any
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		return doc
	}
	return v
}

// inlinePolicy is an item of a role's Policies.
type inlinePolicy struct {
	PolicyName     string
	PolicyDocument any
}

func inlinePolicies(list []inlinePolicy) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := make(map[string]string, len(list))
	for i, p := range list {
		if p.PolicyName == "" {
			return nil, fmt.Errorf("%w: Policies[%d].PolicyName is required", ErrInvalidInput, i)
		}
		doc, err := docString(fmt.Sprintf("Policies[%d].PolicyDocument", i), p.PolicyDocument)
		if err != nil {
			return nil, err
		}
		out[p.PolicyName] = doc
	}
	return out, nil
}

// nonEmpty drops the empty strings of a list property.
func nonEmpty(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

func anyList(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

var (
	_ stacks.Provider   = (*RoleProvider)(nil)
	_ stacks.Identifier = (*RoleProvider)(nil)
	_ stacks.Identifier = (*PolicyProvider)(nil)
	_ stacks.Identifier = (*ManagedPolicyProvider)(nil)
	_ stacks.Provider   = (*PolicyProvider)(nil)
	_ stacks.Provider   = (*ManagedPolicyProvider)(nil)
)
