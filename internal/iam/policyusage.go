package iam

import (
	"context"
	"strings"
)

// PolicyUsage is how many entities use a managed policy: as a permissions
// policy (AttachmentCount) and as a permissions boundary
// (PermissionsBoundaryUsageCount), counted separately as IAM counts them.
type PolicyUsage struct{ Attached, Boundary int }

// PolicyUsages counts every managed policy's uses in one pass over the roles.
func (s *Store) PolicyUsages(ctx context.Context) (map[string]PolicyUsage, error) {
	roles, err := s.ListRoles(ctx, "/")
	if err != nil {
		return nil, err
	}
	out := map[string]PolicyUsage{}
	for _, r := range roles {
		for _, arn := range dedupe(r.Attached) {
			u := out[arn]
			u.Attached++
			out[arn] = u
		}
		if r.Boundary != "" {
			u := out[r.Boundary]
			u.Boundary++
			out[r.Boundary] = u
		}
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
