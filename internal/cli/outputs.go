package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/nubo-run/nubo/internal/stacks"
)

func newOutputsCmd() *cobra.Command {
	var endpoint string
	cmd := &cobra.Command{
		Use:   "outputs STACK",
		Short: "Print a stack's outputs (and the exports they declare)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var st stacks.StackState
			if err := newAdminClient(endpoint).call(cmd.Context(), "DescribeStack", stacks.StackRequest{Stack: args[0]}, &st); err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "OUTPUT\tVALUE\tEXPORT")
			for _, k := range sortedNames(st.Outputs) {
				o := st.Outputs[k]
				fmt.Fprintf(tw, "%s\t%s\t%s\n", k, o.Value, o.Export)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "nubo server (default $NUBO_ENDPOINT)")
	return cmd
}
