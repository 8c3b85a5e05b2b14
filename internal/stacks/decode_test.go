package stacks_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/nubo-run/nubo/internal/stacks"
)

type decodeCors struct {
	AllowOrigins []string
	MaxAge       int
	Credentials  bool `cfn:"AllowCredentials"`
}

type decodeModel struct {
	Name     string
	Timeout  int
	Ratio    float64
	Enabled  bool
	Layers   []string
	Tags     map[string]string
	Cors     *decodeCors
	Policy   any    `cfn:"PolicyDocument"`
	Internal string `cfn:"-"`
	Counts   []int
}

func TestDecode(t *testing.T) {
	props := stacks.Props{
		"Name": float64(5), "Timeout": "30", "Ratio": "0.5", "Enabled": "true",
		"Layers": "arn:layer:1", "Tags": map[string]any{"a": "x", "b": float64(2)},
		"Cors":           map[string]any{"allowOrigins": []any{"https://a.test"}, "MaxAge": float64(60), "AllowCredentials": true},
		"PolicyDocument": map[string]any{"Version": "2012-10-17"}, "Internal": "no",
		"Counts": []any{float64(1), "2"}, "Unknown": stacks.Unknown{},
	}
	var got decodeModel
	if err := stacks.Decode(props, &got); err != nil {
		t.Fatal(err)
	}
	want := decodeModel{
		Name: "5", Timeout: 30, Ratio: 0.5, Enabled: true, Layers: []string{"arn:layer:1"},
		Tags:   map[string]string{"a": "x", "b": "2"},
		Cors:   &decodeCors{AllowOrigins: []string{"https://a.test"}, MaxAge: 60, Credentials: true},
		Policy: map[string]any{"Version": "2012-10-17"}, Counts: []int{1, 2},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("decoded (-want +got):\n%s", d)
	}
	var empty decodeModel
	if err := stacks.Decode(stacks.Props{}, &empty); err != nil || empty.Cors != nil || empty.Layers != nil {
		t.Fatalf("absent properties: %+v %v", empty, err)
	}
}

func TestDecodeErrorsNameTheProperty(t *testing.T) {
	cases := []struct {
		props stacks.Props
		want  string
	}{
		{stacks.Props{"Name": []any{"a"}}, "property Name: want a String, got a List"},
		{stacks.Props{"Timeout": float64(1.5)}, "property Timeout: 1.5 is not a whole number"},
		{stacks.Props{"Timeout": "soon"}, `property Timeout: want a Integer, got "soon"`},
		{stacks.Props{"Enabled": "yes"}, `property Enabled: want a Boolean, got "yes"`},
		{stacks.Props{"Cors": map[string]any{"MaxAge": []any{}}}, "property Cors.MaxAge: want a Integer, got a List"},
		{stacks.Props{"Cors": "x"}, "property Cors: want a Object, got a String"},
		{stacks.Props{"Counts": []any{float64(1), "x"}}, `property Counts[1]: want a Integer, got "x"`},
		{stacks.Props{"Tags": map[string]any{"k": map[string]any{}}}, "property Tags.k: want a String, got an Object"},
		{stacks.Props{"Layers": map[string]any{}}, "property Layers: want a List, got an Object"},
	}
	for _, c := range cases {
		var m decodeModel
		err := stacks.Decode(c.props, &m)
		var pe *stacks.PropertyError
		if err == nil || err.Error() != c.want || !errors.As(err, &pe) {
			t.Errorf("Decode(%v) = %v, want %q", c.props, err, c.want)
		}
	}
	if err := stacks.Decode(stacks.Props{}, decodeModel{}); err == nil {
		t.Error("Decode into a non-pointer: no error")
	}
}

// FuzzDecode: any JSON-shaped properties decode or fail with an error,
// never a panic.
func FuzzDecode(f *testing.F) {
	f.Add(`{"Name":"a","Timeout":3,"Cors":{"MaxAge":"60","AllowOrigins":["*"]},"Tags":{"a":"b"}}`)
	f.Add(`{"Timeout":1e300,"Counts":[-1e19,"7"],"Enabled":"TRUE","Layers":null}`)
	f.Fuzz(func(t *testing.T, doc string) {
		var props map[string]any
		if json.Unmarshal([]byte(doc), &props) != nil {
			return
		}
		var m decodeModel
		_ = stacks.Decode(props, &m)
	})
}
