package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/spf13/cobra"
)

func newLogsCmd() *cobra.Command {
	var follow bool
	var since string
	var poll time.Duration
	cmd := &cobra.Command{
		Use:   "logs FUNCTION",
		Short: "Print a function's logs",
		Long: `Print the log lines a function wrote (stdout, stderr and the START, END and
REPORT lines), oldest first, from its log group on the running nubo server.
--since takes a duration (10m, 2h) or an RFC 3339 time; --follow keeps
printing new lines until interrupted, as 'aws logs tail --follow' does.`,
		Example: `  nubo logs hello
  nubo logs hello --since 1h
  nubo logs hello --follow`,
		Args: oneName("function name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			start, err := parseSince(since, time.Now())
			if err != nil {
				return err
			}
			r := newRemote()
			ctx := cmd.Context()
			cfg, err := r.lambda().GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(args[0])})
			if err != nil {
				return fmt.Errorf("logs %s: %w", args[0], r.explain(err))
			}
			group := "/aws/lambda/" + aws.ToString(cfg.FunctionName)
			if cfg.LoggingConfig != nil && aws.ToString(cfg.LoggingConfig.LogGroup) != "" {
				group = aws.ToString(cfg.LoggingConfig.LogGroup)
			}
			return tailLogs(ctx, r, group, start, follow, poll, cmd.OutOrStdout())
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&follow, "follow", "f", false, "keep printing new lines until interrupted")
	f.StringVar(&since, "since", "", "only lines from this long ago (10m, 2h) or since an RFC 3339 time (default: all kept lines)")
	f.DurationVar(&poll, "poll", time.Second, "how often --follow asks for new lines")
	return cmd
}

func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return time.Time{}, fmt.Errorf("--since %q: must not be negative", s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration like 10m or an RFC 3339 time like 2026-01-02T15:04:05Z", s)
}

type logEvent struct {
	Timestamp int64  `json:"timestamp"`
	Message   string `json:"message"`
	EventID   string `json:"eventId"`
}

// tailLogs pages through FilterLogEvents; when following, it asks again
// from the newest timestamp seen and skips event ids already printed, the
// way `aws logs tail --follow` does.
func tailLogs(ctx context.Context, r *remote, group string, start time.Time, follow bool, poll time.Duration, w io.Writer) error {
	seen := map[string]int64{} // event id -> timestamp, pruned as startMs moves
	var startMs int64
	if !start.IsZero() {
		startMs = start.UnixMilli()
	}
	token := ""
	for {
		in := map[string]any{"logGroupName": group, "interleaved": true}
		if startMs > 0 {
			in["startTime"] = startMs
		}
		if token != "" {
			in["nextToken"] = token
		}
		var out struct {
			Events    []logEvent `json:"events"`
			NextToken string     `json:"nextToken"`
		}
		if err := r.logsCall(ctx, "FilterLogEvents", in, &out); err != nil {
			if ctx.Err() != nil && follow {
				return nil
			}
			return fmt.Errorf("logs %s: %w", group, err)
		}
		for _, e := range out.Events {
			if _, dup := seen[e.EventID]; dup {
				continue
			}
			seen[e.EventID] = e.Timestamp
			ts := time.UnixMilli(e.Timestamp).UTC().Format("2006-01-02T15:04:05.000Z")
			fmt.Fprintf(w, "%s %s\n", ts, strings.TrimRight(e.Message, "\n"))
			startMs = max(startMs, e.Timestamp)
		}
		if out.NextToken != "" {
			token = out.NextToken
			continue
		}
		if !follow {
			return nil
		}
		token = ""
		for id, ts := range seen {
			if ts < startMs {
				delete(seen, id)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(poll):
		}
	}
}
