package tables

import (
	"encoding/json"
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// TestTableSchemaMatchesRegistry compares AWS::DynamoDB::Table's schema with
// the CloudFormation registry schema cfn-lint ships. nubo adds KeySchema and
// LocalSecondaryIndexes to the create-only properties: CloudFormation
// replaces a table when they change (its documentation's "Update requires:
// Replacement"), though the registry schema does not list them.
func TestTableSchemaMatchesRegistry(t *testing.T) {
	script := `
import json
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER as m
s = m.get_resource_schema("us-east-1", "AWS::DynamoDB::Table").schema
strip = lambda l: sorted(p.split("/")[-1] for p in (l or []) if p.count("/") == 2)
print(json.dumps({"properties": sorted(s["properties"]), "required": sorted(s.get("required", [])),
    "createOnly": sorted(strip(s.get("createOnlyProperties")) + ["KeySchema", "LocalSecondaryIndexes"]), "readOnly": strip(s.get("readOnlyProperties"))}))
`
	b, err := exec.Command("python3", "-c", script).Output()
	if err != nil {
		t.Skipf("cfn-lint's registry schemas not readable here (python3 with cfnlint): %v", err)
	}
	var reg struct{ Properties, Required, CreateOnly, ReadOnly []string }
	if err := json.Unmarshal(b, &reg); err != nil {
		t.Fatal(err)
	}
	var props, req, co, ro []string
	for name, p := range (&TableProvider{}).Schema().Properties {
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
	for _, c := range []struct {
		what      string
		got, want []string
	}{{"properties", props, reg.Properties}, {"required", req, reg.Required}, {"createOnly", co, reg.CreateOnly}, {"readOnly", ro, reg.ReadOnly}} {
		sort.Strings(c.got)
		if strings.Join(c.got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: nubo %v, registry %v", c.what, c.got, c.want)
		}
	}
}
