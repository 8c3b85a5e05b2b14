package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

// Run executes the nubo command line and returns the process exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "nubo:", err)
		var ec exitCoder
		if errors.As(err, &ec) {
			return ec.ExitCode()
		}
		return 1
	}
	return 0
}

type exitCoder interface{ ExitCode() int }

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "nubo",
		Short: "Run serverless applications — functions, APIs, queues, stacks — on your own machine",
		Long: `nubo runs serverless applications on a laptop, a server or a cluster.

Functions written for AWS Lambda, SAM/CloudFormation templates and AWS SDK calls
run on it unchanged. Start a server with 'nubo serve', then talk to it with the
other verbs (they use NUBO_ENDPOINT, default http://127.0.0.1:4566) or with any
AWS SDK pointed at that endpoint.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		newServeCmd(),
		newInvokeCmd(),
		newLogsCmd(),
		newFunctionsCmd(),
		newDeployCmd(), newPlanCmd(), newDestroyCmd(), newStacksCmd(), newOutputsCmd(),
		newEventsCmd(), newDriftCmd(), newExportsCmd(), newUpCmd(), newIAMCmd(),
		newDoctorCmd(), newRuntimesCmd(), newBuildCmd(), newServicesCmd(), newResetCmd(),
	)
	return root
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// oneName accepts exactly one non-empty argument: an empty name (say, from a
// shell variable that was never set) is an error that says what is missing.
func oneName(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != 1 || strings.TrimSpace(args[0]) == "" {
			return fmt.Errorf("%s needs one %s, e.g. nubo %s NAME", cmd.Name(), what, cmd.Name())
		}
		return nil
	}
}
