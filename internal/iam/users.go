package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/iam/policy"
)

// User is an IAM user: long-term access keys sign its requests, which its
// own policies and those of its groups authorize.
type User struct {
	Name     string            `json:"name"`
	Path     string            `json:"path"`
	ID       string            `json:"id"` // AIDA...
	ARN      string            `json:"arn"`
	Created  time.Time         `json:"created"`
	Boundary string            `json:"boundary,omitempty"`
	Tags     []Tag             `json:"tags,omitempty"`
	Inline   map[string]string `json:"inline,omitempty"`
	Attached []string          `json:"attached,omitempty"`
	Groups   []string          `json:"groups,omitempty"` // group names, in the order joined
	Keys     []string          `json:"keys,omitempty"`   // access key ids
	MFA      []string          `json:"mfa,omitempty"`    // serial numbers of enabled MFA devices
	Login    *LoginProfile     `json:"login,omitempty"`
}

// LoginProfile is a user's console password; nubo has no console, so only
// its existence and settings are kept (never the password).
type LoginProfile struct {
	Created       time.Time `json:"created"`
	ResetRequired bool      `json:"resetRequired,omitempty"`
}

// Group is an IAM group: its policies apply to every member.
type Group struct {
	Name     string            `json:"name"`
	Path     string            `json:"path"`
	ID       string            `json:"id"` // AGPA...
	ARN      string            `json:"arn"`
	Created  time.Time         `json:"created"`
	Inline   map[string]string `json:"inline,omitempty"`
	Attached []string          `json:"attached,omitempty"`
}

// AccessKey is a user's long-term access key, stored by its id so that
// every node can check a signature made with it.
type AccessKey struct {
	ID       string    `json:"id"` // AKIA...
	UserName string    `json:"user"`
	UserARN  string    `json:"userArn"`
	Secret   string    `json:"secret"`
	Status   string    `json:"status"` // Active or Inactive
	Created  time.Time `json:"created"`
	// LastUsed is when and where the key last signed a request that was
	// authorized (recorded at most once a minute per node).
	LastUsed        time.Time `json:"lastUsed,omitzero"`
	LastUsedService string    `json:"lastUsedService,omitempty"`
	LastUsedRegion  string    `json:"lastUsedRegion,omitempty"`
}

// UserARN is arn:aws:iam::ACCOUNT:user{path}{name}.
func UserARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":user" + path + name
}

// GroupARN is arn:aws:iam::ACCOUNT:group{path}{name}.
func GroupARN(account, path, name string) string {
	return "arn:aws:iam::" + account + ":group" + path + name
}

// UserNameFromARN returns the user name of a user ARN.
func UserNameFromARN(arn string) (string, bool) {
	a, err := awsapi.ParseARN(arn)
	if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "user/") {
		return "", false
	}
	res := a.Resource[len("user/"):]
	name := res[strings.LastIndexByte(res, '/')+1:]
	return name, name != ""
}

// UserPrincipal is the principal a user's long-term key signs as.
func UserPrincipal(userARN string) awsapi.Principal {
	return awsapi.Principal{ARN: userARN, UserARN: userARN}
}

func userKey(name string) string  { return "users." + keyPart(name) }
func groupKey(name string) string { return "groups." + keyPart(name) }
func accessKeyKey(id string) string {
	return "accesskeys." + keyPart(id)
}

// IAM's quotas for users and groups.
const (
	maxKeysPerUser     = 2
	maxGroupsPerUser   = 10
	maxAttachedUser    = 20
	maxUserTags        = 50
	maxUserInlineChars = 2048
	maxGroupInline     = 5120
)

// InlineNames returns the user's inline policy names, sorted.
func (u *User) InlineNames() []string { return sortedKeys(u.Inline) }

// InlineNames returns the group's inline policy names, sorted.
func (g *Group) InlineNames() []string { return sortedKeys(g.Inline) }

// ---- users ----

// CreateUser creates a user.
func (s *Store) CreateUser(ctx context.Context, name, path, boundary string, tags []Tag) (User, error) {
	if err := validName("user name", name, 64); err != nil {
		return User{}, err
	}
	path, err := validPath(path)
	if err != nil {
		return User{}, err
	}
	if err := checkTags(tags, maxUserTags, "TagsPerUser"); err != nil {
		return User{}, err
	}
	if boundary != "" {
		if _, err := s.GetPolicy(ctx, boundary); err != nil {
			return User{}, fmt.Errorf("permissions boundary %s: %w", boundary, err)
		}
	}
	u := User{Name: name, Path: path, ID: newID("AIDA"), ARN: UserARN(s.account.ID, path, name),
		Created: s.now().UTC().Truncate(time.Second), Boundary: boundary, Tags: tags}
	if err := s.create(ctx, userKey(name), u); err != nil {
		return User{}, fmt.Errorf("user %q: %w", name, err)
	}
	return u, nil
}

// GetUser returns the user named name (case-insensitive).
func (s *Store) GetUser(ctx context.Context, name string) (User, error) {
	var u User
	if _, err := s.get(ctx, userKey(name), &u); err != nil {
		return User{}, fmt.Errorf("user %q: %w", name, err)
	}
	return u, nil
}

// UserByARN returns the user an ARN names; the path must match too.
func (s *Store) UserByARN(ctx context.Context, arn string) (User, error) {
	name, ok := UserNameFromARN(arn)
	if !ok {
		return User{}, fmt.Errorf("%w: %q is not a user ARN", ErrInvalidInput, arn)
	}
	u, err := s.GetUser(ctx, name)
	if err != nil {
		return User{}, err
	}
	if u.ARN != arn {
		return User{}, fmt.Errorf("user %s: %w", arn, ErrNoSuchEntity)
	}
	return u, nil
}

// ListUsers lists users whose path starts with pathPrefix, by name.
func (s *Store) ListUsers(ctx context.Context, pathPrefix string) ([]User, error) {
	return listRecords(ctx, s, "users.", func(u *User) bool { return strings.HasPrefix(u.Path, pathPrefix) })
}

// ListGroups lists groups whose path starts with pathPrefix, by name.
func (s *Store) ListGroups(ctx context.Context, pathPrefix string) ([]Group, error) {
	return listRecords(ctx, s, "groups.", func(g *Group) bool { return strings.HasPrefix(g.Path, pathPrefix) })
}

func listRecords[T any](ctx context.Context, s *Store, prefix string, keep func(*T) bool) ([]T, error) {
	var out []T
	err := s.list(ctx, prefix, func(b []byte) error {
		var v T
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		if keep(&v) {
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// ModifyUser applies f to a user.
func (s *Store) ModifyUser(ctx context.Context, name string, f func(*User) error) (User, error) {
	u, err := modify(ctx, s, userKey(name), f)
	if errors.Is(err, ErrNoSuchEntity) {
		return User{}, fmt.Errorf("user %q: %w", name, err)
	}
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// ModifyGroup applies f to a group.
func (s *Store) ModifyGroup(ctx context.Context, name string, f func(*Group) error) (Group, error) {
	g, err := modify(ctx, s, groupKey(name), f)
	if errors.Is(err, ErrNoSuchEntity) {
		return Group{}, fmt.Errorf("group %q: %w", name, err)
	}
	if err != nil {
		return Group{}, err
	}
	return g, nil
}

// UpdateUser renames a user or moves it to another path: the record moves
// to its new name and its access keys follow.
func (s *Store) UpdateUser(ctx context.Context, name, newName, newPath string) (User, error) {
	u, err := s.GetUser(ctx, name)
	if err != nil {
		return User{}, err
	}
	if newName == "" {
		newName = u.Name
	}
	if newPath == "" {
		newPath = u.Path
	}
	if err := validName("user name", newName, 64); err != nil {
		return User{}, err
	}
	if newPath, err = validPath(newPath); err != nil {
		return User{}, err
	}
	next := u
	next.Name, next.Path, next.ARN = newName, newPath, UserARN(s.account.ID, newPath, newName)
	if strings.EqualFold(newName, u.Name) {
		if next, err = s.ModifyUser(ctx, name, func(cur *User) error {
			cur.Name, cur.Path, cur.ARN = next.Name, next.Path, next.ARN
			return nil
		}); err != nil {
			return User{}, err
		}
	} else {
		if err := s.create(ctx, userKey(newName), next); err != nil {
			return User{}, fmt.Errorf("user %q: %w", newName, err)
		}
		var cur User
		rev, err := s.get(ctx, userKey(name), &cur)
		if err == nil {
			err = s.remove(ctx, userKey(name), rev)
		}
		if err != nil {
			return User{}, fmt.Errorf("user %q: %w", name, err)
		}
	}
	// What names the user by name or ARN follows it.
	for _, serial := range next.MFA {
		if _, err := modify(ctx, s, mfaKey(serial), func(d *MFADevice) error {
			d.User = next.Name
			return nil
		}); err != nil && !errors.Is(err, ErrNoSuchEntity) {
			return User{}, fmt.Errorf("MFA device %s: %w", serial, err)
		}
	}
	for _, id := range next.Keys {
		if _, err := modify(ctx, s, accessKeyKey(id), func(k *AccessKey) error {
			k.UserName, k.UserARN = next.Name, next.ARN
			return nil
		}); err != nil && !errors.Is(err, ErrNoSuchEntity) {
			return User{}, fmt.Errorf("access key %s: %w", id, err)
		}
	}
	return next, nil
}

// DeleteUser deletes a user that has no keys, login profile, policies,
// groups or MFA devices left, as IAM requires.
func (s *Store) DeleteUser(ctx context.Context, name string) error {
	var u User
	rev, err := s.get(ctx, userKey(name), &u)
	if err != nil {
		return fmt.Errorf("user %q: %w", name, err)
	}
	switch {
	case len(u.Keys) > 0:
		return fmt.Errorf("%w: Cannot delete entity, must delete access keys first.", ErrDeleteConflict)
	case u.Login != nil:
		return fmt.Errorf("%w: Cannot delete entity, must delete login profile first.", ErrDeleteConflict)
	case len(u.Inline) > 0:
		return fmt.Errorf("%w: Cannot delete entity, must delete policies first.", ErrDeleteConflict)
	case len(u.Attached) > 0:
		return fmt.Errorf("%w: Cannot delete entity, must detach all policies first.", ErrDeleteConflict)
	case len(u.Groups) > 0:
		return fmt.Errorf("%w: Cannot delete entity, must remove users from group first.", ErrDeleteConflict)
	case len(u.MFA) > 0:
		return fmt.Errorf("%w: Cannot delete entity, must delete MFA device first.", ErrDeleteConflict)
	}
	if err := s.remove(ctx, userKey(name), rev); err != nil {
		return fmt.Errorf("user %q: %w", name, err)
	}
	return nil
}

// TagUser adds or replaces tags of a user.
func (s *Store) TagUser(ctx context.Context, name string, tags []Tag) error {
	if err := checkTags(tags, maxUserTags, "TagsPerUser"); err != nil {
		return err
	}
	_, err := s.ModifyUser(ctx, name, func(u *User) error {
		next, err := mergeTags(u.Tags, tags, maxUserTags, "TagsPerUser")
		u.Tags = next
		return err
	})
	return err
}

// UntagUser removes the tags with the given keys (regardless of case).
func (s *Store) UntagUser(ctx context.Context, name string, keys []string) error {
	_, err := s.ModifyUser(ctx, name, func(u *User) error {
		u.Tags = dropTags(u.Tags, keys)
		return nil
	})
	return err
}

func checkTags(tags []Tag, max int, quota string) error {
	if len(tags) > max {
		return fmt.Errorf("%w: Cannot exceed quota for %s: %d", ErrLimitExceeded, quota, max)
	}
	for _, t := range tags {
		if t.Key == "" || len(t.Key) > maxTagKeyLen || len(t.Value) > maxTagValueLen || !tagChars(t.Key) || !tagChars(t.Value) {
			return fmt.Errorf("%w: tag %q=%q: keys are 1 to %d and values 0 to %d letters, digits, spaces and _.:/=+-@", ErrInvalidInput, t.Key, t.Value, maxTagKeyLen, maxTagValueLen)
		}
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return fmt.Errorf("%w: tag key %q may not begin with aws:", ErrInvalidInput, t.Key)
		}
	}
	return nil
}

func mergeTags(have, tags []Tag, max int, quota string) ([]Tag, error) {
	next := slices.Clone(have)
	for _, t := range tags {
		next = slices.DeleteFunc(next, func(h Tag) bool { return strings.EqualFold(h.Key, t.Key) })
		next = append(next, t)
	}
	if len(next) > max {
		return have, fmt.Errorf("%w: Cannot exceed quota for %s: %d", ErrLimitExceeded, quota, max)
	}
	return next, nil
}

func dropTags(have []Tag, keys []string) []Tag {
	return slices.DeleteFunc(slices.Clone(have), func(t Tag) bool {
		return slices.ContainsFunc(keys, func(k string) bool { return strings.EqualFold(k, t.Key) })
	})
}

// ---- inline and attached policies of users and groups ----

// checkInline validates an inline policy and the total size of the set.
func checkInline(name, doc string, all map[string]string, max int, quota string) error {
	if err := validName("policy name", name, 128); err != nil {
		return err
	}
	if _, err := CheckPolicy(doc, policy.Identity); err != nil {
		return err
	}
	n := policyChars(doc)
	for k, d := range all {
		if k != name {
			n += policyChars(d)
		}
	}
	if n > max {
		return fmt.Errorf("%w: Maximum policy size of %d bytes exceeded for %s", ErrLimitExceeded, max, quota)
	}
	return nil
}

// PutUserPolicy adds or replaces an inline policy of a user.
func (s *Store) PutUserPolicy(ctx context.Context, user, name, doc string) error {
	_, err := s.ModifyUser(ctx, user, func(u *User) error {
		if err := checkInline(name, doc, u.Inline, maxUserInlineChars, "user "+u.Name); err != nil {
			return err
		}
		if u.Inline == nil {
			u.Inline = map[string]string{}
		}
		u.Inline[name] = doc
		return nil
	})
	return err
}

// PutGroupPolicy adds or replaces an inline policy of a group.
func (s *Store) PutGroupPolicy(ctx context.Context, group, name, doc string) error {
	_, err := s.ModifyGroup(ctx, group, func(g *Group) error {
		if err := checkInline(name, doc, g.Inline, maxGroupInline, "group "+g.Name); err != nil {
			return err
		}
		if g.Inline == nil {
			g.Inline = map[string]string{}
		}
		g.Inline[name] = doc
		return nil
	})
	return err
}

// attach adds a managed policy ARN to a list, within max.
func attach(list *[]string, arn string, max int, quota string) error {
	if slices.Contains(*list, arn) {
		return nil
	}
	if len(*list) >= max {
		return fmt.Errorf("%w: Cannot exceed quota for %s: %d", ErrLimitExceeded, quota, max)
	}
	*list = append(*list, arn)
	return nil
}

func detach(list *[]string, arn string) error {
	i := slices.Index(*list, arn)
	if i < 0 {
		return fmt.Errorf("Policy %s was not found.: %w", arn, ErrNoSuchEntity)
	}
	*list = slices.Delete(*list, i, i+1)
	return nil
}

// userGroupAttachments counts the users and groups that attach arn or use
// it as their boundary (DeletePolicy's check, with the roles').
func (s *Store) userGroupAttachments(ctx context.Context, arn string) (int, error) {
	users, err := s.ListUsers(ctx, "/")
	if err != nil {
		return 0, err
	}
	groups, err := s.ListGroups(ctx, "/")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, u := range users {
		if slices.Contains(u.Attached, arn) || u.Boundary == arn {
			n++
		}
	}
	for _, g := range groups {
		if slices.Contains(g.Attached, arn) {
			n++
		}
	}
	return n, nil
}
