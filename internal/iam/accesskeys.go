package iam

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

// Access key statuses.
const (
	KeyActive   = "Active"
	KeyInactive = "Inactive"
)

// CreateAccessKey issues a user a new access key (at most two per user).
// The key is recorded on the user (its quota) and under its id (what
// signature checks read on any node).
func (s *Store) CreateAccessKey(ctx context.Context, user string) (AccessKey, error) {
	var secret [30]byte
	if _, err := rand.Read(secret[:]); err != nil {
		return AccessKey{}, err
	}
	k := AccessKey{ID: newID("AKIA")[:20], Secret: base64.StdEncoding.EncodeToString(secret[:])[:40], Status: KeyActive,
		Created: s.now().UTC().Truncate(time.Second)}
	u, err := s.ModifyUser(ctx, user, func(u *User) error {
		if len(u.Keys) >= maxKeysPerUser {
			return fmt.Errorf("%w: Cannot exceed quota for AccessKeysPerUser: %d", ErrLimitExceeded, maxKeysPerUser)
		}
		u.Keys = append(u.Keys, k.ID)
		return nil
	})
	if err != nil {
		return AccessKey{}, err
	}
	k.UserName, k.UserARN = u.Name, u.ARN
	if err := s.create(ctx, accessKeyKey(k.ID), k); err != nil {
		_, _ = s.ModifyUser(ctx, user, func(u *User) error {
			u.Keys = slices.DeleteFunc(u.Keys, func(id string) bool { return id == k.ID })
			return nil
		})
		return AccessKey{}, fmt.Errorf("access key %s: %w", k.ID, err)
	}
	return k, nil
}

// AccessKey returns the access key with id.
func (s *Store) AccessKey(ctx context.Context, id string) (AccessKey, error) {
	var k AccessKey
	if id == "" {
		return k, ErrNoSuchEntity
	}
	if _, err := s.get(ctx, accessKeyKey(id), &k); err != nil {
		return AccessKey{}, err
	}
	return k, nil
}

// UserAccessKeys lists a user's access keys, oldest first.
func (s *Store) UserAccessKeys(ctx context.Context, user string) ([]AccessKey, error) {
	u, err := s.GetUser(ctx, user)
	if err != nil {
		return nil, err
	}
	var out []AccessKey
	for _, id := range u.Keys {
		k, err := s.AccessKey(ctx, id)
		if errors.Is(err, ErrNoSuchEntity) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, nil
}

// userKeyOf returns the access key id of user, or NoSuchEntity.
func (s *Store) userKeyOf(ctx context.Context, user, id string) (AccessKey, error) {
	k, err := s.AccessKey(ctx, id)
	if err == nil && !strings.EqualFold(k.UserName, user) {
		err = ErrNoSuchEntity
	}
	if errors.Is(err, ErrNoSuchEntity) {
		return AccessKey{}, fmt.Errorf("%w: The Access Key with id %s cannot be found.", ErrNoSuchEntity, id)
	}
	return k, err
}

// UpdateAccessKey sets a key Active or Inactive.
func (s *Store) UpdateAccessKey(ctx context.Context, user, id, status string) error {
	if status != KeyActive && status != KeyInactive {
		return fmt.Errorf("%w: 1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", ErrInvalidInput, status)
	}
	if _, err := s.userKeyOf(ctx, user, id); err != nil {
		return err
	}
	_, err := modify(ctx, s, accessKeyKey(id), func(k *AccessKey) error {
		k.Status = status
		return nil
	})
	return err
}

// DeleteAccessKey deletes a user's key: it signs nothing from then on.
func (s *Store) DeleteAccessKey(ctx context.Context, user, id string) error {
	k, err := s.userKeyOf(ctx, user, id)
	if err != nil {
		return err
	}
	var cur AccessKey
	rev, err := s.get(ctx, accessKeyKey(k.ID), &cur)
	if err == nil {
		err = s.remove(ctx, accessKeyKey(k.ID), rev)
	}
	if err != nil && !errors.Is(err, ErrNoSuchEntity) {
		return fmt.Errorf("access key %s: %w", id, err)
	}
	_, err = s.ModifyUser(ctx, k.UserName, func(u *User) error {
		u.Keys = slices.DeleteFunc(u.Keys, func(have string) bool { return strings.EqualFold(have, k.ID) })
		return nil
	})
	return err
}

// LookupAccessKey is the awsapi.KeyResolver of users' long-term keys: the
// secret and the user's principal of an active key; an unknown or
// inactive key is awsapi.ErrUnknownAccessKey.
func (s *Store) LookupAccessKey(ctx context.Context, id string) (string, awsapi.Principal, error) {
	if !strings.HasPrefix(id, "AKIA") {
		return "", awsapi.Principal{}, awsapi.ErrUnknownAccessKey
	}
	k, err := s.AccessKey(ctx, id)
	if errors.Is(err, ErrNoSuchEntity) || err == nil && k.Status != KeyActive {
		return "", awsapi.Principal{}, awsapi.ErrUnknownAccessKey
	}
	if err != nil {
		return "", awsapi.Principal{}, fmt.Errorf("access key %s: %w", id, err)
	}
	p := UserPrincipal(k.UserARN)
	p.AccessKeyID = id
	return k.Secret, p, nil
}

// recordKeyUse sets a key's last use.
func (s *Store) recordKeyUse(ctx context.Context, id, service, region string, at time.Time) error {
	kv, err := s.bucketKV()
	if err != nil {
		return err
	}
	_, err = backbone.Typed[AccessKey](kv).Modify(ctx, accessKeyKey(id), func(k *AccessKey, exists bool) (*AccessKey, error) {
		if !exists {
			return nil, ErrNoSuchEntity
		}
		k.LastUsed, k.LastUsedService, k.LastUsedRegion = at.UTC().Truncate(time.Second), service, region
		return k, nil
	})
	return err
}
