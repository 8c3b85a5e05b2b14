package parameters

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// DescribeParameters' page: 10 parameters unless MaxResults asks for up to 50.
const (
	describeDefaultPage = 10
	describeMaxPage     = 50
)

type (
	parametersFilter struct {
		Key    string
		Values []string
	}
	parameterStringFilter struct {
		Key    string
		Option string
		Values []string
	}
	describeParametersIn struct {
		Filters          []parametersFilter
		ParameterFilters []parameterStringFilter
		MaxResults       int
		NextToken        string
	}
	describeParametersOut struct {
		Parameters []parameterMetadata
		NextToken  string `json:",omitempty"`
	}
	parameterMetadata struct {
		ARN              string  `json:"ARN"`
		Name             string  `json:"Name"`
		Type             string  `json:"Type"`
		KeyId            string  `json:"KeyId,omitempty"`
		LastModifiedDate float64 `json:"LastModifiedDate"`
		LastModifiedUser string  `json:"LastModifiedUser,omitempty"`
		Description      string  `json:"Description,omitempty"`
		AllowedPattern   string  `json:"AllowedPattern,omitempty"`
		Version          int64   `json:"Version"`
		Tier             string  `json:"Tier"`
		Policies         []any   `json:"Policies"`
		DataType         string  `json:"DataType"`
	}
)

func filterError(code, format string, args ...any) error {
	return awsapi.NewError(http.StatusBadRequest, code, fmt.Sprintf(format, args...))
}

// parameterFilters turns DescribeParameters' Filters (the older Name, Type,
// KeyId) or ParameterFilters into one list of checks, refusing what SSM
// refuses with the codes it uses.
func parameterFilters(in *describeParametersIn) ([]parameterStringFilter, error) {
	if len(in.Filters) > 0 && len(in.ParameterFilters) > 0 {
		return nil, awsapi.ValidationError("You can use either Filters or ParameterFilters in a single request.")
	}
	var out []parameterStringFilter
	for i, f := range in.Filters {
		switch f.Key {
		case "Name", "Type", "KeyId":
		default:
			return nil, awsapi.ValidationError("1 validation error detected: Value '%s' at 'filters.%d.member.key' failed to satisfy constraint: Member must satisfy enum value set: [Name, Type, KeyId]", f.Key, i+1)
		}
		if len(f.Values) == 0 || len(f.Values) > 50 {
			return nil, awsapi.ValidationError("1 validation error detected: Value at 'filters.%d.member.values' failed to satisfy constraint: Member must have length less than or equal to 50 and greater than or equal to 1", i+1)
		}
		// The older Name filter matches names that begin with a value.
		opt := "Equals"
		if f.Key == "Name" {
			opt = "BeginsWith"
		}
		out = append(out, parameterStringFilter{Key: f.Key, Option: opt, Values: f.Values})
	}
	seen := map[string]bool{}
	for i, f := range in.ParameterFilters {
		if err := checkStringFilter(i+1, f); err != nil {
			return nil, err
		}
		if seen[f.Key] {
			return nil, filterError("InvalidFilterKey", "The following filter is duplicated in the request: %s. A request can contain only one occurrence of a specific filter.", f.Key)
		}
		seen[f.Key] = true
		if f.Option == "" {
			f.Option = "Equals"
			if f.Key == "Path" {
				f.Option = "OneLevel"
			}
		}
		out = append(out, f)
	}
	return out, nil
}

var filterValues = map[string][]string{
	"Type":     {TypeString, TypeStringList, TypeSecureString},
	"Tier":     {TierStandard, TierAdvanced, TierIntelligentTiering},
	"DataType": {"text", "aws:ec2:image", "aws:ssm:integration"},
}

// checkStringFilter applies ParameterStringFilter's constraints and
// DescribeParameters' rules for each key (i counts from 1).
func checkStringFilter(i int, f parameterStringFilter) error {
	switch {
	case f.Key == "" || len(f.Key) > 132:
		return awsapi.ValidationError("1 validation error detected: Value '%s' at 'parameterFilters.%d.member.key' failed to satisfy constraint: Member must have length less than or equal to 132 and greater than or equal to 1", f.Key, i)
	case len(f.Option) > 10:
		return awsapi.ValidationError("1 validation error detected: Value '%s' at 'parameterFilters.%d.member.option' failed to satisfy constraint: Member must have length less than or equal to 10", f.Option, i)
	case len(f.Values) > 50:
		return awsapi.ValidationError("1 validation error detected: Value at 'parameterFilters.%d.member.values' failed to satisfy constraint: Member must have length less than or equal to 50 and greater than or equal to 1", i)
	}
	for _, v := range f.Values {
		if v == "" || len(v) > 1024 {
			return awsapi.ValidationError("1 validation error detected: Value at 'parameterFilters.%d.member.values' failed to satisfy constraint: Member must satisfy constraint: [Member must have length less than or equal to 1024, Member must have length greater than or equal to 1]", i)
		}
	}
	tag := strings.HasPrefix(f.Key, "tag:") && len(f.Key) > len("tag:")
	switch {
	case tag, f.Key == "Name", f.Key == "Type", f.Key == "KeyId", f.Key == "Path", f.Key == "Tier", f.Key == "DataType":
	case f.Key == "Label":
		return filterError("InvalidFilterKey", "The following filter key is not valid: Label. Valid filter keys include: [Path, Name, Type, KeyId, Tier, DataType, tag:key].")
	default:
		return awsapi.ValidationError("1 validation error detected: Value '%s' at 'parameterFilters.%d.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: tag:.+|Name|Type|KeyId|Path|Label|Tier|DataType", f.Key, i)
	}
	switch {
	case f.Key == "Path":
		if f.Option != "" && f.Option != "Recursive" && f.Option != "OneLevel" {
			return filterError("InvalidFilterOption", "The following filter option is not valid: %s. Valid options include: [Recursive, OneLevel].", f.Option)
		}
	case f.Key == "Name":
		if f.Option != "" && f.Option != "Equals" && f.Option != "BeginsWith" && f.Option != "Contains" {
			return filterError("InvalidFilterOption", "The following filter option is not valid: %s. Valid options include: [BeginsWith, Equals, Contains].", f.Option)
		}
	default:
		if f.Option != "" && f.Option != "Equals" && f.Option != "BeginsWith" {
			return filterError("InvalidFilterOption", "The following filter option is not valid: %s. Valid options include: [BeginsWith, Equals].", f.Option)
		}
	}
	if len(f.Values) == 0 && !tag {
		return filterError("InvalidFilterValue", "The following filter values are missing : null for filter key %s.", f.Key)
	}
	if allowed, ok := filterValues[f.Key]; ok && f.Option != "BeginsWith" {
		for _, v := range f.Values {
			if !contains(allowed, v) {
				return filterError("InvalidFilterValue", "The following filter value is not valid: %s. Valid values include: [%s].", v, strings.Join(allowed, ", "))
			}
		}
	}
	if f.Key == "Path" {
		for _, v := range f.Values {
			if !strings.HasPrefix(v, "/") || strings.HasSuffix(v, "/") && v != "/" || ValidateName(strings.TrimSuffix(v, "/")+"/x") != nil {
				return filterError("InvalidFilterValue", "The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash \"/\". It can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol \"/\". Valid example: /get/parameters2-/by1./path0_.")
			}
		}
	}
	return nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// slashed is a name as SSM's Name and Path filters compare it: "a" and
// "/a" are both at the root.
func slashed(name string) string { return "/" + strings.TrimPrefix(name, "/") }

// matches says whether p passes filter f (its option already defaulted).
func matches(p *Parameter, f parameterStringFilter) bool {
	if key, ok := strings.CutPrefix(f.Key, "tag:"); ok {
		v, has := p.Tags[key]
		if !has {
			return false
		}
		return len(f.Values) == 0 || matchAny(v, f.Option, f.Values)
	}
	switch f.Key {
	case "Name":
		vals := make([]string, len(f.Values))
		for i, v := range f.Values {
			vals[i] = slashed(v)
		}
		if f.Option == "Contains" {
			return matchAny(p.Name, f.Option, f.Values)
		}
		return matchAny(slashed(p.Name), f.Option, vals)
	case "Path":
		for _, v := range f.Values {
			rest, ok := strings.CutPrefix(slashed(p.Name), strings.TrimSuffix(v, "/")+"/")
			if ok && rest != "" && (f.Option == "Recursive" || !strings.Contains(rest, "/")) {
				return true
			}
		}
		return false
	case "Type":
		return matchAny(p.Type, f.Option, f.Values)
	case "KeyId":
		return p.Type == TypeSecureString && matchAny(defaultKeyID, f.Option, f.Values)
	case "Tier":
		return matchAny(p.Tier, f.Option, f.Values)
	case "DataType":
		return matchAny(p.DataType, f.Option, f.Values)
	}
	return false
}

func matchAny(s, option string, values []string) bool {
	for _, v := range values {
		switch option {
		case "BeginsWith":
			if strings.HasPrefix(s, v) {
				return true
			}
		case "Contains":
			if strings.Contains(s, v) {
				return true
			}
		default:
			if s == v {
				return true
			}
		}
	}
	return false
}

func (s *Store) describeParameters(c *awsapi.Call, in *describeParametersIn) (describeParametersOut, error) {
	if in.MaxResults < 0 || in.MaxResults > describeMaxPage {
		return describeParametersOut{}, awsapi.ValidationError("1 validation error detected: Value '%d' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to %d", in.MaxResults, describeMaxPage)
	}
	filters, err := parameterFilters(in)
	if err != nil {
		return describeParametersOut{}, err
	}
	all, err := s.List(c.Context())
	if err != nil {
		return describeParametersOut{}, err
	}
	kept := all[:0:0]
next:
	for _, p := range all {
		for _, f := range filters {
			if !matches(p, f) {
				continue next
			}
		}
		kept = append(kept, p)
	}
	size := in.MaxResults
	if size == 0 {
		size = describeDefaultPage
	}
	page, next, err := awsapi.Page(kept, in.NextToken, size, describeMaxPage)
	if err != nil {
		return describeParametersOut{}, invalidToken(err)
	}
	out := describeParametersOut{Parameters: make([]parameterMetadata, 0, len(page)), NextToken: next}
	for _, p := range page {
		m := parameterMetadata{Name: p.Name, ARN: s.ARN(p.Name), Type: p.Type, Version: p.Version, Tier: p.Tier,
			DataType: p.DataType, LastModifiedDate: float64(p.LastModified.UnixMilli()) / 1000, LastModifiedUser: p.LastModifiedUser,
			Description: p.Description, AllowedPattern: p.AllowedPattern, Policies: []any{}}
		if p.Type == TypeSecureString {
			m.KeyId = defaultKeyID
		}
		out.Parameters = append(out.Parameters, m)
	}
	return out, nil
}

// filterByPath applies GetParametersByPath's ParameterFilters: Type and
// KeyId as DescribeParameters does, and Label, which keeps the parameters
// with one of the labels and answers the version the label is on. Other
// keys are InvalidFilterKey there, as on SSM.
func (s *Store) filterByPath(c *awsapi.Call, all []*Parameter, filters []parameterStringFilter) ([]*Parameter, error) {
	for i, f := range filters {
		if err := checkStringFilter(i+1, f); err != nil && f.Key != "Label" {
			return nil, err
		}
		switch f.Key {
		case "Type", "KeyId":
		case "Label":
			if f.Option != "" && f.Option != "Equals" {
				return nil, filterError("InvalidFilterOption", "The following filter option is not valid: %s. Valid options include: [Equals].", f.Option)
			}
			if len(f.Values) == 0 {
				return nil, filterError("InvalidFilterValue", "The following filter values are missing : null for filter key Label.")
			}
		default:
			return nil, filterError("InvalidFilterKey", "The following filter key is not valid: %s. Valid filter keys include: [Type, KeyId, Label].", f.Key)
		}
	}
	var out []*Parameter
next:
	for _, p := range all {
		for _, f := range filters {
			if f.Option == "" {
				f.Option = "Equals"
			}
			if f.Key != "Label" {
				if !matches(p, f) {
					continue next
				}
				continue
			}
			found := false
			for _, l := range f.Values {
				if v, ok := p.Labels[l]; ok {
					labelled, err := s.GetVersion(c.Context(), p.Name, v)
					if err != nil {
						return nil, err
					}
					labelled.Labels = p.Labels
					p, found = labelled, true
					break
				}
			}
			if !found {
				continue next
			}
		}
		out = append(out, p)
	}
	return out, nil
}
