package functions

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// The body of CreateFunctionUrlConfig and UpdateFunctionUrlConfig: fields
// given replace, the others stay, a bad value is refused naming its field.
func TestURLConfigBodyApply(t *testing.T) {
	base := FunctionURLConfig{Function: "f", AuthType: URLAuthNone, InvokeMode: URLInvokeBuffered,
		Cors: &URLCors{AllowOrigins: []string{"https://a.example"}, MaxAge: 5}}
	cases := []struct {
		name, body string
		want       func(FunctionURLConfig) bool
		errIn      string
	}{
		{"empty keeps all", `{}`, func(c FunctionURLConfig) bool {
			return c.AuthType == URLAuthNone && c.InvokeMode == URLInvokeBuffered && c.Cors.MaxAge == 5
		}, ""},
		{"auth type", `{"AuthType":"AWS_IAM"}`, func(c FunctionURLConfig) bool {
			return c.AuthType == URLAuthIAM && c.Cors != nil && c.Cors.MaxAge == 5
		}, ""},
		{"cors replaced whole", `{"Cors":{"AllowMethods":["GET"],"AllowCredentials":true}}`, func(c FunctionURLConfig) bool {
			return c.Cors.AllowCredentials && slices.Equal(c.Cors.AllowMethods, []string{"GET"}) && c.Cors.AllowOrigins == nil && c.Cors.MaxAge == 0
		}, ""},
		{"streaming", `{"InvokeMode":"RESPONSE_STREAM"}`, func(c FunctionURLConfig) bool { return c.InvokeMode == URLInvokeStreaming }, ""},
		{"bad auth type", `{"AuthType":"none"}`, nil, "'authType'"},
		{"bad invoke mode", `{"InvokeMode":"STREAM"}`, nil, "'invokeMode'"},
		{"max age", `{"Cors":{"MaxAge":-1}}`, nil, "'cors.maxAge'"},
		{"long method", `{"Cors":{"AllowMethods":["GET","OPTIONSX"]}}`, nil, "'cors.allowMethods.2.member'"},
		{"credentials with any origin", `{"Cors":{"AllowCredentials":true,"AllowOrigins":["*"]}}`, nil, "AllowOrigins"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var in urlConfigBody
			if err := json.Unmarshal([]byte(c.body), &in); err != nil {
				t.Fatal(err)
			}
			got := base
			err := in.apply(&got)
			if c.errIn != "" {
				if err == nil || !strings.Contains(err.Error(), c.errIn) {
					t.Fatalf("apply %s: %v, want an error naming %s", c.body, err, c.errIn)
				}
				return
			}
			if err != nil || !c.want(got) {
				t.Fatalf("apply %s: %+v %v", c.body, got, err)
			}
		})
	}
}

func FuzzURLConfigBody(f *testing.F) {
	f.Add(`{"AuthType":"NONE","Cors":{"MaxAge":86400,"AllowOrigins":["*"]},"InvokeMode":"BUFFERED"}`)
	f.Add(`{"Cors":{"AllowCredentials":true,"AllowMethods":["*"]}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in urlConfigBody
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		c := FunctionURLConfig{AuthType: URLAuthNone, InvokeMode: URLInvokeBuffered}
		if in.apply(&c) != nil {
			return
		}
		if c.AuthType != URLAuthNone && c.AuthType != URLAuthIAM || c.InvokeMode != URLInvokeBuffered && c.InvokeMode != URLInvokeStreaming {
			t.Fatalf("accepted %+v", c)
		}
		if c.Cors != nil && (c.Cors.MaxAge < 0 || c.Cors.MaxAge > 86400 || c.Cors.AllowCredentials && slices.Contains(c.Cors.AllowOrigins, "*")) {
			t.Fatalf("accepted cors %+v", *c.Cors)
		}
	})
}
