package platform

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestSSMAndLogsWithBoto3 runs boto3 (botocore's own parsing of shapes and
// error codes) through the SSM and Logs operations of issue 20.
func TestSSMAndLogsWithBoto3(t *testing.T) {
	if err := exec.Command("python3", "-c", "import boto3").Run(); err != nil {
		t.Skip("python3 with boto3 is not installed")
	}
	p := startPlatform(t, Options{})
	cmd := exec.Command("python3", "testdata/boto3/ssm_logs.py")
	cmd.Env = append(os.Environ(), "NUBO_URL=http://"+p.EdgeAddr(), "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "OK" {
		t.Fatalf("boto3: %v\n%s", err, out)
	}
}
