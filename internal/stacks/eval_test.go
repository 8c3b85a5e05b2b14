package stacks

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const evalBase = `
Parameters:
  Env: {Type: String, Default: prod}
  Count: {Type: Number, Default: "3"}
  Names: {Type: CommaDelimitedList, Default: "a, b,c"}
  Ports: {Type: "List<Number>", Default: "80,443"}
Mappings:
  Regions:
    us-east-1: {Ami: ami-1, Zones: [x, y]}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Equals [dev, !Ref Env]
  Both: !And [!Condition IsProd, !Not [!Condition IsDev]]
  Either: !Or [!Condition IsDev, !Equals [1, 1]]
Resources:
  Res:
    Type: Test::Thing
  Other:
    Type: Test::Thing
Outputs:
  Value:
    Value: EXPR
`

type fakeResolver struct{}

func (fakeResolver) ref(id string) (any, error) { return "phys-" + id, nil }
func (fakeResolver) getAtt(id, attr string) (any, error) {
	if attr == "List" {
		return []any{"l1", "l2"}, nil
	}
	return id + "." + attr, nil
}
func (fakeResolver) importValue(name string) (any, error) {
	if name == "shared-url" {
		return "http://shared", nil
	}
	return nil, errors.New("no stack exports this name")
}

func evalExpr(t *testing.T, expr string) (any, error) {
	t.Helper()
	tmpl, err := ParseTemplate([]byte(strings.Replace(evalBase, "EXPR", expr, 1)), nil)
	if err != nil {
		return nil, err
	}
	values, _, err := resolveParameters(t.Context(), tmpl, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := newEvaluator(tmpl, Pseudo{Region: "us-east-1", AccountID: "123456789012", StackName: "app", StackID: "arn:stack", Partition: "aws"}, values, fakeResolver{})
	return ev.eval(tmpl.Outputs["Value"].Value, "Outputs/Value/Value")
}

func TestIntrinsics(t *testing.T) {
	tests := map[string]struct {
		expr string
		want any
	}{
		"ref parameter":           {`!Ref Env`, "prod"},
		"ref number is a string":  {`!Ref Count`, "3"},
		"ref list parameter":      {`!Ref Names`, []any{"a", "b", "c"}},
		"ref list of numbers":     {`!Ref Ports`, []any{"80", "443"}},
		"ref resource":            {`!Ref Res`, "phys-Res"},
		"ref long form":           {`{Ref: Res}`, "phys-Res"},
		"region":                  {`!Ref AWS::Region`, "us-east-1"},
		"account":                 {`!Ref AWS::AccountId`, "123456789012"},
		"stack name":              {`!Ref AWS::StackName`, "app"},
		"stack id":                {`!Ref AWS::StackId`, "arn:stack"},
		"partition":               {`!Ref AWS::Partition`, "aws"},
		"url suffix":              {`!Ref AWS::URLSuffix`, "amazonaws.com"},
		"novalue drops list item": {`[a, !Ref AWS::NoValue, b]`, []any{"a", "b"}},
		"novalue drops key":       {`{A: 1, B: !Ref AWS::NoValue}`, map[string]any{"A": 1.0}},
		"getatt dotted":           {`!GetAtt Res.Arn`, "Res.Arn"},
		"getatt list":             {`!GetAtt [Res, Arn]`, "Res.Arn"},
		"getatt ref attribute":    {`{"Fn::GetAtt": [Res, !Ref Env]}`, "Res.prod"},
		"getatt nested name":      {`!GetAtt Res.Endpoint.Address`, "Res.Endpoint.Address"},
		"sub string":              {`!Sub "${AWS::StackName}-${Env}-${Res}-${Res.Arn}"`, "app-prod-phys-Res-Res.Arn"},
		"sub literal":             {`!Sub "${!Literal}-${Env}"`, "${Literal}-prod"},
		"sub with variables":      {`!Sub ["${Name}.${AWS::Region}", {Name: !Ref Res}]`, "phys-Res.us-east-1"},
		"sub number":              {`!Sub "n=${Count}"`, "n=3"},
		"join":                    {`!Join [",", [a, !Ref Env, 3]]`, "a,prod,3"},
		"join list param":         {`!Join ["|", !Ref Names]`, "a|b|c"},
		"select":                  {`!Select [1, [x, y, z]]`, "y"},
		"select string index":     {`!Select ["0", !Ref Names]`, "a"},
		"select getazs":           {`!Select [2, !GetAZs ""]`, "us-east-1c"},
		"split":                   {`!Split [",", "a,b,,c"]`, []any{"a", "b", "", "c"}},
		"split then select":       {`!Select [1, !Split ["/", "x/y/z"]]`, "y"},
		"if true":                 {`!If [IsProd, yes, no]`, "yes"},
		"if false":                {`!If [IsDev, yes, no]`, "no"},
		"if novalue":              {`{A: !If [IsDev, x, !Ref AWS::NoValue]}`, map[string]any{}},
		"equals":                  {`!Equals [!Ref Env, prod]`, true},
		"equals number string":    {`!Equals [3, "3"]`, true},
		"and":                     {`!And [!Condition IsProd, !Condition Both]`, true},
		"or":                      {`!Or [!Condition IsDev, !Condition Either]`, true},
		"not":                     {`!Not [!Condition IsProd]`, false},
		"findinmap":               {`!FindInMap [Regions, !Ref AWS::Region, Ami]`, "ami-1"},
		"findinmap list":          {`!FindInMap [Regions, us-east-1, Zones]`, []any{"x", "y"}},
		"findinmap default":       {`!FindInMap [Regions, eu-west-1, Ami, {DefaultValue: none}]`, "none"},
		"importvalue":             {`!ImportValue shared-url`, "http://shared"},
		"importvalue sub":         {`!ImportValue {"Fn::Sub": "shared-url"}`, "http://shared"},
		"base64":                  {`!Base64 hello`, "aGVsbG8="},
		"getazs":                  {`!GetAZs ""`, []any{"us-east-1a", "us-east-1b", "us-east-1c"}},
		"getazs region ref":       {`!GetAZs {Ref: AWS::Region}`, []any{"us-east-1a", "us-east-1b", "us-east-1c"}},
		"cidr":                    {`!Cidr ["10.0.0.0/16", 3, 8]`, []any{"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"}},
		"cidr small":              {`!Cidr ["192.168.0.0/24", 2, 5]`, []any{"192.168.0.0/27", "192.168.0.32/27"}},
		"json long form":          {`{"Fn::Join": ["-", [{"Ref": "Env"}, "x"]]}`, "prod-x"},
		"nested":                  {`!Join ["", [!Select [0, !Split [".", !GetAtt Res.Arn]], "-", !If [Both, !Base64 x, y]]]`, "Res-eA=="},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := evalExpr(t, tc.expr)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tc.expr, diff)
			}
		})
	}
}

func TestIntrinsicErrors(t *testing.T) {
	tests := map[string]struct{ expr, want string }{
		"unknown ref":         {`!Ref Nope`, `Outputs/Value/Value/Ref (line 22): Ref to "Nope": no such resource`},
		"getatt non resource": {`!GetAtt Nope.Arn`, `Fn::GetAtt names "Nope"`},
		"getatt bad form":     {`!GetAtt NoDot`, `want Resource.Attribute`},
		"join arity":          {`!Join [","]`, `Fn::Join takes 2 arguments, got 1`},
		"select range":        {`!Select [5, [a]]`, `index 5 out of range`},
		"select arity":        {`!Select [1]`, `Fn::Select takes 2 arguments, got 1`},
		"if unknown cond":     {`!If [Nope, a, b]`, `no condition named "Nope"`},
		"findinmap missing":   {`!FindInMap [Regions, eu-west-1, Ami]`, `has no key "eu-west-1"`},
		"import missing":      {`!ImportValue nope`, `Fn::ImportValue "nope": no stack exports this name`},
		"sub unknown var":     {`!Sub "${Nope}"`, `Ref to "Nope": no such resource`},
		"sub unterminated":    {`!Sub "${Env"`, `unterminated`},
		"equals arity":        {`!Equals [a]`, `Fn::Equals takes 2 arguments`},
		"and arity":           {`!And [!Condition IsProd]`, `Fn::And takes 2 to 10 arguments`},
		"not a condition":     {`!Not [abc]`, `Fn::Not takes conditions`},
		"unknown function":    {`{"Fn::Nope": 1}`, `unknown intrinsic function Fn::Nope`},
		"cidr bad block":      {`!Cidr [nope, 1, 8]`, `not an IPv4 CIDR`},
		"cidr too many":       {`!Cidr ["10.0.0.0/24", 3, 7]`, `holds only 2 subnets`},
		"join of map":         {`!Join [",", [{A: 1}]]`, `want a string`},
		"split non string":    {`!Split [",", [a]]`, `the second argument must be a string`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := evalExpr(t, tc.expr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: error %v, want it to contain %q", tc.expr, err, tc.want)
			}
		})
	}
}

func TestParameters(t *testing.T) {
	tmpl := `
Parameters:
  Env: {Type: String, AllowedValues: [dev, prod], Default: dev, ConstraintDescription: dev or prod}
  Name: {Type: String, AllowedPattern: "[a-z]+", MinLength: 2, MaxLength: 5}
  Size: {Type: Number, MinValue: 1, MaxValue: 10, Default: 5}
  Ports: {Type: "List<Number>", Default: "80"}
  Secret: {Type: String, NoEcho: true, AllowedPattern: "[0-9]+", Default: "1"}
Resources:
  R: {Type: Test::Thing}
`
	parsed, err := ParseTemplate([]byte(tmpl), nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]struct {
		given   map[string]string
		prev    map[string]string
		wantErr string
		want    map[string]any
	}{
		"defaults":         {given: map[string]string{"Name": "abc"}, want: map[string]any{"Env": "dev", "Name": "abc", "Size": "5", "Ports": []any{"80"}, "Secret": "1"}},
		"previous values":  {prev: map[string]string{"Name": "xyz", "Env": "prod"}, want: map[string]any{"Env": "prod", "Name": "xyz", "Size": "5", "Ports": []any{"80"}, "Secret": "1"}},
		"missing":          {wantErr: "parameter Name has no value and no Default"},
		"not allowed":      {given: map[string]string{"Name": "ab", "Env": "qa"}, wantErr: `"qa" is not one of the allowed values [dev prod] (dev or prod)`},
		"pattern":          {given: map[string]string{"Name": "AB"}, wantErr: `does not match the pattern [a-z]+`},
		"too short":        {given: map[string]string{"Name": "a"}, wantErr: "shorter than MinLength 2"},
		"too long":         {given: map[string]string{"Name": "abcdef"}, wantErr: "longer than MaxLength 5"},
		"not a number":     {given: map[string]string{"Name": "ab", "Size": "x"}, wantErr: `"x" is not a number`},
		"above max":        {given: map[string]string{"Name": "ab", "Size": "11"}, wantErr: "above MaxValue 10"},
		"below min":        {given: map[string]string{"Name": "ab", "Size": "0"}, wantErr: "below MinValue 1"},
		"list not numbers": {given: map[string]string{"Name": "ab", "Ports": "80,http"}, wantErr: `"http" is not a number`},
		"noecho masked":    {given: map[string]string{"Name": "ab", "Secret": "abc"}, wantErr: `"****" does not match`},
		"undeclared":       {given: map[string]string{"Name": "ab", "Nope": "1"}, wantErr: "parameter Nope is not declared"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, _, err := resolveParameters(t.Context(), parsed, tc.given, tc.prev, nil)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestConditions(t *testing.T) {
	src := strings.Replace(evalBase, "EXPR", "x", 1)
	parsed, err := ParseTemplate([]byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	for env, want := range map[string]map[string]bool{
		"prod": {"IsProd": true, "IsDev": false, "Both": true, "Either": true},
		"dev":  {"IsProd": false, "IsDev": true, "Both": false, "Either": true},
	} {
		values, _, err := resolveParameters(t.Context(), parsed, map[string]string{"Env": env}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		ev := newEvaluator(parsed, Pseudo{}, values, fakeResolver{})
		got := map[string]bool{}
		for name := range want {
			if got[name], err = ev.condition(name, ""); err != nil {
				t.Fatal(err)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Env=%s (-want +got):\n%s", env, diff)
		}
	}
	self := `
Conditions:
  A: !Condition B
  B: !Not [!Condition A]
Resources:
  R: {Type: Test::Thing, Condition: A}
`
	parsed, err = ParseTemplate([]byte(self), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newEvaluator(parsed, Pseudo{}, nil, fakeResolver{}).condition("A", ""); err == nil || !strings.Contains(err.Error(), "refers to itself") {
		t.Errorf("circular conditions: %v", err)
	}
}
