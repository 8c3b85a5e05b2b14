package functions

import (
	"testing"
	"time"

	"github.com/nubo-run/nubo/internal/stacks"
)

// TestFunctionPropertiesDecode: AWS::Lambda::Function's and
// ::EventInvokeConfig's properties are read through stacks.Decode, with
// CloudFormation's coercions (parameters' strings as numbers, numbers as
// strings) and errors naming the property.
func TestFunctionPropertiesDecode(t *testing.T) {
	c, reserved, err := configOf("fn", stacks.Props{
		"Runtime": "python3.12", "Handler": "app.handler", "MemorySize": "256", "Timeout": float64(30),
		"Environment":   map[string]any{"Variables": map[string]any{"PORT": float64(8080), "MODE": "prod"}},
		"Architectures": []any{"arm64"}, "LoggingConfig": map[string]any{"LogGroup": "/app/logs"},
		"Tags": []any{map[string]any{"Key": "team", "Value": "web"}}, "Layers": []any{"arn:aws:lambda:us-east-1:000000000000:layer:l:1"},
		"ReservedConcurrentExecutions": "5",
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.MemoryMB != 256 || c.Timeout != 30*time.Second || c.Environment["PORT"] != "8080" || c.Architecture != "arm64" ||
		c.LogGroup != "/app/logs" || c.Tags["team"] != "web" || len(c.Layers) != 1 || reserved == nil || *reserved != 5 {
		t.Fatalf("config %+v, reserved %v", c, reserved)
	}
	if _, r, err := configOf("fn", stacks.Props{"Runtime": "python3.12"}); err != nil || r != nil {
		t.Fatalf("no reserved concurrency: %v %v", r, err)
	}
	for props, want := range map[*stacks.Props]string{
		{"Timeout": float64(1.5)}:                                "property Timeout: 1.5 is not a whole number",
		{"MemorySize": "lots"}:                                   `property MemorySize: want a Integer, got "lots"`,
		{"Tags": []any{map[string]any{"Value": "v"}}}:            "Tags[0]: Key is required",
		{"Environment": map[string]any{"Variables": []any{"x"}}}: "property Environment.Variables: want a Map, got a List",
		{"PackageType": "Image"}:                                 "PackageType: Image functions are not supported yet",
	} {
		if _, _, err := configOf("fn", *props); err == nil || err.Error() != want {
			t.Errorf("configOf(%v) = %v, want %q", *props, err, want)
		}
	}

	name, ec, err := eventConfigOf(stacks.Props{"FunctionName": "arn:aws:lambda:us-east-1:000000000000:function:fn", "Qualifier": "$LATEST",
		"MaximumRetryAttempts": "1", "DestinationConfig": map[string]any{"OnFailure": map[string]any{"Destination": "arn:aws:sqs:us-east-1:000000000000:dlq"}}})
	if err != nil || name != "fn:$LATEST" || ec.MaximumRetryAttempts == nil || *ec.MaximumRetryAttempts != 1 ||
		ec.MaximumEventAgeInSeconds != nil || ec.OnFailure != "arn:aws:sqs:us-east-1:000000000000:dlq" || ec.OnSuccess != "" {
		t.Fatalf("event config %q %+v %v", name, ec, err)
	}
}
