package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// maxPolicyVersions is IAM's limit of versions per managed policy.
const maxPolicyVersions = 5

// CreatePolicy creates a customer managed policy (version v1, the default).
func (s *Store) CreatePolicy(ctx context.Context, in PolicyInput) (ManagedPolicy, error) {
	if err := validName("policy name", in.Name, 128); err != nil {
		return ManagedPolicy{}, err
	}
	path, err := validPath(in.Path)
	if err != nil {
		return ManagedPolicy{}, err
	}
	if _, err := checkManagedPolicy(in.Document); err != nil {
		return ManagedPolicy{}, err
	}
	if policyChars(in.Document) > maxManagedChars {
		return ManagedPolicy{}, fmt.Errorf("%w: Cannot exceed quota for PolicySize: %d", ErrLimitExceeded, maxManagedChars)
	}
	now := s.now().UTC().Truncate(1e9)
	p := ManagedPolicy{
		Name: in.Name, Path: path, ID: newID("ANPA"), ARN: PolicyARN(s.account.ID, path, in.Name),
		Description: in.Description, Created: now, Updated: now, DefaultVersion: "v1",
		Versions: []PolicyVersion{{ID: "v1", Document: in.Document, Created: now}}, Tags: in.Tags,
	}
	if err := s.create(ctx, policyKey(in.Name), p); err != nil {
		if errors.Is(err, ErrEntityExists) {
			return ManagedPolicy{}, fmt.Errorf("A policy called %s already exists. Duplicate names are not allowed.: %w", in.Name, err)
		}
		return ManagedPolicy{}, fmt.Errorf("policy %q: %w", in.Name, err)
	}
	return p, nil
}

// PutPolicy creates the policy, or gives it in.Document as a new default
// version (dropping the oldest non-default version at the limit): what an
// AWS::IAM::ManagedPolicy provider calls.
func (s *Store) PutPolicy(ctx context.Context, in PolicyInput) (ManagedPolicy, error) {
	p, err := s.CreatePolicy(ctx, in)
	if !errors.Is(err, ErrEntityExists) {
		return p, err
	}
	return s.CreatePolicyVersion(ctx, PolicyARN(s.account.ID, orRoot(in.Path), in.Name), in.Document, true)
}

func orRoot(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

// customerPolicyName returns the name of a customer managed policy ARN in
// this account.
func (s *Store) customerPolicyName(arn string) (string, error) {
	a, err := awsapi.ParseARN(arn)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "policy/") {
		return "", fmt.Errorf("%w: %q is not a policy ARN", ErrInvalidInput, arn)
	}
	res := a.Resource[len("policy/"):]
	return res[strings.LastIndexByte(res, '/')+1:], nil
}

// GetPolicy returns a managed policy by ARN: AWS managed policies
// (arn:aws:iam::aws:policy/...) are built in.
func (s *Store) GetPolicy(ctx context.Context, arn string) (ManagedPolicy, error) {
	if p, ok := awsManaged(arn); ok {
		return p, nil
	}
	if strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") {
		return ManagedPolicy{}, fmt.Errorf("Policy %s does not exist or is not attachable.: %w", arn, ErrNoSuchEntity)
	}
	name, err := s.customerPolicyName(arn)
	if err != nil {
		return ManagedPolicy{}, err
	}
	var p ManagedPolicy
	if _, err := s.get(ctx, policyKey(name), &p); err != nil || p.ARN != arn {
		if err == nil || errors.Is(err, ErrNoSuchEntity) {
			return ManagedPolicy{}, fmt.Errorf("Policy %s does not exist or is not attachable.: %w", arn, ErrNoSuchEntity)
		}
		return ManagedPolicy{}, err
	}
	return p, nil
}

// GetPolicyVersion returns one version of a managed policy.
func (s *Store) GetPolicyVersion(ctx context.Context, arn, versionID string) (PolicyVersion, bool, error) {
	p, err := s.GetPolicy(ctx, arn)
	if err != nil {
		return PolicyVersion{}, false, err
	}
	for _, v := range p.Versions {
		if v.ID == versionID {
			return v, v.ID == p.DefaultVersion, nil
		}
	}
	return PolicyVersion{}, false, fmt.Errorf("Policy %s version %s does not exist or is not attachable.: %w", arn, versionID, ErrNoSuchEntity)
}

// CreatePolicyVersion adds a version to a customer managed policy.
func (s *Store) CreatePolicyVersion(ctx context.Context, arn, doc string, setDefault bool) (ManagedPolicy, error) {
	if _, ok := awsManaged(arn); ok {
		return ManagedPolicy{}, fmt.Errorf("%w: cannot change AWS managed policy %s", ErrUnmodifiable, arn)
	}
	if _, err := checkManagedPolicy(doc); err != nil {
		return ManagedPolicy{}, err
	}
	if policyChars(doc) > maxManagedChars {
		return ManagedPolicy{}, fmt.Errorf("%w: Cannot exceed quota for PolicySize: %d", ErrLimitExceeded, maxManagedChars)
	}
	name, err := s.customerPolicyName(arn)
	if err != nil {
		return ManagedPolicy{}, err
	}
	return modify(ctx, s, policyKey(name), func(p *ManagedPolicy) error {
		if p.ARN != arn {
			return fmt.Errorf("policy %s: %w", arn, ErrNoSuchEntity)
		}
		if len(p.Versions) >= maxPolicyVersions {
			if !setDefault {
				return fmt.Errorf("%w: A managed policy can have up to %d versions.", ErrLimitExceeded, maxPolicyVersions)
			}
			i := slices.IndexFunc(p.Versions, func(v PolicyVersion) bool { return v.ID != p.DefaultVersion })
			p.Versions = slices.Delete(p.Versions, i, i+1)
		}
		next := 1
		for _, v := range p.Versions {
			if n, err := strconv.Atoi(strings.TrimPrefix(v.ID, "v")); err == nil && n >= next {
				next = n + 1
			}
		}
		now := s.now().UTC().Truncate(1e9)
		v := PolicyVersion{ID: "v" + strconv.Itoa(next), Document: doc, Created: now}
		p.Versions = append(p.Versions, v)
		if setDefault {
			p.DefaultVersion = v.ID
		}
		p.Updated = now
		return nil
	})
}

// DeletePolicy deletes a customer managed policy that no role uses.
func (s *Store) DeletePolicy(ctx context.Context, arn string) error {
	if _, ok := awsManaged(arn); ok {
		return fmt.Errorf("%w: cannot delete AWS managed policy %s", ErrUnmodifiable, arn)
	}
	p, err := s.GetPolicy(ctx, arn)
	if err != nil {
		return err
	}
	n, err := s.AttachmentCount(ctx, arn)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%w: Cannot delete a policy attached to entities.", ErrDeleteConflict)
	}
	var cur ManagedPolicy
	rev, err := s.get(ctx, policyKey(p.Name), &cur)
	if err != nil {
		return err
	}
	return s.remove(ctx, policyKey(p.Name), rev)
}

// AttachmentCount counts the roles that attach arn or use it as their boundary.
func (s *Store) AttachmentCount(ctx context.Context, arn string) (int, error) {
	roles, err := s.ListRoles(ctx, "/")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range roles {
		if slices.Contains(r.Attached, arn) || r.Boundary == arn {
			n++
		}
	}
	m, err := s.userGroupAttachments(ctx, arn)
	return n + m, err
}

// ListPolicies lists customer managed policies, then (if includeAWS) the
// built-in AWS managed ones.
func (s *Store) ListPolicies(ctx context.Context, includeAWS bool) ([]ManagedPolicy, error) {
	var out []ManagedPolicy
	err := s.list(ctx, "policies.", func(b []byte) error {
		var p ManagedPolicy
		if err := json.Unmarshal(b, &p); err != nil {
			return err
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if includeAWS {
		out = append(out, awsManagedPolicies()...)
	}
	return out, nil
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
