package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/nubo-run/nubo/internal/stacks"
)

func newOutputsCmd() *cobra.Command {
	var endpoint string
	cmd := &cobra.Command{
		Use:   "outputs STACK [OUTPUT]",
		Short: "Print a stack's outputs (and the exports they declare), or one output's value",
		Long: `outputs prints a stack's outputs as a table. With an output name it prints
only that output's value, for scripts: FN=$(nubo outputs course ListCoursesFunctionName)`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			var st stacks.StackState
			if err := newAdminClient(endpoint).call(cmd.Context(), "DescribeStack", stacks.StackRequest{Stack: args[0]}, &st); err != nil {
				return err
			}
			if len(args) == 2 {
				o, ok := st.Outputs[args[1]]
				if !ok {
					return fmt.Errorf("stack %s has no output %q (it has: %s)", args[0], args[1], strings.Join(sortedNames(st.Outputs), ", "))
				}
				fmt.Fprintln(cmd.OutOrStdout(), o.Value)
				return nil
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
