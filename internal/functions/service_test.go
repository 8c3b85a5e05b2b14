package functions

import (
	"context"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/awsapi"
)

func TestParseFunctionRef(t *testing.T) {
	cases := map[string]struct {
		ref, name, qual string
		bad             bool
	}{
		"name":                {ref: "my-fn", name: "my-fn"},
		"name with qualifier": {ref: "my-fn:$LATEST", name: "my-fn", qual: "$LATEST"},
		"partial arn":         {ref: "123456789012:function:my-fn", name: "my-fn"},
		"full arn":            {ref: "arn:aws:lambda:us-west-2:123456789012:function:my-fn", name: "my-fn"},
		"full arn qualified":  {ref: "arn:aws:lambda:us-west-2:123456789012:function:my-fn:prod", name: "my-fn", qual: "prod"},
		"other service arn":   {ref: "arn:aws:sqs:us-east-1:1:q", bad: true},
		"bad characters":      {ref: "my fn", bad: true},
		"too long":            {ref: strings.Repeat("a", 65), bad: true},
		"empty":               {ref: "", bad: true},
		"too many colons":     {ref: "a:b:c", bad: true},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			n, q, err := parseFunctionRef(c.ref)
			if c.bad {
				if err == nil {
					t.Fatalf("parsed %q as %q %q", c.ref, n, q)
				}
				return
			}
			if err != nil || n != c.name || q != c.qual {
				t.Fatalf("got %q %q %v, want %q %q", n, q, err, c.name, c.qual)
			}
		})
	}
}

func FuzzParseFunctionRef(f *testing.F) {
	for _, s := range []string{"fn", "fn:1", "1:function:fn", "arn:aws:lambda:r:1:function:fn:q", "arn:", ":::", "a:function:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		name, _, err := parseFunctionRef(ref)
		if err == nil && !functionNameRE.MatchString(name) {
			t.Fatalf("accepted bad name %q from %q", name, ref)
		}
	})
}

func TestInstanceEnvCarriesSignedCredentials(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.createFn(t, "env-fn", "echo")
	c, err := h.svc.Get(context.Background(), "env-fn")
	if err != nil {
		t.Fatal(err)
	}
	env, err := h.svc.InstanceEnv(c)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		vars[k] = v
	}
	if vars["AWS_ENDPOINT_URL"] != h.url || vars["AWS_SESSION_TOKEN"] == "" {
		t.Fatalf("env %v", vars)
	}
	keys, _ := awsapi.NewKeyring(awsapi.Account{Region: "us-east-1", ID: "000000000000"}, "test", "test")
	secret, p, err := keys.Lookup(vars["AWS_ACCESS_KEY_ID"], vars["AWS_SESSION_TOKEN"])
	if err != nil || secret != vars["AWS_SECRET_ACCESS_KEY"] {
		t.Fatalf("credentials do not verify: %v", err)
	}
	if p.ARN != "arn:aws:sts::000000000000:assumed-role/test-role/env-fn" || p.RoleARN != "arn:aws:iam::000000000000:role/test-role" || p.Session != "env-fn" {
		t.Fatalf("principal %+v", p)
	}
}
