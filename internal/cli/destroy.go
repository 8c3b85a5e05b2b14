package cli

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nubo-run/nubo/internal/stacks"
)

func newDestroyCmd() *cobra.Command {
	var yes, allowDataLoss bool
	var endpoint, region string
	cmd := &cobra.Command{
		Use:   "destroy STACK",
		Short: "Delete a stack and its resources (DeletionPolicy: Retain keeps them)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if !yes {
				fmt.Fprintf(out, "Destroy stack %s and its resources? Only 'yes' will be accepted: ", args[0])
				line, _ := bufio.NewReader(cmd.InOrStdin()).ReadString('\n')
				if strings.TrimSpace(line) != "yes" {
					return errors.New("destroy cancelled")
				}
			}
			start := time.Now()
			c := newAdminClient(endpoint)
			if region != "" {
				c.region = region
			}
			res, err := c.stream(cmd.Context(), "Destroy",
				stacks.DestroyRequest{Stack: args[0], AllowDataLoss: allowDataLoss},
				func(ev stacks.Event) { printEvent(out, ev, start) })
			if res != nil {
				fmt.Fprintf(out, "\nStack %s: %s in %s\n", args[0], res.Status, res.Elapsed.Round(time.Millisecond))
			}
			return err
		},
	}
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "destroy without asking")
	cmd.Flags().BoolVar(&allowDataLoss, "allow-data-loss", false, "let a stateful stack delete data-bearing resources")
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "nubo server (default $NUBO_ENDPOINT)")
	cmd.Flags().StringVar(&region, "region", "", "region of the stack (default $NUBO_REGION or us-east-1)")
	return cmd
}
