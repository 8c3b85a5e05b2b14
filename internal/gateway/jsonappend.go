package gateway

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Append-style JSON for the events the gateway sends on every request: the
// same bytes encoding/json writes with SetEscapeHTML(false) (sorted map keys,
// invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped), without reflection.

const lowerHex = "0123456789abcdef"

// appendJSONString is encoding/json's string encoding without HTML escaping.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	dst = appendJSONChars(dst, s)
	return append(dst, '"')
}

// appendJSONChars is s escaped, without the quotes: escaping works byte by
// byte (and rune by rune), so the chars of a+","+b are those of a, ",", b.
func appendJSONChars[T string | []byte](dst []byte, s T) []byte {
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', lowerHex[b>>4], lowerHex[b&0xF])
			}
			i++
			start = i
			continue
		}
		n := min(len(s)-i, utf8.UTFMax)
		c, size := utf8.DecodeRuneInString(string(s[i : i+n])) // small: no allocation
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', lowerHex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(dst, s[start:]...)
}

// appendStringMap is a map[string]string as encoding/json writes it: null
// for nil, keys sorted.
func appendStringMap(dst []byte, m map[string]string) []byte {
	return appendSortedMap(dst, m, appendJSONString)
}

// appendSortedMap is a map with string keys as encoding/json writes it:
// null for nil, keys sorted, each value written by appendValue.
func appendSortedMap[V any](dst []byte, m map[string]V, appendValue func([]byte, V) []byte) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	var arr [24]string
	keys := arr[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = appendValue(dst, m[k])
	}
	return append(dst, '}')
}

func appendStringSlice(dst []byte, ss []string) []byte {
	if ss == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range ss {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, s)
	}
	return append(dst, ']')
}

// appendJoinedValues is url.Values as a map of comma-joined values.
func appendJoinedValues(dst []byte, q url.Values) []byte {
	var arr [16]string
	keys := arr[:0]
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':', '"')
		for j, v := range q[k] {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONChars(dst, v)
		}
		dst = append(dst, '"')
	}
	return append(dst, '}')
}

// appendParams is paramMap(ps) as JSON: sorted by name, the last of a
// repeated name winning.
func appendParams(dst []byte, ps []param) []byte {
	var arr [8]param
	sorted := append(arr[:0], ps...)
	slices.SortStableFunc(sorted, func(a, b param) int { return strings.Compare(a.name, b.name) })
	dst = append(dst, '{')
	first := true
	for i, p := range sorted {
		if i+1 < len(sorted) && sorted[i+1].name == p.name {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = appendJSONString(dst, p.name)
		dst = append(dst, ':')
		dst = appendJSONString(dst, p.value)
	}
	return append(dst, '}')
}

// appendV2Headers writes the cookies and headers of payload 2.0 from h as
// v2Headers and encoding/json would (`,"cookies":[...]` when there are any,
// then `,"headers":{...}`), without building the map. It declines (false)
// when h has a name outside ASCII or two names that lowercase alike: there
// the map's answer is the reference.
func appendV2Headers(dst []byte, h http.Header) ([]byte, bool) {
	var arr [32]string
	keys := arr[:0]
	for k := range h {
		for i := 0; i < len(k); i++ {
			if k[i] >= utf8.RuneSelf {
				return dst, false
			}
		}
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compareLowerASCII)
	cookies := false
	for i, k := range keys {
		if i > 0 && compareLowerASCII(keys[i-1], k) == 0 {
			return dst, false
		}
		if len(k) != len("cookie") || compareLowerASCII(k, "cookie") != 0 {
			continue
		}
		for _, v := range h[k] {
			for {
				c, rest, more := strings.Cut(v, ";")
				if c = strings.TrimSpace(c); c != "" {
					if cookies {
						dst = append(dst, ',')
					} else {
						dst = append(dst, `,"cookies":[`...)
						cookies = true
					}
					dst = appendJSONString(dst, c)
				}
				if !more {
					break
				}
				v = rest
			}
		}
	}
	if cookies {
		dst = append(dst, ']')
	}
	dst = append(dst, `,"headers":{`...)
	first := true
	for _, k := range keys {
		if len(k) == len("cookie") && compareLowerASCII(k, "cookie") == 0 {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		start := len(dst)
		dst = appendJSONString(dst, k)
		// Escapes are all lower case already: lowering after escaping is
		// escaping the lowered name.
		for i := start; i < len(dst); i++ {
			if c := dst[i]; c >= 'A' && c <= 'Z' {
				dst[i] = c + 'a' - 'A'
			}
		}
		dst = append(dst, ':', '"')
		for i, v := range h[k] {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONChars(dst, v)
		}
		dst = append(dst, '"')
	}
	return append(dst, '}'), true
}

// compareLowerASCII is strings.Compare of the lowered ASCII strings.
func compareLowerASCII(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if ca >= 'A' && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if cb >= 'A' && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			if ca < cb {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

// appendRequestV2 writes ev exactly as encodeJSON does. With in, the
// cookies, headers, query and path parameters and body come from in, as
// requestV2 would have set them.
func appendRequestV2(dst []byte, ev *requestV2, in *inbound) ([]byte, error) {
	dst = append(dst, `{"version":`...)
	dst = appendJSONString(dst, ev.Version)
	dst = append(dst, `,"routeKey":`...)
	dst = appendJSONString(dst, ev.RouteKey)
	dst = append(dst, `,"rawPath":`...)
	dst = appendJSONString(dst, ev.RawPath)
	dst = append(dst, `,"rawQueryString":`...)
	dst = appendJSONString(dst, ev.RawQueryString)
	ok := false
	if in != nil {
		if dst, ok = appendV2Headers(dst, in.headers); !ok {
			ev.Headers, ev.Cookies = v2Headers(in.headers)
		}
	}
	if !ok {
		if len(ev.Cookies) > 0 {
			dst = append(dst, `,"cookies":`...)
			dst = appendStringSlice(dst, ev.Cookies)
		}
		dst = append(dst, `,"headers":`...)
		dst = appendStringMap(dst, ev.Headers)
	}
	if in != nil {
		if q := parseQuery(in.r.URL.RawQuery); q != nil {
			dst = append(dst, `,"queryStringParameters":`...)
			dst = appendJoinedValues(dst, q)
		}
		if len(in.params) > 0 {
			dst = append(dst, `,"pathParameters":`...)
			dst = appendParams(dst, in.params)
		}
	} else {
		if len(ev.QueryStringParameters) > 0 {
			dst = append(dst, `,"queryStringParameters":`...)
			dst = appendStringMap(dst, ev.QueryStringParameters)
		}
		if len(ev.PathParameters) > 0 {
			dst = append(dst, `,"pathParameters":`...)
			dst = appendStringMap(dst, ev.PathParameters)
		}
	}
	c := &ev.RequestContext
	dst = append(dst, `,"requestContext":{"accountId":`...)
	dst = appendJSONString(dst, c.AccountID)
	dst = append(dst, `,"apiId":`...)
	dst = appendJSONString(dst, c.APIID)
	if c.Authorizer != nil {
		a, err := encodeJSON(c.Authorizer)
		if err != nil {
			return nil, err
		}
		dst = append(dst, `,"authorizer":`...)
		dst = append(dst, a...)
	}
	dst = append(dst, `,"domainName":`...)
	dst = appendJSONString(dst, c.DomainName)
	dst = append(dst, `,"domainPrefix":`...)
	dst = appendJSONString(dst, c.DomainPrefix)
	dst = append(dst, `,"http":{"method":`...)
	dst = appendJSONString(dst, c.HTTP.Method)
	dst = append(dst, `,"path":`...)
	dst = appendJSONString(dst, c.HTTP.Path)
	dst = append(dst, `,"protocol":`...)
	dst = appendJSONString(dst, c.HTTP.Protocol)
	dst = append(dst, `,"sourceIp":`...)
	dst = appendJSONString(dst, c.HTTP.SourceIP)
	dst = append(dst, `,"userAgent":`...)
	dst = appendJSONString(dst, c.HTTP.UserAgent)
	dst = append(dst, `},"requestId":`...)
	dst = appendJSONString(dst, c.RequestID)
	dst = append(dst, `,"routeKey":`...)
	dst = appendJSONString(dst, c.RouteKey)
	dst = append(dst, `,"stage":`...)
	dst = appendJSONString(dst, c.Stage)
	dst = append(dst, `,"time":`...)
	dst = appendJSONString(dst, c.Time)
	dst = append(dst, `,"timeEpoch":`...)
	dst = strconv.AppendInt(dst, c.TimeEpoch, 10)
	dst = append(dst, '}')
	if len(ev.StageVariables) > 0 {
		dst = append(dst, `,"stageVariables":`...)
		dst = appendStringMap(dst, ev.StageVariables)
	}
	switch {
	case in != nil && len(in.body) > 0 && in.base64Body:
		dst = append(dst, `,"body":"`...)
		dst = base64.StdEncoding.AppendEncode(dst, in.body) // nothing to escape
		dst = append(dst, '"')
	case in != nil && len(in.body) > 0:
		dst = append(dst, `,"body":"`...)
		dst = appendJSONChars(dst, in.body)
		dst = append(dst, '"')
	case in == nil && ev.Body != "":
		dst = append(dst, `,"body":`...)
		dst = appendJSONString(dst, ev.Body)
	}
	dst = append(dst, `,"isBase64Encoded":`...)
	dst = strconv.AppendBool(dst, ev.IsBase64Encoded)
	return append(dst, '}'), nil
}

// eventSizeHint is a first guess of an event's size, so that building it
// rarely grows the buffer.
func eventSizeHint(in *inbound) int {
	n := 768 + len(in.r.URL.RawQuery)*2 + len(in.fullPath)*2
	for k, vs := range in.headers {
		n += len(k) + 6
		for _, v := range vs {
			n += len(v) + 1
		}
	}
	if in.base64Body {
		return n + (len(in.body)+2)/3*4
	}
	// Text: quotes and backslashes double; other escapes are rare.
	return n + len(in.body) + bytes.Count(in.body, []byte{'"'}) + bytes.Count(in.body, []byte{'\\'})
}

// appendStringSlicesMap is a map[string][]string as encoding/json writes it.
func appendStringSlicesMap(dst []byte, m map[string][]string) []byte {
	return appendSortedMap(dst, m, appendStringSlice)
}

// appendOptString writes ,"name":"value" when value is not empty (omitempty).
func appendOptString(dst []byte, name, value string) []byte {
	if value == "" {
		return dst
	}
	dst = append(dst, ',', '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':')
	return appendJSONString(dst, value)
}

// appendRequestV1 writes ev exactly as encodeJSON does.
func appendRequestV1(dst []byte, ev *proxyRequestV1) ([]byte, error) {
	dst = append(dst, `{"resource":`...)
	dst = appendJSONString(dst, ev.Resource)
	dst = append(dst, `,"path":`...)
	dst = appendJSONString(dst, ev.Path)
	dst = append(dst, `,"httpMethod":`...)
	dst = appendJSONString(dst, ev.HTTPMethod)
	dst = append(dst, `,"headers":`...)
	dst = appendStringMap(dst, ev.Headers)
	dst = append(dst, `,"multiValueHeaders":`...)
	dst = appendStringSlicesMap(dst, ev.MultiValueHeaders)
	dst = append(dst, `,"queryStringParameters":`...)
	dst = appendStringMap(dst, ev.QueryStringParameters)
	dst = append(dst, `,"multiValueQueryStringParameters":`...)
	dst = appendStringSlicesMap(dst, ev.MultiValueQueryStringParameters)
	dst = append(dst, `,"pathParameters":`...)
	dst = appendStringMap(dst, ev.PathParameters)
	dst = append(dst, `,"stageVariables":`...)
	dst = appendStringMap(dst, ev.StageVariables)
	c := &ev.RequestContext
	dst = append(dst, `,"requestContext":{"accountId":`...)
	dst = appendJSONString(dst, c.AccountID)
	dst = append(dst, `,"apiId":`...)
	dst = appendJSONString(dst, c.APIID)
	if len(c.Authorizer) > 0 {
		a, err := encodeJSON(c.Authorizer)
		if err != nil {
			return nil, err
		}
		dst = append(dst, `,"authorizer":`...)
		dst = append(dst, a...)
	}
	dst = append(dst, `,"domainName":`...)
	dst = appendJSONString(dst, c.DomainName)
	dst = append(dst, `,"domainPrefix":`...)
	dst = appendJSONString(dst, c.DomainPrefix)
	dst = append(dst, `,"extendedRequestId":`...)
	dst = appendJSONString(dst, c.ExtendedRequestID)
	dst = append(dst, `,"httpMethod":`...)
	dst = appendJSONString(dst, c.HTTPMethod)
	dst = append(dst, `,"identity":`...)
	if id := &c.Identity; id.ClientCert != nil {
		b, err := encodeJSON(id)
		if err != nil {
			return nil, err
		}
		dst = append(dst, b...)
	} else {
		dst = append(dst, '{')
		mark := len(dst)
		dst = appendOptString(dst, "cognitoIdentityPoolId", id.CognitoIdentityPoolID)
		dst = appendOptString(dst, "accountId", id.AccountID)
		dst = appendOptString(dst, "cognitoIdentityId", id.CognitoIdentityID)
		dst = appendOptString(dst, "caller", id.Caller)
		dst = appendOptString(dst, "apiKey", id.APIKey)
		dst = appendOptString(dst, "apiKeyId", id.APIKeyID)
		dst = appendOptString(dst, "accessKey", id.AccessKey)
		dst = append(dst, `,"sourceIp":`...)
		dst = appendJSONString(dst, id.SourceIP)
		dst = appendOptString(dst, "cognitoAuthenticationType", id.CognitoAuthenticationType)
		dst = appendOptString(dst, "cognitoAuthenticationProvider", id.CognitoAuthenticationProvider)
		dst = appendOptString(dst, "userArn", id.UserArn)
		dst = append(dst, `,"userAgent":`...)
		dst = appendJSONString(dst, id.UserAgent)
		dst = appendOptString(dst, "user", id.User)
		dst = append(dst[:mark], dst[mark+1:]...) // the first member's comma
		dst = append(dst, '}')
	}
	dst = append(dst, `,"path":`...)
	dst = appendJSONString(dst, c.Path)
	dst = append(dst, `,"protocol":`...)
	dst = appendJSONString(dst, c.Protocol)
	dst = append(dst, `,"requestId":`...)
	dst = appendJSONString(dst, c.RequestID)
	dst = append(dst, `,"requestTime":`...)
	dst = appendJSONString(dst, c.RequestTime)
	dst = append(dst, `,"requestTimeEpoch":`...)
	dst = strconv.AppendInt(dst, c.RequestTimeEpoch, 10)
	dst = append(dst, `,"resourceId":`...)
	dst = appendJSONString(dst, c.ResourceID)
	dst = append(dst, `,"resourcePath":`...)
	dst = appendJSONString(dst, c.ResourcePath)
	dst = append(dst, `,"stage":`...)
	dst = appendJSONString(dst, c.Stage)
	dst = append(dst, `},"body":`...)
	if ev.Body == nil {
		dst = append(dst, "null"...)
	} else {
		dst = appendJSONString(dst, *ev.Body)
	}
	dst = append(dst, `,"isBase64Encoded":`...)
	dst = strconv.AppendBool(dst, ev.IsBase64Encoded)
	return append(dst, '}'), nil
}
