package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/nubo-run/nubo/internal/stacks"
)

func newStacksCmd() *cobra.Command {
	var endpoint string
	cmd := &cobra.Command{
		Use:   "stacks",
		Short: "List the stacks with their class, status and deployment",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var list []stacks.StackSummary
			if err := newAdminClient(endpoint).call(cmd.Context(), "ListStacks", struct{}{}, &list); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(list) == 0 {
				fmt.Fprintln(out, "No stacks. Deploy one with `nubo deploy TEMPLATE`.")
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "STACK\tCLASS\tSTATUS\tDEPLOYMENT\tRESOURCES\tUPDATED")
			for _, s := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\n", s.Name, s.Class, s.Status, s.Version, s.Resources, s.Updated.Local().Format(time.DateTime))
			}
			tw.Flush()
			for _, s := range list {
				if s.Hint != "" {
					fmt.Fprintf(out, "\n%s: %s\n", s.Name, s.Hint)
				}
				if s.Reason != "" && s.Hint == "" {
					fmt.Fprintf(out, "\n%s: %s\n", s.Name, s.Reason)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "nubo server (default $NUBO_ENDPOINT)")
	return cmd
}
