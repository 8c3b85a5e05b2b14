package attr

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

func TestParseNumber_Normalises(t *testing.T) {
	for in, want := range map[string]string{
		"1.50": "1.5", "1e2": "100", "-0": "0", "0.00": "0", ".5": "0.5", "007": "7",
		"-1.2E-3": "-0.0012", "+12": "12", "123.456": "123.456", "1E+125": "1" + strings.Repeat("0", 125),
	} {
		d, err := ParseNumber(in)
		if err != nil || d.String() != want {
			t.Errorf("ParseNumber(%q) = %q, %v; want %q", in, d.String(), err, want)
		}
	}
	for in, msg := range map[string]string{
		"abc": "cannot be converted", "1" + strings.Repeat("2", 38): "more than 38 significant digits",
		"1e126": "Number overflow", "1e-131": "Number underflow", "": "cannot be converted", "1e": "cannot be converted",
	} {
		if _, err := ParseNumber(in); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("ParseNumber(%q) = %v, want %q", in, err, msg)
		}
	}
}

func TestDecimal_AddSub(t *testing.T) {
	for _, c := range []struct{ a, b, sum, diff string }{
		{"1", "2", "3", "-1"}, {"0.1", "0.2", "0.3", "-0.1"}, {"-5", "5", "0", "-10"}, {"1e20", "1", "100000000000000000001", "99999999999999999999"},
	} {
		s, err := Num(c.a).Decimal().Add(Num(c.b).Decimal())
		if err != nil || s.String() != c.sum {
			t.Errorf("%s+%s = %s, %v", c.a, c.b, s, err)
		}
		d, err := Num(c.a).Decimal().Sub(Num(c.b).Decimal())
		if err != nil || d.String() != c.diff {
			t.Errorf("%s-%s = %s, %v", c.a, c.b, d, err)
		}
	}
}

func TestKeyBytes_OrderIsDynamoDBOrder(t *testing.T) {
	nums := []string{"-1000", "-12.5", "-12", "-1.23", "-1.2", "-0.001", "0", "0.001", "1", "1.2", "1.23", "9", "10", "12", "100", "1e30"}
	for i := 1; i < len(nums); i++ {
		a, b := KeyBytes(Num(nums[i-1])), KeyBytes(Num(nums[i]))
		if bytes.Compare(a, b) >= 0 {
			t.Errorf("%s does not sort before %s", nums[i-1], nums[i])
		}
	}
	for _, n := range nums {
		v, err := FromKeyToken(N, KeyToken(Num(n)))
		if err != nil || !Equal(v, Num(n)) {
			t.Errorf("round trip %s: %v %v", n, v, err)
		}
	}
	strs := []string{"A", "B", "a", "aa", "ab", "é"}
	if !sort.SliceIsSorted(strs, func(i, j int) bool { return KeyToken(Str(strs[i])) < KeyToken(Str(strs[j])) }) {
		t.Error("strings not in byte order")
	}
}

func TestValue_JSON(t *testing.T) {
	in := `{"a":{"S":"x"},"n":{"N":"1.50"},"b":{"B":"AQI="},"t":{"BOOL":true},"z":{"NULL":true},"m":{"M":{"k":{"L":[{"N":"1"},{"SS":["a","b"]}]}}},"ns":{"NS":["1","2.0"]},"bs":{"BS":["AQ=="]},"e":{"M":{}},"el":{"L":[]}}`
	var it Item
	if err := json.Unmarshal([]byte(in), &it); err != nil {
		t.Fatal(err)
	}
	if it["n"].Str != "1.5" || it["b"].Str != "\x01\x02" || it["ns"].Set[1] != "2" || it["e"].Kind != M || it["el"].Kind != L {
		t.Errorf("decoded %+v", it)
	}
	out, err := json.Marshal(it)
	if err != nil {
		t.Fatal(err)
	}
	var back Item
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	for k := range it {
		if !Equal(it[k], back[k]) {
			t.Errorf("%s: %+v != %+v", k, it[k], back[k])
		}
	}
	for in, msg := range map[string]string{
		`{}`: ErrEmpty, `{"S":"a","N":"1"}`: ErrEmpty, `{"SS":[]}`: "may not be empty", `{"SS":["a","a"]}`: "contains duplicates",
		`{"NULL":false}`: "Null attribute value types must have the value of true", `{"N":"x"}`: "cannot be converted",
	} {
		var v Value
		if err := json.Unmarshal([]byte(in), &v); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", in, err, msg)
		}
	}
}

func TestItem_Size(t *testing.T) {
	it := Item{"id": Str("abc"), "n": Num("12345")}
	if got := it.Size(); got != 2+3+1+4 {
		t.Errorf("size %d", got)
	}
}

func FuzzValueDecode(f *testing.F) {
	for _, s := range []string{`{"S":"x"}`, `{"N":"-1.5e3"}`, `{"M":{"a":{"L":[{"NS":["1"]}]}}}`, `{"BS":["AQ=="]}`, `{"NULL":true}`, `{}`, `[`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var v Value
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return
		}
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("marshal %+v: %v", v, err)
		}
		var back Value
		if err := json.Unmarshal(out, &back); err != nil || !Equal(v, back) {
			t.Fatalf("round trip %s -> %s: %v", s, out, err)
		}
		_ = v.Size()
		if v.Kind == N || v.Kind == S || v.Kind == B {
			if k, err := FromKeyToken(v.Kind, KeyToken(v)); err != nil || !Equal(k, v) {
				t.Fatalf("key token round trip %s: %v", s, err)
			}
		}
	})
}
