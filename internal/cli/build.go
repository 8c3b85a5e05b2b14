package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newBuildCmd() *cobra.Command {
	var f templateFlags
	cmd := &cobra.Command{
		Use:   "build TEMPLATE",
		Short: "Build a template's functions and layers as sam build does, without deploying",
		Long: `build does what 'sam build' does for every function and layer of a template:
Python requirements.txt (pip), Node.js package.json (npm), BuildMethod esbuild,
makefile and go1.x. Builds run on the server (which shares this machine's
files), in parallel, and are cached by their inputs: plan and deploy reuse
them, and an unchanged source never builds again. It prints one line per build.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, plan, err := f.plan(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, b := range plan.Builds {
				fmt.Fprintln(out, b)
			}
			if len(plan.Builds) == 0 {
				fmt.Fprintln(out, "Nothing to build: every function and layer package is up to date.")
			}
			return nil
		},
	}
	f.register(cmd)
	return cmd
}
