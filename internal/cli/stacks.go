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
		Use:   "stacks [STACK]",
		Short: "List the stacks; with a name, one stack's resources and deployments",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				return showStack(cmd, newAdminClient(endpoint), args[0])
			}
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

// showStack prints one stack: its resources, then every deployment recorded.
func showStack(cmd *cobra.Command, c *adminClient, name string) error {
	ctx := cmd.Context()
	var st stacks.StackState
	if err := c.call(ctx, "DescribeStack", stacks.StackRequest{Stack: name}, &st); err != nil {
		return err
	}
	var history []stacks.StackState
	if err := c.call(ctx, "History", stacks.StackRequest{Stack: name}, &history); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "Stack %s (%s): %s, deployment %d\n", st.Name, st.Class, st.Status, st.Version)
	if st.Reason != "" {
		fmt.Fprintf(out, "  %s\n", st.Reason)
	}
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RESOURCE\tTYPE\tPHYSICAL ID")
	for _, id := range sortedNames(st.Resources) {
		r := st.Resources[id]
		fmt.Fprintf(tw, "%s\t%s\t%s\n", id, r.Type, r.PhysicalID)
	}
	tw.Flush()
	fmt.Fprintln(out)
	tw = tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DEPLOYMENT\tSTATUS\tRESOURCES\tFINISHED\tREASON")
	for _, h := range history {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\n", h.Version, h.Status, len(h.Resources), h.Updated.Local().Format(time.DateTime), h.Reason)
	}
	return tw.Flush()
}
