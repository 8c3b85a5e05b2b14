package parameters

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// API returns the SSM API (JSON 1.1, signing name "ssm") for the edge: the
// operations nubo implements, each authorized as its IAM action on the
// parameters it names.
func (s *Store) API() (*awsapi.API, error) {
	return awsapi.NewAPI(awsapi.Spec{
		Service:      "ssm",
		SDKID:        "ssm",
		Protocol:     awsapi.JSON,
		TargetPrefix: "AmazonSSM",
		Authorizer:   s.opts.Authorizer,
		Logger:       s.log,
		MapError:     func(err error) error { return wireError(err) },
		DecodeJSON:   decodeBody,
		MaxBody:      maxRequestBody,
		BodyTooLarge: func(limit int64) error {
			return awsapi.ValidationError("the request body is larger than %d bytes, which nubo's SSM API does not read: a parameter value is at most %d characters", limit, maxAdvancedValue)
		},
		Ops: append([]awsapi.Declared{
			awsapi.Op[getParameterIn, getParameterOut]{Name: "GetParameter", Action: "ssm:GetParameter",
				Resources: func(c *awsapi.Call, in *getParameterIn) ([]awsapi.Target, error) { return s.targets(c, in.Name), nil },
				Handler:   s.getParameter},
			awsapi.Op[getParametersIn, getParametersOut]{Name: "GetParameters", Action: "ssm:GetParameters",
				Resources: func(c *awsapi.Call, in *getParametersIn) ([]awsapi.Target, error) {
					return s.targets(c, in.Names...), nil
				},
				Handler: s.getParameters},
			awsapi.Op[putParameterIn, putParameterOut]{Name: "PutParameter", Action: "ssm:PutParameter",
				Resources: s.putParameterTargets, Handler: s.putParameter},
			awsapi.Op[deleteParameterIn, awsapi.None]{Name: "DeleteParameter", Action: "ssm:DeleteParameter",
				Resources: func(c *awsapi.Call, in *deleteParameterIn) ([]awsapi.Target, error) {
					return s.targets(c, in.Name), nil
				},
				Handler: func(c *awsapi.Call, in *deleteParameterIn) (awsapi.None, error) {
					return awsapi.None{}, s.Delete(c.Context(), in.Name)
				}},
			awsapi.Op[byPathIn, parametersPage]{Name: "GetParametersByPath", Action: "ssm:GetParametersByPath",
				Resources: func(c *awsapi.Call, in *byPathIn) ([]awsapi.Target, error) { return s.targets(c, in.Path), nil },
				Handler:   s.getParametersByPath},
			awsapi.Op[deleteParametersIn, deleteParametersOut]{Name: "DeleteParameters", Action: "ssm:DeleteParameters",
				Resources: func(c *awsapi.Call, in *deleteParametersIn) ([]awsapi.Target, error) {
					if err := checkNames(in.Names); err != nil {
						return nil, err
					}
					return s.targets(c, in.Names...), nil
				},
				Handler: s.deleteParameters},
			awsapi.Op[describeParametersIn, describeParametersOut]{Name: "DescribeParameters", Action: "ssm:DescribeParameters",
				Handler: s.describeParameters},
			awsapi.Op[historyIn, historyOut]{Name: "GetParameterHistory", Action: "ssm:GetParameterHistory",
				Resources: func(c *awsapi.Call, in *historyIn) ([]awsapi.Target, error) { return s.targets(c, in.Name), nil },
				Handler:   s.getParameterHistory},
			awsapi.Op[labelIn, labelOut]{Name: "LabelParameterVersion", Action: "ssm:LabelParameterVersion",
				Resources: func(c *awsapi.Call, in *labelIn) ([]awsapi.Target, error) { return s.targets(c, in.Name), nil },
				Handler:   s.labelParameterVersion},
			awsapi.Op[labelIn, unlabelOut]{Name: "UnlabelParameterVersion", Action: "ssm:UnlabelParameterVersion",
				Resources: func(c *awsapi.Call, in *labelIn) ([]awsapi.Target, error) { return s.targets(c, in.Name), nil },
				Handler:   s.unlabelParameterVersion},
			awsapi.Op[addTagsIn, awsapi.None]{Name: "AddTagsToResource", Action: "ssm:AddTagsToResource",
				Resources: s.addTagsTargets, Handler: s.addTags},
			awsapi.Op[removeTagsIn, awsapi.None]{Name: "RemoveTagsFromResource", Action: "ssm:RemoveTagsFromResource",
				Resources: s.removeTagsTargets, Handler: s.removeTags},
			awsapi.Op[listTagsIn, listTagsOut]{Name: "ListTagsForResource", Action: "ssm:ListTagsForResource",
				Resources: func(c *awsapi.Call, in *listTagsIn) ([]awsapi.Target, error) {
					return s.tagTarget(c, in.ResourceType, in.ResourceId), nil
				},
				Handler: s.listTags},
		}, s.documentOps()...),
	})
}

// decodeBody refuses text that is not valid Unicode, naming the member, as
// SSM does (encoding/json would quietly replace it), then decodes.
func decodeBody(body []byte, v any) error {
	if field := invalidUnicodeField(body); field != "" {
		return awsapi.ValidationError("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be valid Unicode text (UTF-8, no lone surrogates)", field)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return awsapi.NewError(http.StatusBadRequest, "SerializationException", err.Error())
	}
	return nil
}

type wireParameter struct {
	ARN              string  `json:"ARN"`
	DataType         string  `json:"DataType"`
	LastModifiedDate float64 `json:"LastModifiedDate"`
	Name             string  `json:"Name"`
	Selector         string  `json:"Selector,omitempty"`
	Type             string  `json:"Type"`
	Value            string  `json:"Value"`
	Version          int64   `json:"Version"`
}

// wire is a parameter as the API returns it: a SecureString's value is its
// ciphertext unless the caller asked for decryption, as on SSM.
func (s *Store) wire(p *Parameter, decrypt bool) wireParameter {
	value := p.Value
	if p.Type == TypeSecureString && !decrypt {
		value = s.ciphertext(p)
	}
	return wireParameter{
		ARN: s.ARN(p.Name), DataType: p.DataType, Name: p.Name, Type: p.Type, Value: value, Version: p.Version,
		LastModifiedDate: float64(p.LastModified.UnixMilli()) / 1000,
	}
}

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// targets are the parameters an operation names (a name or ARN, maybe with
// a version); with none, "*". A parameter that exists brings its tags
// (aws:ResourceTag/*).
func (s *Store) targets(c *awsapi.Call, refs ...string) []awsapi.Target {
	if len(refs) == 0 {
		return nil
	}
	out := make([]awsapi.Target, 0, len(refs))
	for _, ref := range refs {
		name, _ := s.resolve(c.Context(), ref)
		t := awsapi.Target{Resource: s.ARN(name)}
		if p, err := s.Get(c.Context(), name); err == nil && len(p.Tags) > 0 {
			t.ResourceTags = p.Tags
		}
		out = append(out, t)
	}
	return out
}

func checkNames(names []string) error {
	if len(names) == 0 || len(names) > 10 {
		return awsapi.ValidationError("1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10")
	}
	return nil
}

type (
	getParameterIn struct {
		Name           string
		WithDecryption bool
	}
	getParameterOut struct {
		Parameter wireParameter
	}
	getParametersIn struct {
		Names          []string
		WithDecryption bool
	}
	getParametersOut struct {
		Parameters        []wireParameter
		InvalidParameters []string
	}
	putParameterIn struct {
		Name, Value, Type, Description, AllowedPattern, Tier, DataType string
		Overwrite                                                      bool
		Tags                                                           []tag
	}
	putParameterOut struct {
		Version int64
		Tier    string
	}
	deleteParameterIn struct{ Name string }
	byPathIn          struct {
		Path             string
		Recursive        bool
		WithDecryption   bool
		ParameterFilters []parameterStringFilter
		MaxResults       int
		NextToken        string
	}
	parametersPage struct {
		Parameters []wireParameter
		NextToken  string `json:",omitempty"`
	}
	deleteParametersIn  struct{ Names []string }
	deleteParametersOut struct {
		DeletedParameters []string
		InvalidParameters []string
	}
)

func (s *Store) getParameter(c *awsapi.Call, in *getParameterIn) (getParameterOut, error) {
	p, err := s.lookup(c.R, in.Name)
	if err != nil {
		return getParameterOut{}, err
	}
	w := s.wire(p, in.WithDecryption)
	w.Selector = selector(in.Name)
	return getParameterOut{Parameter: w}, nil
}

func (s *Store) getParameters(c *awsapi.Call, in *getParametersIn) (getParametersOut, error) {
	if err := checkNames(in.Names); err != nil {
		return getParametersOut{}, err
	}
	out := getParametersOut{Parameters: []wireParameter{}, InvalidParameters: []string{}}
	seen := make(map[string]bool, len(in.Names))
	for _, n := range in.Names {
		if seen[n] { // a name asked for twice is answered once, as on SSM
			continue
		}
		seen[n] = true
		p, err := s.lookup(c.R, n)
		switch {
		case errors.Is(err, ErrNotFound), errors.Is(err, errVersionNotFound):
			out.InvalidParameters = append(out.InvalidParameters, n)
		case err != nil:
			return getParametersOut{}, err
		default:
			w := s.wire(p, in.WithDecryption)
			w.Selector = selector(n)
			out.Parameters = append(out.Parameters, w)
		}
	}
	return out, nil
}

func tagMap(tags []tag) map[string]string {
	var m map[string]string
	for _, t := range tags {
		if m == nil {
			m = map[string]string{}
		}
		m[t.Key] = t.Value
	}
	return m
}

func (s *Store) putParameterTargets(c *awsapi.Call, in *putParameterIn) ([]awsapi.Target, error) {
	t := s.targets(c, in.Name)
	if len(t) == 0 {
		t = []awsapi.Target{{Resource: "*"}}
	}
	t[0].Context = map[string][]string{"ssm:Overwrite": {strconv.FormatBool(in.Overwrite)}}
	t[0].RequestTags = tagMap(in.Tags)
	return t, nil
}

func (s *Store) putParameter(c *awsapi.Call, in *putParameterIn) (putParameterOut, error) {
	if in.Overwrite && len(in.Tags) > 0 {
		return putParameterOut{}, awsapi.ValidationError("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.")
	}
	p := Parameter{Name: in.Name, Value: in.Value, Type: in.Type, Description: in.Description, AllowedPattern: in.AllowedPattern, Tier: in.Tier, DataType: in.DataType,
		Tags: tagMap(in.Tags)}
	v, err := s.Put(c.Context(), p, in.Overwrite)
	if err != nil {
		return putParameterOut{}, err
	}
	tier, _ := EffectiveTier(in.Tier, in.Value) // Put has checked it
	return putParameterOut{Version: v, Tier: tier}, nil
}

// invalidToken is SSM's answer to a NextToken it did not issue.
func invalidToken(err error) error {
	if errors.Is(err, awsapi.ErrInvalidToken) {
		return awsapi.NewError(http.StatusBadRequest, "InvalidNextToken", "The specified token isn't valid.")
	}
	return err
}

func (s *Store) getParametersByPath(c *awsapi.Call, in *byPathIn) (parametersPage, error) {
	all, err := s.ByPath(c.Context(), in.Path, in.Recursive)
	if err != nil {
		return parametersPage{}, err
	}
	if all, err = s.filterByPath(c, all, in.ParameterFilters); err != nil {
		return parametersPage{}, err
	}
	if in.MaxResults > 10 {
		in.MaxResults = 10
	}
	page, next, err := awsapi.Page(all, in.NextToken, in.MaxResults, 10)
	if err != nil {
		return parametersPage{}, invalidToken(err)
	}
	out := parametersPage{Parameters: make([]wireParameter, 0, len(page)), NextToken: next}
	for _, p := range page {
		out.Parameters = append(out.Parameters, s.wire(p, in.WithDecryption))
	}
	return out, nil
}

func (s *Store) deleteParameters(c *awsapi.Call, in *deleteParametersIn) (deleteParametersOut, error) {
	out := deleteParametersOut{DeletedParameters: []string{}, InvalidParameters: []string{}}
	for _, n := range in.Names {
		switch err := s.Delete(c.Context(), n); {
		case errors.Is(err, ErrNotFound):
			out.InvalidParameters = append(out.InvalidParameters, n)
		case err != nil:
			return deleteParametersOut{}, err
		default:
			out.DeletedParameters = append(out.DeletedParameters, n)
		}
	}
	return out, nil
}

var errVersionNotFound = errors.New("parameter version not found")

// lookup reads a parameter named as GetParameter accepts it: a name, its
// ARN, or either with a ":VERSION" selector naming the current version or
// one kept before it.
func (s *Store) lookup(r *http.Request, ref string) (*Parameter, error) {
	name, version := s.resolve(r.Context(), ref)
	if version == "" {
		return s.Get(r.Context(), name)
	}
	n, err := strconv.ParseInt(version, 10, 64)
	if err != nil { // not a version number: a label
		return s.GetLabel(r.Context(), name, version)
	}
	return s.GetVersion(r.Context(), name, n)
}

// selector is the ":VERSION" or ":LABEL" a reference ends with, as
// GetParameter returns it ("" for none).
func selector(ref string) string {
	if _, v := refName(ref); v != "" {
		return ":" + v
	}
	return ""
}

// resolve is refName, and for an ARN parameter/NAME, which is the ARN of
// "NAME" and of "/NAME" alike, the one of them that exists (the one
// without a slash first).
func (s *Store) resolve(ctx context.Context, ref string) (name, version string) {
	name, version = refName(ref)
	if strings.HasPrefix(ref, "arn:") && !strings.Contains(name, "/") {
		if _, err := s.Get(ctx, name); errors.Is(err, ErrNotFound) {
			if _, err := s.Get(ctx, "/"+name); err == nil {
				name = "/" + name
			}
		}
	}
	return name, version
}

// refName splits a parameter reference (a name or ARN, maybe with a
// ":VERSION" selector) into the name and version.
func refName(ref string) (name, version string) {
	name = ref
	if strings.HasPrefix(name, "arn:") {
		if i := strings.Index(name, ":parameter/"); i >= 0 {
			// parameter/app/db/url is "/app/db/url"; parameter/plain is "plain".
			name = name[i+len(":parameter"):]
			if strings.Count(name, "/") == 1 {
				name = name[1:]
			}
		}
	}
	if i := strings.LastIndexByte(name, ':'); i > 0 {
		name, version = name[:i], name[i+1:]
	}
	return name, version
}

func wireError(err error) *awsapi.Error {
	if e := documentError(err); e != nil {
		return e
	}
	switch {
	case errors.Is(err, ErrLabelLimit):
		return awsapi.NewError(http.StatusBadRequest, "ParameterVersionLabelLimitExceeded", "A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.")
	case errors.Is(err, errVersionNotFound):
		return awsapi.NewError(http.StatusBadRequest, "ParameterVersionNotFound", err.Error())
	case errors.Is(err, ErrNotFound):
		var nf *notFoundError
		if errors.As(err, &nf) {
			return awsapi.NewError(http.StatusBadRequest, "ParameterNotFound", "Parameter "+nf.name+" not found.")
		}
		return awsapi.NewError(http.StatusBadRequest, "ParameterNotFound", "Parameter not found.")
	case errors.Is(err, ErrExists):
		return awsapi.NewError(http.StatusBadRequest, "ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.")
	case errors.Is(err, ErrInvalid):
		return awsapi.NewError(http.StatusBadRequest, "ValidationException", strings.TrimPrefix(err.Error(), ErrInvalid.Error()+": "))
	}
	return awsapi.AsError(err)
}
