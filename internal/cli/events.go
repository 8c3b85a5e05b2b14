package cli

import (
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/nubo-run/nubo/internal/stacks"
)

func newEventsCmd() *cobra.Command {
	var endpoint string
	cmd := &cobra.Command{
		Use:   "events STACK",
		Short: "Replay a stack's deployment events, oldest first",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var evs []stacks.Event
			if err := newAdminClient(endpoint).call(cmd.Context(), "Events", stacks.StackRequest{Stack: args[0]}, &evs); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if len(evs) == 0 {
				fmt.Fprintf(out, "No events for stack %s.\n", args[0])
				return nil
			}
			for _, ev := range evs {
				line := fmt.Sprintf("%s  #%-3d %-28s %-22s %s", ev.Time.Local().Format("2006-01-02 15:04:05.000"), ev.Deployment, ev.Status, ev.LogicalID, ev.Type)
				if ev.PhysicalID != "" && ev.Type != stacks.StackType {
					line += " " + ev.PhysicalID
				}
				if ev.Elapsed > 0 {
					line += fmt.Sprintf(" (%s)", roundDuration(ev.Elapsed))
				}
				if ev.Reason != "" {
					line += "  " + ev.Reason
				}
				fmt.Fprintln(out, line)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "nubo server (default $NUBO_ENDPOINT)")
	return cmd
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
