package iam

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CreateGroup creates a group.
func (s *Store) CreateGroup(ctx context.Context, name, path string) (Group, error) {
	if err := validName("group name", name, 128); err != nil {
		return Group{}, err
	}
	path, err := validPath(path)
	if err != nil {
		return Group{}, err
	}
	g := Group{Name: name, Path: path, ID: newID("AGPA"), ARN: GroupARN(s.account.ID, path, name),
		Created: s.now().UTC().Truncate(time.Second)}
	if err := s.create(ctx, groupKey(name), g); err != nil {
		return Group{}, fmt.Errorf("group %q: %w", name, err)
	}
	return g, nil
}

// GetGroup returns the group named name (case-insensitive).
func (s *Store) GetGroup(ctx context.Context, name string) (Group, error) {
	var g Group
	if _, err := s.get(ctx, groupKey(name), &g); err != nil {
		return Group{}, fmt.Errorf("group %q: %w", name, err)
	}
	return g, nil
}

// GroupMembers lists the users in a group, by name.
func (s *Store) GroupMembers(ctx context.Context, group string) ([]User, error) {
	return listRecords(ctx, s, "users.", func(u *User) bool {
		return slices.ContainsFunc(u.Groups, func(g string) bool { return strings.EqualFold(g, group) })
	})
}

// UpdateGroup renames a group or moves it to another path; its members
// follow.
func (s *Store) UpdateGroup(ctx context.Context, name, newName, newPath string) (Group, error) {
	g, err := s.GetGroup(ctx, name)
	if err != nil {
		return Group{}, err
	}
	if newName == "" {
		newName = g.Name
	}
	if newPath == "" {
		newPath = g.Path
	}
	if err := validName("group name", newName, 128); err != nil {
		return Group{}, err
	}
	if newPath, err = validPath(newPath); err != nil {
		return Group{}, err
	}
	next := g
	next.Name, next.Path, next.ARN = newName, newPath, GroupARN(s.account.ID, newPath, newName)
	if strings.EqualFold(newName, g.Name) {
		return s.ModifyGroup(ctx, name, func(cur *Group) error {
			cur.Name, cur.Path, cur.ARN = next.Name, next.Path, next.ARN
			return nil
		})
	}
	if err := s.create(ctx, groupKey(newName), next); err != nil {
		return Group{}, fmt.Errorf("group %q: %w", newName, err)
	}
	members, err := s.GroupMembers(ctx, g.Name)
	if err != nil {
		return Group{}, err
	}
	for _, u := range members {
		if _, err := s.ModifyUser(ctx, u.Name, func(u *User) error {
			for i, have := range u.Groups {
				if strings.EqualFold(have, g.Name) {
					u.Groups[i] = next.Name
				}
			}
			return nil
		}); err != nil {
			return Group{}, err
		}
	}
	var cur Group
	rev, err := s.get(ctx, groupKey(name), &cur)
	if err == nil {
		err = s.remove(ctx, groupKey(name), rev)
	}
	if err != nil {
		return Group{}, fmt.Errorf("group %q: %w", name, err)
	}
	return next, nil
}

// DeleteGroup deletes a group with no members and no policies.
func (s *Store) DeleteGroup(ctx context.Context, name string) error {
	var g Group
	rev, err := s.get(ctx, groupKey(name), &g)
	if err != nil {
		return fmt.Errorf("group %q: %w", name, err)
	}
	members, err := s.GroupMembers(ctx, g.Name)
	if err != nil {
		return err
	}
	switch {
	case len(members) > 0:
		return fmt.Errorf("%w: Cannot delete entity, must remove users from group first.", ErrDeleteConflict)
	case len(g.Inline) > 0:
		return fmt.Errorf("%w: Cannot delete entity, must delete policies first.", ErrDeleteConflict)
	case len(g.Attached) > 0:
		return fmt.Errorf("%w: Cannot delete entity, must detach all policies first.", ErrDeleteConflict)
	}
	if err := s.remove(ctx, groupKey(name), rev); err != nil {
		return fmt.Errorf("group %q: %w", name, err)
	}
	return nil
}

// AddUserToGroup makes user a member of group (idempotent).
func (s *Store) AddUserToGroup(ctx context.Context, group, user string) error {
	g, err := s.GetGroup(ctx, group)
	if err != nil {
		return err
	}
	_, err = s.ModifyUser(ctx, user, func(u *User) error {
		if slices.ContainsFunc(u.Groups, func(have string) bool { return strings.EqualFold(have, g.Name) }) {
			return nil
		}
		if len(u.Groups) >= maxGroupsPerUser {
			return fmt.Errorf("%w: Cannot exceed quota for GroupsPerUser: %d", ErrLimitExceeded, maxGroupsPerUser)
		}
		u.Groups = append(u.Groups, g.Name)
		return nil
	})
	return err
}

// RemoveUserFromGroup removes user from group.
func (s *Store) RemoveUserFromGroup(ctx context.Context, group, user string) error {
	g, err := s.GetGroup(ctx, group)
	if err != nil {
		return err
	}
	_, err = s.ModifyUser(ctx, user, func(u *User) error {
		i := slices.IndexFunc(u.Groups, func(have string) bool { return strings.EqualFold(have, g.Name) })
		if i < 0 {
			return fmt.Errorf("%w: The user with name %s is not in group %s.", ErrNoSuchEntity, u.Name, g.Name)
		}
		u.Groups = slices.Delete(u.Groups, i, i+1)
		return nil
	})
	return err
}
