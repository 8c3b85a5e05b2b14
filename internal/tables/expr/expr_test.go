package expr

import (
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/tables/attr"
)

// item is the developer guide's ProductCatalog item 123 (the examples of
// "Condition and filter expressions" and "Update expressions" read it).
func item() attr.Item {
	return attr.Item{
		"Id":              attr.Num("123"),
		"Title":           attr.Str("Bicycle 123"),
		"Description":     attr.Str("123 description"),
		"BicycleType":     attr.Str("Hybrid"),
		"Brand":           attr.Str("Brand-Company C"),
		"Price":           attr.Num("500"),
		"Color":           {Kind: attr.SS, Set: []string{"Red", "Black"}},
		"ProductCategory": attr.Str("Bicycle"),
		"InStock":         {Kind: attr.BOOL, Bool: true},
		"QuantityOnHand":  {Kind: attr.NULL},
		"Pictures": {Kind: attr.M, M: map[string]attr.Value{
			"FrontView": attr.Str("http://example.com/products/123_front.jpg"),
			"RearView":  attr.Str("http://example.com/products/123_rear.jpg"),
			"SideView":  attr.Str("http://example.com/products/123_left_side.jpg"),
		}},
		"ProductReviews": {Kind: attr.M, M: map[string]attr.Value{
			"FiveStar": {Kind: attr.L, L: []attr.Value{attr.Str("Excellent! Can't recommend it highly enough! Buy it!"), attr.Str("Do yourself a favor and buy this.")}},
			"OneStar":  {Kind: attr.L, L: []attr.Value{attr.Str("Terrible product! Do not buy this.")}},
		}},
		"Comment":        attr.Str("This product sells out quickly during the summer"),
		"Safety.Warning": attr.Str("Always wear a helmet"),
	}
}

func vals() map[string]attr.Value {
	return map[string]attr.Value{
		":p": attr.Num("500"), ":lo": attr.Num("100"), ":hi": attr.Num("600"), ":s": attr.Str("Bicycle"),
		":b": attr.Str("Brand-"), ":red": attr.Str("Red"), ":t": attr.Str("SS"), ":n": attr.Num("3"),
		":cat1": attr.Str("Sporting Goods"), ":cat2": attr.Str("Gardening Supplies"), ":v_sub": attr.Str("Hybrid"),
		":yes": {Kind: attr.BOOL, Bool: true}, ":ten": attr.Num("10"), ":str": attr.Str("500"),
	}
}

func TestCondition_Conformance(t *testing.T) {
	names := map[string]string{"#pr": "ProductReviews", "#sw": "Safety.Warning", "#c": "Color", "#p": "Price", "#fs": "FiveStar"}
	for _, c := range []struct {
		expr string
		want bool
	}{
		{"Price = :p", true},
		{"Price <> :p", false},
		{"Price < :hi", true},
		{"Price <= :p", true},
		{"Price > :p", false},
		{"Price >= :p", true},
		{"Price = :str", false}, // N is not S
		{"Price BETWEEN :lo AND :hi", true},
		{"Price BETWEEN :lo AND :p", true},
		{"Price between :lo and :hi", true},
		{"ProductCategory IN (:cat1, :cat2)", false},
		{"ProductCategory IN (:cat1, :s)", true},
		{"attribute_exists(Pictures.SideView)", true},
		{"attribute_exists(Pictures.TopView)", false},
		{"attribute_not_exists(Manufacturer)", true},
		{"attribute_exists(#sw)", true},
		{"attribute_exists(Safety.Warning)", false},
		{"attribute_type(#c, :t)", true},
		{"attribute_type(Price, :t)", false},
		{"begins_with(Brand, :b)", true},
		{"begins_with(Title, :b)", false},
		{"contains(Color, :red)", true},
		{"contains(Title, :s)", true},
		{"contains(Brand, :red)", false},
		{"size(Title) > :ten", true},
		{"size(Color) < :n", true},
		{"size(#pr.#fs) = :n", false},
		{"size(Pictures) = :n", true},
		{"size(Nothing) > :lo", false},
		{"#pr.#fs[0] = :s", false},
		{"attribute_exists(#pr.#fs[1])", true},
		{"attribute_exists(#pr.#fs[2])", false},
		{"attribute_exists(#pr.OneStar)", true},
		{"NOT attribute_exists(Price)", false},
		{"NOT Price > :p", true},
		{"Price = :p AND ProductCategory = :s", true},
		{"Price = :lo OR ProductCategory = :s", true},
		{"Price = :lo OR ProductCategory = :cat1", false},
		{"Price = :lo AND ProductCategory = :s OR InStock = :yes", true},
		{"Price = :lo AND (ProductCategory = :s OR InStock = :yes)", false},
		{"NOT (Price = :lo OR Price = :hi)", true},
		{"NOT Price = :lo AND Price = :hi", false},
		{"(((Price = :p)))", true},
		{"InStock = :yes", true},
		{"Missing = Missing", false},
		{"Missing <> :p", false},
		{"Price = #p", true},
		{"BicycleType = :v_sub", true},
		{"Title < Description", false},
		{"Description < Title", true},
		{"attribute_type(QuantityOnHand, :t)", false},
	} {
		env := NewEnv(names, vals())
		cond, err := ParseCondition("ConditionExpression", c.expr, env)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if got := cond.Eval(item()); got != c.want {
			t.Errorf("%s (%s) = %v, want %v", c.expr, cond, got, c.want)
		}
	}
}

func TestCondition_Errors(t *testing.T) {
	names := map[string]string{"#a": "a", "#unused": "x"}
	for _, c := range []struct{ expr, msg string }{
		{"", "Invalid ConditionExpression: The expression can not be empty;"},
		{"a = ", `Invalid ConditionExpression: Syntax error; token: "<EOF>"`},
		{"a = :nope", "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :nope"},
		{"#nope = :p", "Invalid ConditionExpression: An expression attribute name used in the document path is not defined; attribute name: #nope"},
		{"a == :p", `Syntax error; token: "="`},
		{"a = :p AND", `Syntax error; token: "<EOF>"`},
		{"(a = :p", `Syntax error; token: "<EOF>"`},
		{"a = :p)", `Syntax error; token: ")"`},
		{"foo(a)", "Invalid function name; function: foo"},
		{"attribute_exists(a, b)", "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
		{"attribute_exists(:p)", "Operator or function requires a document path; operator or function: attribute_exists"},
		{"attribute_type(a, :p)", "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
		{"attribute_type(a, :bad)", "Invalid attribute type name found; type: XX"},
		{"begins_with(a, :p)", "Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"a BETWEEN :hi AND :lo", "The BETWEEN operator requires upper bound to be greater than or equal to lower bound"},
		{"a IN ()", `Syntax error; token: ")"`},
		{"a = :p $", `Invalid character encountered; character: "$"`},
		{"a[x] = :p", `Syntax error; token: "x"`},
		{"a = size(:p)", `Syntax error; token: ":p"`},
		{"a = begins_with(a, :s)", "The function is not allowed to be used this way in an expression; function: begins_with"},
		{"a", `Syntax error; token: "<EOF>"`},
		{"# = :p", `Syntax error; token: "#"`},
	} {
		env := NewEnv(names, map[string]attr.Value{":p": attr.Num("1"), ":hi": attr.Num("9"), ":lo": attr.Num("1"), ":bad": attr.Str("XX"), ":s": attr.Str("x")})
		_, err := ParseCondition("ConditionExpression", c.expr, env)
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: %v, want %q", c.expr, err, c.msg)
		}
	}
}

func TestEnv_Unused(t *testing.T) {
	env := NewEnv(map[string]string{"#a": "a", "#b": "b"}, map[string]attr.Value{":x": attr.Num("1"), ":y": attr.Num("2")})
	if _, err := ParseCondition("ConditionExpression", "#a = :x", env); err != nil {
		t.Fatal(err)
	}
	if err := env.CheckUnused(); err == nil || err.Error() != "Value provided in ExpressionAttributeValues unused in expressions: keys: {:y}" {
		t.Errorf("unused values: %v", err)
	}
	if _, err := ParseCondition("ConditionExpression", "#b = :y", env); err != nil {
		t.Fatal(err)
	}
	if err := env.CheckUnused(); err != nil {
		t.Errorf("all used: %v", err)
	}
	env = NewEnv(map[string]string{"#a": "a", "#b": "b"}, nil)
	_, _ = ParseProjection("#a", env)
	if err := env.CheckUnused(); err == nil || err.Error() != "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b}" {
		t.Errorf("unused names: %v", err)
	}
	if err := CheckPlaceholders(map[string]string{}, nil); err == nil || err.Error() != "ExpressionAttributeNames must not be empty" {
		t.Errorf("empty names: %v", err)
	}
}

func TestProjection(t *testing.T) {
	env := NewEnv(map[string]string{"#pr": "ProductReviews"}, nil)
	paths, err := ParseProjection("Title, Price, Color, #pr.FiveStar[1], Pictures.RearView, Nope", env)
	if err != nil {
		t.Fatal(err)
	}
	got := Project(item(), paths)
	if len(got) != 5 || got["Title"].Str != "Bicycle 123" || len(got["ProductReviews"].M["FiveStar"].L) != 1 ||
		got["ProductReviews"].M["FiveStar"].L[0].Str != "Do yourself a favor and buy this." || len(got["Pictures"].M) != 1 {
		t.Errorf("projected %+v", got)
	}
	for src, msg := range map[string]string{
		"a, a.b": "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]",
		"a,":     `Syntax error; token: "<EOF>"`,
		"a b":    `Syntax error; token: "b"`,
		"a[1":    `Syntax error; token: "<EOF>"`,
	} {
		if _, err := ParseProjection(src, NewEnv(nil, nil)); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v, want %q", src, err, msg)
		}
	}
}

func TestUpdate_DeveloperGuide(t *testing.T) {
	values := map[string]attr.Value{
		":ri": {Kind: attr.L, L: []attr.Value{attr.Str("Hammer")}}, ":p": attr.Num("75"), ":r": attr.Num("5"),
		":pr": {Kind: attr.M, M: map[string]attr.Value{"FiveStar": {Kind: attr.L, L: nil}}}, ":n": attr.Num("3"),
		":c": {Kind: attr.SS, Set: []string{"Orange", "Purple"}}, ":dc": {Kind: attr.SS, Set: []string{"Red", "Black"}},
		":x": attr.Str("x"), ":one": attr.Num("1"), ":list": {Kind: attr.L, L: []attr.Value{attr.Str("new")}},
	}
	for _, c := range []struct {
		expr  string
		check func(attr.Item) bool
	}{
		{"SET ProductCategory = :x, Price = :p", func(it attr.Item) bool { return it["ProductCategory"].Str == "x" && it["Price"].Str == "75" }},
		{"SET RelatedItems = :ri", func(it attr.Item) bool { return it["RelatedItems"].L[0].Str == "Hammer" }},
		{"SET Price = Price - :p", func(it attr.Item) bool { return it["Price"].Str == "425" }},
		{"SET Price = Price + :r", func(it attr.Item) bool { return it["Price"].Str == "505" }},
		{"SET Price = if_not_exists(Price, :one)", func(it attr.Item) bool { return it["Price"].Str == "500" }},
		{"SET Stock = if_not_exists(Stock, :one)", func(it attr.Item) bool { return it["Stock"].Str == "1" }},
		{"SET #pr.FiveStar = list_append(#pr.FiveStar, :list)", func(it attr.Item) bool { return len(it["ProductReviews"].M["FiveStar"].L) == 3 }},
		{"SET #pr.FiveStar = list_append(:list, #pr.FiveStar)", func(it attr.Item) bool { return it["ProductReviews"].M["FiveStar"].L[0].Str == "new" }},
		{"SET #pr.FiveStar[5] = :x", func(it attr.Item) bool { return it["ProductReviews"].M["FiveStar"].L[2].Str == "x" }},
		{"SET #pr.FiveStar[0] = :x", func(it attr.Item) bool { return it["ProductReviews"].M["FiveStar"].L[0].Str == "x" }},
		{"SET Pictures.TopView = :x", func(it attr.Item) bool { return it["Pictures"].M["TopView"].Str == "x" }},
		{"REMOVE Brand, InStock, QuantityOnHand", func(it attr.Item) bool { _, ok := it["Brand"]; return !ok && len(it) == len(item())-3 }},
		{"REMOVE #pr.FiveStar[0], #pr.OneStar[0]", func(it attr.Item) bool {
			return len(it["ProductReviews"].M["FiveStar"].L) == 1 && len(it["ProductReviews"].M["OneStar"].L) == 0
		}},
		{"ADD QuantityOnHand2 :r", func(it attr.Item) bool { return it["QuantityOnHand2"].Str == "5" }},
		{"ADD Price :r", func(it attr.Item) bool { return it["Price"].Str == "505" }},
		{"ADD Color :c", func(it attr.Item) bool { return len(it["Color"].Set) == 4 }},
		{"DELETE Color :dc", func(it attr.Item) bool { _, ok := it["Color"]; return !ok }},
		{"SET Price = Price - :p REMOVE InStock ADD Color :c", func(it attr.Item) bool {
			_, ok := it["InStock"]
			return !ok && it["Price"].Str == "425" && len(it["Color"].Set) == 4
		}},
		{"set Price = :p", func(it attr.Item) bool { return it["Price"].Str == "75" }},
	} {
		env := NewEnv(map[string]string{"#pr": "ProductReviews"}, values)
		u, err := ParseUpdate(c.expr, env)
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		before := item()
		got, err := u.Apply(before)
		if err != nil {
			t.Errorf("%s: apply: %v", c.expr, err)
			continue
		}
		if !c.check(got) {
			t.Errorf("%s: got %+v", c.expr, got)
		}
		if before["Price"].Str != "500" || len(before["Color"].Set) != 2 {
			t.Errorf("%s changed the original item", c.expr)
		}
	}
}

func TestUpdate_Errors(t *testing.T) {
	values := map[string]attr.Value{":s": attr.Str("x"), ":n": attr.Num("1"), ":ss": {Kind: attr.SS, Set: []string{"a"}}}
	for _, c := range []struct{ expr, msg string }{
		{"SET a = :s SET b = :s", `The "SET" section can only be used once in an update expression;`},
		{"SET a = :s, a = :n", "Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"SET a = :s REMOVE a.b", "Two document paths overlap"},
		{"ADD a :s", "Incorrect operand type for operator or function; operator: ADD, operand type: STRING"},
		{"DELETE a :n", "Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER"},
		{"SET a = size(b)", "The function is not allowed in an update expression; function: size"},
		{"SET a = foo(b)", "Invalid function name; function: foo"},
		{"SET a = if_not_exists(:s, :n)", "Operator or function requires a document path; operator or function: if_not_exists"},
		{"SET a :s", `Syntax error; token: ":s"`},
		{"UPSERT a = :s", `Syntax error; token: "UPSERT"`},
		{"SET a = :s,", `Syntax error; token: "<EOF>"`},
	} {
		_, err := ParseUpdate(c.expr, NewEnv(nil, values))
		if err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%q: %v, want %q", c.expr, err, c.msg)
		}
	}
	for _, c := range []struct{ expr, msg string }{
		{"SET Title = Title + :n", "An operand in the update expression has an incorrect data type"},
		{"SET a = Nope", "The provided expression refers to an attribute that does not exist in the item"},
		{"SET Nope.a = :n", "The document path provided in the update expression is invalid for update"},
		{"ADD Title :n", "An operand in the update expression has an incorrect data type"},
		{"DELETE Title :ss", "An operand in the update expression has an incorrect data type"},
	} {
		u, err := ParseUpdate(c.expr, NewEnv(nil, values))
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if _, err := u.Apply(item()); err == nil || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: apply %v, want %q", c.expr, err, c.msg)
		}
	}
}

func TestKeyCondition(t *testing.T) {
	values := map[string]attr.Value{":h": attr.Str("u1"), ":a": attr.Num("10"), ":b": attr.Num("20"), ":p": attr.Str("2024-")}
	for _, c := range []struct {
		expr    string
		op      string
		in, out []attr.Value
	}{
		{"pk = :h", "", []attr.Value{attr.Num("1")}, nil},
		{"pk = :h AND sk = :a", "=", []attr.Value{attr.Num("10")}, []attr.Value{attr.Num("11")}},
		{"pk = :h AND sk < :a", "<", []attr.Value{attr.Num("9.99")}, []attr.Value{attr.Num("10")}},
		{"pk = :h AND sk <= :a", "<=", []attr.Value{attr.Num("10")}, []attr.Value{attr.Num("10.01")}},
		{"pk = :h AND sk > :a", ">", []attr.Value{attr.Num("100")}, []attr.Value{attr.Num("-100")}},
		{"pk = :h AND sk >= :a", ">=", []attr.Value{attr.Num("10")}, []attr.Value{attr.Num("9")}},
		{"sk BETWEEN :a AND :b AND pk = :h", "BETWEEN", []attr.Value{attr.Num("10"), attr.Num("20"), attr.Num("15")}, []attr.Value{attr.Num("21")}},
		{"pk = :h AND begins_with(sk, :p)", "begins_with", []attr.Value{attr.Str("2024-01")}, []attr.Value{attr.Str("2023-01")}},
		{"(pk = :h) AND (sk > :a)", ">", []attr.Value{attr.Num("11")}, nil},
	} {
		env := NewEnv(nil, values)
		k, err := ParseKeyCondition(c.expr, env, "pk", "sk")
		if err != nil {
			t.Errorf("%s: %v", c.expr, err)
			continue
		}
		if k.Hash.Str != "u1" || k.RangeOp != c.op {
			t.Errorf("%s: %+v", c.expr, k)
		}
		for _, v := range c.in {
			if !k.Match(v) {
				t.Errorf("%s: %v should match", c.expr, v)
			}
		}
		for _, v := range c.out {
			if k.Match(v) {
				t.Errorf("%s: %v should not match", c.expr, v)
			}
		}
	}
	for src, msg := range map[string]string{
		"sk = :a":                         "Query condition missed key schema element: pk",
		"pk = :h OR sk = :a":              "Invalid operator used in KeyConditionExpression: OR",
		"pk = :h AND other = :a":          "Query condition missed key schema element: sk",
		"pk < :h":                         "Query key condition not supported",
		"pk = :h AND contains(sk, :a)":    "Invalid operator used in KeyConditionExpression: contains",
		"pk = :h AND sk > :a AND sk < :b": "The expression has more than two conditions",
		"pk = :h AND sk <> :a":            "Invalid operator used in KeyConditionExpression: <>",
	} {
		if _, err := ParseKeyCondition(src, NewEnv(nil, values), "pk", "sk"); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v, want %q", src, err, msg)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"a = :v", "attribute_exists(#n.b[1]) AND NOT (a BETWEEN :v AND :v OR a IN (:v, :v))",
		"SET a = if_not_exists(a, :v) + :v, b = list_append(b, :v) REMOVE c[0] ADD d :v DELETE e :v", "a.b[2], #n", "size(a) > :v", "(((", "a[99999999999999999999]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mk := func() *Env {
			return NewEnv(map[string]string{"#n": "n"}, map[string]attr.Value{":v": attr.Num("1")})
		}
		if c, err := ParseCondition("ConditionExpression", s, mk()); err == nil {
			_ = c.Eval(item())
			_ = c.String()
		}
		if u, err := ParseUpdate(s, mk()); err == nil {
			_, _ = u.Apply(item())
		}
		if p, err := ParseProjection(s, mk()); err == nil {
			_ = Project(item(), p)
		}
		if k, err := ParseKeyCondition(s, mk(), "a", "b"); err == nil {
			_ = k.Match(attr.Num("1"))
		}
	})
}
