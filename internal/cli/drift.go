package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/nubo-run/nubo/internal/stacks"
)

// driftExitCode is nubo drift's exit status when the stack has drifted.
const driftExitCode = 2

func newDriftCmd() *cobra.Command {
	var endpoint string
	cmd := &cobra.Command{
		Use:   "drift STACK",
		Short: "Compare each resource's live state with what the stack recorded",
		Long: `Compare each resource's live state with what the stack recorded.

Exit status, for scripts and CI (as terraform plan -detailed-exitcode):
  0  the stack is in sync
  1  an error: the drift could not be checked
  2  the stack has drifted (a resource modified or deleted outside nubo)`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var rep stacks.DriftReport
			if err := newAdminClient(endpoint).call(cmd.Context(), "Drift", stacks.StackRequest{Stack: args[0]}, &rep); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Stack %s: %s\n", rep.Stack, rep.Status)
			for _, r := range rep.Resources {
				fmt.Fprintf(out, "\n  %-11s %s (%s) %s", r.Status, r.LogicalID, r.Type, r.PhysicalID)
				if r.Reason != "" {
					fmt.Fprintf(out, "  %s", r.Reason)
				}
				fmt.Fprintln(out)
				for _, p := range r.Props {
					switch p.Op {
					case "+":
						fmt.Fprintf(out, "      + %s: %s (live only)\n", p.Path, p.New)
					case "-":
						fmt.Fprintf(out, "      - %s: %s (gone from the live resource)\n", p.Path, p.Old)
					default:
						fmt.Fprintf(out, "      ~ %s: %s (recorded) -> %s (live)\n", p.Path, p.Old, p.New)
					}
				}
			}
			if rep.Status != stacks.DriftInSync {
				return &exitError{code: driftExitCode, err: fmt.Errorf("stack %s has drifted from its recorded state", rep.Stack)}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "nubo server (default $NUBO_ENDPOINT)")
	return cmd
}
