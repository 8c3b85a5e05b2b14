package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/nubo-run/nubo/internal/stacks"
)

func newExportsCmd() *cobra.Command {
	var endpoint string
	cmd := &cobra.Command{
		Use:   "exports",
		Short: "List the exports of every stack with the stacks that import them",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var list []stacks.ExportInfo
			if err := newAdminClient(endpoint).call(cmd.Context(), "ListExports", struct{}{}, &list); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(list) == 0 {
				fmt.Fprintln(out, "No exports.")
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "EXPORT\tVALUE\tSTACK\tIMPORTED BY")
			for _, x := range list {
				imp := strings.Join(x.Importers, ", ")
				if imp == "" {
					imp = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", x.Name, x.Value, x.Stack, imp)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "nubo server (default $NUBO_ENDPOINT)")
	return cmd
}
