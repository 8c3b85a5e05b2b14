package logs

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

// This file holds the tagging operations on log groups: TagResource,
// UntagResource, ListTagsForResource (by ARN) and the older TagLogGroup,
// UntagLogGroup, ListTagsLogGroup (by name). Tags are kept with the
// group's settings; a function's group gets settings when first tagged.

// maxGroupTags is how many tags a log group may carry.
const maxGroupTags = 50

type (
	tagResourceInput struct {
		ResourceArn string            `json:"resourceArn"`
		Tags        map[string]string `json:"tags"`
	}
	untagResourceInput struct {
		ResourceArn string   `json:"resourceArn"`
		TagKeys     []string `json:"tagKeys"`
	}
	listTagsForResourceInput struct {
		ResourceArn string `json:"resourceArn"`
	}
	listTagsForResourceOutput struct {
		Tags map[string]string `json:"tags"`
	}
	tagLogGroupInput struct {
		LogGroupName string            `json:"logGroupName"`
		Tags         map[string]string `json:"tags"`
	}
	untagLogGroupInput struct {
		LogGroupName string   `json:"logGroupName"`
		Tags         []string `json:"tags"`
	}
	listTagsLogGroupInput struct {
		LogGroupName string `json:"logGroupName"`
	}
)

// arnGroup is the log group a resource ARN names
// (arn:aws:logs:REGION:ACCOUNT:log-group:NAME, maybe ending ":*").
func arnGroup(resourceARN string) (string, error) {
	arn, err := awsapi.ParseARN(resourceARN)
	if err != nil || arn.Service != "logs" {
		return "", invalidParameter(fmt.Sprintf("1 validation error detected: Value '%s' at 'resourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=/:,.@-]*", resourceARN))
	}
	name, ok := strings.CutPrefix(arn.Resource, "log-group:")
	if !ok {
		return "", awsapi.NewError(http.StatusBadRequest, "ResourceNotFoundException", "The specified resource does not exist: nubo tags log groups only.")
	}
	return strings.TrimSuffix(name, ":*"), nil
}

// tagTarget authorizes a tagging operation on the group, with its tags.
func (a *api) tagTarget(c *awsapi.Call, group string, request map[string]string, keys []string) []awsapi.Target {
	t := a.groupTarget(group)
	if g, err := a.store.Group(c.Context(), group); err == nil && len(g.Tags) > 0 {
		t[0].ResourceTags = g.Tags
	}
	t[0].RequestTags = request
	if len(keys) > 0 {
		t[0].Context = map[string][]string{"aws:TagKeys": keys}
	} else if len(request) > 0 {
		for k := range request {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t[0].Context = map[string][]string{"aws:TagKeys": keys}
	}
	return t
}

func checkTags(tags map[string]string) error {
	if len(tags) == 0 {
		return invalidParameter("1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	for k, v := range tags {
		if k == "" || len(k) > 128 || len(v) > 256 {
			return invalidParameter(fmt.Sprintf("Tag key %q or its value is not valid: a key is 1 to 128 characters, a value at most 256", k))
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return invalidParameter(fmt.Sprintf("Tag key %q is not valid: keys beginning with aws: are reserved", k))
		}
	}
	return nil
}

// updateGroup changes a group's settings in one read-modify-write; a
// function's group with no settings yet gets them.
func (a *api) updateGroup(c *awsapi.Call, name string, fn func(*Group) error) error {
	ctx := c.Context()
	var fresh *Group
	if _, err := a.store.Group(ctx, name); errors.Is(err, ErrGroupNotFound) {
		if a.sources == nil {
			return groupNotFound()
		}
		src, err := a.sources.LogSource(ctx, name)
		if err != nil {
			return err
		}
		fresh = &Group{Name: name, Created: millis(src.Created)}
	} else if err != nil {
		return err
	}
	kv, err := a.store.groupsKV()
	if err != nil {
		return err
	}
	var refused error
	e, err := backbone.Typed[Group](kv).Modify(ctx, groupKey(name), func(cur *Group, exists bool) (*Group, error) {
		var next Group
		switch {
		case exists:
			next = *cur
		case fresh != nil:
			next = *fresh
		default:
			refused = groupNotFound()
			return nil, refused
		}
		tags := make(map[string]string, len(next.Tags))
		for k, v := range next.Tags {
			tags[k] = v
		}
		next.Tags = tags
		if refused = fn(&next); refused != nil {
			return nil, refused
		}
		return &next, nil
	})
	if err != nil && err == refused {
		return err
	}
	if err != nil {
		return fmt.Errorf("log group %q: %w", name, err)
	}
	a.store.setRetention(*e.Value)
	return nil
}

func (a *api) tagGroup(c *awsapi.Call, group string, tags map[string]string) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	return a.updateGroup(c, group, func(g *Group) error {
		for k, v := range tags {
			g.Tags[k] = v
		}
		if len(g.Tags) > maxGroupTags {
			return awsapi.NewError(http.StatusBadRequest, "TooManyTagsException", fmt.Sprintf("A resource can have no more than %d tags.", maxGroupTags))
		}
		return nil
	})
}

func (a *api) untagGroup(c *awsapi.Call, group string, keys []string) error {
	if len(keys) == 0 {
		return invalidParameter("1 validation error detected: Value at 'tagKeys' failed to satisfy constraint: Member must have length greater than or equal to 1")
	}
	return a.updateGroup(c, group, func(g *Group) error {
		for _, k := range keys {
			delete(g.Tags, k)
		}
		return nil
	})
}

// groupTags are a group's tags: those stored, none for a function's group
// not yet tagged.
func (a *api) groupTags(c *awsapi.Call, group string) (map[string]string, error) {
	g, err := a.store.Group(c.Context(), group)
	if errors.Is(err, ErrGroupNotFound) {
		if _, err := a.source(c, group); err != nil {
			return nil, err
		}
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	if g.Tags == nil {
		g.Tags = map[string]string{}
	}
	return g.Tags, nil
}

func (a *api) tagOps() []awsapi.Declared {
	byARN := func(arn string) string { g, _ := arnGroup(arn); return g }
	return []awsapi.Declared{
		awsapi.Op[tagResourceInput, awsapi.None]{Name: "TagResource", Action: "logs:TagResource",
			Resources: func(c *awsapi.Call, in *tagResourceInput) ([]awsapi.Target, error) {
				return a.tagTarget(c, byARN(in.ResourceArn), in.Tags, nil), nil
			},
			Handler: func(c *awsapi.Call, in *tagResourceInput) (awsapi.None, error) {
				g, err := arnGroup(in.ResourceArn)
				if err != nil {
					return awsapi.None{}, err
				}
				return awsapi.None{}, a.tagGroup(c, g, in.Tags)
			}},
		awsapi.Op[untagResourceInput, awsapi.None]{Name: "UntagResource", Action: "logs:UntagResource",
			Resources: func(c *awsapi.Call, in *untagResourceInput) ([]awsapi.Target, error) {
				return a.tagTarget(c, byARN(in.ResourceArn), nil, in.TagKeys), nil
			},
			Handler: func(c *awsapi.Call, in *untagResourceInput) (awsapi.None, error) {
				g, err := arnGroup(in.ResourceArn)
				if err != nil {
					return awsapi.None{}, err
				}
				return awsapi.None{}, a.untagGroup(c, g, in.TagKeys)
			}},
		awsapi.Op[listTagsForResourceInput, listTagsForResourceOutput]{Name: "ListTagsForResource", Action: "logs:ListTagsForResource",
			Resources: func(c *awsapi.Call, in *listTagsForResourceInput) ([]awsapi.Target, error) {
				return a.tagTarget(c, byARN(in.ResourceArn), nil, nil), nil
			},
			Handler: func(c *awsapi.Call, in *listTagsForResourceInput) (listTagsForResourceOutput, error) {
				g, err := arnGroup(in.ResourceArn)
				if err != nil {
					return listTagsForResourceOutput{}, err
				}
				tags, err := a.groupTags(c, g)
				return listTagsForResourceOutput{Tags: tags}, err
			}},
		awsapi.Op[tagLogGroupInput, awsapi.None]{Name: "TagLogGroup", Action: "logs:TagLogGroup",
			Resources: func(c *awsapi.Call, in *tagLogGroupInput) ([]awsapi.Target, error) {
				return a.tagTarget(c, in.LogGroupName, in.Tags, nil), nil
			},
			Handler: func(c *awsapi.Call, in *tagLogGroupInput) (awsapi.None, error) {
				if err := checkGroupName(in.LogGroupName); err != nil {
					return awsapi.None{}, err
				}
				return awsapi.None{}, a.tagGroup(c, in.LogGroupName, in.Tags)
			}},
		awsapi.Op[untagLogGroupInput, awsapi.None]{Name: "UntagLogGroup", Action: "logs:UntagLogGroup",
			Resources: func(c *awsapi.Call, in *untagLogGroupInput) ([]awsapi.Target, error) {
				return a.tagTarget(c, in.LogGroupName, nil, in.Tags), nil
			},
			Handler: func(c *awsapi.Call, in *untagLogGroupInput) (awsapi.None, error) {
				if err := checkGroupName(in.LogGroupName); err != nil {
					return awsapi.None{}, err
				}
				return awsapi.None{}, a.untagGroup(c, in.LogGroupName, in.Tags)
			}},
		awsapi.Op[listTagsLogGroupInput, listTagsForResourceOutput]{Name: "ListTagsLogGroup", Action: "logs:ListTagsLogGroup",
			Resources: func(c *awsapi.Call, in *listTagsLogGroupInput) ([]awsapi.Target, error) {
				return a.tagTarget(c, in.LogGroupName, nil, nil), nil
			},
			Handler: func(c *awsapi.Call, in *listTagsLogGroupInput) (listTagsForResourceOutput, error) {
				if err := checkGroupName(in.LogGroupName); err != nil {
					return listTagsForResourceOutput{}, err
				}
				tags, err := a.groupTags(c, in.LogGroupName)
				return listTagsForResourceOutput{Tags: tags}, err
			}},
	}
}
