package iam

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// Session tag quotas (AssumeRole: "Tags", "TransitiveTagKeys").
const (
	maxSessionTags  = 50
	maxTagKeyLen    = 128
	maxTagValueLen  = 256
	maxSourceIDLen  = 64
	minSourceIDLen  = 2
	sourceIDPattern = `[\w+=,.@-]*`
)

// sessionTags are the tags, transitive keys and source identity an
// AssumeRole request gives the new session.
type sessionTags struct {
	// passed are the request's Tags.
	passed map[string]string
	// tags are all the session's tags: inherited transitive ones and passed.
	tags       map[string]string
	transitive []string
	sourceID   string
	// inheritedSourceID is set when the caller's session already had one.
	inheritedSourceID bool
}

// parseSessionTags reads Tags, TransitiveTagKeys and SourceIdentity and
// merges what the caller's own session passes on (role chaining):
// transitive tags, which a request may not override, and the source
// identity, which it may not change.
func parseSessionTags(in *assumeRoleIn, caller awsapi.Principal) (sessionTags, error) {
	var st sessionTags
	for n, tag := range in.Tags {
		i := n + 1
		if i > maxSessionTags {
			return st, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to %d", maxSessionTags)
		}
		k, v := tag.Key, tag.Value
		if err := checkTag(i, k, v); err != nil {
			return st, err
		}
		if st.passed == nil {
			st.passed = map[string]string{}
		}
		for have := range st.passed {
			if strings.EqualFold(have, k) {
				return st, awsapi.NewError(http.StatusBadRequest, "InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")
			}
		}
		st.passed[k] = v
	}
	transitive := in.TransitiveTagKeys
	if len(transitive) > maxSessionTags {
		return st, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'transitiveTagKeys' failed to satisfy constraint: Member must have length less than or equal to %d", maxSessionTags)
	}
	for _, k := range transitive {
		if !hasKeyFold(st.passed, k) {
			return st, awsapi.Errorf(http.StatusBadRequest, "InvalidParameterValue", "TransitiveTagKeys: %q is not the key of a tag in Tags", k)
		}
		st.transitive = append(st.transitive, k)
	}
	// Inherited transitive tags.
	st.tags = map[string]string{}
	for _, k := range caller.TransitiveTagKeys {
		v, ok := caller.Tags[k]
		if !ok {
			continue
		}
		if hasKeyFold(st.passed, k) {
			return st, awsapi.Errorf(http.StatusBadRequest, "InvalidParameterValue", "Tags: %q is a transitive tag of the calling session and cannot be overridden", k)
		}
		st.tags[k] = v
		st.transitive = append(st.transitive, k)
	}
	for k, v := range st.passed {
		st.tags[k] = v
	}
	if len(st.tags) > maxSessionTags {
		return st, awsapi.Errorf(http.StatusBadRequest, "PackedPolicyTooLarge", "The session has more than %d session tags (inherited transitive tags included)", maxSessionTags)
	}
	if len(st.tags) == 0 {
		st.tags = nil
	}
	sort.Strings(st.transitive)
	st.transitive = slices.Compact(st.transitive)

	if in.SourceIdentity != nil {
		st.sourceID = *in.SourceIdentity
		if err := checkSourceIdentity(st.sourceID); err != nil {
			return st, err
		}
	}
	if caller.SourceIdentity != "" {
		if st.sourceID != "" && st.sourceID != caller.SourceIdentity {
			return st, awsapi.NewError(http.StatusBadRequest, "InvalidParameterValue", "SourceIdentity cannot be changed: the calling session's source identity is "+caller.SourceIdentity)
		}
		st.sourceID, st.inheritedSourceID = caller.SourceIdentity, true
	}
	return st, nil
}

func hasKeyFold(m map[string]string, k string) bool {
	for have := range m {
		if strings.EqualFold(have, k) {
			return true
		}
	}
	return false
}

// checkTag validates one session tag as STS does.
func checkTag(i int, k, v string) error {
	switch {
	case k == "" || len(k) > maxTagKeyLen:
		return awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'tags.%d.member.key' failed to satisfy constraint: Member must have length between 1 and %d", k, i, maxTagKeyLen)
	case len(v) > maxTagValueLen:
		return awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'tags.%d.member.value' failed to satisfy constraint: Member must have length less than or equal to %d", i, maxTagValueLen)
	case !tagChars(k):
		return awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'tags.%d.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+", k, i)
	case !tagChars(v):
		return awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'tags.%d.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*", v, i)
	case strings.HasPrefix(strings.ToLower(k), "aws:"):
		return awsapi.Errorf(http.StatusBadRequest, "InvalidParameterValue", "Tags: the key %q may not begin with aws:", k)
	}
	return nil
}

// tagChars reports whether s matches [\p{L}\p{Z}\p{N}_.:/=+\-@]*.
func tagChars(s string) bool {
	for _, c := range s {
		if !unicode.IsLetter(c) && !unicode.In(c, unicode.Z) && !unicode.IsNumber(c) && !strings.ContainsRune("_.:/=+-@", c) {
			return false
		}
	}
	return true
}

func checkSourceIdentity(s string) error {
	if len(s) < minSourceIDLen || len(s) > maxSourceIDLen || validName("source identity", s, maxSourceIDLen) != nil {
		return awsapi.Errorf(http.StatusBadRequest, "ValidationError", "1 validation error detected: Value '%s' at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: %s and have length between %d and %d", s, sourceIDPattern, minSourceIDLen, maxSourceIDLen)
	}
	if strings.HasPrefix(strings.ToLower(s), "aws:") {
		return awsapi.NewError(http.StatusBadRequest, "ValidationError", "SourceIdentity may not begin with aws:")
	}
	return nil
}

// context is the condition keys STS adds to AssumeRole's authorization
// (the trust policy and the caller's policies): sts:RoleSessionName,
// sts:TransitiveTagKeys, sts:SourceIdentity; aws:RequestTag/* and
// aws:TagKeys come from the AuthzRequest's RequestTags.
func (st *sessionTags) context(session string) map[string][]string {
	m := map[string][]string{"sts:RoleSessionName": {session}}
	if len(st.transitive) > 0 {
		m["sts:TransitiveTagKeys"] = st.transitive
	}
	if st.sourceID != "" {
		m["sts:SourceIdentity"] = []string{st.sourceID}
	}
	return m
}
