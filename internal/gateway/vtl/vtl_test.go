package vtl

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// apigwVars are the variables of the golden examples: the request of the
// guide's examples.
func apigwVars(body []byte) map[string]any {
	ctx := MapOf(
		"stage", "prod", "requestId", "abcdefg-000-000-0000-abcdefg", "apiId", "abcd1234",
		"resourcePath", "/", "resourceId", "efg567", "httpMethod", "GET",
		"identity", MapOf("sourceIp", "192.0.2.1", "userAgent", "curl/7.84.0", "accountId", "111122223333",
			"apiKey", "MyTestKey", "caller", "ABCD-0000-12345", "user", "ABCD-0000-12345",
			"userArn", "arn:aws:sts::111122223333:assumed-role/Admin/carlos-salazar"),
	)
	in := &Input{Body: body,
		Path:   MapOf("petId", "7"),
		Query:  MapOf("color", "black and white", "q", `say "hi"`),
		Header: MapOf("Accept", "application/json", "User-Agent", "curl/8.5.0"),
	}
	return map[string]any{"input": in, "util": Util{}, "context": ctx, "stageVariables": MapOf("env", "prod", "table", "pets")}
}

// TestGolden evaluates the developer guide's mapping-template examples
// (testdata/golden/NAME: template.vtl, body.json) and compares the output,
// as JSON, with want.json.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/golden/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			src := read(t, dir, "template.vtl")
			body := read(t, dir, "body.json")
			want := read(t, dir, "want.json")
			tmpl, err := Parse(string(src))
			if err != nil {
				t.Fatal(err)
			}
			out, err := tmpl.Execute(apigwVars(body), Options{QuietNulls: true})
			if err != nil {
				t.Fatal(err)
			}
			var got, exp any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			if err := json.Unmarshal(want, &exp); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, exp) {
				t.Errorf("got\n%s\nwant\n%s", out, want)
			}
		})
	}
}

func read(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRender(t *testing.T) {
	body := `{"name":"Bob","n":3,"price":1.50,"tags":["a","b","c"],"o":{"k":"v"},"s":"it's \"x\"/y"}`
	cases := []struct{ name, tmpl, want string }{
		{"text", "plain text", "plain text"},
		{"ref", "$input.path('$.name')", "Bob"},
		{"formal", "${x}y", "1y"},
		{"missing loud", "$nope.x and $!nope", "$nope.x and "},
		{"dollar not ref", "costs $5 and $", "costs $5 and $"},
		{"property chain", "$m.a.b", "deep"},
		{"index", "$list[1] $list[-1]", "b c"},
		{"set and math", "#set($a = 7)#set($b = $a * 2 + 1)$b $a / 2 = #set($c = $a / 2)$c", "15 7 / 2 = 3"},
		{"float math", "#set($f = 1.5 * 2)$f", "3.0"},
		{"string concat", "#set($s = 'a' + 1)$s", "a1"},
		{"interpolate", `#set($s = "n=$x!")$s`, "n=1!"},
		{"single quoted", `#set($s = '$x')$s`, "$x"},
		{"if elseif else", "#foreach($i in [1..3])#if($i == 1)one#elseif($i == 2)two#{else}many#end;#end", "one;two;many;"},
		{"logic words", "#if($x eq 1 and not ($x gt 2) || false)yes#end", "yes"},
		{"null is false", "#if($nope)yes#{else}no#end", "no"},
		{"empty string is true", "#if('')yes#end", "yes"},
		{"foreach vars", "#foreach($t in $list)$foreach.index:$velocityCount:$t#if($foreach.hasNext),#end#end", "0:1:a,1:2:b,2:3:c"},
		{"foreach restores", "#set($t = 'keep')#foreach($t in [1,2])#end$t", "keep"},
		{"foreach map values", "#foreach($v in {'a':1,'b':2})$v#end", "12"},
		{"break", "#foreach($i in [1..10])#if($i > 3)#break#end$i#end", "123"},
		{"stop", "a#stop b", "a"},
		{"line comment", "a## gone\nb", "a\nb"},
		{"block comment", "a#* gone\n *#b", "ab"},
		{"unparsed", "#[[$x #if]]#", "$x #if"},
		{"escaped ref", `\$x \\$x`, `$x \1`},
		{"hash text", "#notadirective #1", "#notadirective #1"},
		{"gobble directive lines", "a\n  #set($q = 1)\n  #if(true)\nb\n  #end\nc", "a\nb\nc"},
		{"list literal", "#set($l = [1, 'two', [3]])$l $l.size()", "[1, two, [3]] 3"},
		{"map literal", "#set($m2 = {'k': 'v', 'n': 2})$m2 $m2.k $m2.get('n')", "{k=v, n=2} v 2"},
		{"list add", "#set($l = [])#set($ok = $l.add('x'))$l.add('y')$l", "true[x, y]"},
		{"map put", "#set($m2 = {})#set($d = $m2.put('a', 1))$m2", "{a=1}"},
		{"set property", "#set($m.a.c = 'new')$m.a.c", "new"},
		{"set null keeps", "#set($x = $nope)$x", "1"},
		{"string methods", "$s.toUpperCase() $s.length() $s.substring(1, 3) $s.replace('l', 'L') $s.contains('ell') $s.indexOf('l')", "HELLO 5 el heLLo true 2"},
		{"regex", `$s.replaceAll("l+", "[$0]") $s.matches("h.*o") $s.split("l")`, "he[ll]o true [he, , o]"},
		{"json", "$input.json('$.o') $input.json('$.tags[0]') $input.json('$.n')", `{"k":"v"} "a" 3`},
		{"json missing", "[$input.json('$.nope')]", "[]"},
		{"path object", "$input.path('$.o') $input.path('$.tags')", "{k=v} [a, b, c]"},
		{"path float", "$input.path('$.price')", "1.5"},
		{"params", "$input.params('id') $input.params('q') $input.params('x-trace') [$input.params('none')]", "42 z t1 []"},
		{"body", "$input.body", body},
		{"escapeJavaScript", "$util.escapeJavaScript($input.path('$.s'))", `it\'s \"x\"\/y`},
		{"escape non-ascii", `$util.escapeJavaScript("é$nl")`, `\u00E9\n`},
		{"parseJson", `#set($o = $util.parseJson('{"a":[1,{"b":true}]}'))$o.a[1].b $o.a.size()`, "true 2"},
		{"url", `$util.urlEncode("a b&c=d/é*~") $util.urlDecode("a+b%26c")`, "a+b%26c%3Dd%2F%C3%A9*%7E a b&c"},
		{"base64", `$util.base64Encode("hi there") $util.base64Decode("aGkgdGhlcmU=")`, "aGkgdGhlcmU= hi there"},
		{"keyset", "#foreach($k in $input.params().querystring.keySet())$k#end", "q"},
		{"comparisons", "#if(2 > 1 && 1 <= 1 && 'a' != 'b' && 1 == 1.0 && !(3 < 2))ok#end", "ok"},
		{"division by zero is null", "#set($z = 1 / 0)$!z.", "."},
		{"negative", "#set($n = -3)$n #set($n2 = 0 - $n)$n2", "-3 3"},
		{"range desc", "#foreach($i in [3..1])$i#end", "321"},
		{"number methods", "#set($f = 2.7)$f.intValue() $x.doubleValue()", "2 1.0"},
		{"hyphenated property", "#set($m.a.X-Y = 'h')$m.a.X-Y $x-1 $m.a.b-", "h 1-1 deep-"},
		{"big double", "#set($f = 10000000.0)$f", "1.0E7"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmpl, err := Parse(c.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			in := &Input{Body: []byte(body), Path: MapOf("id", "42"), Query: MapOf("q", "z"), Header: MapOf("X-Trace", "t1")}
			vars := map[string]any{"input": in, "util": Util{}, "x": int64(1), "s": "hello",
				"list": NewList("a", "b", "c"), "nl": "\n", "m": MapOf("a", MapOf("b", "deep"))}
			got, err := tmpl.Execute(vars, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestQuietNulls(t *testing.T) {
	tmpl, err := Parse(`"$context.authorizer.principalId"`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tmpl.Execute(map[string]any{"context": NewMap()}, Options{QuietNulls: true})
	if err != nil || got != `""` {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestResponseOverride(t *testing.T) {
	// A header name that is no identifier is written with brackets.
	tmpl, err := Parse("#set($context.responseOverride.status = 418)#set($context.responseOverride.header['X-Y'] = 'z')")
	if err != nil {
		t.Fatal(err)
	}
	ro := MapOf("header", NewMap())
	if _, err := tmpl.Execute(map[string]any{"context": MapOf("responseOverride", ro)}, Options{}); err != nil {
		t.Fatal(err)
	}
	if st, _ := ro.Get("status"); st != int64(418) {
		t.Errorf("status = %v", st)
	}
	h, _ := ro.Get("header")
	if v, _ := h.(*Map).Get("X-Y"); v != "z" {
		t.Errorf("header = %v", v)
	}
}

func TestSyntaxErrors(t *testing.T) {
	for _, src := range []string{
		"#if(true)no end", "#foreach($a in [1])", "#set($a = )", "#set(a = 1)", "#end",
		"#if(true)#else#else#end", "#macro(x)#end", "#set($a = 'open)", "#if((1)#end",
		"#foreach($a.b in [1])#end", strings.Repeat("#if(true)", 100),
	} {
		if _, err := Parse(src); err == nil {
			t.Errorf("Parse(%q): no error", src)
		} else if !errors.As(err, new(*SyntaxError)) {
			t.Errorf("Parse(%q): %T %v", src, err, err)
		}
	}
}

func TestLimits(t *testing.T) {
	cases := []struct{ name, src string }{
		{"steps", "#foreach($i in [1..100000])#foreach($j in [1..100000])x#end#end"},
		{"output", "#set($s = 'xxxxxxxxxxxxxxxx')#foreach($i in [1..40])#set($s = \"$s$s\")#end$s"},
		{"range", "#foreach($i in [1..2000000000])#end"},
		{"self map", "#set($m = {})#set($d = $m.put('a', $m))#set($d = $m.put('b', $m))$m"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmpl, err := Parse(c.src)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tmpl.Execute(nil, Options{MaxOutput: 1 << 20, MaxSteps: 100000})
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("err = %v, want ErrLimit", err)
			}
		})
	}
}

func TestEvalErrors(t *testing.T) {
	for _, src := range []string{
		"$util.parseJson('{')", "$input.path('$[?(@.a)]')", "$util.base64Decode('!!')",
		"$s.substring(9)", "$s.replaceAll('(?<=x)', '')",
	} {
		tmpl, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		_, err = tmpl.Execute(map[string]any{"util": Util{}, "input": &Input{Body: []byte("{}")}, "s": "abc"}, Options{})
		if !errors.As(err, new(*EvalError)) {
			t.Errorf("%s: err = %v, want an EvalError", src, err)
		}
	}
}

func TestSelectPath(t *testing.T) {
	root, err := ParseJSON([]byte(`{"store":{"book":[{"title":"A","price":8},{"title":"B","price":12}],"bicycle":{"price":20}},"a b":1}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ path, want string }{
		{"$", ToJSON(root)},
		{"$.store.book[0].title", `"A"`},
		{"$['store']['bicycle']", `{"price":20}`},
		{"$['a b']", `1`},
		{"$.store.book[-1].title", `"B"`},
		{"$.store.book[*].title", `["A","B"]`},
		{"$..price", `[8,12,20]`},
		{"$.store.book[0:1]", `[{"title":"A","price":8}]`},
		{"$.store.book[0,1].price", `[8,12]`},
		{"store.bicycle.price", `20`},
		{"$.nope.x", `null`},
	}
	for _, c := range cases {
		v, err := SelectPath(root, c.path)
		if err != nil {
			t.Errorf("%s: %v", c.path, err)
			continue
		}
		if got := ToJSON(v); got != c.want {
			t.Errorf("%s = %s, want %s", c.path, got, c.want)
		}
	}
}
