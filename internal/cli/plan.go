package cli

import (
	"context"
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
			req, plan, err := f.plan(cmd.Context(), args[0])
			if err != nil {
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

// plan asks the server to plan the template at path with the flags' stack
// and parameters (which packages, so builds, its functions).
func (f *templateFlags) plan(ctx context.Context, path string) (stacks.PlanRequest, *stacks.Plan, error) {
	req, err := f.request(path)
	if err != nil {
		return req, nil, err
	}
	var plan stacks.Plan
	if err := f.client().call(ctx, "Plan", req, &plan); err != nil {
		return req, nil, err
	}
	return req, &plan, nil
}
