package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/nubo-run/nubo/internal/stacks"
)

const (
	allowOverAWSLimits      = stacks.AllowOverAWSLimitsFlag
	allowOverAWSLimitsUsage = "deploy a template over CloudFormation's quotas (500 resources, 200 parameters, 200 outputs), which AWS would refuse"
)

// templateFlags are the flags deploy and plan share.
type templateFlags struct {
	stack         string
	params        []string
	class         string
	allowDataLoss bool
	overLimits    bool
	endpoint      string
	region        string
}

func (f *templateFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.stack, "stack", "", "stack name (default: from the template's file or directory name)")
	fl.StringArrayVar(&f.params, "param", nil, "template parameter KEY=VALUE (repeatable)")
	fl.StringVar(&f.class, "class", "", "stack class: stateful or stateless (overrides the template's Nubo: {Class})")
	fl.BoolVar(&f.allowDataLoss, "allow-data-loss", false, "let a stateful stack delete or replace data-bearing resources")
	fl.BoolVar(&f.overLimits, allowOverAWSLimits, false, allowOverAWSLimitsUsage)
	fl.StringVar(&f.endpoint, "endpoint", "", "nubo server (default $NUBO_ENDPOINT or http://127.0.0.1:4566)")
	fl.StringVar(&f.region, "region", "", "region of the stack and its resources (default $NUBO_REGION or us-east-1)")
}

// client is the admin client of the flags' endpoint and region.
func (f *templateFlags) client() *adminClient {
	c := newAdminClient(f.endpoint)
	if f.region != "" {
		c.region = f.region
	}
	return c
}

// request reads the template and builds the plan request.
func (f *templateFlags) request(path string) (stacks.PlanRequest, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return stacks.PlanRequest{}, fmt.Errorf("template: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return stacks.PlanRequest{}, err
	}
	name := f.stack
	if name == "" {
		name = stacks.StackNameFor(abs)
	}
	params := map[string]string{}
	for _, kv := range f.params {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return stacks.PlanRequest{}, fmt.Errorf("--param %q: want KEY=VALUE", kv)
		}
		params[k] = v
	}
	return stacks.PlanRequest{Stack: name, Template: string(src), BaseDir: filepath.Dir(abs), Parameters: params,
		Class: f.class, AllowDataLoss: f.allowDataLoss, AllowOverAWSLimits: f.overLimits}, nil
}

func newDeployCmd() *cobra.Command {
	var f templateFlags
	var yes, noRollback bool
	cmd := &cobra.Command{
		Use:   "deploy TEMPLATE",
		Short: "Plan and apply a CloudFormation/SAM template as a stack",
		Long: `Plan and apply a template as a stack. The plan is shown first and applied
only after you confirm it (or with --yes). Progress streams as it happens.

If a deployment was interrupted (the server was killed), run deploy again:
it continues from the recorded state. Deploy the previous template to go
back instead, or destroy the stack.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := f.request(args[0])
			if err != nil {
				return err
			}
			c := f.client()
			_, err = deploy(cmd.Context(), c, req, deployOptions{yes: yes, noRollback: noRollback}, cmd.InOrStdin(), cmd.OutOrStdout())
			return err
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "apply without asking")
	cmd.Flags().BoolVar(&noRollback, "no-rollback", false, "on failure keep what succeeded instead of rolling back")
	return cmd
}

type deployOptions struct {
	yes, noRollback bool
}

// deploy shows the plan, asks, applies with live progress and prints the outputs.
func deploy(ctx context.Context, c *adminClient, req stacks.PlanRequest, o deployOptions, in io.Reader, out io.Writer) (*stacks.DeployResult, error) {
	var plan stacks.Plan
	if err := c.call(ctx, "Plan", req, &plan); err != nil {
		return nil, err
	}
	plan.Render(out)
	if len(plan.Refusals) > 0 {
		return nil, fmt.Errorf("stack %s: the plan was refused (see above)", req.Stack)
	}
	if !o.yes && !plan.Empty() {
		fmt.Fprintf(out, "\nDeploy these changes to stack %s? Only 'yes' will be accepted: ", req.Stack)
		line, _ := bufio.NewReader(in).ReadString('\n')
		if strings.TrimSpace(line) != "yes" {
			return nil, errors.New("deployment cancelled")
		}
	}
	fmt.Fprintln(out)
	start := time.Now()
	res, err := c.stream(ctx, "Deploy", stacks.DeployRequest{PlanRequest: req, PlanDigest: plan.Digest, NoRollback: o.noRollback},
		func(ev stacks.Event) { printEvent(out, ev, start) })
	if res != nil {
		fmt.Fprintf(out, "\nStack %s: %s (deployment %d) in %s", res.Stack, res.Status, res.Version, roundDuration(res.Elapsed))
		if err == nil && res.Plan != nil {
			add, change, replace, destroy := res.Plan.Counts()
			fmt.Fprintf(out, ": %d added, %d changed, %d replaced, %d destroyed", add, change, replace, destroy)
		}
		fmt.Fprintln(out)
		printOutputs(out, res.Outputs)
	}
	return res, err
}

func printEvent(w io.Writer, ev stacks.Event, start time.Time) {
	line := fmt.Sprintf("  %6.1fs  %-28s %-22s %s", time.Since(start).Seconds(), ev.Status, ev.LogicalID, ev.Type)
	if ev.Elapsed > 0 {
		line += fmt.Sprintf(" (%s)", roundDuration(ev.Elapsed))
	}
	if ev.Reason != "" {
		line += "  " + ev.Reason
	}
	fmt.Fprintln(w, line)
}

func printOutputs(w io.Writer, outs map[string]string) {
	if len(outs) == 0 {
		return
	}
	keys := make([]string, 0, len(outs))
	for k := range outs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintln(w, "\nOutputs:")
	for _, k := range keys {
		fmt.Fprintf(w, "  %s = %s\n", k, outs[k])
	}
}

// roundDuration keeps two or three significant digits: 1.2ms, 350µs, 2.4s.
func roundDuration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(100 * time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(100 * time.Microsecond).String()
	}
	return d.Round(time.Microsecond).String()
}
