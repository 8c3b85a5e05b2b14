package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/nubo-run/nubo/internal/iam/policy"
)

func (s *Store) checkRoleInput(in *RoleInput) error {
	if err := validName("role name", in.Name, 64); err != nil {
		return err
	}
	p, err := validPath(in.Path)
	if err != nil {
		return err
	}
	in.Path = p
	if in.MaxSessionDuration == 0 {
		in.MaxSessionDuration = 3600
	}
	if in.MaxSessionDuration < 3600 || in.MaxSessionDuration > 43200 {
		return fmt.Errorf("%w: MaxSessionDuration must be between 3600 and 43200 seconds", ErrInvalidInput)
	}
	if len(in.Description) > 1000 {
		return fmt.Errorf("%w: description is longer than 1000 characters", ErrInvalidInput)
	}
	if in.TrustPolicy == "" {
		return fmt.Errorf("%w: AssumeRolePolicyDocument is required", ErrInvalidInput)
	}
	if _, err := CheckPolicy(in.TrustPolicy, policy.Trust); err != nil {
		return err
	}
	if n := policyChars(in.TrustPolicy); n > maxTrustChars {
		return fmt.Errorf("%w: Cannot exceed quota for ACLSizePerRole: %d", ErrLimitExceeded, maxTrustChars)
	}
	if err := checkInlineSize(in.Name, in.Inline); err != nil {
		return err
	}
	if len(dedupe(in.Attached)) > maxAttachedRoles {
		return fmt.Errorf("%w: Cannot exceed quota for PoliciesPerRole: %d", ErrLimitExceeded, maxAttachedRoles)
	}
	for name, doc := range in.Inline {
		if err := validName("policy name", name, 128); err != nil {
			return err
		}
		if _, err := CheckPolicy(doc, policy.Identity); err != nil {
			return fmt.Errorf("policy %q: %w", name, err)
		}
	}
	return nil
}

// CreateRole creates a role (CreateRole: inline and attached policies in
// in are ignored).
func (s *Store) CreateRole(ctx context.Context, in RoleInput) (Role, error) {
	in.Inline, in.Attached = nil, nil
	return s.createRole(ctx, in)
}

func (s *Store) createRole(ctx context.Context, in RoleInput) (Role, error) {
	if err := s.checkRoleInput(&in); err != nil {
		return Role{}, err
	}
	if in.Boundary != "" {
		if _, err := s.GetPolicy(ctx, in.Boundary); err != nil {
			return Role{}, fmt.Errorf("permissions boundary %s: %w", in.Boundary, err)
		}
	}
	for _, arn := range in.Attached {
		if _, err := s.GetPolicy(ctx, arn); err != nil {
			return Role{}, fmt.Errorf("policy %s: %w", arn, err)
		}
	}
	r := Role{
		Name: in.Name, Path: in.Path, ID: newID("AROA"), ARN: RoleARN(s.account.ID, in.Path, in.Name),
		Created: s.now().UTC().Truncate(1e9), Description: in.Description, MaxSessionDuration: in.MaxSessionDuration,
		TrustPolicy: in.TrustPolicy, Boundary: in.Boundary, Tags: in.Tags, Inline: in.Inline, Attached: dedupe(in.Attached),
	}
	if err := s.create(ctx, roleKey(in.Name), r); err != nil {
		return Role{}, fmt.Errorf("role %q: %w", in.Name, err)
	}
	return r, nil
}

func checkInlineSize(role string, inline map[string]string) error {
	n := 0
	for _, doc := range inline {
		n += policyChars(doc)
	}
	if n > maxInlineChars {
		return fmt.Errorf("%w: Maximum policy size of %d bytes exceeded for role %s", ErrLimitExceeded, maxInlineChars, role)
	}
	return nil
}

func dedupe(arns []string) []string {
	var out []string
	for _, a := range arns {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// PutRole creates the role or makes it exactly in: trust policy, description,
// boundary, tags, inline and attached policies. A changed Path cannot be
// applied in place (AWS replaces the role). It is what an AWS::IAM::Role
// provider's Create and Update call.
func (s *Store) PutRole(ctx context.Context, in RoleInput) (Role, error) {
	if err := s.checkRoleInput(&in); err != nil {
		return Role{}, err
	}
	for _, arn := range append(slices.Clone(in.Attached), in.Boundary) {
		if arn == "" {
			continue
		}
		if _, err := s.GetPolicy(ctx, arn); err != nil {
			return Role{}, fmt.Errorf("policy %s: %w", arn, err)
		}
	}
	r, err := s.createRole(ctx, in)
	if err == nil || !errors.Is(err, ErrEntityExists) {
		return r, err
	}
	return modify(ctx, s, roleKey(in.Name), func(r *Role) error {
		if r.Path != in.Path {
			return fmt.Errorf("%w: role %q: the path cannot change (%s to %s)", ErrInvalidInput, in.Name, r.Path, in.Path)
		}
		r.TrustPolicy, r.Description, r.MaxSessionDuration = in.TrustPolicy, in.Description, in.MaxSessionDuration
		r.Boundary, r.Tags, r.Inline, r.Attached = in.Boundary, in.Tags, in.Inline, dedupe(in.Attached)
		return nil
	})
}

// GetRole returns the role named name (case-insensitive).
func (s *Store) GetRole(ctx context.Context, name string) (Role, error) {
	var r Role
	if _, err := s.get(ctx, roleKey(name), &r); err != nil {
		return Role{}, fmt.Errorf("role %q: %w", name, err)
	}
	return r, nil
}

// RoleByARN returns the role an ARN names; the path must match too.
func (s *Store) RoleByARN(ctx context.Context, arn string) (Role, error) {
	name, ok := RoleNameFromARN(arn)
	if !ok {
		return Role{}, fmt.Errorf("%w: %q is not a role ARN", ErrInvalidInput, arn)
	}
	r, err := s.GetRole(ctx, name)
	if err != nil {
		return Role{}, err
	}
	if r.ARN != arn {
		return Role{}, fmt.Errorf("role %s: %w", arn, ErrNoSuchEntity)
	}
	return r, nil
}

// ListRoles lists roles whose path starts with pathPrefix, by name.
func (s *Store) ListRoles(ctx context.Context, pathPrefix string) ([]Role, error) {
	var out []Role
	err := s.list(ctx, "roles.", func(b []byte) error {
		var r Role
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		if strings.HasPrefix(r.Path, pathPrefix) {
			out = append(out, r)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b Role) int { return strings.Compare(a.Name, b.Name) })
	return out, err
}

// UpdateRole changes a role's description and maximum session duration
// (nil leaves a field unchanged).
func (s *Store) UpdateRole(ctx context.Context, name string, description *string, maxSession *int32) (Role, error) {
	return modify(ctx, s, roleKey(name), func(r *Role) error {
		if description != nil {
			if len(*description) > 1000 {
				return fmt.Errorf("%w: description is longer than 1000 characters", ErrInvalidInput)
			}
			r.Description = *description
		}
		if maxSession != nil {
			if *maxSession < 3600 || *maxSession > 43200 {
				return fmt.Errorf("%w: MaxSessionDuration must be between 3600 and 43200 seconds", ErrInvalidInput)
			}
			r.MaxSessionDuration = *maxSession
		}
		return nil
	})
}

// UpdateTrustPolicy replaces a role's AssumeRolePolicyDocument.
func (s *Store) UpdateTrustPolicy(ctx context.Context, name, doc string) (Role, error) {
	if _, err := CheckPolicy(doc, policy.Trust); err != nil {
		return Role{}, err
	}
	return modify(ctx, s, roleKey(name), func(r *Role) error { r.TrustPolicy = doc; return nil })
}

// DeleteRole deletes a role. Like IAM, it refuses while the role still has
// inline or attached policies unless force is set (a stack provider deleting
// the role it owns).
func (s *Store) DeleteRole(ctx context.Context, name string, force bool) error {
	var r Role
	rev, err := s.get(ctx, roleKey(name), &r)
	if err != nil {
		return fmt.Errorf("role %q: %w", name, err)
	}
	if !force && (len(r.Inline) > 0 || len(r.Attached) > 0) {
		return fmt.Errorf("%w: Cannot delete entity, must delete policies first.", ErrDeleteConflict)
	}
	if err := s.remove(ctx, roleKey(name), rev); err != nil {
		return err
	}
	return s.forgetRoleUse(ctx, name)
}

// PutRolePolicy adds or replaces an inline policy.
func (s *Store) PutRolePolicy(ctx context.Context, role, name, doc string) error {
	if err := validName("policy name", name, 128); err != nil {
		return err
	}
	if _, err := CheckPolicy(doc, policy.Identity); err != nil {
		return err
	}
	_, err := modify(ctx, s, roleKey(role), func(r *Role) error {
		next := maps.Clone(r.Inline)
		if next == nil {
			next = map[string]string{}
		}
		next[name] = doc
		if err := checkInlineSize(r.Name, next); err != nil {
			return err
		}
		r.Inline = next
		return nil
	})
	if err != nil {
		return fmt.Errorf("role %q: %w", role, err)
	}
	return nil
}

// GetRolePolicy returns an inline policy's document.
func (s *Store) GetRolePolicy(ctx context.Context, role, name string) (string, error) {
	r, err := s.GetRole(ctx, role)
	if err != nil {
		return "", err
	}
	doc, ok := r.Inline[name]
	if !ok {
		return "", fmt.Errorf("The role policy with name %s cannot be found: %w", name, ErrNoSuchEntity)
	}
	return doc, nil
}

// DeleteRolePolicy removes an inline policy.
func (s *Store) DeleteRolePolicy(ctx context.Context, role, name string) error {
	_, err := modify(ctx, s, roleKey(role), func(r *Role) error {
		if _, ok := r.Inline[name]; !ok {
			return fmt.Errorf("The role policy with name %s cannot be found: %w", name, ErrNoSuchEntity)
		}
		delete(r.Inline, name)
		return nil
	})
	return err
}

// AttachRolePolicy attaches a managed policy (AWS or customer) to a role.
func (s *Store) AttachRolePolicy(ctx context.Context, role, policyARN string) error {
	if _, err := s.GetPolicy(ctx, policyARN); err != nil {
		return err
	}
	_, err := modify(ctx, s, roleKey(role), func(r *Role) error {
		if !slices.Contains(r.Attached, policyARN) {
			if len(r.Attached) >= maxAttachedRoles {
				return fmt.Errorf("%w: Cannot exceed quota for PoliciesPerRole: %d", ErrLimitExceeded, maxAttachedRoles)
			}
			r.Attached = append(r.Attached, policyARN)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("role %q: %w", role, err)
	}
	return nil
}

// DetachRolePolicy detaches a managed policy.
func (s *Store) DetachRolePolicy(ctx context.Context, role, policyARN string) error {
	_, err := modify(ctx, s, roleKey(role), func(r *Role) error {
		i := slices.Index(r.Attached, policyARN)
		if i < 0 {
			return fmt.Errorf("Policy %s was not found: %w", policyARN, ErrNoSuchEntity)
		}
		r.Attached = slices.Delete(r.Attached, i, i+1)
		return nil
	})
	return err
}

// SetPermissionsBoundary sets (or, with "", removes) a role's boundary.
func (s *Store) SetPermissionsBoundary(ctx context.Context, role, policyARN string) error {
	if policyARN != "" {
		if _, err := s.GetPolicy(ctx, policyARN); err != nil {
			return err
		}
	}
	_, err := modify(ctx, s, roleKey(role), func(r *Role) error { r.Boundary = policyARN; return nil })
	return err
}

// TrustsService reports whether the role roleARN exists and whether its
// trust policy lets service (e.g. "lambda.amazonaws.com") assume it. Lambda's
// CreateFunction refuses a role that does not exist or does not trust Lambda.
func (s *Store) TrustsService(ctx context.Context, roleARN, service string) (exists, trusted bool, err error) {
	r, err := s.RoleByARN(ctx, roleARN)
	if errors.Is(err, ErrNoSuchEntity) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	c, err := policy.Compile(r.ARN+"/trust", []byte(r.TrustPolicy))
	if err != nil {
		return true, false, nil
	}
	return true, c.Allows(&policy.Request{Principal: service, Action: "sts:AssumeRole", Resource: r.ARN}, true), nil
}

// maxRoleTags is IAM's quota of tags per role.
const maxRoleTags = 50

// TagRole adds tags to a role or replaces the values of its tags with the
// same keys (IAM role tag keys match regardless of case; the new case is
// kept).
func (s *Store) TagRole(ctx context.Context, role string, tags []Tag) error {
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > maxTagKeyLen || len(t.Value) > maxTagValueLen || !tagChars(t.Key) || !tagChars(t.Value) {
			return fmt.Errorf("%w: tag %q=%q: keys are 1 to %d and values 0 to %d letters, digits, spaces and _.:/=+-@", ErrInvalidInput, t.Key, t.Value, maxTagKeyLen, maxTagValueLen)
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return fmt.Errorf("%w: tag key %q may not begin with aws:", ErrInvalidInput, t.Key)
		}
	}
	_, err := modify(ctx, s, roleKey(role), func(r *Role) error {
		next := slices.Clone(r.Tags)
		for _, t := range tags {
			next = slices.DeleteFunc(next, func(have Tag) bool { return strings.EqualFold(have.Key, t.Key) })
			next = append(next, t)
		}
		if len(next) > maxRoleTags {
			return fmt.Errorf("%w: Cannot exceed quota for TagsPerRole: %d", ErrLimitExceeded, maxRoleTags)
		}
		r.Tags = next
		return nil
	})
	if err != nil {
		return fmt.Errorf("role %q: %w", role, err)
	}
	return nil
}

// UntagRole removes the tags with the given keys (regardless of case).
func (s *Store) UntagRole(ctx context.Context, role string, keys []string) error {
	_, err := modify(ctx, s, roleKey(role), func(r *Role) error {
		r.Tags = slices.DeleteFunc(slices.Clone(r.Tags), func(t Tag) bool {
			return slices.ContainsFunc(keys, func(k string) bool { return strings.EqualFold(k, t.Key) })
		})
		return nil
	})
	if err != nil {
		return fmt.Errorf("role %q: %w", role, err)
	}
	return nil
}
