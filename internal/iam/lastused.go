package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// RoleUse is a role's RoleLastUsed: when a session of it was last issued,
// and in which region. It is kept under its own key, outside the role's
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
