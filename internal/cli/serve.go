package cli

import (
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/nubo-run/nubo/internal/iam"
	"github.com/nubo-run/nubo/internal/platform"
)

func newServeCmd() *cobra.Command {
	var o platform.Options
	var verbose bool
	var iamMode string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the nubo server (AWS APIs on --addr, HTTP APIs on --http-addr)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			level := slog.LevelInfo
			if verbose {
				level = slog.LevelDebug
			}
			mode, err := iam.ParseMode(iamMode)
			if err != nil {
				return err
			}
			o.IAM = mode
			o.Logger = slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
			p, err := platform.New(o)
			if err != nil {
				return err
			}
			return p.Run(cmd.Context())
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.DataDir, "data", platform.DefaultDataDir, "directory for all durable state")
	f.StringVar(&o.Addr, "addr", platform.DefaultAddr, "listener for the AWS-compatible APIs and the admin API")
	f.StringVar(&o.HTTPAddr, "http-addr", platform.DefaultHTTPAddr, "listener for the HTTP APIs that stacks declare")
	f.StringVar(&o.NATSURL, "nats-url", "", "use an external NATS JetStream server instead of the embedded one")
	f.StringVar(&o.AccessKey, "access-key", envOr("NUBO_ACCESS_KEY_ID", platform.DefaultAccessKey), "access key id clients sign with (env NUBO_ACCESS_KEY_ID)")
	f.StringVar(&o.SecretKey, "secret-key", envOr("NUBO_SECRET_ACCESS_KEY", platform.DefaultSecretKey), "secret access key (env NUBO_SECRET_ACCESS_KEY)")
	f.StringVar(&o.Region, "region", envOr("NUBO_REGION", "us-east-1"), "region in ARNs and signatures")
	f.StringVar(&o.AccountID, "account-id", envOr("NUBO_ACCOUNT_ID", "000000000000"), "account id in ARNs")
	f.DurationVar(&o.ShutdownTimeout, "shutdown-timeout", 30e9, "how long shutdown waits for in-flight invocations")
	f.StringVar(&iamMode, "iam", "enforce", "authorize every AWS API request by IAM policies: enforce, audit (allow but log what would be denied) or off")
	f.BoolVarP(&verbose, "verbose", "v", false, "debug logging")
	f.DurationVar(&o.Functions.Logs.MaxAge, "log-retention", 7*24*time.Hour, "how long function logs are kept")
	f.Int64Var(&o.Functions.Logs.MaxBytes, "log-max-bytes", 1<<30, "the most function log data kept; the oldest goes first")
	f.IntVar(&o.Functions.MaxInstances, "max-instances", 64, "function instances this node runs at most, across all functions")
	f.DurationVar(&o.Functions.IdleTimeout, "idle-timeout", 10*time.Minute, "stop a function instance idle this long (scale to zero)")
	f.BoolVar(&o.Functions.RuntimeAPIOnly, "runtime-api-only", false, "serve Go functions over the Runtime API only, not aws-lambda-go's faster RPC mode")
	f.DurationVar(&o.Functions.Async.AckWait, "async-ack-wait", 0, "how soon an async event a crashed node was running is run again (default 30s)")
	_ = f.MarkHidden("async-ack-wait")
	return cmd
}
