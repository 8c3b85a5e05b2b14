package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/nubo-run/nubo/internal/platform"
	"github.com/nubo-run/nubo/internal/stacks"
	"github.com/nubo-run/nubo/internal/stacks/sam"
)

func newUpCmd() *cobra.Command {
	var sf serverFlags
	var watchDir, overLimits bool
	cmd := &cobra.Command{
		Use:   "up DIR",
		Short: "Serve, deploy every stack under DIR in import order, print outputs, keep serving",
		Long: `up starts a server with embedded defaults, finds every template under DIR
(DIR/x/template.yaml is stack x, DIR/x.yaml is stack x), orders the stacks so
that a stack comes after the stacks whose exports it imports or whose SSM
parameters it reads (a cycle is an error naming the stacks), deploys them,
prints their outputs and keeps serving until interrupted.

With --watch, a saved change to a template or to a function's source under
DIR redeploys only the stacks it belongs to; unchanged functions keep their
warm instances.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := &syncWriter{w: cmd.OutOrStdout()}
			found, err := stacks.FindTemplates(args[0], linkTransform)
			if err != nil {
				return err
			}
			if len(found) == 0 {
				return fmt.Errorf("no templates under %s (a template is a YAML or JSON file with Resources)", args[0])
			}
			o, err := sf.options(cmd.ErrOrStderr(), slog.LevelWarn)
			if err != nil {
				return err
			}
			o.BuildProgress = func(msg string) { fmt.Fprintf(out, "  %s\n", msg) }
			p, err := platform.New(o)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if err := p.Start(ctx); err != nil {
				return err
			}
			closeP := func() error {
				cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
				defer cancel()
				return p.Close(cctx)
			}
			fmt.Fprintf(out, "nubo serving: AWS APIs on http://%s, HTTP APIs on http://%s (data in %s)\n", p.EdgeAddr(), p.HTTPAddr(), o.DataDir)
			if p.EdgeAddr() != platform.DefaultAddr {
				fmt.Fprintf(out, "Other nubo commands find this server with: export NUBO_ENDPOINT=http://%s\n", p.EdgeAddr())
			}
			c := newAdminClient("http://" + p.EdgeAddr())
			c.creds.AccessKeyID, c.creds.SecretAccessKey, c.region = o.AccessKey, o.SecretKey, o.Region
			deployOne := func(ctx context.Context, f stacks.Found) error {
				src, err := os.ReadFile(f.Path)
				if err != nil {
					return err
				}
				abs, _ := filepath.Abs(f.Path)
				req := stacks.PlanRequest{Stack: f.Stack, Template: string(src), BaseDir: filepath.Dir(abs), AllowOverAWSLimits: overLimits}
				_, err = deploy(ctx, c, req, deployOptions{yes: true}, nil, out)
				return err
			}
			for _, f := range found {
				rel, _ := filepath.Rel(args[0], f.Path)
				fmt.Fprintf(out, "\n== %s (%s)\n", f.Stack, rel)
				if err := deployOne(ctx, f); err != nil {
					return errors.Join(fmt.Errorf("stack %s: %w", f.Stack, err), closeP())
				}
			}
			fmt.Fprintf(out, "\n%d stack(s) up. Serving until interrupted (Ctrl-C).\n", len(found))
			if watchDir {
				if err := watch(ctx, args[0], 250*time.Millisecond, deployOne, out); err != nil {
					return errors.Join(err, closeP())
				}
			}
			<-ctx.Done()
			return closeP()
		},
	}
	f := cmd.Flags()
	sf.register(f)
	f.BoolVarP(&watchDir, "watch", "w", false, "redeploy a stack when its template or a function's source changes")
	f.BoolVar(&overLimits, allowOverAWSLimits, false, allowOverAWSLimitsUsage)
	return cmd
}

// linkTransform expands SAM templates so that nubo up sees the resources the
// transform creates (a mapping that refers to ServerlessHttpApi, say) when it
// orders stacks by their imports.
func linkTransform(t map[string]any) (map[string]any, error) {
	return sam.Transform(t, sam.Options{Region: "us-east-1", AccountID: "000000000000", Partition: "aws"})
}

// syncWriter serializes writes from the deploy's event stream and the
// server's build progress.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
