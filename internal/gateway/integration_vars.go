package gateway

import (
	"encoding/json"
	"strings"

	"github.com/nubo-run/nubo/internal/gateway/vtl"
)

// The variables of a request's mapping templates ($input, $context, $util,
// $stageVariables) and the parameter mappings (RequestParameters,
// ResponseParameters) that read them.

// templateVars are $input, $context, $util and $stageVariables of a request.
func (g *Gateway) templateVars(in *inbound, a *compiledAPI) map[string]any {
	path := vtl.NewMap()
	for _, p := range in.params {
		path.Put(p.name, p.value)
	}
	query := vtl.NewMap()
	q := parseQuery(in.r.URL.RawQuery)
	for _, k := range sortedKeys(q) {
		query.Put(k, q[k][len(q[k])-1])
	}
	hv := map[string]string{}
	for k, vs := range in.r.Header {
		hv[k] = vs[len(vs)-1]
	}
	if in.r.Host != "" && hv["Host"] == "" {
		hv["Host"] = in.r.Host // Go keeps it out of the header map; API Gateway has it
	}
	header := vtl.StringMap(hv)
	identity := vtl.MapOf("sourceIp", sourceIP(in.r), "userAgent", in.r.UserAgent(),
		"accountId", "", "apiKey", "", "apiKeyId", "", "caller", "", "user", "", "userArn", "", "accessKey", "",
		"cognitoAuthenticationProvider", "", "cognitoAuthenticationType", "", "cognitoIdentityId", "", "cognitoIdentityPoolId", "")
	authorizer := vtl.NewMap()
	if in.auth != nil {
		if in.auth.iam != nil {
			identity.Put("accessKey", in.auth.iam.AccessKey)
			identity.Put("accountId", in.auth.iam.AccountID)
			identity.Put("caller", in.auth.iam.CallerID)
			identity.Put("user", in.auth.iam.UserID)
			identity.Put("userArn", in.auth.iam.UserARN)
		}
		if v1 := in.auth.v1(); v1 != nil {
			if b, err := json.Marshal(v1); err == nil {
				if m, err := vtl.ParseJSON(b); err == nil {
					authorizer, _ = m.(*vtl.Map)
				}
			}
		}
	}
	if in.apiKey != nil {
		identity.Put("apiKey", in.apiKey.Value)
		identity.Put("apiKeyId", in.apiKey.ID)
	}
	fullPath := unescape(in.fullPath)
	if fullPath == "" {
		fullPath = "/"
	}
	ctx := vtl.MapOf(
		"accountId", a.account.ID, "apiId", a.api.ID, "authorizer", authorizer,
		"domainName", in.domainName, "domainPrefix", in.domainPrefix,
		"extendedRequestId", in.requestID, "httpMethod", in.r.Method, "identity", identity,
		"path", fullPath, "protocol", in.r.Proto, "requestId", in.requestID,
		"requestTime", in.timeText(), "requestTimeEpoch", in.now.UnixMilli(),
		"resourceId", in.route.route.ID, "resourcePath", in.route.path, "stage", in.stage,
		"requestOverride", vtl.MapOf("header", vtl.NewMap(), "querystring", vtl.NewMap(), "path", vtl.NewMap()),
		"responseOverride", vtl.MapOf("header", vtl.NewMap()),
	)
	return map[string]any{
		"input":          &vtl.Input{Path: path, Query: query, Header: header},
		"context":        ctx,
		"util":           vtl.Util{},
		"stageVariables": vtl.StringMap(in.stageVars),
	}
}

// paramValue resolves a request parameter mapping's source:
// method.request.{path,querystring,header}.NAME, 'literal', context.X,
// stageVariables.X.
func paramValue(src string, in *inbound, vars map[string]any) (string, bool) {
	if len(src) >= 2 && src[0] == '\'' && src[len(src)-1] == '\'' {
		return src[1 : len(src)-1], true
	}
	if rest, ok := strings.CutPrefix(src, "method.request."); ok {
		kind, name, _ := strings.Cut(rest, ".")
		input := vars["input"].(*vtl.Input)
		var m *vtl.Map
		switch kind {
		case "path":
			m = input.Path
		case "querystring", "multivaluequerystring":
			m = input.Query
		case "header", "multivalueheader":
			if v := in.r.Header.Get(name); v != "" {
				return v, true
			}
			return "", false
		case "body":
			return string(in.body), true
		}
		if v, ok := m.Get(name); ok {
			return vtl.ToString(v), true
		}
		return "", false
	}
	return varPath(src, vars)
}

// varPath resolves context.a.b and stageVariables.x.
func varPath(src string, vars map[string]any) (string, bool) {
	root, rest, _ := strings.Cut(src, ".")
	if root != "context" && root != "stageVariables" || rest == "" {
		return "", false
	}
	var v any = vars[root]
	for _, part := range strings.Split(rest, ".") {
		m, ok := v.(*vtl.Map)
		if !ok {
			return "", false
		}
		v, _ = m.Get(part)
	}
	if v == nil {
		return "", false
	}
	return vtl.ToString(v), true
}

// mappedParams are the request parameters under prefix, resolved.
func (m *Mapped) mappedParams(prefix string, in *inbound, vars map[string]any) map[string]string {
	out := map[string]string{}
	for k, src := range m.RequestParameters {
		if name, ok := strings.CutPrefix(k, prefix); ok {
			if v, ok := paramValue(src, in, vars); ok {
				out[name] = v
			}
		}
	}
	return out
}

// requestOverride is what the request template set in
// $context.requestOverride.KIND (header, querystring, path).
func requestOverride(vars map[string]any, kind string) map[string]string {
	out := map[string]string{}
	ctx, _ := vars["context"].(*vtl.Map)
	ro, _ := ctx.Get("requestOverride")
	m, _ := ro.(*vtl.Map)
	km, _ := m.Get(kind)
	if km, ok := km.(*vtl.Map); ok {
		for _, k := range km.Keys() {
			v, _ := km.Get(k)
			out[k] = vtl.ToString(v)
		}
	}
	return out
}

// responseParam resolves a response parameter mapping's source.
func responseParam(src string, res *integrationResult, vars map[string]any) (string, bool) {
	if len(src) >= 2 && src[0] == '\'' && src[len(src)-1] == '\'' {
		return src[1 : len(src)-1], true
	}
	if name, ok := strings.CutPrefix(src, "integration.response.header."); ok {
		v := res.header.Get(name)
		return v, v != ""
	}
	if src == "integration.response.body" {
		return string(res.body), true
	}
	if p, ok := strings.CutPrefix(src, "integration.response.body."); ok {
		root, err := vtl.ParseJSON(res.body)
		if err != nil {
			return "", false
		}
		v, err := vtl.SelectPath(root, "$."+p)
		if err != nil || v == nil {
			return "", false
		}
		if s, ok := v.(string); ok {
			return s, true
		}
		return vtl.ToJSON(v), true
	}
	return varPath(src, vars)
}
