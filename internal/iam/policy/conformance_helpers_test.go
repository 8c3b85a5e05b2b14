package policy

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

const (
	acct      = "111122223333"
	otherAcct = "444455556666"
	roleARN   = "arn:aws:iam::111122223333:role/R"
	session   = "arn:aws:sts::111122223333:assumed-role/R/S"
)

// conformanceCase is one policy-documents × request → decision case.
type conformanceCase struct {
	name string // "<doc section>: <behaviour>"
	id   []string
	rp   []string
	pb   string
	sess []string // session policies
	req  Request
	want Reason
}

// pol wraps statements into a 2012-10-17 policy document.
func pol(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// pol08 is a policy in the 2008-10-17 language (no policy variables).
func pol08(stmts ...string) string {
	return `{"Version":"2008-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func st(effect string, action, resource any, extra ...string) string {
	s := `{"Effect":"` + effect + `","Action":` + js(action) + `,"Resource":` + js(resource)
	for _, e := range extra {
		s += "," + e
	}
	return s + "}"
}

func allow(action, resource any, extra ...string) string {
	return st("Allow", action, resource, extra...)
}
func deny(action, resource any, extra ...string) string {
	return st("Deny", action, resource, extra...)
}

// cond renders a Condition element: cond("StringEquals", "aws:username", "bob").
func cond(op, key string, values ...string) string {
	var v any = values
	if len(values) == 1 {
		v = values[0]
	}
	return `"Condition":{` + js(op) + `:{` + js(key) + `:` + js(v) + `}}`
}

// rpAllow is a resource-policy statement allowing principal (JSON) action on resource.
func rpStmt(effect, principal string, action, resource any, extra ...string) string {
	s := `{"Effect":"` + effect + `","Principal":` + principal + `,"Action":` + js(action) + `,"Resource":` + js(resource)
	for _, e := range extra {
		s += "," + e
	}
	return s + "}"
}

// rq is a request by the role session R/S in account 111122223333; ctx holds
// "key=value" pairs, several values separated by "|".
func rq(action, resource string, ctx ...string) Request {
	r := Request{Principal: session, PrincipalARN: roleARN, Action: action, Resource: resource,
		Time: time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)}
	if len(ctx) > 0 {
		r.Context = map[string][]string{}
		for _, kv := range ctx {
			k, v, _ := strings.Cut(kv, "=")
			r.Context[k] = strings.Split(v, "|")
		}
	}
	return r
}

// svc is a request made by an AWS service principal.
func svc(service, action, resource string, ctx ...string) Request {
	r := rq(action, resource, ctx...)
	r.Principal, r.PrincipalARN = service, ""
	return r
}

func runConformance(t *testing.T, cases []conformanceCase) {
	t.Helper()
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("duplicate case name %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var ps Policies
			for i, d := range tc.id {
				c, err := Compile("identity"+string(rune('0'+i)), []byte(d))
				if err != nil {
					t.Fatalf("identity policy %d: %v", i, err)
				}
				ps.Identity = append(ps.Identity, c)
			}
			for i, d := range tc.rp {
				c, err := Compile("resource"+string(rune('0'+i)), []byte(d))
				if err != nil {
					t.Fatalf("resource policy %d: %v", i, err)
				}
				ps.Resource = append(ps.Resource, c)
			}
			for i, d := range tc.sess {
				c, err := Compile("session"+string(rune('0'+i)), []byte(d))
				if err != nil {
					t.Fatalf("session policy %d: %v", i, err)
				}
				ps.Session = append(ps.Session, c)
			}
			if tc.pb != "" {
				c, err := Compile("boundary", []byte(tc.pb))
				if err != nil {
					t.Fatalf("boundary: %v", err)
				}
				ps.Boundary = c
			}
			req := tc.req
			d := Evaluate(&ps, &req)
			wantAllowed := tc.want == AllowedByIdentity || tc.want == AllowedByResource
			if d.Allowed != wantAllowed || d.Reason != tc.want {
				t.Errorf("got allowed=%v reason=%q, want allowed=%v reason=%q", d.Allowed, d.Reason, wantAllowed, tc.want)
			}
		})
	}
}
