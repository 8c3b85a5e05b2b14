package parameters

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// The ResourceTypes of SSM's tagging operations nubo has resources of.
const (
	resourceTypeParameter = "Parameter"
	resourceTypeDocument  = "Document"
)

type (
	addTagsIn struct {
		ResourceType string
		ResourceId   string
		Tags         []tag
	}
	removeTagsIn struct {
		ResourceType string
		ResourceId   string
		TagKeys      []string
	}
	listTagsIn struct {
		ResourceType string
		ResourceId   string
	}
	listTagsOut struct {
		TagList []tag
	}
)

// tagTarget is the parameter a tagging operation names; for another
// resource type, "*" (the handler then refuses the type).
func (s *Store) tagTarget(c *awsapi.Call, resourceType, id string) []awsapi.Target {
	switch {
	case id == "":
	case resourceType == resourceTypeParameter:
		return s.targets(c, id)
	case resourceType == resourceTypeDocument:
		t := awsapi.Target{Resource: s.documentARN(docName(id))}
		if d, err := s.GetDocument(c.Context(), docName(id)); err == nil && len(d.Tags) > 0 {
			t.ResourceTags = d.Tags
		}
		return []awsapi.Target{t}
	}
	return []awsapi.Target{{Resource: "*"}}
}

// checkTagResource refuses a resource type other than Parameter, as SSM
// refuses one that is not of its enum or that nubo does not serve.
func checkTagResource(resourceType string) error {
	if resourceType != resourceTypeParameter && resourceType != resourceTypeDocument {
		return awsapi.NewError(http.StatusBadRequest, "InvalidResourceType", fmt.Sprintf("The resource type %q is not valid: nubo tags resources of type Parameter and Document only.", resourceType))
	}
	return nil
}

// tagError is SSM's answer to tagging a parameter that does not exist.
func tagError(err error) error {
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrDocumentNotFound):
		return awsapi.NewError(http.StatusBadRequest, "InvalidResourceId", "The resource ID is not valid. Verify that you entered the correct ID and try again.")
	case errors.Is(err, ErrTooManyTags):
		return awsapi.NewError(http.StatusBadRequest, "TooManyTagsError", "The Targets parameter includes too many tags. Remove one or more tags and try the command again.")
	}
	return err
}

func (s *Store) addTagsTargets(c *awsapi.Call, in *addTagsIn) ([]awsapi.Target, error) {
	t := s.tagTarget(c, in.ResourceType, in.ResourceId)
	t[0].RequestTags = tagMap(in.Tags)
	return t, nil
}

func (s *Store) addTags(c *awsapi.Call, in *addTagsIn) (awsapi.None, error) {
	if err := checkTagResource(in.ResourceType); err != nil {
		return awsapi.None{}, err
	}
	if len(in.Tags) == 0 || len(in.Tags) > 1000 {
		return awsapi.None{}, awsapi.ValidationError("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must have length between 1 and 1000")
	}
	if in.ResourceType == resourceTypeDocument {
		return awsapi.None{}, tagError(s.TagDocument(c.Context(), docName(in.ResourceId), tagMap(in.Tags)))
	}
	name, _ := s.resolve(c.Context(), in.ResourceId)
	return awsapi.None{}, tagError(s.Tag(c.Context(), name, tagMap(in.Tags)))
}

func (s *Store) removeTagsTargets(c *awsapi.Call, in *removeTagsIn) ([]awsapi.Target, error) {
	t := s.tagTarget(c, in.ResourceType, in.ResourceId)
	if len(in.TagKeys) > 0 {
		t[0].Context = map[string][]string{"aws:TagKeys": in.TagKeys}
	}
	return t, nil
}

func (s *Store) removeTags(c *awsapi.Call, in *removeTagsIn) (awsapi.None, error) {
	if err := checkTagResource(in.ResourceType); err != nil {
		return awsapi.None{}, err
	}
	if len(in.TagKeys) == 0 {
		return awsapi.None{}, awsapi.ValidationError("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
	}
	if in.ResourceType == resourceTypeDocument {
		return awsapi.None{}, tagError(s.UntagDocument(c.Context(), docName(in.ResourceId), in.TagKeys))
	}
	name, _ := s.resolve(c.Context(), in.ResourceId)
	return awsapi.None{}, tagError(s.Untag(c.Context(), name, in.TagKeys))
}

func (s *Store) listTags(c *awsapi.Call, in *listTagsIn) (listTagsOut, error) {
	if err := checkTagResource(in.ResourceType); err != nil {
		return listTagsOut{}, err
	}
	var keys []string
	var tags map[string]string
	if in.ResourceType == resourceTypeDocument {
		d, err := s.GetDocument(c.Context(), docName(in.ResourceId))
		if err != nil {
			return listTagsOut{}, tagError(err)
		}
		keys, tags = sortedKeys(d.Tags), d.Tags
	} else {
		name, _ := s.resolve(c.Context(), in.ResourceId)
		var err error
		if keys, tags, err = s.Tags(c.Context(), name); err != nil {
			return listTagsOut{}, tagError(err)
		}
	}
	out := listTagsOut{TagList: make([]tag, 0, len(keys))}
	for _, k := range keys {
		out.TagList = append(out.TagList, tag{Key: k, Value: tags[k]})
	}
	return out, nil
}
