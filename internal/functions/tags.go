package functions

import (
	"context"
	"maps"
	"strings"
	"unicode/utf8"
)

// Lambda's tag limits (the Lambda developer guide, "Tagging Lambda functions").
const (
	MaxTags        = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// validateTags checks a function's tags as Lambda does.
func validateTags(tags map[string]string) error {
	if len(tags) > MaxTags {
		return invalidf("a function has at most %d tags; this request would give it %d", MaxTags, len(tags))
	}
	for k, v := range tags {
		if err := validateTagKey(k); err != nil {
			return err
		}
		if !utf8.ValidString(v) || utf8.RuneCountInString(v) > maxTagValueLen {
			return invalidf("tag %q: the value must be valid UTF-8 of at most %d characters", k, maxTagValueLen)
		}
	}
	return nil
}

func validateTagKey(k string) error {
	if k == "" || !utf8.ValidString(k) || utf8.RuneCountInString(k) > maxTagKeyLen {
		return invalidf("tag key %q: must be valid UTF-8 of 1 to %d characters", k, maxTagKeyLen)
	}
	if strings.HasPrefix(strings.ToLower(k), "aws:") {
		return invalidf("tag key %q: the aws: prefix is reserved for AWS use", k)
	}
	return nil
}

// TagFunction adds tags to a function, replacing the values of keys it has
// (TagResource). Tags change neither the revision nor LastModified.
func (s *Service) TagFunction(ctx context.Context, name string, tags map[string]string) (*Config, error) {
	return s.updateTags(ctx, name, func(cur map[string]string) { maps.Copy(cur, tags) })
}

// UntagFunction removes the tags of keys from a function (UntagResource);
// a key it does not have is ignored.
func (s *Service) UntagFunction(ctx context.Context, name string, keys []string) (*Config, error) {
	return s.updateTags(ctx, name, func(cur map[string]string) {
		for _, k := range keys {
			delete(cur, k)
		}
	})
}

// SetTags makes tags the function's tags, all of them (the stack provider).
func (s *Service) SetTags(ctx context.Context, name string, tags map[string]string) (*Config, error) {
	return s.updateTags(ctx, name, func(cur map[string]string) {
		clear(cur)
		maps.Copy(cur, tags)
	})
}

func (s *Service) updateTags(ctx context.Context, name string, change func(map[string]string)) (*Config, error) {
	return s.reg.update(ctx, name, func(c *Config) error {
		next := maps.Clone(c.Tags)
		if next == nil {
			next = map[string]string{}
		}
		change(next)
		if err := validateTags(next); err != nil {
			return err
		}
		c.Tags = next
		if len(next) == 0 {
			c.Tags = nil
		}
		return nil
	})
}
