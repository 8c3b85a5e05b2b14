package events

import (
	"context"
	"fmt"
	"sort"

	"github.com/nubo-run/nubo/internal/awsapi"
)

type (
	tagIn struct {
		ResourceARN string
		Tags        []tag
	}
	untagIn struct {
		ResourceARN string
		TagKeys     []string
	}
	listTagsIn struct {
		ResourceARN string
	}
	listTagsOut struct {
		Tags []tag `json:"Tags"`
	}
)

// editTags changes the tags of the bus or rule an ARN names.
func (s *Service) editTags(ctx context.Context, arn string, fn func(map[string]string) map[string]string) error {
	bus, rule, err := s.parseResourceARN(arn)
	if err != nil {
		return err
	}
	_, err = s.modifyBus(ctx, bus, func(b *Bus) error {
		if rule == "" {
			b.Tags = fn(b.Tags)
			return nil
		}
		r := b.Rules[rule]
		if r == nil {
			return fmt.Errorf("rule %s does not exist on EventBus %s: %w", rule, bus, ErrNotFound)
		}
		r.Tags = fn(r.Tags)
		return nil
	})
	return err
}

func (s *Service) tagResource(c *awsapi.Call, in *tagIn) (awsapi.None, error) {
	for _, t := range in.Tags {
		if t.Key == "" || len(t.Key) > 128 || len(t.Value) > 256 {
			return awsapi.None{}, awsapi.ValidationError("1 validation error detected: a tag key must have length between 1 and 128 and a value at most 256")
		}
	}
	return awsapi.None{}, s.editTags(ctxOf(c), in.ResourceARN, func(m map[string]string) map[string]string {
		if m == nil {
			m = map[string]string{}
		}
		for _, t := range in.Tags {
			m[t.Key] = t.Value
		}
		if len(m) > 50 {
			return m
		}
		return m
	})
}

func (s *Service) untagResource(c *awsapi.Call, in *untagIn) (awsapi.None, error) {
	return awsapi.None{}, s.editTags(ctxOf(c), in.ResourceARN, func(m map[string]string) map[string]string {
		for _, k := range in.TagKeys {
			delete(m, k)
		}
		return m
	})
}

func (s *Service) listTags(c *awsapi.Call, in *listTagsIn) (listTagsOut, error) {
	bus, rule, err := s.parseResourceARN(in.ResourceARN)
	if err != nil {
		return listTagsOut{}, err
	}
	b, _, err := s.GetBus(ctxOf(c), bus)
	if err != nil {
		return listTagsOut{}, err
	}
	m := b.Tags
	if rule != "" {
		r := b.Rules[rule]
		if r == nil {
			return listTagsOut{}, fmt.Errorf("rule %s does not exist on EventBus %s: %w", rule, bus, ErrNotFound)
		}
		m = r.Tags
	}
	out := []tag{}
	for k, v := range m {
		out = append(out, tag{Key: k, Value: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return listTagsOut{Tags: out}, nil
}
