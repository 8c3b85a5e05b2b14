package cli

import (
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/spf13/cobra"
)

// exitError carries a non-zero exit code with its message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }
func (e *exitError) ExitCode() int { return e.code }

func newInvokeCmd() *cobra.Command {
	var payload string
	var async, tail bool
	cmd := &cobra.Command{
		Use:   "invoke FUNCTION",
		Short: "Invoke a function and print its response",
		Long: `Invoke a function on the running nubo server (NUBO_ENDPOINT).

The response payload is printed on stdout. With --tail the last 4 KB of the
invocation's log goes to stderr. A function error prints the error document
and exits with status 2; with --async the event is queued (retries and
destinations apply) and its request id is printed.`,
		Example: `  nubo invoke hello --payload '{"name":"world"}'
  nubo invoke hello --payload @event.json --tail
  nubo invoke worker --async --payload '{"job":42}'`,
		Args: oneName("function name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			body, err := readPayload(payload, cmd.InOrStdin())
			if err != nil {
				return err
			}
			r := newRemote()
			in := &lambda.InvokeInput{FunctionName: aws.String(args[0]), Payload: body}
			if async {
				in.InvocationType = types.InvocationTypeEvent
			} else if tail {
				in.LogType = types.LogTypeTail
			}
			out, err := r.lambda().Invoke(cmd.Context(), in)
			if err != nil {
				return fmt.Errorf("invoke %s: %w", args[0], r.explain(err))
			}
			if async {
				rid, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
				fmt.Fprintf(cmd.OutOrStdout(), "queued %s (request id %s)\n", args[0], rid)
				return nil
			}
			if tail && out.LogResult != nil {
				logs, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
				if err == nil {
					fmt.Fprint(cmd.ErrOrStderr(), string(logs))
				}
			}
			w := cmd.OutOrStdout()
			_, _ = w.Write(out.Payload)
			if len(out.Payload) > 0 && out.Payload[len(out.Payload)-1] != '\n' {
				fmt.Fprintln(w)
			}
			if fe := aws.ToString(out.FunctionError); fe != "" {
				return &exitError{code: 2, err: fmt.Errorf("invoke %s: function error (%s)", args[0], fe)}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&payload, "payload", "p", "", "event JSON, @FILE to read it from a file, or @- for stdin (default {})")
	f.BoolVar(&async, "async", false, "queue the event (InvocationType Event) instead of waiting for the response")
	f.BoolVar(&tail, "tail", false, "print the last 4 KB of the invocation's log on stderr")
	cmd.MarkFlagsMutuallyExclusive("async", "tail")
	return cmd
}

func readPayload(p string, stdin io.Reader) ([]byte, error) {
	switch {
	case p == "":
		return []byte("{}"), nil
	case p == "@-":
		b, err := io.ReadAll(stdin)
		if err != nil {
			return nil, fmt.Errorf("--payload @-: read stdin: %w", err)
		}
		return b, nil
	case strings.HasPrefix(p, "@"):
		b, err := os.ReadFile(p[1:])
		if err != nil {
			return nil, fmt.Errorf("--payload: %w", err)
		}
		return b, nil
	}
	return []byte(p), nil
}
