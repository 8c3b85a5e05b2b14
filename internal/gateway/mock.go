package gateway

import (
	"encoding/json"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// MOCK integrations whose answer is static are served: the request
// template's {"statusCode": N} selects the integration response (the one
// whose selection pattern matches N, else the default), which gives the
// status, headers ('quoted' literals of method.response.header.*) and body
// (a response template without VTL). SAM's CORS preflight methods of REST
// APIs are such mocks. A mock that needs VTL or request data is not served.

// MockResponse is the static answer of a MOCK integration.
type MockResponse struct {
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    string            `json:"body,omitempty"`
}

// mockIntegration is a MOCK integration's parts, as a Method's
// Integration or a Body's x-amazon-apigateway-integration spell them.
type mockIntegration struct {
	requestTemplates map[string]any
	responses        []mockCandidate
}

type mockCandidate struct {
	pattern    string // "" or "default": the default response
	status     string
	parameters map[string]any
	templates  map[string]any
}

// mockFromMethod reads a Method's Integration (Type MOCK).
func mockFromMethod(integ map[string]any) (*MockResponse, bool) {
	m := mockIntegration{requestTemplates: pobj(integ["RequestTemplates"])}
	for _, r := range plistAny(integ["IntegrationResponses"]) {
		o := pobj(r)
		m.responses = append(m.responses, mockCandidate{pattern: pstr(o["SelectionPattern"]), status: pstr(o["StatusCode"]),
			parameters: pobj(o["ResponseParameters"]), templates: pobj(o["ResponseTemplates"])})
	}
	return m.static()
}

// mockFromBody reads an operation's x-amazon-apigateway-integration (type mock).
func mockFromBody(integ map[string]any) (*MockResponse, bool) {
	m := mockIntegration{requestTemplates: pobj(integ["requestTemplates"])}
	resp := pobj(integ["responses"])
	for _, k := range sortedKeys(resp) {
		o := pobj(resp[k])
		m.responses = append(m.responses, mockCandidate{pattern: k, status: pstr(o["statusCode"]),
			parameters: pobj(o["responseParameters"]), templates: pobj(o["responseTemplates"])})
	}
	return m.static()
}

// static is the mock's answer, when it can be told without VTL.
func (m mockIntegration) static() (*MockResponse, bool) {
	tmpl, ok := staticTemplate(m.requestTemplates)
	if !ok || tmpl == "" {
		return nil, false
	}
	var req struct {
		StatusCode *int `json:"statusCode"`
	}
	if json.Unmarshal([]byte(tmpl), &req) != nil || req.StatusCode == nil {
		return nil, false
	}
	code := strconv.Itoa(*req.StatusCode)
	c, ok := m.selectResponse(code)
	if !ok {
		return nil, false
	}
	status, err := strconv.Atoi(c.status)
	if err != nil || status < 100 || status > 599 {
		return nil, false
	}
	out := &MockResponse{Status: status}
	for _, k := range sortedKeys(c.parameters) {
		name, isHeader := strings.CutPrefix(k, "method.response.header.")
		v := pstr(c.parameters[k])
		if !isHeader || len(v) < 2 || v[0] != '\'' || v[len(v)-1] != '\'' {
			return nil, false // a value from the request or the integration: not static
		}
		if out.Headers == nil {
			out.Headers = map[string]string{}
		}
		out.Headers[name] = v[1 : len(v)-1]
	}
	if out.Body, ok = staticTemplate(c.templates); !ok {
		return nil, false
	}
	return out, true
}

// selectResponse picks the response whose selection pattern matches code
// (a regular expression over the whole status), else the default one.
func (m mockIntegration) selectResponse(code string) (mockCandidate, bool) {
	var def *mockCandidate
	for i := range m.responses {
		c := &m.responses[i]
		if c.pattern == "" || c.pattern == "default" {
			def = c
			continue
		}
		if re, err := regexp.Compile("^(?:" + c.pattern + ")$"); err == nil && re.MatchString(code) {
			return *c, true
		}
	}
	if def == nil {
		return mockCandidate{}, false
	}
	return *def, true
}

// staticTemplate is the application/json template (or the only one) when
// it has no VTL; "" with ok when there is none.
func staticTemplate(templates map[string]any) (string, bool) {
	if len(templates) == 0 {
		return "", true
	}
	v, ok := templates["application/json"]
	if !ok {
		if len(templates) > 1 {
			return "", false
		}
		for _, only := range templates {
			v = only
		}
	}
	s, isString := v.(string)
	if !isString || strings.ContainsAny(s, "$#") {
		return "", false
	}
	return s, true
}

// plistAny is a list property's elements.
func plistAny(v any) []any {
	l, _ := v.([]any)
	return l
}

// write answers with the mock's response.
func (m *MockResponse) write(w http.ResponseWriter, head bool) int {
	h := w.Header()
	keys := make([]string, 0, len(m.Headers))
	for k := range m.Headers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h.Set(k, m.Headers[k])
	}
	if h.Get("Content-Type") == "" {
		h.Set("Content-Type", "application/json")
	}
	h.Set("Content-Length", strconv.Itoa(len(m.Body)))
	w.WriteHeader(m.Status)
	if !head {
		_, _ = w.Write([]byte(m.Body))
	}
	return m.Status
}
