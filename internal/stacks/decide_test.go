package stacks

import "testing"

// TestDecideAdoptedCreateUpdatesInPlace: a create in flight at a crash,
// adopted on recovery (physical id known, no recorded properties), plans an
// update in place — a replacement of a named resource would collide with it.
func TestDecideAdoptedCreateUpdatesInPlace(t *testing.T) {
	schema := Schema{Properties: map[string]Property{
		"Name":  {Type: String, CreateOnly: true},
		"Value": {Type: String},
	}}
	props := Props{"Name": "/p", "Value": "v"}
	cases := map[string]struct {
		old  *ResourceState
		want Action
	}{
		"adopted":          {&ResourceState{Type: "T", PhysicalID: "/p", Pending: "update"}, ActionUpdate},
		"recorded, same":   {&ResourceState{Type: "T", PhysicalID: "/p", Props: Props{"Name": "/p", "Value": "v"}}, ActionNone},
		"recorded, rename": {&ResourceState{Type: "T", PhysicalID: "/q", Props: Props{"Name": "/q", "Value": "v"}}, ActionReplace},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if got, _ := decide(schema, c.old, "T", props); got != c.want {
				t.Fatalf("decide: %s, want %s", got, c.want)
			}
		})
	}
}
