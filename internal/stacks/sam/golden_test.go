package sam

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "regenerate testdata/golden/*.json with aws-sam-translator (python3)")

// goldenResources are the generated resources whose properties must equal AWS's translator output
// (testdata/golden/NAME.json, produced from NAME.yaml by testdata/oracle.py).
var goldenResources = map[string][]string{
	"function": {"Hello", "HelloRole", "HelloUrl", "HelloUrlPublicPermissions", "HelloURLInvokeAllowPublicAccess", "Inline"},
	"apis": {"Rest", "RestRole", "RestGetItemPermissionProd", "RestAnyProxyPermissionProd", "RestExplicitPermissiondev",
		"ServerlessRestApi", "Http", "HttpPostPermission", "HttpOnMyHttpPermission", "ServerlessHttpApi",
		"ServerlessHttpApiApiGatewayDefaultStage", "MyHttpApi", "MyHttpApiv1Stage"},
	"policies": {"Templates", "TemplatesRole"},
	"invoke":   {"Worker", "WorkerRole", "WorkerEventInvokeConfig", "WorkerUrl"},
	"alias": {"Fn", "FnAliasliveD1", "FnVersionddd56939ed", "FnEventInvokeConfig", "FnGetPermissionProd", "FnHPermission",
		"FnPoll", "FnTick", "FnTickPermission", "FnUrl", "FnUrlPublicPermissions", "FnURLInvokeAllowPublicAccess",
		"ServerlessRestApi", "ServerlessHttpApi"},
	"streams": {"Fn", "FnRole", "FnChanges", "FnRecords", "FnJobs"},
	"hello":   {"HelloWorldFunction", "HelloWorldFunctionRole", "HelloWorldFunctionCatchAllPermissionProd", "ServerlessRestApi", "ServerlessRestApiProdStage"},
	"events": {"Worker", "WorkerRole", "WorkerFromQueue", "WorkerFromTopic", "WorkerFromTopicPermission", "WorkerEvery",
		"WorkerEveryPermission", "WorkerOnEvent", "WorkerOnEventPermission", "WorkerLater", "WorkerLaterRole",
		"Table", "Flow", "FlowRole", "FlowNightly", "FlowNightlyRole"},
}

func TestGolden(t *testing.T) {
	for name, ids := range goldenResources {
		t.Run(name, func(t *testing.T) {
			in := filepath.Join("testdata", "golden", name+".yaml")
			goldenPath := filepath.Join("testdata", "golden", name+".json")
			if *update {
				cmd := exec.Command("python3", filepath.Join("testdata", "oracle.py"), in)
				cmd.Env = append(os.Environ(), "AWS_DEFAULT_REGION=ap-southeast-1")
				out, err := cmd.Output()
				if err != nil {
					t.Fatalf("oracle: %v", err)
				}
				if err := os.WriteFile(goldenPath, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			tmpl, err := loadYAML(data)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Transform(tmpl, testOptions())
			if err != nil {
				t.Fatalf("Transform: %v", err)
			}
			var want map[string]any
			wb, err := os.ReadFile(goldenPath)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(wb, &want); err != nil {
				t.Fatal(err)
			}
			gotRes := normalizeJSON(t, got["Resources"]).(map[string]any)
			wantRes := normalizeJSON(t, want["Resources"]).(map[string]any)
			if d := cmp.Diff(normalizeJSON(t, want["Outputs"]), normalizeJSON(t, got["Outputs"])); d != "" {
				t.Errorf("Outputs (-aws +nubo):\n%s", d)
			}
			for _, id := range ids {
				w, ok := wantRes[id]
				if !ok {
					t.Fatalf("golden has no %s: regenerate with -update", id)
				}
				g, ok := gotRes[id]
				if !ok {
					t.Errorf("%s: not generated", id)
					continue
				}
				if d := cmp.Diff(w, g); d != "" {
					t.Errorf("%s (-aws +nubo):\n%s", id, d)
				}
			}
			// Every resource AWS generates exists with the same type (hashed deployment IDs by prefix).
			for id, w := range wantRes {
				typ := w.(map[string]any)["Type"]
				if typ == "AWS::ApiGateway::Deployment" || strings.HasSuffix(id, "Deployment") {
					continue
				}
				g, ok := gotRes[id].(map[string]any)
				if !ok || g["Type"] != typ {
					t.Errorf("%s: want a %v", id, typ)
				}
			}
			for id := range gotRes {
				if _, ok := wantRes[id]; !ok && !strings.Contains(id, "Deployment") {
					t.Errorf("%s: generated, AWS does not", id)
				}
			}
		})
	}
}

// normalizeJSON round-trips a value through JSON so numbers and maps compare like decoded JSON;
// deployment IDs lose their hash (AWS hashes Python's rendering of the document).
func normalizeJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	b = deploymentRef.ReplaceAll(b, []byte("Deployment"))
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
