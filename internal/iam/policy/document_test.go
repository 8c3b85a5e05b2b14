package policy

import (
	"errors"
	"strings"
	"testing"
)

func TestParse_Errors(t *testing.T) {
	cases := map[string]struct{ doc, want string }{
		"not json":            {`{`, "malformed"},
		"not an object":       {`[]`, "malformed"},
		"no statement":        {`{"Version":"2012-10-17"}`, "Statement: missing"},
		"bad version":         {`{"Version":"2020-01-01","Statement":[]}`, "unsupported version"},
		"unknown top element": {`{"Statement":[],"Foo":1}`, "Foo: unknown element"},
		"bad effect":          {pol(`{"Effect":"allow","Action":"*","Resource":"*"}`), "must be Allow or Deny"},
		"no effect":           {pol(`{"Action":"*","Resource":"*"}`), "Effect: missing"},
		"no action":           {pol(`{"Effect":"Allow","Resource":"*"}`), "one of Action or NotAction"},
		"action and not":      {pol(`{"Effect":"Allow","Action":"*","NotAction":"x","Resource":"*"}`), "mutually exclusive"},
		"resource and not":    {pol(`{"Effect":"Allow","Action":"*","Resource":"*","NotResource":"x"}`), "mutually exclusive"},
		"unknown element":     {pol(`{"Effect":"Allow","Action":"*","Resource":"*","Foo":"x"}`), "Foo: unknown element"},
		"bad principal":       {pol(`{"Effect":"Allow","Principal":"me","Action":"*"}`), "must be \"*\""},
		"bad principal type":  {pol(`{"Effect":"Allow","Principal":{"Robot":"x"},"Action":"*"}`), "unknown principal type"},
		"object action":       {pol(`{"Effect":"Allow","Action":{"a":1},"Resource":"*"}`), "Action"},
		"unknown operator":    {pol(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualz":{"a":"b"}}}`), "unknown condition operator"},
		"statement not obj":   {pol(`"x"`), "must be a JSON object"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Parse([]byte(tc.doc))
			if err == nil || !errors.Is(err, ErrMalformed) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an ErrMalformed containing %q", err, tc.want)
			}
		})
	}
}

func TestCompile_Errors(t *testing.T) {
	cases := map[string]string{
		"number":   `{"NumericLessThan":{"k":"ten"}}`,
		"date":     `{"DateLessThan":{"k":"tomorrow"}}`,
		"ip":       `{"IpAddress":{"k":"300.1.1.1"}}`,
		"arn":      `{"ArnLike":{"k":"arn:aws"}}`,
		"bool":     `{"Bool":{"k":"yes"}}`,
		"null":     `{"Null":{"k":"maybe"}}`,
		"binary":   `{"BinaryEquals":{"k":"!!"}}`,
		"operator": `{"ForSomeValues:StringEquals":{"k":"x"}}`,
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Compile("p", []byte(pol(`{"Effect":"Allow","Action":"*","Resource":"*","Condition":`+c+`}`)))
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("got %v, want ErrMalformed", err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	identity := pol(allow("s3:*", "*"))
	trust := pol(`{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}`)
	resource := pol(rpStmt("Allow", pAll, "sqs:*", "*"))
	noRes := pol(`{"Effect":"Allow","Action":"s3:*"}`)
	cases := []struct {
		name string
		doc  string
		kind Kind
		ok   bool
	}{
		{"identity ok", identity, Identity, true},
		{"identity with principal", resource, Identity, false},
		{"identity without resource", noRes, Identity, false},
		{"trust ok", trust, Trust, true},
		{"trust without principal", identity, Trust, false},
		{"trust with resource", resource, Trust, false},
		{"resource ok", resource, ResourceBased, true},
		{"resource without principal", identity, ResourceBased, false},
		{"empty", `{"Version":"2012-10-17","Statement":[]}`, Identity, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Validate(tc.kind); (err == nil) != tc.ok {
				t.Fatalf("Validate = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

func TestMarshal_RoundTrip(t *testing.T) {
	doc := pol(
		allow([]string{"s3:GetObject", "s3:PutObject"}, bucket+"/*", cond("StringLike", "s3:prefix", "a/*")),
		rpStmt("Deny", pAPIGW, "lambda:*", "*"),
		`{"Sid":"x","Effect":"Allow","NotAction":"iam:*","NotResource":"*"}`,
	)
	p, err := Parse([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	q, err := Parse(b)
	if err != nil {
		t.Fatalf("re-parse %s: %v", b, err)
	}
	b2, _ := q.MarshalJSON()
	if string(b) != string(b2) {
		t.Fatalf("round trip differs:\n%s\n%s", b, b2)
	}
}

func TestCompiled_UsesContext(t *testing.T) {
	for doc, want := range map[string]bool{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`:                                                     false,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/${aws:username}/*"}]}`:                      true,
		`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/${aws:username}/*"}]}`:                      false,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`: true,
	} {
		c, err := Compile("p", []byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if c.UsesContext() != want {
			t.Errorf("%s: UsesContext = %v", doc, !want)
		}
		ps := Policies{Session: []*Compiled{c}}
		if ps.UsesContext() != want {
			t.Errorf("%s: Policies.UsesContext = %v", doc, !want)
		}
	}
}
