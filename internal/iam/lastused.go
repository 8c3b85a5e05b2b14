package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// RoleUse is a role's RoleLastUsed: when a session of it was last issued
// (AssumeRole) or last made a request it was allowed (a function's
// session, from the permissions usage record), and in which region. It is kept under its own key, outside the role's
// record, so that using a role neither rewrites the role nor drops the
// authorizer's compiled policies (it watches roles.> and policies.>).
type RoleUse struct {
	Date   time.Time `json:"date"`
	Region string    `json:"region"`
}

// roleUseGranularity: a use within this long of the recorded one, in the
// same region, is not written again (IAM itself reports RoleLastUsed with
// a delay of hours).
const roleUseGranularity = time.Hour

func lastUsedKey(name string) string { return "lastused." + keyPart(name) }

// NoteRoleUsed records that a session of role name was issued now.
func (s *Store) NoteRoleUsed(ctx context.Context, name string) error {
	kv, err := s.bucketKV()
	if err != nil {
		return err
	}
	now := s.now().UTC().Truncate(time.Second)
	prev, ok, err := s.RoleLastUsed(ctx, name)
	if err != nil {
		return err
	}
	if ok && prev.Region == s.account.Region && now.Sub(prev.Date) < roleUseGranularity {
		return nil
	}
	b, err := json.Marshal(RoleUse{Date: now, Region: s.account.Region})
	if err != nil {
		return err
	}
	if _, err := kv.Put(ctx, lastUsedKey(name), b); err != nil {
		return fmt.Errorf("role %q last used: %w", name, err)
	}
	return nil
}

// RoleLastUsed returns when role name was last used; ok is false if never.
func (s *Store) RoleLastUsed(ctx context.Context, name string) (RoleUse, bool, error) {
	kv, err := s.bucketKV()
	if err != nil {
		return RoleUse{}, false, err
	}
	e, err := kv.Get(ctx, lastUsedKey(name))
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return RoleUse{}, false, nil
	}
	if err != nil {
		return RoleUse{}, false, fmt.Errorf("role %q last used: %w", name, err)
	}
	var u RoleUse
	if err := json.Unmarshal(e.Value(), &u); err != nil {
		return RoleUse{}, false, fmt.Errorf("role %q last used: %w", name, err)
	}
	return u, true, nil
}

// forgetRoleUse drops a deleted role's record, so a new role of the same
// name starts unused.
func (s *Store) forgetRoleUse(ctx context.Context, name string) error {
	kv, err := s.bucketKV()
	if err != nil {
		return err
	}
	if err := kv.Purge(ctx, lastUsedKey(name)); err != nil && !errors.Is(err, jetstream.ErrKeyNotFound) {
		return fmt.Errorf("role %q last used: %w", name, err)
	}
	return nil
}

// LastUse is GetRole's RoleLastUsed for r: the later of its last AssumeRole
// and the last request its sessions were allowed (the usage record the
// authorizer flushes every few seconds); ok is false if neither happened.
func (s *Store) LastUse(ctx context.Context, r Role) (RoleUse, bool, error) {
	u, ok, err := s.RoleLastUsed(ctx, r.Name)
	if err != nil {
		return RoleUse{}, false, err
	}
	var rec usageRecord
	if _, err := s.get(ctx, usageKeyFor(r.ARN), &rec); err != nil && !errors.Is(err, ErrNoSuchEntity) {
		return RoleUse{}, false, err
	}
	if rec.Role != r.ARN {
		return u, ok, nil // another role's, of the same name, deleted since
	}
	for _, p := range rec.Permissions {
		if p.Last.After(u.Date) {
			u, ok = RoleUse{Date: p.Last.UTC().Truncate(time.Second), Region: s.account.Region}, true
		}
	}
	return u, ok, nil
}
