package iam

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/nubo-run/nubo/internal/backbone"
)

// Account-wide IAM settings: the account alias and the password policy,
// one KV record each.
const (
	aliasKey          = "account.alias"
	passwordPolicyKey = "account.passwordpolicy"
	credReportKey     = "account.credentialreport"
)

// PasswordPolicy is the account's password policy as IAM stores it.
type PasswordPolicy struct {
	MinimumPasswordLength      int32 `json:"minLength"`
	RequireSymbols             bool  `json:"symbols,omitempty"`
	RequireNumbers             bool  `json:"numbers,omitempty"`
	RequireUppercaseCharacters bool  `json:"upper,omitempty"`
	RequireLowercaseCharacters bool  `json:"lower,omitempty"`
	AllowUsersToChangePassword bool  `json:"allowChange,omitempty"`
	MaxPasswordAge             int32 `json:"maxAge,omitempty"`
	PasswordReusePrevention    int32 `json:"reuse,omitempty"`
	HardExpiry                 bool  `json:"hardExpiry,omitempty"`
}

type accountAlias struct {
	Alias string `json:"alias"`
}

var aliasPattern = regexp.MustCompile(`^[a-z0-9]([a-z0-9]|-[a-z0-9])*$`)

// upsert is modify that creates the record when it has none.
func upsert[T any](ctx context.Context, s *Store, key string, f func(cur *T, exists bool) (*T, error)) error {
	kv, err := s.bucketKV()
	if err != nil {
		return err
	}
	if _, err := backbone.Typed[T](kv).Modify(ctx, key, f); err != nil {
		return err
	}
	s.changed()
	return nil
}

// AccountAlias is the account's alias, "" when it has none.
func (s *Store) AccountAlias(ctx context.Context) (string, error) {
	var a accountAlias
	if _, err := s.get(ctx, aliasKey, &a); err != nil && !errors.Is(err, ErrNoSuchEntity) {
		return "", err
	}
	return a.Alias, nil
}

// SetAccountAlias sets the account's one alias, replacing the one it had.
func (s *Store) SetAccountAlias(ctx context.Context, alias string) error {
	if len(alias) < 3 || len(alias) > 63 || !aliasPattern.MatchString(alias) {
		return fmt.Errorf("%w: 1 validation error detected: Value '%s' at 'accountAlias' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$", ErrInvalidInput, alias)
	}
	return upsert(ctx, s, aliasKey, func(*accountAlias, bool) (*accountAlias, error) { return &accountAlias{Alias: alias}, nil })
}

// DeleteAccountAlias removes alias, the account's alias.
func (s *Store) DeleteAccountAlias(ctx context.Context, alias string) error {
	return upsert(ctx, s, aliasKey, func(cur *accountAlias, exists bool) (*accountAlias, error) {
		if !exists || cur.Alias != alias {
			return nil, fmt.Errorf("%w: The account alias %s cannot be found.", ErrNoSuchEntity, alias)
		}
		return nil, nil
	})
}

// GetPasswordPolicy is the account's password policy.
func (s *Store) GetPasswordPolicy(ctx context.Context) (PasswordPolicy, error) {
	var p PasswordPolicy
	if _, err := s.get(ctx, passwordPolicyKey, &p); err != nil {
		if errors.Is(err, ErrNoSuchEntity) {
			return p, fmt.Errorf("%w: The Password Policy with domain name %s cannot be found.", ErrNoSuchEntity, s.account.ID)
		}
		return p, err
	}
	return p, nil
}

// PutPasswordPolicy replaces the account's password policy.
func (s *Store) PutPasswordPolicy(ctx context.Context, p PasswordPolicy) error {
	switch {
	case p.MinimumPasswordLength < 6 || p.MinimumPasswordLength > 128:
		return fmt.Errorf("%w: 1 validation error detected: Value '%d' at 'minimumPasswordLength' failed to satisfy constraint: Member must have value between 6 and 128", ErrInvalidInput, p.MinimumPasswordLength)
	case p.MaxPasswordAge < 0 || p.MaxPasswordAge > 1095:
		return fmt.Errorf("%w: 1 validation error detected: Value '%d' at 'maxPasswordAge' failed to satisfy constraint: Member must have value between 1 and 1095", ErrInvalidInput, p.MaxPasswordAge)
	case p.PasswordReusePrevention < 0 || p.PasswordReusePrevention > 24:
		return fmt.Errorf("%w: 1 validation error detected: Value '%d' at 'passwordReusePrevention' failed to satisfy constraint: Member must have value between 1 and 24", ErrInvalidInput, p.PasswordReusePrevention)
	}
	return upsert(ctx, s, passwordPolicyKey, func(*PasswordPolicy, bool) (*PasswordPolicy, error) { return &p, nil })
}

// DeletePasswordPolicy removes the account's password policy.
func (s *Store) DeletePasswordPolicy(ctx context.Context) error {
	return upsert(ctx, s, passwordPolicyKey, func(_ *PasswordPolicy, exists bool) (*PasswordPolicy, error) {
		if !exists {
			return nil, fmt.Errorf("%w: The account policy with name PasswordPolicy cannot be found.", ErrNoSuchEntity)
		}
		return nil, nil
	})
}

// passwordViolation is the rule of p that pw breaks, "" when none.
func (p PasswordPolicy) passwordViolation(pw string) string {
	has := func(f func(rune) bool) bool {
		for _, r := range pw {
			if f(r) {
				return true
			}
		}
		return false
	}
	switch {
	case int32(len(pw)) < p.MinimumPasswordLength:
		return fmt.Sprintf("Password should have a minimum length of %d", p.MinimumPasswordLength)
	case p.RequireUppercaseCharacters && !has(func(r rune) bool { return r >= 'A' && r <= 'Z' }):
		return "Password should have at least one uppercase letter"
	case p.RequireLowercaseCharacters && !has(func(r rune) bool { return r >= 'a' && r <= 'z' }):
		return "Password should have at least one lowercase letter"
	case p.RequireNumbers && !has(func(r rune) bool { return r >= '0' && r <= '9' }):
		return "Password should have at least one number"
	case p.RequireSymbols && !has(func(r rune) bool { return strings.ContainsRune("!@#$%^&*()_+-=[]{}|'", r) }):
		return "Password should have at least one symbol"
	}
	return ""
}
