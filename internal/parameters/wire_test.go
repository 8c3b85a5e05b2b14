package parameters

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestInvalidUnicodeField(t *testing.T) {
	cases := map[string]string{
		`{"Name":"a","Value":"b"}`:                      "",
		`{"Value":"\ud83d\ude00 \u00e9 \\ud800"}`:       "", // an escaped backslash, then text
		`{"Value":"x\udc00"}`:                           "value",
		`{"Value":"x\ud800"}`:                           "value",
		`{"Value":"x\ud800\u0041"}`:                     "value",
		`{"Tags":[{"Key":"k","Value":"\udfff"}]}`:       "tags",
		"{\"Description\":\"\xc3\x28\"}":                "description",
		"{\"N\xffame\":\"x\"}":                          "request body",
		`{"Value":"\u`:                                  "",
		`not json \udc00`:                               "request body",
		`{"AllowedPattern":"^\\d+$","Value":"\u0000x"}`: "",
	}
	for body, want := range cases {
		if got := invalidUnicodeField([]byte(body)); got != want {
			t.Errorf("%q: field %q, want %q", body, got, want)
		}
	}
}

// FuzzInvalidUnicodeField: a body it passes decodes with no replacement
// character that the text did not hold.
func FuzzInvalidUnicodeField(f *testing.F) {
	for _, s := range []string{`{"Value":"\ud83d\ude00"}`, `{"Value":"\udc00"}`, "{\"Value\":\"\xff\"}", `{"Value":"\\\ud800"}`, `{"a":["\ud800\udc00",1]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		field := invalidUnicodeField(body)
		var v any
		if field != "" || json.Unmarshal(body, &v) != nil {
			return
		}
		text := string(body)
		if strings.Contains(text, "\ufffd") || strings.Contains(strings.ToLower(text), `\ufffd`) {
			return
		}
		b, _ := json.Marshal(v)
		if strings.Contains(string(b), "\ufffd") {
			t.Fatalf("%q passed but decodes with a replacement character: %s", body, b)
		}
	})
}
