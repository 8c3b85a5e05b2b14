package platform

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/nubo-run/nubo/internal/stacks"
)

// TestForEachIncludeStack deploys a SAM template whose functions are made
// by Fn::ForEach over a CommaDelimitedList parameter and whose Globals and
// Mappings come from AWS::Include snippets: every function the loop makes
// answers an invoke with its own environment, and a second deploy with
// another list adds and removes functions.
func TestForEachIncludeStack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	lc := lambdaClientFor("http://" + p.EdgeAddr())
	dir := copyDir(t, "testdata/foreach-stack")

	plan, res := deployStack(t, p, dir, nil)
	if add, _, _, _ := plan.Counts(); add != 6 {
		t.Errorf("plan adds %d resources, want 3 functions and their 3 roles", add)
	}
	if res.Outputs["Count"] != "3" {
		t.Errorf("Count output = %q, want 3 (Fn::Length of the list)", res.Outputs["Count"])
	}
	want := map[string]string{"Hello": "English", "Bonjour": "French", "Hallo": "unknown"}
	for greeting, lang := range want {
		name := res.Outputs[greeting+"FunctionName"]
		if name == "" {
			t.Fatalf("no output %sFunctionName in %v", greeting, res.Outputs)
		}
		var got struct{ Message, Language, All string }
		out := invokeString(t, lc, name, `{"name":"nubo"}`)
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%s answered %s: %v", name, out, err)
		}
		if got.Message != greeting+", nubo" || got.Language != lang || got.All != `{"Greetings":["Hello","Bonjour","Hallo"]}` {
			t.Errorf("%s answered %+v", name, got)
		}
		cfg, err := lc.GetFunctionConfiguration(context.Background(), &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(cfg.Timeout) != 10 || aws.ToInt32(cfg.MemorySize) != 128 || cfg.Runtime != "python3.12" {
			t.Errorf("%s: Timeout %d MemorySize %d Runtime %s, want the included Globals 10, 128, python3.12", name, aws.ToInt32(cfg.Timeout), aws.ToInt32(cfg.MemorySize), cfg.Runtime)
		}
	}

	// Another list: the loop's functions follow it.
	plan, res = deployStack(t, p, dir, map[string]string{"Greetings": "Hello,Ciao"})
	add, _, _, del := plan.Counts()
	if add != 2 || del != 4 {
		t.Errorf("second plan adds %d and deletes %d, want 2 and 4 (Ciao in, Bonjour and Hallo out)", add, del)
	}
	if got := invokeString(t, lc, res.Outputs["CiaoFunctionName"], `{}`); !json.Valid([]byte(got)) || !strings.Contains(got, `"Ciao, world"`) {
		t.Errorf("CiaoFunction answered %s", got)
	}
	if _, err := p.Stacks.Destroy(context.Background(), stacks.DestroyRequest{Stack: "hello"}, nil); err != nil {
		t.Fatal(err)
	}
}
