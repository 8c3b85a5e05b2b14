package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// The events a function receives: payload format 2.0 (HTTP APIs, function
// URLs) and 1.0 (REST APIs, HTTP APIs set to 1.0). The 2.0 shapes are
// aws-lambda-go/events' own types; 1.0 uses its own struct only so that an
// absent body is null, as API Gateway sends it.

// requestTimeLayout is API Gateway's requestContext.time format.
const requestTimeLayout = "02/Jan/2006:15:04:05 -0700"

// inbound is what the handler learned about one request before building its
// event.
type inbound struct {
	r            *http.Request
	requestID    string
	now          time.Time
	nowText      string // now in requestTimeLayout, when known
	domainName   string
	domainPrefix string
	fullPath     string // escaped path as the client sent it (minus /_api/{id})
	apiPath      string // escaped path within the API (minus stage or base path)
	customDomain bool
	stage        string
	stageVars    map[string]string
	route        *compiledRoute
	params       []param
	body         []byte
	base64Body   bool
	headers      http.Header // request headers plus the ones API Gateway adds
	apiKey       *APIKey
	auth         *authResult
}

func sourceIP(r *http.Request) string {
	h, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return h
}

// textType reports whether a content type travels as text in payload 2.0.
func textType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json", mt == "application/xml", mt == "application/javascript",
		mt == "application/ecmascript", mt == "application/graphql",
		strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	return false
}

// binaryBody decides whether a request body reaches the function base64
// encoded: HTTP APIs and URLs encode every non-text content type; REST APIs
// encode the API's binary media types. Bytes that are not UTF-8 are always
// encoded: JSON cannot carry them.
func binaryBody(body []byte, contentType string, api *API) bool {
	if len(body) == 0 {
		return false
	}
	if !utf8.Valid(body) {
		return true
	}
	if api != nil && api.Type == TypeREST {
		return matchMediaType(api.BinaryMediaTypes, contentType)
	}
	if contentType == "" {
		return false
	}
	return !textType(contentType)
}

func matchMediaType(patterns []string, ct string) bool {
	if len(patterns) == 0 {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
	}
	for _, p := range patterns {
		// CloudFormation spells "/" as "~1" in binary media types.
		p = strings.ToLower(strings.ReplaceAll(p, "~1", "/"))
		if ok, _ := path.Match(p, mt); ok || p == "*/*" {
			return true
		}
	}
	return false
}

func (in *inbound) bodyString() string {
	if in.base64Body {
		return base64.StdEncoding.EncodeToString(in.body)
	}
	return string(in.body)
}

// v2Headers lowercases names and comma-joins repeated values; cookies go to
// their own list.
func v2Headers(h http.Header) (map[string]string, []string) {
	out := make(map[string]string, len(h))
	var cookies []string
	for k, vs := range h {
		lk := strings.ToLower(k)
		if lk == "cookie" {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		out[lk] = strings.Join(vs, ",")
	}
	return out, cookies
}

func parseQuery(raw string) url.Values {
	if raw == "" {
		return nil
	}
	v, _ := url.ParseQuery(raw) // API Gateway keeps what parses
	if len(v) == 0 {
		return nil
	}
	return v
}

func paramMap(ps []param) map[string]string {
	if len(ps) == 0 {
		return nil
	}
	m := make(map[string]string, len(ps))
	for _, p := range ps {
		m[p.name] = p.value
	}
	return m
}

func (in *inbound) timeText() string {
	if in.nowText != "" {
		return in.nowText
	}
	return in.now.UTC().Format(requestTimeLayout)
}

func (in *inbound) routeKey() string {
	if in.route == nil {
		return "$default"
	}
	return in.route.routeKey
}

func (in *inbound) rawPath() string {
	if in.fullPath == "" {
		return "/"
	}
	return in.fullPath
}

// requestV2 is events.APIGatewayV2HTTPRequest as API Gateway writes it:
// the events type would also write an empty requestContext.authentication
// (a struct, which omitempty keeps), that API Gateway sends only with mTLS.
type requestV2 struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	PathParameters        map[string]string `json:"pathParameters,omitempty"`
	RequestContext        contextV2         `json:"requestContext"`
	StageVariables        map[string]string `json:"stageVariables,omitempty"`
	Body                  string            `json:"body,omitempty"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
}

type contextV2 struct {
	AccountID    string                                                      `json:"accountId"`
	APIID        string                                                      `json:"apiId"`
	Authorizer   *events.APIGatewayV2HTTPRequestContextAuthorizerDescription `json:"authorizer,omitempty"`
	DomainName   string                                                      `json:"domainName"`
	DomainPrefix string                                                      `json:"domainPrefix"`
	HTTP         events.APIGatewayV2HTTPRequestContextHTTPDescription        `json:"http"`
	RequestID    string                                                      `json:"requestId"`
	RouteKey     string                                                      `json:"routeKey"`
	Stage        string                                                      `json:"stage"`
	Time         string                                                      `json:"time"`
	TimeEpoch    int64                                                       `json:"timeEpoch"`
}

func (in *inbound) v2Context(apiID string, account string) contextV2 {
	return contextV2{
		RouteKey:     in.routeKey(),
		AccountID:    account,
		Stage:        in.stage,
		RequestID:    in.requestID,
		APIID:        apiID,
		DomainName:   in.domainName,
		DomainPrefix: in.domainPrefix,
		Time:         in.timeText(),
		TimeEpoch:    in.now.UnixMilli(),
		HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
			Method:    in.r.Method,
			Path:      unescape(in.rawPath()),
			Protocol:  in.r.Proto,
			SourceIP:  sourceIP(in.r),
			UserAgent: in.r.UserAgent(),
		},
	}
}

// encodeJSON is json.Marshal without HTML escaping ("&" stays "&", as API
// Gateway writes it).
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}

// eventV2 is payload format 2.0 for an HTTP API route.
func (in *inbound) eventV2(apiID, account string) ([]byte, error) {
	ev := in.requestV2(apiID, account, false)
	return appendRequestV2(make([]byte, 0, eventSizeHint(in)), &ev, in)
}

// requestV2 is the event of eventV2. Unless full, the parts appendRequestV2
// writes straight from in (cookies, headers, query and path parameters,
// body) are left out.
func (in *inbound) requestV2(apiID, account string, full bool) requestV2 {
	ev := requestV2{
		Version:         "2.0",
		RouteKey:        in.routeKey(),
		RawPath:         in.rawPath(),
		RawQueryString:  in.r.URL.RawQuery,
		RequestContext:  in.v2Context(apiID, account),
		StageVariables:  nonEmpty(in.stageVars),
		IsBase64Encoded: in.base64Body,
	}
	if full {
		ev.Headers, ev.Cookies = v2Headers(in.headers)
		ev.PathParameters = paramMap(in.params)
		ev.Body = in.bodyString()
		if q := parseQuery(in.r.URL.RawQuery); q != nil {
			ev.QueryStringParameters = make(map[string]string, len(q))
			for k, vs := range q {
				ev.QueryStringParameters[k] = strings.Join(vs, ",")
			}
		}
	}
	if in.auth != nil {
		ev.RequestContext.Authorizer = in.auth.v2()
	}
	return ev
}

// eventURL is payload 2.0 as function URLs send it.
func (in *inbound) eventURL(urlID, account string) ([]byte, error) {
	headers, cookies := v2Headers(in.headers)
	c := in.v2Context(urlID, account)
	ev := events.LambdaFunctionURLRequest{
		Version:        "2.0",
		RawPath:        in.rawPath(),
		RawQueryString: in.r.URL.RawQuery,
		Cookies:        cookies,
		Headers:        headers,
		RequestContext: events.LambdaFunctionURLRequestContext{
			AccountID:    c.AccountID,
			RequestID:    c.RequestID,
			APIID:        urlID,
			DomainName:   c.DomainName,
			DomainPrefix: c.DomainPrefix,
			Time:         c.Time,
			TimeEpoch:    c.TimeEpoch,
			HTTP:         events.LambdaFunctionURLRequestContextHTTPDescription(c.HTTP),
		},
		Body:            in.bodyString(),
		IsBase64Encoded: in.base64Body,
	}
	if q := parseQuery(in.r.URL.RawQuery); q != nil {
		ev.QueryStringParameters = make(map[string]string, len(q))
		for k, vs := range q {
			ev.QueryStringParameters[k] = strings.Join(vs, ",")
		}
	}
	if in.auth != nil && in.auth.iam != nil {
		ev.RequestContext.Authorizer = &events.LambdaFunctionURLRequestContextAuthorizerDescription{
			IAM: &events.LambdaFunctionURLRequestContextAuthorizerIAMDescription{
				AccessKey: in.auth.iam.AccessKey, AccountID: in.auth.iam.AccountID, CallerID: in.auth.iam.CallerID,
				UserARN: in.auth.iam.UserARN, UserID: in.auth.iam.UserID,
			},
		}
	}
	return encodeJSON(&ev)
}

// proxyRequestV1 is events.APIGatewayProxyRequest with a nullable body.
type proxyRequestV1 struct {
	Resource                        string              `json:"resource"`
	Path                            string              `json:"path"`
	HTTPMethod                      string              `json:"httpMethod"`
	Headers                         map[string]string   `json:"headers"`
	MultiValueHeaders               map[string][]string `json:"multiValueHeaders"`
	QueryStringParameters           map[string]string   `json:"queryStringParameters"`
	MultiValueQueryStringParameters map[string][]string `json:"multiValueQueryStringParameters"`
	PathParameters                  map[string]string   `json:"pathParameters"`
	StageVariables                  map[string]string   `json:"stageVariables"`
	RequestContext                  proxyContextV1      `json:"requestContext"`
	Body                            *string             `json:"body"`
	IsBase64Encoded                 bool                `json:"isBase64Encoded"`
}

type proxyContextV1 struct {
	AccountID         string                           `json:"accountId"`
	APIID             string                           `json:"apiId"`
	Authorizer        map[string]any                   `json:"authorizer,omitempty"`
	DomainName        string                           `json:"domainName"`
	DomainPrefix      string                           `json:"domainPrefix"`
	ExtendedRequestID string                           `json:"extendedRequestId"`
	HTTPMethod        string                           `json:"httpMethod"`
	Identity          events.APIGatewayRequestIdentity `json:"identity"`
	Path              string                           `json:"path"`
	Protocol          string                           `json:"protocol"`
	RequestID         string                           `json:"requestId"`
	RequestTime       string                           `json:"requestTime"`
	RequestTimeEpoch  int64                            `json:"requestTimeEpoch"`
	ResourceID        string                           `json:"resourceId"`
	ResourcePath      string                           `json:"resourcePath"`
	Stage             string                           `json:"stage"`
}

// eventV1 is payload format 1.0 (REST proxy, or an HTTP API route set to 1.0).
func (in *inbound) eventV1(apiID, account string, restAPI bool) ([]byte, error) {
	ev := proxyRequestV1{
		Resource:       in.route.path,
		HTTPMethod:     in.r.Method,
		PathParameters: paramMap(in.params),
		StageVariables: nonEmpty(in.stageVars),
		RequestContext: proxyContextV1{
			AccountID:         account,
			APIID:             apiID,
			DomainName:        in.domainName,
			DomainPrefix:      in.domainPrefix,
			ExtendedRequestID: in.requestID,
			HTTPMethod:        in.r.Method,
			Identity: events.APIGatewayRequestIdentity{
				SourceIP:  sourceIP(in.r),
				UserAgent: in.r.UserAgent(),
			},
			Path:             unescape(in.rawPath()),
			Protocol:         in.r.Proto,
			RequestID:        in.requestID,
			RequestTime:      in.timeText(),
			RequestTimeEpoch: in.now.UnixMilli(),
			ResourceID:       in.route.route.ID,
			ResourcePath:     in.route.path,
			Stage:            in.stage,
		},
		IsBase64Encoded: in.base64Body,
	}
	// REST: path is the resource path within the stage (with the base path on
	// custom domains); HTTP APIs send the path as requested.
	if restAPI && !in.customDomain {
		ev.Path = unescape(in.apiPath)
	} else {
		ev.Path = unescape(in.rawPath())
	}
	if ev.Path == "" {
		ev.Path = "/"
	}
	if in.auth != nil && in.auth.iam != nil {
		id := &ev.RequestContext.Identity
		id.AccessKey, id.AccountID, id.Caller = in.auth.iam.AccessKey, in.auth.iam.AccountID, in.auth.iam.CallerID
		id.User, id.UserArn = in.auth.iam.UserID, in.auth.iam.UserARN
	}
	if in.apiKey != nil {
		ev.RequestContext.Identity.APIKey = in.apiKey.Value
		ev.RequestContext.Identity.APIKeyID = in.apiKey.ID
	}
	if len(in.body) > 0 {
		s := in.bodyString()
		ev.Body = &s
	}
	ev.Headers = make(map[string]string, len(in.headers))
	ev.MultiValueHeaders = make(map[string][]string, len(in.headers))
	for k, vs := range in.headers {
		if !restAPI {
			k = strings.ToLower(k)
		}
		ev.Headers[k] = vs[len(vs)-1]
		ev.MultiValueHeaders[k] = vs
	}
	if q := parseQuery(in.r.URL.RawQuery); q != nil {
		ev.QueryStringParameters = make(map[string]string, len(q))
		ev.MultiValueQueryStringParameters = make(map[string][]string, len(q))
		for k, vs := range q {
			ev.QueryStringParameters[k] = vs[len(vs)-1]
			ev.MultiValueQueryStringParameters[k] = vs
		}
	}
	if in.auth != nil {
		ev.RequestContext.Authorizer = in.auth.v1()
	}
	return appendRequestV1(make([]byte, 0, eventSizeHint(in)*2), &ev)
}

func nonEmpty(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	return m
}

// forwardedHeaders adds the headers API Gateway adds to every request. The
// added values share one backing array (each capped at its own element, so
// an append elsewhere copies instead of overwriting a neighbour).
func forwardedHeaders(r *http.Request, requestID string) http.Header {
	h := make(http.Header, len(r.Header)+5)
	for k, v := range r.Header {
		h[k] = v
	}
	vals := make([]string, 0, 5)
	set := func(k, v string) { // k is canonical
		vals = append(vals, v)
		n := len(vals)
		h[k] = vals[n-1 : n : n]
	}
	set("Host", r.Host)
	ip := sourceIP(r)
	if xff := r.Header.Get("X-Forwarded-For"); xff != "" {
		set("X-Forwarded-For", xff+", "+ip)
	} else {
		set("X-Forwarded-For", ip)
	}
	proto, port := "http", "80"
	if r.TLS != nil {
		proto, port = "https", "443"
	}
	if strings.Contains(r.Host, ":") { // else SplitHostPort fails: no port
		if _, p, err := net.SplitHostPort(r.Host); err == nil {
			port = p
		}
	}
	set("X-Forwarded-Proto", proto)
	set("X-Forwarded-Port", port)
	if h.Get("X-Amzn-Trace-Id") == "" {
		set("X-Amzn-Trace-Id", traceID(requestID))
	}
	return h
}

// traceID derives an X-Ray style id from the request id: Root=1-, then its
// first 32 characters other than "-" (padded with "0"), a "-" after 8.
func traceID(requestID string) string {
	var b strings.Builder
	b.Grow(len("Root=1-") + 33)
	b.WriteString("Root=1-")
	n := 0
	for i := 0; i < len(requestID) && n < 32; i++ {
		if c := requestID[i]; c != '-' {
			if n == 8 {
				b.WriteByte('-')
			}
			b.WriteByte(c)
			n++
		}
	}
	for ; n < 32; n++ {
		if n == 8 {
			b.WriteByte('-')
		}
		b.WriteByte('0')
	}
	return b.String()
}
