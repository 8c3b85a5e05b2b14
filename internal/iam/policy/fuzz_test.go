package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func seedPolicies(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(pol(allow("s3:*", bucket+"/${aws:username}/*", cond("StringLike", "s3:prefix", "a/${*}")))))
	f.Add([]byte(`{"Statement":{"Effect":"Deny","NotAction":"*","NotResource":["a","b"],"Principal":"*"}}`))
}

// FuzzParse: the parser never panics; what it accepts compiles or fails
// with ErrMalformed, and re-marshals to a document it accepts again.
func FuzzParse(f *testing.F) {
	seedPolicies(f)
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := Parse(doc)
		if err != nil {
			return
		}
		c, err := p.Compile("fuzz")
		if err != nil {
			return
		}
		b, err := p.MarshalJSON()
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if _, err := Parse(b); err != nil {
			t.Fatalf("re-parse %s: %v", b, err)
		}
		req := rq("s3:GetObject", bucket+"/x", "aws:username=alice")
		Evaluate(&Policies{Identity: []*Compiled{c}, Resource: []*Compiled{c}, Boundary: c}, &req)
	})
}

// FuzzCondition: any operator, key, policy values and request values
// evaluate without panicking, and a negated operator is the complement of its
// positive form whenever the key is present with one value.
func FuzzCondition(f *testing.F) {
	f.Add("StringLike", "s3:prefix", "home/*", "home/a")
	f.Add("NumericLessThan", "n", "10", "9.5")
	f.Add("DateGreaterThan", "aws:CurrentTime", "2026-01-01", "2027-01-01T00:00:00Z")
	f.Add("IpAddress", "aws:SourceIp", "10.0.0.0/8", "10.1.2.3")
	f.Add("ArnLike", "aws:SourceArn", "arn:aws:*:*:*:x", "arn:aws:s3:::x")
	f.Add("ForAllValues:StringEquals", "aws:TagKeys", "a", "b")
	f.Add("BinaryEquals", "k", "YQ==", "YQ==")
	f.Fuzz(func(t *testing.T, op, key, pv, cv string) {
		doc, _ := json.Marshal(map[string]any{
			"Version":   "2012-10-17",
			"Statement": []any{map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": map[string]any{op: map[string]any{key: pv}}}},
		})
		c, err := Compile("fuzz", doc)
		if err != nil {
			return
		}
		req := Request{Principal: session, Action: "s3:GetObject", Resource: bucket, Context: map[string][]string{key: {cv}}}
		got := Evaluate(&Policies{Identity: []*Compiled{c}}, &req).Allowed
		o, err := parseOperator(op)
		if err != nil || o.set != setNone || o.fam == famNull || key == "" {
			return
		}
		var neg string
		for name, b := range baseOperators() {
			if b.fam == o.fam && b.cmp == o.cmp && b.negated != o.negated && b.fam != famArn {
				neg = name
			}
		}
		if neg == "" || o.fam == famNumeric || o.fam == famDate || o.fam == famIP || o.fam == famBinary {
			return // unparseable request values fail both forms
		}
		if o.ifExists {
			neg += "IfExists"
		}
		doc2, _ := json.Marshal(map[string]any{
			"Version":   "2012-10-17",
			"Statement": []any{map[string]any{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": map[string]any{neg: map[string]any{key: pv}}}},
		})
		c2, err := Compile("fuzz", doc2)
		if err != nil {
			t.Fatalf("negated %s does not compile: %v", neg, err)
		}
		if cv == "" || containsVar(pv) {
			return
		}
		if got2 := Evaluate(&Policies{Identity: []*Compiled{c2}}, &req).Allowed; got2 == got {
			t.Fatalf("%s and %s agree (%v) on %q vs %q", op, neg, got, pv, cv)
		}
	})
}

func containsVar(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '$' && s[i+1] == '{' {
			return true
		}
	}
	return false
}
