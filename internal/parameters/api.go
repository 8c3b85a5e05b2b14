package parameters

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

const targetPrefix = "AmazonSSM."

// Service returns the SSM API (JSON 1.1, signing name "ssm") for the edge.
func (s *Store) Service() awsapi.Service {
	return awsapi.Service{
		Name:     "ssm",
		Protocol: awsapi.JSON,
		Handler:  http.HandlerFunc(s.serveAPI),
		Matches: func(r *http.Request) bool {
			return strings.HasPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
		},
	}
}

type wireParameter struct {
	ARN              string  `json:"ARN"`
	DataType         string  `json:"DataType"`
	LastModifiedDate float64 `json:"LastModifiedDate"`
	Name             string  `json:"Name"`
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

func (s *Store) serveAPI(w http.ResponseWriter, r *http.Request) {
	fail := func(err error) { awsapi.WriteError(w, r, awsapi.JSON, wireError(err), s.log) }
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
	if !ok || r.Method != http.MethodPost {
		fail(awsapi.NewError(http.StatusBadRequest, "UnknownOperationException", "missing X-Amz-Target AmazonSSM.<Operation>"))
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil {
		fail(awsapi.ValidationError("read body: %v", err))
		return
	}
	if len(body) > maxRequestBody {
		fail(awsapi.ValidationError("the request body is larger than %d bytes, which nubo's SSM API does not read: a parameter value is at most %d characters", maxRequestBody, maxAdvancedValue))
		return
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	decode := func(v any) bool {
		if field := invalidUnicodeField(body); field != "" {
			fail(awsapi.ValidationError("1 validation error detected: Value at '%s' failed to satisfy constraint: Member must be valid Unicode text (UTF-8, no lone surrogates)", field))
			return false
		}
		if err := json.Unmarshal(body, v); err != nil {
			fail(awsapi.NewError(http.StatusBadRequest, "SerializationException", err.Error()))
			return false
		}
		return true
	}
	reply := func(v any) {
		b, err := json.Marshal(v)
		if err != nil {
			fail(err)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
	}
	// authorize checks action on each named parameter (a name or ARN,
	// maybe with a version); with no names, on "*".
	// authorizeWith also passes the operation's condition keys and the tags
	// it sets; a parameter that exists brings its tags (aws:ResourceTag/*).
	authorizeWith := func(action string, cond map[string][]string, reqTags map[string]string, refs ...string) bool {
		if len(refs) == 0 {
			refs = []string{"*"}
		}
		for _, ref := range refs {
			req := awsapi.AuthzRequest{Service: "ssm", Action: action, Resource: ref, HTTP: r, Context: cond, RequestTags: reqTags}
			if ref != "*" {
				name, _ := refName(ref)
				req.Resource = s.ARN(name)
				if s.opts.Authorizer != nil {
					if p, err := s.Get(r.Context(), name); err == nil && len(p.Tags) > 0 {
						req.ResourceTags = p.Tags
					}
				}
			}
			if err := awsapi.Authorize(r.Context(), s.opts.Authorizer, req); err != nil {
				fail(err)
				return false
			}
		}
		return true
	}
	authorize := func(action string, refs ...string) bool { return authorizeWith(action, nil, nil, refs...) }
	ctx := r.Context()
	switch op {
	case "GetParameter":
		var in struct {
			Name           string
			WithDecryption bool
		}
		if !decode(&in) {
			return
		}
		if !authorize("ssm:GetParameter", in.Name) {
			return
		}
		p, err := s.lookup(r, in.Name)
		if err != nil {
			fail(err)
			return
		}
		reply(map[string]any{"Parameter": s.wire(p, in.WithDecryption)})
	case "GetParameters":
		var in struct {
			Names          []string
			WithDecryption bool
		}
		if !decode(&in) {
			return
		}
		if !authorize("ssm:GetParameters", in.Names...) {
			return
		}
		if len(in.Names) == 0 || len(in.Names) > 10 {
			fail(awsapi.ValidationError("1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10"))
			return
		}
		params, invalid := []wireParameter{}, []string{}
		for _, n := range in.Names {
			p, err := s.lookup(r, n)
			switch {
			case errors.Is(err, ErrNotFound), errors.Is(err, errVersionNotFound):
				invalid = append(invalid, n)
			case err != nil:
				fail(err)
				return
			default:
				params = append(params, s.wire(p, in.WithDecryption))
			}
		}
		reply(map[string]any{"Parameters": params, "InvalidParameters": invalid})
	case "PutParameter":
		var in struct {
			Name, Value, Type, Description, AllowedPattern, Tier, DataType string
			Overwrite                                                      bool
			Tags                                                           []tag
		}
		if !decode(&in) {
			return
		}
		var reqTags map[string]string
		for _, t := range in.Tags {
			if reqTags == nil {
				reqTags = map[string]string{}
			}
			reqTags[t.Key] = t.Value
		}
		if !authorizeWith("ssm:PutParameter", map[string][]string{"ssm:Overwrite": {strconv.FormatBool(in.Overwrite)}}, reqTags, in.Name) {
			return
		}
		if in.Overwrite && len(in.Tags) > 0 {
			fail(awsapi.ValidationError("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource."))
			return
		}
		p := Parameter{Name: in.Name, Value: in.Value, Type: in.Type, Description: in.Description, AllowedPattern: in.AllowedPattern, Tier: in.Tier, DataType: in.DataType}
		if len(in.Tags) > 0 {
			p.Tags = map[string]string{}
			for _, t := range in.Tags {
				p.Tags[t.Key] = t.Value
			}
		}
		v, err := s.Put(ctx, p, in.Overwrite)
		if err != nil {
			fail(err)
			return
		}
		tier, _ := EffectiveTier(in.Tier, in.Value) // Put has checked it
		reply(map[string]any{"Version": v, "Tier": tier})
	case "DeleteParameter":
		var in struct{ Name string }
		if !decode(&in) {
			return
		}
		if !authorize("ssm:DeleteParameter", in.Name) {
			return
		}
		if err := s.Delete(ctx, in.Name); err != nil {
			fail(err)
			return
		}
		reply(map[string]any{})
	case "GetParametersByPath":
		var in struct {
			Path           string
			Recursive      bool
			WithDecryption bool
			MaxResults     int
			NextToken      string
		}
		if !decode(&in) {
			return
		}
		if !authorize("ssm:GetParametersByPath", in.Path) {
			return
		}
		all, err := s.ByPath(ctx, in.Path, in.Recursive)
		if err != nil {
			fail(err)
			return
		}
		max := in.MaxResults
		if max <= 0 || max > 10 {
			max = 10
		}
		start := 0
		if in.NextToken != "" {
			n, err := strconv.Atoi(in.NextToken)
			if err != nil || n < 0 || n > len(all) {
				fail(awsapi.NewError(http.StatusBadRequest, "InvalidNextToken", "The specified token isn't valid."))
				return
			}
			start = n
		}
		end := min(start+max, len(all))
		out := map[string]any{}
		params := make([]wireParameter, 0, end-start)
		for _, p := range all[start:end] {
			params = append(params, s.wire(p, in.WithDecryption))
		}
		out["Parameters"] = params
		if end < len(all) {
			out["NextToken"] = strconv.Itoa(end)
		}
		reply(out)
	case "DeleteParameters":
		var in struct{ Names []string }
		if !decode(&in) {
			return
		}
		if len(in.Names) == 0 || len(in.Names) > 10 {
			fail(awsapi.ValidationError("1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length between 1 and 10"))
			return
		}
		if !authorize("ssm:DeleteParameters", in.Names...) {
			return
		}
		deleted, invalid := []string{}, []string{}
		for _, n := range in.Names {
			switch err := s.Delete(ctx, n); {
			case errors.Is(err, ErrNotFound):
				invalid = append(invalid, n)
			case err != nil:
				fail(err)
				return
			default:
				deleted = append(deleted, n)
			}
		}
		reply(map[string]any{"DeletedParameters": deleted, "InvalidParameters": invalid})
	case "DescribeParameters":
		var in struct {
			ParameterFilters []struct {
				Key    string
				Option string
				Values []string
			}
			MaxResults int
			NextToken  string
		}
		if !decode(&in) {
			return
		}
		if !authorize("ssm:DescribeParameters") {
			return
		}
		all, err := s.List(ctx)
		if err != nil {
			fail(err)
			return
		}
		for _, f := range in.ParameterFilters {
			if f.Key != "Name" || (f.Option != "" && f.Option != "Equals" && f.Option != "BeginsWith") {
				fail(awsapi.ValidationError("nubo's DescribeParameters filters by Name (Equals or BeginsWith) only, not %s %s", f.Key, f.Option))
				return
			}
			kept := all[:0:0]
			for _, p := range all {
				for _, v := range f.Values {
					if p.Name == v || f.Option == "BeginsWith" && strings.HasPrefix(p.Name, v) {
						kept = append(kept, p)
						break
					}
				}
			}
			all = kept
		}
		max := in.MaxResults
		if max <= 0 || max > 50 {
			max = 50
		}
		start := 0
		if in.NextToken != "" {
			n, err := strconv.Atoi(in.NextToken)
			if err != nil || n < 0 || n > len(all) {
				fail(awsapi.NewError(http.StatusBadRequest, "InvalidNextToken", "The specified token isn't valid."))
				return
			}
			start = n
		}
		end := min(start+max, len(all))
		meta := make([]map[string]any, 0, end-start)
		for _, p := range all[start:end] {
			m := map[string]any{"Name": p.Name, "ARN": s.ARN(p.Name), "Type": p.Type, "Version": p.Version, "Tier": p.Tier,
				"DataType": p.DataType, "LastModifiedDate": float64(p.LastModified.UnixMilli()) / 1000}
			if p.Description != "" {
				m["Description"] = p.Description
			}
			if p.AllowedPattern != "" {
				m["AllowedPattern"] = p.AllowedPattern
			}
			meta = append(meta, m)
		}
		out := map[string]any{"Parameters": meta}
		if end < len(all) {
			out["NextToken"] = strconv.Itoa(end)
		}
		reply(out)
	default:
		fail(awsapi.Errorf(http.StatusBadRequest, "InvalidAction", "nubo's SSM does not implement %s", op))
	}
}

var errVersionNotFound = errors.New("parameter version not found")

// lookup reads a parameter named as GetParameter accepts it: a name, its
// ARN, or either with a ":VERSION" selector (nubo keeps the latest version
// only, so only that one is found).
func (s *Store) lookup(r *http.Request, ref string) (*Parameter, error) {
	name, version := refName(ref)
	p, err := s.Get(r.Context(), name)
	if err != nil {
		return nil, err
	}
	if version != "" && version != strconv.FormatInt(p.Version, 10) {
		return nil, fmt.Errorf("parameter %q version %s: %w", name, version, errVersionNotFound)
	}
	return p, nil
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
	switch {
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
