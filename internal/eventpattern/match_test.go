package eventpattern

import (
	"errors"
	"testing"
)

// ec2 is the user guide's example event.
const ec2 = `{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"111122223333","time":"2017-12-22T18:43:48Z","region":"us-west-1","resources":["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],"detail":{"instance-id":"i-1234567890abcdef0","state":"terminated"}}`

// matchCases are pattern × event × verdict: the EventBridge user guide's
// examples (event patterns; content filtering) first, then edge cases.
var matchCases = []struct {
	name, pattern, event string
	want                 bool
}{
	// Event patterns page.
	{"guide ec2 terminated", `{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],"detail":{"state":["terminated"]}}`, ec2, true},
	{"guide ec2 running", `{"source":["aws.ec2"],"detail":{"state":["running"]}}`, ec2, false},
	{"guide or within field", `{"detail":{"state":["running","terminated"]}}`, ec2, true},
	{"guide resources array", `{"resources":["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]}`, ec2, true},
	{"guide absent field", `{"detail":{"c-count":[5]}}`, ec2, false},
	// Prefix.
	{"prefix time", `{"time":[{"prefix":"2017-10-02"}]}`, `{"time":"2017-10-02T18:43:48Z"}`, true},
	{"prefix no", `{"time":[{"prefix":"2017-10-02"}]}`, `{"time":"2017-10-03T18:43:48Z"}`, false},
	{"prefix ignore case", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"eventbridge"}}`, true},
	{"prefix ignore case upper", `{"detail":{"service":[{"prefix":{"equals-ignore-case":"EventB"}}]}}`, `{"detail":{"service":"EVENTBRIDGE"}}`, true},
	{"prefix on number", `{"a":[{"prefix":"1"}]}`, `{"a":12}`, false},
	// Suffix.
	{"suffix png", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.png"}`, true},
	{"suffix jpg", `{"FileName":[{"suffix":".png"}]}`, `{"FileName":"image.jpg"}`, false},
	{"suffix ignore case", `{"detail":{"FileName":[{"suffix":{"equals-ignore-case":".png"}}]}}`, `{"detail":{"FileName":"A.PNG"}}`, true},
	// Anything-but.
	{"anything-but string", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, `{"detail":{"state":"running"}}`, true},
	{"anything-but string same", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, `{"detail":{"state":"initializing"}}`, false},
	{"anything-but number", `{"detail":{"x-limit":[{"anything-but":123}]}}`, `{"detail":{"x-limit":456}}`, true},
	{"anything-but number same", `{"detail":{"x-limit":[{"anything-but":123}]}}`, `{"detail":{"x-limit":123}}`, false},
	{"anything-but list", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, `{"detail":{"state":"running"}}`, true},
	{"anything-but list in", `{"detail":{"state":[{"anything-but":["stopped","overloaded"]}]}}`, `{"detail":{"state":"overloaded"}}`, false},
	{"anything-but number list", `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`, `{"detail":{"x-limit":200}}`, false},
	{"anything-but number list out", `{"detail":{"x-limit":[{"anything-but":[100,200,300]}]}}`, `{"detail":{"x-limit":250}}`, true},
	{"anything-but absent", `{"detail":{"state":[{"anything-but":"initializing"}]}}`, `{"detail":{}}`, false},
	{"anything-but prefix", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, `{"detail":{"state":"initializing"}}`, false},
	{"anything-but prefix other", `{"detail":{"state":[{"anything-but":{"prefix":"init"}}]}}`, `{"detail":{"state":"running"}}`, true},
	{"anything-but suffix", `{"detail":{"FileName":[{"anything-but":{"suffix":".txt"}}]}}`, `{"detail":{"FileName":"a.txt"}}`, false},
	{"anything-but suffix other", `{"detail":{"FileName":[{"anything-but":{"suffix":".txt"}}]}}`, `{"detail":{"FileName":"a.png"}}`, true},
	{"anything-but ignore case", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":"initializing"}}]}}`, `{"detail":{"state":"INITIALIZING"}}`, false},
	{"anything-but ignore case list", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":["Stopped","overloaded"]}}]}}`, `{"detail":{"state":"STOPPED"}}`, false},
	{"anything-but ignore case other", `{"detail":{"state":[{"anything-but":{"equals-ignore-case":["Stopped","overloaded"]}}]}}`, `{"detail":{"state":"running"}}`, true},
	{"anything-but wildcard", `{"detail":{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}}`, `{"detail":{"FilePath":"/usr/lib/x"}}`, false},
	{"anything-but wildcard other", `{"detail":{"FilePath":[{"anything-but":{"wildcard":"*/lib/*"}}]}}`, `{"detail":{"FilePath":"/usr/bin/x"}}`, true},
	{"anything-but wildcard list", `{"detail":{"FilePath":[{"anything-but":{"wildcard":["*/lib/*","*/bin/*"]}}]}}`, `{"detail":{"FilePath":"/usr/bin/x"}}`, false},
	// Numeric.
	{"numeric range in", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}`, `{"detail":{"c-count":5}}`, true},
	{"numeric range out", `{"detail":{"c-count":[{"numeric":[">",0,"<=",5]}]}}`, `{"detail":{"c-count":0}}`, false},
	{"numeric lt", `{"detail":{"d-count":[{"numeric":["<",10]}]}}`, `{"detail":{"d-count":9.99}}`, true},
	{"numeric eq", `{"detail":{"x-limit":[{"numeric":["=",3.018e2]}]}}`, `{"detail":{"x-limit":301.8}}`, true},
	{"numeric string", `{"a":[{"numeric":[">",0]}]}`, `{"a":"5"}`, false},
	{"numeric ge", `{"a":[{"numeric":[">=",10,"<",20]}]}`, `{"a":10}`, true},
	{"numeric lt edge", `{"a":[{"numeric":[">=",10,"<",20]}]}`, `{"a":20}`, false},
	{"guide price", `{"Price":[{"numeric":[">",10,"<=",20]}]}`, `{"Price":15}`, true},
	// IP address.
	{"cidr in", `{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}`, `{"detail":{"sourceIPAddress":"10.0.0.255"}}`, true},
	{"cidr out", `{"detail":{"sourceIPAddress":[{"cidr":"10.0.0.0/24"}]}}`, `{"detail":{"sourceIPAddress":"10.0.1.1"}}`, false},
	{"cidr v6", `{"ip":[{"cidr":"2001:db8::/32"}]}`, `{"ip":"2001:db8::1"}`, true},
	{"cidr not ip", `{"ip":[{"cidr":"10.0.0.0/8"}]}`, `{"ip":"ten"}`, false},
	// Exists.
	{"exists true", `{"detail":{"state":[{"exists":true}]}}`, ec2, true},
	{"exists false", `{"detail":{"c-count":[{"exists":false}]}}`, ec2, true},
	{"exists false present", `{"detail":{"state":[{"exists":false}]}}`, ec2, false},
	{"exists on object", `{"detail":[{"exists":true}]}`, ec2, false},
	{"exists false object missing", `{"x":{"y":[{"exists":false}]}}`, ec2, true},
	{"exists null value", `{"a":[{"exists":true}]}`, `{"a":null}`, true},
	{"exists empty array", `{"a":[{"exists":true}]}`, `{"a":[]}`, false},
	// Empty, null, equals-ignore-case, wildcard.
	{"empty string", `{"LastName":[""]}`, `{"LastName":""}`, true},
	{"empty string vs absent", `{"LastName":[""]}`, `{}`, false},
	{"null", `{"UserID":[null]}`, `{"UserID":null}`, true},
	{"null vs absent", `{"UserID":[null]}`, `{}`, false},
	{"null vs string", `{"UserID":[null]}`, `{"UserID":"null"}`, false},
	{"equals ignore case", `{"Name":[{"equals-ignore-case":"alice"}]}`, `{"Name":"ALICE"}`, true},
	{"equals ignore case no", `{"Name":[{"equals-ignore-case":"alice"}]}`, `{"Name":"alicia"}`, false},
	{"wildcard dir png", `{"EventBusArn":[{"wildcard":"arn:aws:events:us-east-1:*:event-bus/*"}]}`, `{"EventBusArn":"arn:aws:events:us-east-1:123456789012:event-bus/default"}`, true},
	{"wildcard png", `{"FileName":[{"wildcard":"dir/*.png"}]}`, `{"FileName":"dir/a.png"}`, true},
	{"wildcard png other dir", `{"FileName":[{"wildcard":"dir/*.png"}]}`, `{"FileName":"other/a.png"}`, false},
	{"wildcard escaped star", `{"a":[{"wildcard":"a\\*b"}]}`, `{"a":"a*b"}`, true},
	{"wildcard escaped star literal", `{"a":[{"wildcard":"a\\*b"}]}`, `{"a":"axb"}`, false},
	{"wildcard no star", `{"a":[{"wildcard":"abc"}]}`, `{"a":"abc"}`, true},
	{"wildcard overlap", `{"a":[{"wildcard":"ab*ba"}]}`, `{"a":"aba"}`, false},
	{"wildcard middle", `{"a":[{"wildcard":"*x*y*"}]}`, `{"a":"1x2y3"}`, true},
	// Exact types.
	{"number exact", `{"Price":[100]}`, `{"Price":100}`, true},
	{"number exact float", `{"Price":[100]}`, `{"Price":100.0}`, true},
	{"number vs string", `{"Price":[100]}`, `{"Price":"100"}`, false},
	{"string vs number", `{"Price":["100"]}`, `{"Price":100}`, false},
	{"bool", `{"ok":[true]}`, `{"ok":true}`, true},
	{"bool false", `{"ok":[true]}`, `{"ok":false}`, false},
	{"unicode", `{"name":["日本語"]}`, `{"name":"日本語"}`, true},
	{"case sensitive", `{"Name":["Alice"]}`, `{"Name":"alice"}`, false},
	// $or.
	{"or fields", `{"$or":[{"Location":["New York"]},{"Day":["Monday"]}]}`, `{"Location":"Paris","Day":"Monday"}`, true},
	{"or none", `{"$or":[{"Location":["New York"]},{"Day":["Monday"]}]}`, `{"Location":"Paris","Day":"Tuesday"}`, false},
	{"or nested", `{"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},{"d-count":[{"numeric":["<",10]}]},{"x-limit":[{"numeric":[">",0,"<=",3.018e2]}]}]}}`, `{"detail":{"d-count":3}}`, true},
	{"or nested none", `{"detail":{"$or":[{"c-count":[{"numeric":[">",0,"<=",5]}]},{"d-count":[{"numeric":["<",10]}]}]}}`, `{"detail":{"d-count":30}}`, false},
	{"or with and", `{"source":["aws.ec2"],"$or":[{"region":["us-west-1"]},{"account":["0"]}]}`, ec2, true},
	{"or with and fails and", `{"source":["aws.s3"],"$or":[{"region":["us-west-1"]},{"account":["0"]}]}`, ec2, false},
	{"or inside or", `{"$or":[{"a":["1"]},{"$or":[{"b":["2"]},{"c":["3"]}]}]}`, `{"c":"3"}`, true},
	// Arrays in events.
	{"array event value", `{"tags":["blue"]}`, `{"tags":["red","blue"]}`, true},
	{"array event value no", `{"tags":["green"]}`, `{"tags":["red","blue"]}`, false},
	{"array of objects", `{"items":{"name":["b"]}}`, `{"items":[{"name":"a"},{"name":"b"}]}`, true},
	{"array of objects same element", `{"items":{"name":["a"],"qty":[2]}}`, `{"items":[{"name":"a","qty":1},{"name":"b","qty":2}]}`, false},
	{"array of objects one element", `{"items":{"name":["b"],"qty":[2]}}`, `{"items":[{"name":"a","qty":1},{"name":"b","qty":2}]}`, true},
	{"nested arrays", `{"a":[3]}`, `{"a":[[1,2],[3]]}`, true},
	{"numeric in array", `{"a":[{"numeric":[">",10]}]}`, `{"a":[1,20]}`, true},
	{"object where leaf expected", `{"detail":["x"]}`, `{"detail":{"x":1}}`, false},
	{"leaf where object expected", `{"detail":{"x":["1"]}}`, `{"detail":"x"}`, false},
	{"deep nesting", `{"a":{"b":{"c":{"d":{"e":["f"]}}}}}`, `{"a":{"b":{"c":{"d":{"e":"f"}}}}}`, true},
	{"mixed or exists", `{"a":[{"exists":false},"x"]}`, `{"a":"x"}`, true},
	{"mixed or exists absent", `{"a":[{"exists":false},"x"]}`, `{}`, true},
	{"mixed or exists other", `{"a":[{"exists":false},"x"]}`, `{"a":"y"}`, false},
	{"keys with dots", `{"a.b":["c"]}`, `{"a.b":"c","a":{"b":"d"}}`, true},
}

func TestMatch(t *testing.T) {
	for _, tc := range matchCases {
		t.Run(tc.name, func(t *testing.T) {
			set, err := Compile([]Pattern{{ID: "p", JSON: tc.pattern}})
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			got, err := set.Match([]byte(tc.event))
			if err != nil {
				t.Fatalf("Match: %v", err)
			}
			if (len(got) == 1) != tc.want {
				t.Fatalf("pattern %s event %s: matched %v, want %v", tc.pattern, tc.event, got, tc.want)
			}
		})
	}
}

// TestSetSameAsEach compiles every case's pattern into one set and checks
// the set answers, for every case's event, exactly the patterns that match
// it one by one: the index never loses a match nor adds one.
func TestSetSameAsEach(t *testing.T) {
	var pats []Pattern
	for _, tc := range matchCases {
		pats = append(pats, Pattern{ID: tc.name, JSON: tc.pattern})
	}
	set, err := Compile(pats)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range matchCases {
		ev, err := ParseEvent([]byte(tc.event))
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, p := range pats {
			one, _ := Compile([]Pattern{p})
			if len(one.MatchEvent(ev)) == 1 {
				want = append(want, p.ID)
			}
		}
		got := set.MatchEvent(ev)
		if len(got) != len(want) {
			t.Fatalf("event %s: set %v, one by one %v", tc.event, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("event %s: set %v, one by one %v", tc.event, got, want)
			}
		}
	}
}

func TestInvalid(t *testing.T) {
	for _, p := range []string{
		``, `[]`, `"x"`, `{}`, `{"a":"b"}`, `{"a":[]}`, `{"a":{}}`, `{"a":[["x"]]}`, `{"a":[{"prefix":1}]}`,
		`{"a":[{"bogus":"x"}]}`, `{"a":[{"prefix":"a","suffix":"b"}]}`, `{"a":[{"numeric":[">"]}]}`,
		`{"a":[{"numeric":["=",1,"<",2]}]}`, `{"a":[{"numeric":[">",5,"<",1]}]}`, `{"a":[{"numeric":["!",1]}]}`,
		`{"a":[{"numeric":[">","1"]}]}`, `{"a":[{"exists":"yes"}]}`, `{"a":[{"cidr":"10.0.0.0/99"}]}`,
		`{"a":[{"anything-but":["x",1]}]}`, `{"a":[{"anything-but":[]}]}`, `{"a":[{"anything-but":null}]}`,
		`{"a":[{"anything-but":{"exists":true}}]}`, `{"a":[{"wildcard":"a**b"}]}`, `{"a":[{"wildcard":"a\\b"}]}`,
		`{"$or":[{"a":["1"]}]}`, `{"$or":{"a":["1"]}}`, `{"a":["x"]} x`, `{"a":[{"equals-ignore-case":3}]}`,
	} {
		err := Validate(p)
		var pe *Error
		if !errors.As(err, &pe) || pe.Reason == "" {
			t.Errorf("Validate(%s) = %v, want an *Error", p, err)
		}
	}
}

func TestCompileNamesPattern(t *testing.T) {
	_, err := Compile([]Pattern{{ID: "ok", JSON: `{"a":["b"]}`}, {ID: "bad", JSON: `{"a":"b"}`}})
	var pe *Error
	if !errors.As(err, &pe) || pe.ID != "bad" {
		t.Fatalf("err = %v, want an *Error for bad", err)
	}
}
