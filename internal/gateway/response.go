package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
)

// A function's response becomes an HTTP response: the proxy shapes
// (statusCode, headers, multiValueHeaders, cookies, body, isBase64Encoded)
// and, for payload 2.0, the shorthand (anything without statusCode is a 200
// application/json body). A response that does not fit is a 502.

var errBadResponse = errors.New("malformed Lambda proxy response")

type proxyResponse struct {
	status int
	header http.Header
	body   []byte
}

type rawResponse struct {
	StatusCode        json.RawMessage            `json:"statusCode"`
	Headers           map[string]json.RawMessage `json:"headers"`
	MultiValueHeaders map[string][]any           `json:"multiValueHeaders"`
	Cookies           []string                   `json:"cookies"`
	Body              *string                    `json:"body"`
	IsBase64Encoded   bool                       `json:"isBase64Encoded"`
}

// parseResponse decodes a function result for payload version v ("1.0" or
// "2.0"; function URLs use "2.0").
func parseResponse(result []byte, v string) (*proxyResponse, error) {
	trimmed := bytes.TrimSpace(result)
	if len(trimmed) == 0 {
		if v == "2.0" { // a handler that returns nothing: null body, 200
			return &proxyResponse{status: 200, header: http.Header{"Content-Type": {"application/json"}}}, nil
		}
		return nil, fmt.Errorf("%w: empty", errBadResponse)
	}
	if v == "2.0" && shorthandObject(trimmed) {
		// The common shorthand (an object without statusCode, such as an
		// echoed event): one validating scan, no decode.
		return &proxyResponse{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: trimmed}, nil
	}
	if trimmed[0] == '{' {
		// The common structured shapes without encoding/json.
		if rr, ok := decodeRawResponse(trimmed); ok && (rr.StatusCode != nil || v == "1.0") {
			return structuredResponse(rr)
		}
		// One decode in the common case; only an object that does not fit
		// the structured shape needs a second look for statusCode.
		var rr rawResponse
		err := json.Unmarshal(trimmed, &rr)
		switch {
		case err == nil && (rr.StatusCode != nil || v == "1.0"):
			return structuredResponse(&rr)
		case err != nil && v == "1.0":
			return nil, fmt.Errorf("%w: %v", errBadResponse, err)
		case err != nil:
			var keys map[string]json.RawMessage
			if jerr := json.Unmarshal(trimmed, &keys); jerr != nil {
				return nil, fmt.Errorf("%w: %v", errBadResponse, jerr)
			}
			if _, ok := keys["statusCode"]; ok {
				return nil, fmt.Errorf("%w: %v", errBadResponse, err)
			}
		}
	}
	if v == "1.0" {
		return nil, fmt.Errorf("%w: not an object", errBadResponse)
	}
	if !json.Valid(trimmed) {
		return nil, fmt.Errorf("%w: not JSON", errBadResponse)
	}
	body := trimmed
	if trimmed[0] == '"' {
		var s string
		if err := json.Unmarshal(trimmed, &s); err != nil {
			return nil, fmt.Errorf("%w: %v", errBadResponse, err)
		}
		body = []byte(s)
	}
	return &proxyResponse{status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: body}, nil
}

func structuredResponse(rr *rawResponse) (*proxyResponse, error) {
	status, err := statusCode(rr.StatusCode)
	if err != nil {
		return nil, err
	}
	resp := &proxyResponse{status: status, header: http.Header{}}
	for k, raw := range rr.Headers {
		s, err := scalar(raw)
		if err != nil {
			return nil, fmt.Errorf("%w: headers.%s: %v", errBadResponse, k, err)
		}
		if s != nil && validHeaderName(k) {
			resp.header.Set(k, *s)
		}
	}
	for k, vs := range rr.MultiValueHeaders {
		if !validHeaderName(k) {
			continue
		}
		ck := http.CanonicalHeaderKey(k)
		resp.header.Del(ck)
		for _, v := range vs {
			switch v := v.(type) {
			case string:
				resp.header.Add(ck, v)
			case float64, bool:
				resp.header.Add(ck, fmt.Sprint(v))
			case nil:
			default:
				return nil, fmt.Errorf("%w: multiValueHeaders.%s: not a string", errBadResponse, k)
			}
		}
	}
	for _, c := range rr.Cookies {
		resp.header.Add("Set-Cookie", c)
	}
	for _, h := range []string{"Content-Length", "Transfer-Encoding", "Connection"} {
		resp.header.Del(h)
	}
	if rr.Body != nil {
		if rr.IsBase64Encoded {
			resp.body, err = base64.StdEncoding.DecodeString(*rr.Body)
			if err != nil {
				return nil, fmt.Errorf("%w: body: %v", errBadResponse, err)
			}
		} else {
			resp.body = []byte(*rr.Body)
		}
	}
	if resp.header.Get("Content-Type") == "" {
		resp.header.Set("Content-Type", "application/json")
	}
	return resp, nil
}

func statusCode(raw json.RawMessage) (int, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, fmt.Errorf("%w: statusCode missing", errBadResponse)
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, fmt.Errorf("%w: statusCode: %v", errBadResponse, err)
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 599 {
		return 0, fmt.Errorf("%w: statusCode %s", errBadResponse, s)
	}
	return n, nil
}

// scalar renders a header value: strings, numbers and booleans; null drops it.
func scalar(raw json.RawMessage) (*string, error) {
	if s, ok := plainString(raw); ok {
		return &s, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, err
	}
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return &v, nil
	case float64:
		s := strconv.FormatFloat(v, 'f', -1, 64)
		return &s, nil
	case bool:
		s := strconv.FormatBool(v)
		return &s, nil
	}
	return nil, errors.New("not a string")
}

// validHeaderName is the token rule of RFC 9110.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if !strings.ContainsRune("!#$%&'*+-.^_`|~", rune(c)) {
			return false
		}
	}
	return true
}

func (p *proxyResponse) write(w http.ResponseWriter, head bool) {
	h := w.Header()
	for k, vs := range p.header {
		// The function's (CORS-adjusted) headers replace the gateway's
		// defaults; values with CR or LF are dropped.
		ck := textproto.CanonicalMIMEHeaderKey(k)
		delete(h, ck)
		clean := true
		for _, v := range vs {
			if strings.ContainsAny(v, "\r\n") {
				clean = false
				break
			}
		}
		if clean {
			if len(vs) > 0 {
				h[ck] = vs[:len(vs):len(vs)] // p is not used after write
			}
			continue
		}
		for _, v := range vs {
			if !strings.ContainsAny(v, "\r\n") {
				h[ck] = append(h[ck], v)
			}
		}
	}
	if p.status == http.StatusNoContent || p.status == http.StatusNotModified || p.status < 200 {
		h.Del("Content-Length")
		w.WriteHeader(p.status)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(p.body)))
	w.WriteHeader(p.status)
	if !head {
		_, _ = w.Write(p.body)
	}
}
