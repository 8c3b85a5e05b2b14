package cli

import (
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/nubo-run/nubo/internal/iam"
	"github.com/nubo-run/nubo/internal/platform"
)

// serverFlags are the flags of the commands that run a server, serve and up:
// one definition, so that both take the same ones.
type serverFlags struct {
	o       platform.Options
	verbose bool
	iamMode string
}

func (s *serverFlags) register(f *pflag.FlagSet) {
	o := &s.o
	f.StringVar(&o.DataDir, "data", platform.DefaultDataDir, "directory for all durable state (delete it, with the server stopped, to start afresh)")
	f.StringVar(&o.Addr, "addr", platform.DefaultAddr, "listener for the AWS-compatible APIs and the admin API (other commands find it with $NUBO_ENDPOINT)")
	f.StringVar(&o.HTTPAddr, "http-addr", platform.DefaultHTTPAddr, "listener for the HTTP APIs that stacks declare")
	f.StringVar(&o.NATSURL, "nats-url", "", "use an external NATS JetStream server instead of the embedded one")
	f.IntVar(&o.NATSReplicas, "nats-replicas", 1, "replicas of every bucket and stream nubo creates on the --nats-url cluster (3 is typical)")
	f.StringVar(&o.AccessKey, "access-key", envOr("NUBO_ACCESS_KEY_ID", platform.DefaultAccessKey), "access key id clients sign with (env NUBO_ACCESS_KEY_ID)")
	f.StringVar(&o.SecretKey, "secret-key", envOr("NUBO_SECRET_ACCESS_KEY", platform.DefaultSecretKey), "secret access key (env NUBO_SECRET_ACCESS_KEY)")
	f.StringVar(&o.Region, "region", envOr("NUBO_REGION", "us-east-1"), "default region: of the CLI and stacks, and the region of function URLs and API Gateway; a request signed for another region is served in that region (env NUBO_REGION)")
	f.StringVar(&o.AccountID, "account-id", envOr("NUBO_ACCOUNT_ID", "000000000000"), "account id in ARNs (env NUBO_ACCOUNT_ID)")
	f.DurationVar(&o.ShutdownTimeout, "shutdown-timeout", 30e9, "how long shutdown waits for in-flight invocations")
	f.StringVar(&s.iamMode, "iam", "enforce", "authorize every AWS API request by IAM policies: enforce, audit (allow but log what would be denied) or off")
	f.BoolVarP(&s.verbose, "verbose", "v", false, "debug logging")
	f.DurationVar(&o.Logs.MaxAge, "log-retention", 7*24*time.Hour, "how long function logs are kept")
	f.Int64Var(&o.Logs.MaxBytes, "log-max-bytes", 1<<30, "the most function log data kept; the oldest goes first")
	f.IntVar(&o.Functions.MaxInstances, "max-instances", 64, "function instances this node runs at most, across all functions")
	f.DurationVar(&o.Functions.IdleTimeout, "idle-timeout", 10*time.Minute, "stop a function instance idle this long (scale to zero)")
	f.BoolVar(&o.Functions.StrictRuntimes, "strict-runtimes", false, "refuse to run a Python or Node.js runtime on any version but the one it names (see nubo doctor)")
	f.BoolVar(&o.Functions.RuntimeAPIOnly, "runtime-api-only", false, "serve Go functions over the Runtime API only, not aws-lambda-go's faster RPC mode")
	f.DurationVar(&o.Functions.Async.AckWait, "async-ack-wait", 0, "how soon an async event a crashed node was running is run again (default 30s)")
	_ = f.MarkHidden("async-ack-wait")
	f.DurationVar(&o.Functions.Async.ThrottleMaxDelay, "async-throttle-max-delay", 0, "the longest wait of a throttled async event before it is tried again (default 5m, as Lambda)")
	_ = f.MarkHidden("async-throttle-max-delay")
}

// options returns the platform options the flags say, logging to w from
// level on (debug with --verbose).
func (s *serverFlags) options(w io.Writer, level slog.Level) (platform.Options, error) {
	o := s.o
	mode, err := iam.ParseMode(s.iamMode)
	if err != nil {
		return o, err
	}
	o.IAM = mode
	if s.verbose {
		level = slog.LevelDebug
	}
	o.Logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: level}))
	return o, nil
}

func newServeCmd() *cobra.Command {
	var sf serverFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the nubo server (AWS APIs on --addr, HTTP APIs on --http-addr)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := sf.options(cmd.ErrOrStderr(), slog.LevelInfo)
			if err != nil {
				return err
			}
			p, err := platform.New(o)
			if err != nil {
				return err
			}
			return p.Run(cmd.Context())
		},
	}
	sf.register(cmd.Flags())
	return cmd
}
