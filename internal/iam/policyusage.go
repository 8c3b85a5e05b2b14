package iam

import (
	"context"
	"strings"
)

// PolicyUsage is how many entities use a managed policy: as a permissions
// policy (AttachmentCount) and as a permissions boundary
// (PermissionsBoundaryUsageCount), counted separately as IAM counts them.
type PolicyUsage struct{ Attached, Boundary int }

// PolicyUsages counts every managed policy's uses in one pass over the
// roles, users and groups.
func (s *Store) PolicyUsages(ctx context.Context) (map[string]PolicyUsage, error) {
	roles, err := s.ListRoles(ctx, "/")
	if err != nil {
		return nil, err
	}
	users, err := s.ListUsers(ctx, "/")
	if err != nil {
		return nil, err
	}
	groups, err := s.ListGroups(ctx, "/")
	if err != nil {
		return nil, err
	}
	out := map[string]PolicyUsage{}
	count := func(attached []string, boundary string) {
		for _, arn := range dedupe(attached) {
			u := out[arn]
			u.Attached++
			out[arn] = u
		}
		if boundary != "" {
			u := out[boundary]
			u.Boundary++
			out[boundary] = u
		}
	}
	for _, r := range roles {
		count(r.Attached, r.Boundary)
	}
	for _, u := range users {
		count(u.Attached, u.Boundary)
	}
	for _, g := range groups {
		count(g.Attached, "")
	}
	return out, nil
}

// policyFilter is ListPolicies' OnlyAttached and PathPrefix. (Its
// PolicyUsageFilter tells policies usable as permissions policies from
// those usable only as boundaries: every policy nubo has is both.)
type policyFilter struct {
	onlyAttached bool
	pathPrefix   string
}

func (f policyFilter) keep(p ManagedPolicy, u PolicyUsage) bool {
	if f.pathPrefix != "" && !strings.HasPrefix(p.Path, f.pathPrefix) {
		return false
	}
	return !f.onlyAttached || u.Attached > 0
}
