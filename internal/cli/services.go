package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/platform"
)

func newServicesCmd() *cobra.Command {
	var asJSON, planned, markdown bool
	var missing string
	cmd := &cobra.Command{
		Use:   "services",
		Short: "Show which operations of each AWS API nubo implements",
		Long: `services prints, per AWS API nubo serves, how many of the operations of its
aws-sdk-go-v2 client nubo implements, as the operation tables declare them.
--missing NAME lists the operations of one API nubo does not implement yet;
--planned adds the APIs of coming services at 0. It reads nubo itself, not a
running server.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cov, err := servicesCoverage(planned)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if missing != "" {
				for _, c := range cov {
					if c.Service == missing || c.SDKID == missing {
						fmt.Fprintln(out, strings.Join(c.Missing, "\n"))
						return nil
					}
				}
				return fmt.Errorf("nubo has no API %q (see nubo services)", missing)
			}
			if markdown {
				writeServicesMarkdown(out, cov)
				return nil
			}
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(cov)
			}
			writeServices(out, cov)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the table as JSON, with every operation")
	cmd.Flags().BoolVar(&markdown, "markdown", false, "print the table as Markdown (docs/services.md is this output with --planned)")
	cmd.Flags().BoolVar(&planned, "planned", false, "also list the APIs of services nubo does not serve yet")
	cmd.Flags().StringVar(&missing, "missing", "", "list the operations of this API (signing name or SDK package) nubo does not implement")
	return cmd
}

// servicesCoverage builds (without starting) a platform to read its tables.
func servicesCoverage(planned bool) ([]awsapi.Coverage, error) {
	dir, err := os.MkdirTemp("", "nubo-services-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	p, err := platform.New(platform.Options{DataDir: dir})
	if err != nil {
		return nil, err
	}
	var cov []awsapi.Coverage
	var served []string
	for _, a := range p.APIs() {
		cov = append(cov, awsapi.CoverageOf(a))
		served = append(served, a.SDKID())
	}
	if planned {
		cov = append(cov, awsapi.PlannedServices(served)...)
	}
	return cov, nil
}

func writeServices(out io.Writer, cov []awsapi.Coverage) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "API\tSDK CLIENT\tIMPLEMENTED\tOF\tCOVERAGE\tNUBO'S OWN")
	for _, c := range cov {
		name := c.Service
		if name == "" {
			name = "-"
		}
		client, of, pct := "-", "-", "-"
		if c.SDKVersion != "" {
			client = c.SDKID + " " + c.SDKVersion
			of = fmt.Sprint(c.Total)
			pct = fmt.Sprintf("%d%%", 100*(len(c.Implemented)-len(c.Extra))/max(c.Total, 1))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", name, client, len(c.Implemented)-len(c.Extra), of, pct, strings.Join(c.Extra, " "))
	}
	_ = tw.Flush()
}

// writeServicesMarkdown is the coverage table of docs/services.md: one row
// per API, then per API the operations nubo implements.
func writeServicesMarkdown(out io.Writer, cov []awsapi.Coverage) {
	fmt.Fprintln(out, "| API | aws-sdk-go-v2 client | implemented | of | nubo's own operations |")
	fmt.Fprintln(out, "|---|---|---|---|---|")
	for _, c := range cov {
		name := c.Service
		if name == "" {
			name = "(not yet)"
		}
		client, of := "-", "-"
		if c.SDKVersion != "" {
			client, of = c.SDKID+" "+c.SDKVersion, fmt.Sprint(c.Total)
		}
		fmt.Fprintf(out, "| %s | %s | %d | %s | %s |\n", name, client, len(c.Implemented)-len(c.Extra), of, strings.Join(c.Extra, ", "))
	}
	for _, c := range cov {
		if c.Service == "" || len(c.Implemented) == 0 {
			continue
		}
		fmt.Fprintf(out, "\n### %s\n\n", c.Service)
		fmt.Fprintln(out, strings.Join(c.Implemented, ", "))
	}
}
