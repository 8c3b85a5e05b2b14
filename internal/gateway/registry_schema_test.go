package gateway

import (
	"encoding/json"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// TestLongTailSchemasMatchRegistry compares the schemas of the long-tail
// providers with the CloudFormation registry schemas cfn-lint ships: the
// same properties, required ones, create-only ones and read-only ones.
func TestLongTailSchemasMatchRegistry(t *testing.T) {
	types := append(append([]string(nil), longTailTypes...), "AWS::ApiGatewayV2::Api")
	script := `
import json, sys
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m
out = {}
for t in sys.argv[1:]:
    s = m.get_resource_schema("us-east-1", t).schema
    strip = lambda l: sorted(p.split("/")[-1] for p in (l or []) if p.count("/") == 2)
    out[t] = {"properties": sorted(s["properties"]), "required": sorted(s.get("required", [])),
              "createOnly": strip(s.get("createOnlyProperties")), "readOnly": strip(s.get("readOnlyProperties"))}
print(json.dumps(out))
`
	b, err := exec.Command("python3", append([]string{"-c", script}, types...)...).Output()
	if err != nil {
		t.Skipf("cfn-lint's registry schemas not readable here (python3 with cfnlint): %v", err)
	}
	var reg map[string]struct{ Properties, Required, CreateOnly, ReadOnly []string }
	if err := json.Unmarshal(b, &reg); err != nil {
		t.Fatal(err)
	}
	e := newResEnv(t)
	for _, typ := range types {
		s := e.byType[typ].Schema()
		var props, req, co, ro []string
		for name, p := range s.Properties {
			props = append(props, name)
			if p.Required {
				req = append(req, name)
			}
			if p.CreateOnly {
				co = append(co, name)
			}
			if p.ReadOnly {
				ro = append(ro, name)
			}
		}
		r := reg[typ]
		for _, c := range []struct {
			what      string
			got, want []string
		}{{"properties", props, r.Properties}, {"required", req, r.Required}, {"createOnly", co, r.CreateOnly}, {"readOnly", ro, r.ReadOnly}} {
			sort.Strings(c.got)
			if strings.Join(c.got, ",") != strings.Join(c.want, ",") {
				t.Errorf("%s %s: nubo %v, registry %v", typ, c.what, c.got, c.want)
			}
		}
	}
}
