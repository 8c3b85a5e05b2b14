package cli

import (
	"fmt"
	"net/http"
	"text/tabwriter"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/spf13/cobra"
)

// Headers the server adds to GetFunction (functions.HeaderWarmInstances):
// kept as strings so the CLI does not import the server.
const (
	headerWarm = "X-Nubo-Warm-Instances"
	headerBusy = "X-Nubo-Busy-Instances"
)

func newFunctionsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "functions",
		Short: "List functions with their runtime, memory and instances",
		Long: `List the functions on the running nubo server (NUBO_ENDPOINT): name, runtime,
memory, timeout, and the instances running now on that node (warm = idle and
ready, busy = running an invocation).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			r := newRemote()
			c := r.lambda()
			ctx := cmd.Context()
			w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tRUNTIME\tMEMORY\tTIMEOUT\tWARM\tBUSY")
			p := lambda.NewListFunctionsPaginator(c, &lambda.ListFunctionsInput{})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("list functions: %w", r.explain(err))
				}
				for _, f := range page.Functions {
					warm, busy := "-", "-"
					out, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: f.FunctionName})
					if err == nil {
						if raw, ok := awsmiddleware.GetRawResponse(out.ResultMetadata).(*smithyhttp.Response); ok {
							warm, busy = headerOr(raw.Header, headerWarm), headerOr(raw.Header, headerBusy)
						}
					}
					fmt.Fprintf(w, "%s\t%s\t%d MB\t%ds\t%s\t%s\n", aws.ToString(f.FunctionName), f.Runtime,
						aws.ToInt32(f.MemorySize), aws.ToInt32(f.Timeout), warm, busy)
				}
			}
			return w.Flush()
		},
	}
}

func headerOr(h http.Header, name string) string {
	if v := h.Get(name); v != "" {
		return v
	}
	return "-"
}
