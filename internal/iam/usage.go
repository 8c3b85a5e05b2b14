package iam

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/nubo-run/nubo/internal/backbone"
	"github.com/nubo-run/nubo/internal/iam/policy"
)

// Permission is one action on one resource a role's sessions performed.
type Permission struct {
	Action   string    `json:"action"`
	Resource string    `json:"resource"`
	Count    int64     `json:"count"`
	Last     time.Time `json:"last"`
}

type usageKey struct{ action, resource string }

// usage records, per role, the permissions its sessions used; it is flushed
// to the store's bucket under usage.<role> (merged with what other nodes wrote).
type usage struct {
	store *Store
	mu    sync.Mutex
	roles map[string]map[usageKey]*Permission // by role ARN: pending since last flush
}

func newUsage(s *Store) *usage { return &usage{store: s, roles: map[string]map[usageKey]*Permission{}} }

func (u *usage) record(roleARN, action, resource string) {
	if _, ok := RoleNameFromARN(roleARN); !ok {
		return // a user's or a federated principal's: the report is per role
	}
	k := usageKey{action, resource}
	now := time.Now().UTC()
	u.mu.Lock()
	m := u.roles[roleARN]
	if m == nil {
		m = map[usageKey]*Permission{}
		u.roles[roleARN] = m
	}
	p := m[k]
	if p == nil {
		p = &Permission{Action: action, Resource: resource}
		m[k] = p
	}
	p.Count++
	p.Last = now
	u.mu.Unlock()
}

type usageRecord struct {
	Role        string       `json:"role"`
	Permissions []Permission `json:"permissions"`
}

func usageKeyFor(roleARN string) string {
	name, _ := RoleNameFromARN(roleARN)
	return "usage." + keyPart(name)
}

func (u *usage) flush(ctx context.Context) error {
	u.mu.Lock()
	pending := u.roles
	u.roles = map[string]map[usageKey]*Permission{}
	u.mu.Unlock()
	var errs []error
	for roleARN, perms := range pending {
		if err := u.merge(ctx, roleARN, perms); err != nil {
			errs = append(errs, fmt.Errorf("role %s: %w", roleARN, err))
		}
	}
	return errors.Join(errs...)
}

func (u *usage) merge(ctx context.Context, roleARN string, perms map[usageKey]*Permission) error {
	kv, err := u.store.bucketKV()
	if err != nil {
		return err
	}
	key := usageKeyFor(roleARN)
	_, err = backbone.Typed[usageRecord](kv).Modify(ctx, key, func(rec *usageRecord, exists bool) (*usageRecord, error) {
		if !exists || rec.Role != roleARN {
			rec = &usageRecord{Role: roleARN} // a new role of the same name starts afresh
		}
		merged := map[usageKey]*Permission{}
		for i := range rec.Permissions {
			p := rec.Permissions[i]
			merged[usageKey{p.Action, p.Resource}] = &p
		}
		for k, p := range perms {
			if m := merged[k]; m != nil {
				m.Count += p.Count
				if p.Last.After(m.Last) {
					m.Last = p.Last
				}
			} else {
				cp := *p
				merged[k] = &cp
			}
		}
		rec.Permissions = rec.Permissions[:0]
		for _, p := range merged {
			rec.Permissions = append(rec.Permissions, *p)
		}
		slices.SortFunc(rec.Permissions, func(a, b Permission) int {
			return strings.Compare(a.Action+" "+a.Resource, b.Action+" "+b.Resource)
		})
		return rec, nil
	})
	return err
}

// GrantedStatement is an Allow statement of one of a role's policies.
type GrantedStatement struct {
	Policy    string           `json:"policy"`
	Index     int              `json:"index"`
	Statement policy.Statement `json:"statement"`
}

// UsageReport is what `nubo iam report` prints for a role: the permissions
// its sessions used, and the Allow statements none of them needed.
type UsageReport struct {
	Role   string             `json:"role"`
	Used   []Permission       `json:"used"`
	Unused []GrantedStatement `json:"unused"`
}

// Report flushes pending usage and reports on the role named roleName.
func (a *Authorizer) Report(ctx context.Context, roleName string) (UsageReport, error) {
	if err := a.usage.flush(ctx); err != nil {
		return UsageReport{}, err
	}
	r, err := a.store.GetRole(ctx, roleName)
	if err != nil {
		return UsageReport{}, err
	}
	var rec usageRecord
	if _, err := a.store.get(ctx, usageKeyFor(r.ARN), &rec); err != nil && !errors.Is(err, ErrNoSuchEntity) {
		return UsageReport{}, err
	}
	if rec.Role != r.ARN {
		rec.Permissions = nil
	}
	cr, err := a.compileRole(ctx, r.ARN)
	if err != nil {
		return UsageReport{}, err
	}
	rep := UsageReport{Role: r.ARN, Used: rec.Permissions}
	for _, c := range cr.ps.Identity {
		for _, i := range c.AllowStatements() {
			used := false
			for _, p := range rec.Permissions {
				req := policy.Request{Principal: SessionARN(r.ARN, "report"), PrincipalARN: r.ARN, Action: p.Action, Resource: p.Resource}
				if c.StatementCovers(i, &req) {
					used = true
					break
				}
			}
			if !used {
				rep.Unused = append(rep.Unused, GrantedStatement{Policy: c.Name, Index: i, Statement: *c.Statement(i)})
			}
		}
	}
	return rep, nil
}
