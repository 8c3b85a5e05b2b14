package topics

import (
	"encoding/json"
	"testing"
)

// FuzzMessageAttributes: any attribute a request carries is refused with
// an error or accepted with a type SNS knows, never a panic; an accepted
// attribute set builds a filter document.
func FuzzMessageAttributes(f *testing.F) {
	f.Add("kind", "String", "paid", "")
	f.Add("amount", "Number", "12.5e3", "")
	f.Add("tags", "String.Array", `["a",1,true,null]`, "")
	f.Add("blob", "Binary", "", "aGVsbG8=")
	f.Add("bad.", "Number.int", "x", "")
	f.Add("n", "String.Array", `[{"x":1}]`, "")
	f.Fuzz(func(t *testing.T, name, dataType, value, binary string) {
		attrs, err := messageAttributes(map[string]wireAttribute{name: {DataType: dataType, StringValue: value, BinaryValue: binary}})
		if err != nil {
			return
		}
		a := attrs[name]
		switch baseType(a.DataType) {
		case "String", "Number", "Binary":
		default:
			t.Fatalf("accepted data type %q", a.DataType)
		}
		doc := attributeDocument(attrs)
		if _, err := json.Marshal(doc); err != nil {
			t.Fatalf("document of %v: %v", attrs, err)
		}
	})
}

// FuzzFilterPolicy: any policy text is refused or compiled, and a compiled
// one matches any message without a panic.
func FuzzFilterPolicy(f *testing.F) {
	f.Add(`{"kind":["paid"]}`, "paid", `{"a":1}`)
	f.Add(`{"n":[{"numeric":[">",1,"<=",5]}]}`, "3", `{}`)
	f.Add(`{"$or":[{"kind":[{"prefix":"p"}]},{"n":[{"exists":false}]}]}`, "x", `[]`)
	f.Add(`{"kind":[{"anything-but":{"suffix":"d"}}]}`, "paid", `{"kind":"x"}`)
	f.Add(`{"kind":[{"equals-ignore-case":"PAID"}]}`, "paid", `nope`)
	f.Fuzz(func(t *testing.T, policy, value, body string) {
		if _, err := compileFilter(policy); err != nil {
			return
		}
		var s Service
		for _, scope := range []string{"MessageAttributes", "MessageBody"} {
			sub := &Subscription{Attributes: map[string]string{AttrFilterPolicy: policy, AttrFilterPolicyScope: scope}}
			s.passes(sub, body, map[string]Attribute{"kind": {DataType: "String", StringValue: value}, "n": {DataType: "Number", StringValue: "3"}})
		}
	})
}
