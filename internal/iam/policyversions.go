package iam

import (
	"context"
	"fmt"
	"slices"

	"github.com/nubo-run/nubo/internal/iam/awsmanaged"
)

// modifyCustomerPolicy applies f to the customer managed policy arn; an AWS
// managed one cannot change.
func (s *Store) modifyCustomerPolicy(ctx context.Context, arn string, f func(*ManagedPolicy) error) (ManagedPolicy, error) {
	if _, ok := awsmanaged.ByARN(arn); ok {
		return ManagedPolicy{}, fmt.Errorf("%w: Cannot modify AWS managed policy %s", ErrUnmodifiable, arn)
	}
	name, err := s.customerPolicyName(arn)
	if err != nil {
		return ManagedPolicy{}, err
	}
	p, err := modify(ctx, s, policyKey(name), func(p *ManagedPolicy) error {
		if p.ARN != arn {
			return ErrNoSuchEntity
		}
		return f(p)
	})
	if err == ErrNoSuchEntity {
		return ManagedPolicy{}, fmt.Errorf("%w: Policy %s was not found.", ErrNoSuchEntity, arn)
	}
	return p, err
}

// DeletePolicyVersion deletes a version that is not the default.
func (s *Store) DeletePolicyVersion(ctx context.Context, arn, version string) error {
	_, err := s.modifyCustomerPolicy(ctx, arn, func(p *ManagedPolicy) error {
		i := slices.IndexFunc(p.Versions, func(v PolicyVersion) bool { return v.ID == version })
		switch {
		case i < 0:
			return fmt.Errorf("%w: Policy %s version %s does not exist or is not attachable.", ErrNoSuchEntity, arn, version)
		case p.DefaultVersion == version:
			return fmt.Errorf("%w: Cannot delete the default version of a policy.", ErrDeleteConflict)
		}
		p.Versions = slices.Delete(p.Versions, i, i+1)
		return nil
	})
	return err
}

// SetDefaultPolicyVersion makes version the policy's default.
func (s *Store) SetDefaultPolicyVersion(ctx context.Context, arn, version string) error {
	_, err := s.modifyCustomerPolicy(ctx, arn, func(p *ManagedPolicy) error {
		if !slices.ContainsFunc(p.Versions, func(v PolicyVersion) bool { return v.ID == version }) {
			return fmt.Errorf("%w: Policy %s version %s does not exist or is not attachable.", ErrNoSuchEntity, arn, version)
		}
		p.DefaultVersion = version
		p.Updated = s.now().UTC().Truncate(1e9)
		return nil
	})
	return err
}

// maxPolicyTags is IAM's quota of tags per managed policy.
const maxPolicyTags = 50

// TagPolicy adds or replaces tags of a customer managed policy.
func (s *Store) TagPolicy(ctx context.Context, arn string, tags []Tag) error {
	if err := checkTags(tags, maxPolicyTags, "TagsPerPolicy"); err != nil {
		return err
	}
	_, err := s.modifyCustomerPolicy(ctx, arn, func(p *ManagedPolicy) error {
		next, err := mergeTags(p.Tags, tags, maxPolicyTags, "TagsPerPolicy")
		p.Tags = next
		return err
	})
	return err
}

// UntagPolicy removes tags of a customer managed policy.
func (s *Store) UntagPolicy(ctx context.Context, arn string, keys []string) error {
	_, err := s.modifyCustomerPolicy(ctx, arn, func(p *ManagedPolicy) error {
		p.Tags = dropTags(p.Tags, keys)
		return nil
	})
	return err
}
