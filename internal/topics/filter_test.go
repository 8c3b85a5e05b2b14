package topics

import "testing"

// TestFilterPolicies: SNS's operators on attributes (String, Number,
// String.Array) and on the body, through eventpattern.
func TestFilterPolicies(t *testing.T) {
	attrs := map[string]Attribute{
		"kind":   {DataType: "String", StringValue: "Paid"},
		"amount": {DataType: "Number", StringValue: "150"},
		"tags":   {DataType: "String.Array", StringValue: `["vip","new"]`},
		"blob":   {DataType: "Binary", BinaryValue: []byte("x")},
	}
	body := `{"order":{"currency":"EUR","total":99}}`
	cases := []struct {
		name, scope, policy string
		want                bool
	}{
		{"exact", "", `{"kind":["Paid"]}`, true},
		{"exact miss", "", `{"kind":["paid"]}`, false},
		{"ignore case", "", `{"kind":[{"equals-ignore-case":"paid"}]}`, true},
		{"prefix", "", `{"kind":[{"prefix":"Pa"}]}`, true},
		{"suffix", "", `{"kind":[{"suffix":"id"}]}`, true},
		{"anything-but", "", `{"kind":[{"anything-but":["Refund"]}]}`, true},
		{"anything-but miss", "", `{"kind":[{"anything-but":"Paid"}]}`, false},
		{"numeric", "", `{"amount":[{"numeric":[">",100,"<=",150]}]}`, true},
		{"numeric exact", "", `{"amount":[150]}`, true},
		{"numeric miss", "", `{"amount":[{"numeric":["<",100]}]}`, false},
		{"array element", "", `{"tags":["vip"]}`, true},
		{"exists", "", `{"kind":[{"exists":true}]}`, true},
		{"not exists", "", `{"missing":[{"exists":false}]}`, true},
		{"binary not matched", "", `{"blob":[{"exists":true}]}`, false},
		{"and across keys", "", `{"kind":["Paid"],"amount":[{"numeric":["<",100]}]}`, false},
		{"$or", "", `{"$or":[{"kind":["x"]},{"amount":[150]}]}`, true},
		{"body nested", "MessageBody", `{"order":{"currency":[{"prefix":"EU"}]}}`, true},
		{"body numeric miss", "MessageBody", `{"order":{"total":[{"numeric":[">",100]}]}}`, false},
		{"body ignores attributes", "MessageBody", `{"kind":["Paid"]}`, false},
	}
	var s Service
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sub := &Subscription{Attributes: map[string]string{AttrFilterPolicy: c.policy}}
			if c.scope != "" {
				sub.Attributes[AttrFilterPolicyScope] = c.scope
			}
			if got := s.passes(sub, body, attrs); got != c.want {
				t.Errorf("passes(%s) = %v, want %v", c.policy, got, c.want)
			}
		})
	}
}
