package functions

import (
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/stacks"
)

// TestFunctionSchemaAcceptsNewProperties: Lambda's newer properties with no
// local meaning validate, and those a user may rely on are warned about.
func TestFunctionSchemaAcceptsNewProperties(t *testing.T) {
	props := stacks.Props{
		"Code": map[string]any{"ZipFile": "x"}, "Role": "arn:aws:iam::000000000000:role/r",
		"DurableConfig":            map[string]any{"ExecutionTimeout": float64(900)},
		"CapacityProviderConfig":   map[string]any{"LambdaManagedInstancesCapacityProviderConfig": map[string]any{}},
		"FunctionScalingConfig":    map[string]any{"MinExecutionEnvironments": float64(1)},
		"TenancyConfig":            map[string]any{"TenantIsolationMode": "PER_TENANT"},
		"RecursiveLoop":            "Allow",
		"PublishToLatestPublished": true,
		"FileSystemConfigs":        []any{map[string]any{"Arn": "arn:aws:elasticfilesystem:us-east-1:000000000000:access-point/fsap-1", "LocalMountPath": "/mnt/efs"}},
		"SnapStart":                map[string]any{"ApplyOn": "None"},
	}
	if errs := (&FunctionProvider{}).Schema().Validate(props); len(errs) > 0 {
		t.Fatalf("refused: %v", errs)
	}
	w := strings.Join(unhonouredProps(props), "\n")
	for _, name := range []string{"DurableConfig", "CapacityProviderConfig", "FunctionScalingConfig", "TenancyConfig", "FileSystemConfigs"} {
		if !strings.Contains(w, name+" is accepted but has no effect here") {
			t.Errorf("no warning for %s:\n%s", name, w)
		}
	}
	if strings.Contains(w, "SnapStart") || strings.Contains(w, "RecursiveLoop") {
		t.Errorf("a warning for what changes nothing here:\n%s", w)
	}
}
