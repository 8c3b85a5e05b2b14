package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/awsapi"
)

func TestServicesCoverage(t *testing.T) {
	var out bytes.Buffer
	cmd := newServicesCmd()
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	var cov []awsapi.Coverage
	if err := json.Unmarshal(out.Bytes(), &cov); err != nil {
		t.Fatal(err)
	}
	byName := map[string]awsapi.Coverage{}
	for _, c := range cov {
		byName[c.Service] = c
	}
	ssm := byName["ssm"]
	if !slices.Contains(ssm.Implemented, "GetParameter") || slices.Contains(ssm.Missing, "GetParameter") ||
		!slices.Contains(ssm.Missing, "SendCommand") || ssm.Total < 100 || ssm.SDKVersion == "" {
		t.Fatalf("ssm coverage: %+v", ssm)
	}
	if c := byName["sts"]; !slices.Contains(c.Implemented, "GetCallerIdentity") {
		t.Fatalf("sts coverage: %+v", c)
	}

	out.Reset()
	cmd = newServicesCmd()
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--missing", "ssm"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(strings.TrimSpace(out.String()), "\n"); len(lines) != len(ssm.Missing) || !slices.Contains(lines, "SendCommand") {
		t.Fatalf("--missing ssm printed %d lines, want %d", len(lines), len(ssm.Missing))
	}
	cmd = newServicesCmd()
	cmd.SetOut(&out)
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"--missing", "nosuch"})
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "nosuch") {
		t.Fatalf("unknown API: %v", err)
	}
}

// TestServicesDocIsCurrent keeps docs/services.md the output of
// `nubo services --planned --markdown` under its heading.
func TestServicesDocIsCurrent(t *testing.T) {
	cov, err := servicesCoverage(true)
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	writeServicesMarkdown(&table, cov)
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "services.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, table.Bytes()) {
		t.Fatalf("docs/services.md is not current: regenerate its table with\n  go run ./cmd/nubo services --planned --markdown\nwant:\n%s", table.String())
	}
}
