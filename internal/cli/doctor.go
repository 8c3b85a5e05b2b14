package cli

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/nubo-run/nubo/internal/runtimes"
)

func newDoctorCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "doctor",
		Short: "Tell which Lambda runtimes this machine can run, and on what",
		Long: `doctor lists every runtime identifier Lambda knows and what nubo would run it
on here: the exact interpreter version (exact), the nearest one with a warning
(substituted: 'nubo serve --strict-runtimes' refuses these), or none (missing),
and how to get what is missing. It runs on this machine, not through a server.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			writeDoctor(cmd.OutOrStdout())
			return nil
		},
	}
}

// writeDoctor prints one row per runtime identifier.
func writeDoctor(out io.Writer) {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUNTIME\tSTATE\tRUNS ON\tNOTE")
	for _, in := range runtimes.Catalog() {
		state, on, note := doctorRow(in)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", in.ID, state, on, note)
	}
	_ = tw.Flush()
}

func doctorRow(in runtimes.Info) (state, on, note string) {
	switch in.Status {
	case runtimes.StatusRetired:
		return "retired", "-", "Lambda refuses it for new or updated functions; so does nubo"
	case runtimes.StatusNotYet:
		return "not yet", "-", in.Note
	}
	switch in.Kind {
	case runtimes.KindProvided, runtimes.KindGo:
		state, on = "exact", "the function's own executable"
	default:
		r, err := runtimes.Resolve(in.ID)
		switch {
		case err != nil:
			return "missing", "-", err.Error()
		case r.Exact:
			state, on = "exact", fmt.Sprintf("%s (%s, %s)", r.Version, r.Path, r.Where)
		default:
			state, on, note = "substituted", fmt.Sprintf("%s (%s, %s)", r.Version, r.Path, r.Where), r.Hint()
		}
	}
	if in.Status == runtimes.StatusDeprecated {
		if note != "" {
			note += "; "
		}
		note += in.Note
	}
	return state, on, note
}

func newRuntimesCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "runtimes",
		Short: "Install the interpreters Lambda runtimes name (see nubo doctor)",
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "install RUNTIME...",
		Short: "Install the exact Node.js a nodejs*.x runtime names into nubo's cache",
		Long: `install fetches the Node.js version a nodejs*.x runtime names (the newest of that
major version) from the npm registry, as the official node-linux-<arch> package,
with the machine's npm, into nubo's per-machine cache ($NUBO_CACHE_DIR, else
~/.cache/nubo). Servers started afterwards run that runtime's functions on it.
Python versions come from pyenv, asdf, mise or the distribution.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, rt := range args {
				if _, err := runtimes.InstallNode(cmd.Context(), rt, cmd.OutOrStdout()); err != nil {
					return err
				}
			}
			return nil
		},
	})
	return cmd
}
