package events

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// guideEvent is the input transformation page's example event.
const guideEvent = `{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012","time":"2015-11-11T21:29:54Z","region":"us-east-1","resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],"detail":{"instance-id":"i-0123456789","state":"RUNNING"}}`

var guidePaths = map[string]string{
	"timestamp": "$.time",
	"instance":  "$.detail.instance-id",
	"state":     "$.detail.state",
	"resource":  "$.resources[0]",
}

func guideDelivery() delivery {
	return delivery{event: []byte(guideEvent), ruleARN: "arn:aws:events:us-east-2:123456789012:rule/example", ruleName: "example",
		ingestion: time.Date(2015, 11, 11, 21, 29, 55, 0, time.UTC)}
}

// TestInputTransformerGuide checks the user guide's input transform
// examples (template → output), then edge cases.
func TestInputTransformerGuide(t *testing.T) {
	for _, tc := range []struct{ name, template, want string }{
		{"simple string", `"instance <instance> is in <state>"`, `"instance i-0123456789 is in RUNNING"`},
		{"string with escaped quotes", `"instance \"<instance>\" is in <state>"`, `"instance \"i-0123456789\" is in RUNNING"`},
		{"simple JSON", `{"instance" : <instance>, "state": <state>}`, `{"instance" : "i-0123456789", "state": "RUNNING"}`},
		{"JSON with strings and variables", `{"instance" : <instance>, "state": "<state>", "instanceStatus": "instance \"<instance>\" is in <state>"}`,
			`{"instance" : "i-0123456789", "state": "RUNNING", "instanceStatus": "instance \"i-0123456789\" is in RUNNING"}`},
		{"JSON with a mix", `{"instance" : <instance>, "state": [ 9, <state>, true ], "Transformed" : "Yes"}`,
			`{"instance" : "i-0123456789", "state": [ 9, "RUNNING", true ], "Transformed" : "Yes"}`},
		{"reserved variables in JSON", `{"ruleArn" : <aws.events.rule-arn>, "ruleName" : <aws.events.rule-name>, "originalEvent" : <aws.events.event.json>}`,
			`{"ruleArn" : "arn:aws:events:us-east-2:123456789012:rule/example", "ruleName" : "example", "originalEvent" : ` + guideEvent + `}`},
		{"reserved variable in a string", `"<aws.events.rule-name> triggered"`, `"example triggered"`},
		{"array index", `{"r": <resource>}`, `{"r": "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"}`},
		{"ingestion time", `"<aws.events.event.ingestion-time>"`, `"2015-11-11T21:29:55Z"`},
		{"missing path in JSON", `{"x": <missing>}`, `{"x": null}`},
		{"missing path in a string", `"x<missing>y"`, `"xy"`},
		{"unknown placeholder stays", `"a <b> c"`, `"a <b> c"`},
		{"plain text", `instance <instance> is in <state>`, `instance i-0123456789 is in RUNNING`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			paths := map[string]string{"missing": "$.detail.nope"}
			for k, v := range guidePaths {
				paths[k] = v
			}
			got, err := transform(&InputTransformer{InputPathsMap: paths, InputTemplate: tc.template}, guideDelivery())
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("template %s\n got %s\nwant %s", tc.template, got, tc.want)
			}
		})
	}
}

func TestEventWithoutDetail(t *testing.T) {
	got, err := transform(&InputTransformer{InputTemplate: `{"e": <aws.events.event>}`}, guideDelivery())
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ E map[string]any }
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatalf("%s: %v", got, err)
	}
	if _, ok := v.E["detail"]; ok || v.E["source"] != "aws.ec2" {
		t.Errorf("<aws.events.event> = %v, want the event without detail", v.E)
	}
}

func TestInputAndInputPath(t *testing.T) {
	d := guideDelivery()
	for _, tc := range []struct {
		target Target
		want   string
	}{
		{Target{}, guideEvent},
		{Target{Input: `{"fixed":true}`}, `{"fixed":true}`},
		{Target{InputPath: "$.detail"}, `{"instance-id":"i-0123456789","state":"RUNNING"}`},
		{Target{InputPath: "$.detail.state"}, `"RUNNING"`},
		{Target{InputPath: "$['detail']['instance-id']"}, `"i-0123456789"`},
		{Target{InputPath: "$.nothing"}, `null`},
	} {
		got, err := input(&tc.target, d)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("%+v: got %s want %s", tc.target, got, tc.want)
		}
	}
}

func TestInvalidPaths(t *testing.T) {
	for _, p := range []string{"", "detail", "$.", "$..a", "$[", "$[x]", "$[-1]", "$a"} {
		if _, err := parsePath(p); err == nil {
			t.Errorf("parsePath(%q) accepted", p)
		}
	}
}

// FuzzTransform: any template and path over any event neither panics nor
// turns a JSON template with a string variable into invalid JSON.
func FuzzTransform(f *testing.F) {
	f.Add(`{"a": <v>, "b": "<v> x"}`, "$.detail.state", guideEvent)
	f.Add(`"<v>"`, "$.resources[0]", guideEvent)
	f.Add(`<v>`, "$['detail']", `{"detail":"a\"b<c>"}`)
	f.Fuzz(func(t *testing.T, template, path, event string) {
		if !json.Valid([]byte(event)) {
			return
		}
		tr := &InputTransformer{InputPathsMap: map[string]string{"v": path}, InputTemplate: template}
		if checkTransformer(tr) != nil {
			return
		}
		out, err := transform(tr, delivery{event: []byte(event)})
		if err != nil {
			return
		}
		if template == `{"a": <v>, "b": "<v>"}` && !json.Valid(out) {
			t.Fatalf("invalid JSON %s", out)
		}
		_ = strings.TrimSpace(string(out))
	})
}
