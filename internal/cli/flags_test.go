package cli

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra"
)

// deploy, plan and up take --allow-over-aws-limits into the plan request.
func TestAllowOverAWSLimitsFlag(t *testing.T) {
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "app.yaml")
	if err := os.WriteFile(tmpl, []byte("Resources: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{tmpl}, {"--allow-over-aws-limits", tmpl}} {
		var f templateFlags
		cmd := &cobra.Command{}
		f.register(cmd)
		fs := cmd.Flags()
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		req, err := f.request(fs.Arg(0))
		if err != nil {
			t.Fatal(err)
		}
		if want := len(args) == 2; req.AllowOverAWSLimits != want {
			t.Fatalf("%v: AllowOverAWSLimits %v, want %v", args, req.AllowOverAWSLimits, want)
		}
	}
	for _, cmd := range []string{"plan", "deploy", "up"} {
		c, _, err := newRoot(io.Discard, io.Discard).Find([]string{cmd})
		if err != nil || c.Flags().Lookup("allow-over-aws-limits") == nil {
			t.Errorf("%s has no --allow-over-aws-limits (%v)", cmd, err)
		}
	}
}
