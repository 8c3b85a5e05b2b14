package iam

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// InstanceProfile is a container for one role that EC2 instances take.
type InstanceProfile struct {
	Name    string    `json:"name"`
	Path    string    `json:"path"`
	ID      string    `json:"id"` // AIPA...
	ARN     string    `json:"arn"`
	Created time.Time `json:"created"`
	Roles   []string  `json:"roles,omitempty"` // role names (at most one)
	Tags    []Tag     `json:"tags,omitempty"`
}

// InstanceProfileARN is arn:aws:iam::ACCOUNT:instance-profile{path}{name}.
func InstanceProfileARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":instance-profile" + path + name
}

func instanceProfileKey(name string) string { return "instanceprofiles." + keyPart(name) }

// CreateInstanceProfile creates an instance profile with no role.
func (s *Store) CreateInstanceProfile(ctx context.Context, name, path string, tags []Tag) (InstanceProfile, error) {
	if err := validName("instance profile name", name, 128); err != nil {
		return InstanceProfile{}, err
	}
	path, err := validPath(path)
	if err != nil {
		return InstanceProfile{}, err
	}
	if err := checkTags(tags, maxUserTags, "TagsPerInstanceProfile"); err != nil {
		return InstanceProfile{}, err
	}
	ip := InstanceProfile{Name: name, Path: path, ID: newID("AIPA"), ARN: InstanceProfileARN(s.account.ID, path, name),
		Created: s.now().UTC().Truncate(time.Second), Tags: tags}
	if err := s.create(ctx, instanceProfileKey(name), ip); err != nil {
		return InstanceProfile{}, err
	}
	return ip, nil
}

// GetInstanceProfile returns an instance profile by name.
func (s *Store) GetInstanceProfile(ctx context.Context, name string) (InstanceProfile, error) {
	var ip InstanceProfile
	_, err := s.get(ctx, instanceProfileKey(name), &ip)
	return ip, err
}

// ListInstanceProfiles lists instance profiles under pathPrefix, by name.
func (s *Store) ListInstanceProfiles(ctx context.Context, pathPrefix string) ([]InstanceProfile, error) {
	return listRecords(ctx, s, "instanceprofiles.", func(ip *InstanceProfile) bool { return strings.HasPrefix(ip.Path, pathPrefix) })
}

// ModifyInstanceProfile applies f to an instance profile.
func (s *Store) ModifyInstanceProfile(ctx context.Context, name string, f func(*InstanceProfile) error) (InstanceProfile, error) {
	return modify(ctx, s, instanceProfileKey(name), f)
}

// DeleteInstanceProfile deletes an instance profile that holds no role.
func (s *Store) DeleteInstanceProfile(ctx context.Context, name string) error {
	var ip InstanceProfile
	rev, err := s.get(ctx, instanceProfileKey(name), &ip)
	if err != nil {
		return err
	}
	if len(ip.Roles) > 0 {
		return fmt.Errorf("%w: Cannot delete entity, must remove roles from instance profile first.", ErrDeleteConflict)
	}
	return s.remove(ctx, instanceProfileKey(name), rev)
}

// AddRoleToInstanceProfile puts role in the profile (one role at most).
func (s *Store) AddRoleToInstanceProfile(ctx context.Context, name, role string) error {
	_, err := s.ModifyInstanceProfile(ctx, name, func(ip *InstanceProfile) error {
		if len(ip.Roles) >= 1 {
			return fmt.Errorf("%w: Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1", ErrLimitExceeded)
		}
		ip.Roles = append(ip.Roles, role)
		return nil
	})
	return err
}

// RemoveRoleFromInstanceProfile takes role out of the profile.
func (s *Store) RemoveRoleFromInstanceProfile(ctx context.Context, name, role string) error {
	_, err := s.ModifyInstanceProfile(ctx, name, func(ip *InstanceProfile) error {
		i := slices.IndexFunc(ip.Roles, func(r string) bool { return strings.EqualFold(r, role) })
		if i < 0 {
			return fmt.Errorf("%w: The role with name %s cannot be found.", ErrNoSuchEntity, role)
		}
		ip.Roles = slices.Delete(ip.Roles, i, i+1)
		return nil
	})
	return err
}
