package sam

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// propertiesFloor is how many generated resources of the waves 1-2 corpus must carry exactly
// the properties and resource attributes AWS's translator gives them (deployment hashes and ${AWS::Partition} aside).
// Raise it as the transform gets closer.
const propertiesFloor = 1545

// sectionsFloor is how many templates get AWS's Outputs and Conditions sections exactly.
const sectionsFloor = 263

var deploymentRef = regexp.MustCompile(`Deployment[0-9a-f]{10}`)

// comparable normalises a resource for the comparison: the partition is literal in the corpus,
// and deployment IDs hash the document differently.
func comparable(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), "${AWS::Partition}", "aws")
	s = deploymentRef.ReplaceAllString(s, "Deployment")
	var out any
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(out)
	return string(b)
}

func TestConformanceProperties(t *testing.T) {
	corpus := corpusDir(t)
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not available for check.py")
	}
	list, err := exec.Command("python3", filepath.Join(corpus, "check.py"), corpus, "--list", "--wave", "2").Output()
	if err != nil {
		t.Fatalf("check.py --list: %v", err)
	}
	total, same, sections, cases := 0, 0, 0, 0
	off := map[string][]string{}
	for _, name := range strings.Fields(string(list)) {
		data, err := os.ReadFile(filepath.Join(corpus, "input", name+".yaml"))
		if err != nil {
			t.Fatal(err)
		}
		tmpl, err := loadYAML(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := Transform(tmpl, testOptions())
		if err != nil {
			continue // counted by TestConformance
		}
		wb, err := os.ReadFile(filepath.Join(corpus, "output", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]any
		if err := json.Unmarshal(wb, &want); err != nil {
			t.Fatal(err)
		}
		cases++
		if comparable(t, map[string]any{"o": got["Outputs"], "c": got["Conditions"]}) ==
			comparable(t, map[string]any{"o": want["Outputs"], "c": want["Conditions"]}) {
			sections++
		}
		gotRes, _ := got["Resources"].(map[string]any)
		for id, w := range want["Resources"].(map[string]any) {
			typ, _ := w.(map[string]any)["Type"].(string)
			if typ == "AWS::ApiGateway::Deployment" {
				continue
			}
			total++
			g, ok := gotRes[id].(map[string]any)
			if ok && comparable(t, attributes(g)) == comparable(t, attributes(w.(map[string]any))) {
				same++
				continue
			}
			off[typ] = append(off[typ], name+":"+id)
		}
	}
	t.Logf("properties: %d of %d generated resources as AWS generates them", same, total)
	t.Logf("sections: Outputs and Conditions as AWS's in %d of %d templates", sections, cases)
	if sections < sectionsFloor {
		t.Errorf("sections: %d templates with AWS's Outputs and Conditions, below the floor %d", sections, sectionsFloor)
	}
	types := make([]string, 0, len(off))
	for typ := range off {
		types = append(types, typ)
	}
	sort.Strings(types)
	for _, typ := range types {
		t.Logf("  %s: %d differ, e.g. %s", typ, len(off[typ]), off[typ][0])
	}
	if same < propertiesFloor {
		t.Errorf("properties: %d resources as AWS generates them, below the floor %d", same, propertiesFloor)
	}
}

// attributes is what the comparison looks at: properties and resource attributes (DependsOn
// as a set).
func attributes(r map[string]any) map[string]any {
	out := map[string]any{"Properties": r["Properties"]}
	for _, k := range []string{"Condition", "DeletionPolicy", "UpdateReplacePolicy"} {
		if v, ok := r[k]; ok {
			out[k] = v
		}
	}
	switch d := r["DependsOn"].(type) {
	case string:
		out["DependsOn"] = []string{d}
	case []any:
		var s []string
		for _, e := range d {
			s = append(s, fmt.Sprint(e))
		}
		sort.Strings(s)
		out["DependsOn"] = s
	}
	return out
}
