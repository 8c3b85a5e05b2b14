package functions

import (
	"io"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestBodyConditionKeys(t *testing.T) {
	for _, c := range []struct {
		action, body string
		want         map[string][]string
	}{
		{"lambda:CreateFunctionUrlConfig", `{"AuthType":"NONE"}`, map[string][]string{"lambda:FunctionUrlAuthType": {"NONE"}}},
		{"lambda:UpdateFunctionUrlConfig", `{"Cors":{}}`, nil},
		{"lambda:AddPermission", `{"Principal":"s3.amazonaws.com","FunctionUrlAuthType":"AWS_IAM","AuthType":"x"}`,
			map[string][]string{"lambda:Principal": {"s3.amazonaws.com"}, "lambda:FunctionUrlAuthType": {"AWS_IAM"}}},
		{"lambda:AddPermission", `not json`, nil},
		{"lambda:InvokeFunction", `{"AuthType":"NONE"}`, nil},
		{"lambda:CreateFunctionUrlConfig", `{"AuthType":"` + strings.Repeat("x", maxPeekBody) + `"}`, nil},
	} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
		got := bodyConditionKeys(c.action, r)
		if len(got) != len(c.want) {
			t.Errorf("%s %.40s: %v, want %v", c.action, c.body, got, c.want)
		}
		for k, v := range c.want {
			if !slices.Equal(got[k], v) {
				t.Errorf("%s %.40s: %s = %v, want %v", c.action, c.body, k, got[k], v)
			}
		}
		if b, _ := io.ReadAll(r.Body); string(b) != c.body {
			t.Errorf("%s: the handler reads %.40q, not the body", c.action, b)
		}
	}
}

// FuzzBodyConditionKeys: any body gives keys or none, never a panic, and
// the handler still reads the whole body.
func FuzzBodyConditionKeys(f *testing.F) {
	f.Add(`{"AuthType":"NONE"}`, true)
	f.Add(`{"Principal":"*","FunctionUrlAuthType":"AWS_IAM"}`, false)
	f.Add(`{"AuthType":null,"Principal":7}`, false)
	f.Fuzz(func(t *testing.T, body string, url bool) {
		action := "lambda:AddPermission"
		if url {
			action = "lambda:CreateFunctionUrlConfig"
		}
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		for k, v := range bodyConditionKeys(action, r) {
			if len(v) != 1 || !strings.HasPrefix(k, "lambda:") {
				t.Fatalf("%s = %v", k, v)
			}
		}
		if b, _ := io.ReadAll(r.Body); string(b) != body {
			t.Fatalf("body changed")
		}
	})
}

// A destination is delivered as the function's role session, whose request
// context has aws:TokenIssueTime as any use of temporary credentials does.
func TestDestinationPrincipalIsATemporarySession(t *testing.T) {
	s := &Service{}
	s.account.ID = "000000000000"
	p := s.principal(&Config{Name: "f", Role: "arn:aws:iam::000000000000:role/r"})
	if p.Issued.IsZero() || p.RoleARN != "arn:aws:iam::000000000000:role/r" || p.Session != "f" {
		t.Fatalf("%+v", p)
	}
}
