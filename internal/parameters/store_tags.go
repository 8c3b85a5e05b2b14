package parameters

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/nubo-run/nubo/internal/backbone"
)

// MaxTags is how many tags a parameter may carry, as on SSM.
const MaxTags = 50

// ErrTooManyTags is a tagging that would leave a parameter with more than
// MaxTags tags.
var ErrTooManyTags = errors.New("too many tags")

// Tag adds tags to a parameter, replacing the values of keys it already
// has; the parameter's version does not change.
func (s *Store) Tag(ctx context.Context, name string, tags map[string]string) error {
	fn, err := addTags(name, tags)
	if err != nil {
		return err
	}
	return s.retag(ctx, name, fn)
}

// Untag removes tag keys from a parameter (keys it lacks are ignored).
func (s *Store) Untag(ctx context.Context, name string, keys []string) error {
	return s.retag(ctx, name, removeTags(keys))
}

// TagDocument and UntagDocument are Tag and Untag for a document.
func (s *Store) TagDocument(ctx context.Context, name string, tags map[string]string) error {
	fn, err := addTags(name, tags)
	if err != nil {
		return err
	}
	return s.retagDocument(ctx, name, fn)
}

// UntagDocument removes tag keys from a document.
func (s *Store) UntagDocument(ctx context.Context, name string, keys []string) error {
	return s.retagDocument(ctx, name, removeTags(keys))
}

func (s *Store) retagDocument(ctx context.Context, name string, fn func(map[string]string) (map[string]string, error)) error {
	_, err := s.modifyDocument(ctx, name, func(d *Document) error {
		cur := make(map[string]string, len(d.Tags))
		for k, v := range d.Tags {
			cur[k] = v
		}
		tags, err := fn(cur)
		d.Tags = tags
		return err
	})
	return err
}

// addTags is a retag function adding tags (at most MaxTags in all).
func addTags(name string, tags map[string]string) (func(map[string]string) (map[string]string, error), error) {
	for k, v := range tags {
		if err := validateTag(k, v); err != nil {
			return nil, err
		}
	}
	return func(cur map[string]string) (map[string]string, error) {
		if cur == nil {
			cur = map[string]string{}
		}
		for k, v := range tags {
			cur[k] = v
		}
		if len(cur) > MaxTags {
			return nil, fmt.Errorf("%q: %d tags, at most %d: %w", name, len(cur), MaxTags, ErrTooManyTags)
		}
		return cur, nil
	}, nil
}

// removeTags is a retag function removing keys.
func removeTags(keys []string) func(map[string]string) (map[string]string, error) {
	return func(cur map[string]string) (map[string]string, error) {
		for _, k := range keys {
			delete(cur, k)
		}
		if len(cur) == 0 {
			return nil, nil
		}
		return cur, nil
	}
}

// Tags returns a parameter's tags sorted by key.
func (s *Store) Tags(ctx context.Context, name string) ([]string, map[string]string, error) {
	p, err := s.Get(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	keys := make([]string, 0, len(p.Tags))
	for k := range p.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys, p.Tags, nil
}

// retag rewrites a parameter's tags with fn, leaving the rest of it as it is.
func (s *Store) retag(ctx context.Context, name string, fn func(map[string]string) (map[string]string, error)) error {
	kv, err := s.bucket()
	if err != nil {
		return err
	}
	var refused error // fn's or not found, returned as it is
	_, err = backbone.Typed[Parameter](kv).Modify(ctx, key(name), func(cur *Parameter, exists bool) (*Parameter, error) {
		if !exists {
			refused = &notFoundError{name: name}
			return nil, refused
		}
		tags, err := fn(cur.Tags)
		if err != nil {
			refused = err
			return nil, err
		}
		cur.Tags = tags
		return cur, nil
	})
	if err != nil && err == refused {
		return err
	}
	if err != nil {
		return fmt.Errorf("parameter %q: tag: %w", name, err)
	}
	return nil
}

// validateTag checks a tag's key (1 to 128 characters) and value (at most
// 256), as SSM's Tag shape constrains them.
func validateTag(k, v string) error {
	if n := utf8.RuneCountInString(k); n < 1 || n > 128 {
		return fmt.Errorf("%w: 1 validation error detected: Value '%s' at 'tags.key' failed to satisfy constraint: Member must have length between 1 and 128", ErrInvalid, k)
	}
	if utf8.RuneCountInString(v) > 256 {
		return fmt.Errorf("%w: 1 validation error detected: Value '%s' at 'tags.value' failed to satisfy constraint: Member must have length less than or equal to 256", ErrInvalid, v)
	}
	return nil
}
