package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/nubo-run/nubo/internal/stacks"
)

func newPlanCmd() *cobra.Command {
	var f templateFlags
	cmd := &cobra.Command{
		Use:   "plan TEMPLATE",
		Short: "Show what deploying a template would change, without changing anything",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := f.request(args[0])
			if err != nil {
				return err
			}
			var plan stacks.Plan
			if err := newAdminClient(f.endpoint).call(cmd.Context(), "Plan", req, &plan); err != nil {
				return err
			}
			plan.Render(cmd.OutOrStdout())
			if len(plan.Refusals) > 0 {
				return fmt.Errorf("stack %s: deploying this plan would be refused (see above)", req.Stack)
			}
			return nil
		},
	}
	f.register(cmd)
	return cmd
}
