package platform

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestTablesWithBoto3 runs boto3's DynamoDB resource API (its conditions
// builder, Decimal numbers, batch writer, waiter) through nubo's tables.
func TestTablesWithBoto3(t *testing.T) {
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		t.Skip("python3 with boto3 is not installed")
	}
	p := startPlatform(t, Options{})
	cmd := exec.Command("python3", "testdata/boto3/tables.py")
	cmd.Env = append(os.Environ(), "NUBO_URL=http://"+p.EdgeAddr(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "OK" {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}
