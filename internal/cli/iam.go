package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/spf13/cobra"

	"github.com/nubo-run/nubo/internal/iam"
	"github.com/nubo-run/nubo/internal/stacks"
)

func newIAMCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "iam", Short: "Identity and access management: what functions may do and what they use"}
	cmd.AddCommand(newIAMReportCmd())
	return cmd
}

// roleReport is one role of a stack: the functions running as it and what
// its sessions used and never used.
type roleReport struct {
	Role      string   `json:"role"`
	Functions []string `json:"functions"`
	Usage     usage    `json:"usage"`
	// LogDelivery are the statements Lambda itself uses to deliver the
	// functions' logs (AWSLambdaBasicExecutionRole's): needed, though no
	// request of the functions' code uses them.
	LogDelivery []grantedStatement `json:"logDelivery,omitempty"`
}

type grantedStatement struct {
	Policy    string          `json:"policy"`
	Index     int             `json:"index"`
	Statement json.RawMessage `json:"statement"`
}

// logDelivery reports whether a statement allows only what Lambda needs to
// write a function's logs (logs:CreateLogGroup, CreateLogStream, PutLogEvents).
func logDelivery(stmt json.RawMessage) bool {
	var s struct {
		Action any `json:"Action"`
	}
	if json.Unmarshal(stmt, &s) != nil {
		return false
	}
	var actions []string
	switch a := s.Action.(type) {
	case string:
		actions = []string{a}
	case []any:
		for _, v := range a {
			str, _ := v.(string)
			actions = append(actions, str)
		}
	}
	for _, a := range actions {
		switch strings.ToLower(a) {
		case "logs:createloggroup", "logs:createlogstream", "logs:putlogevents":
		default:
			return false
		}
	}
	return len(actions) > 0
}

// usage is iam.UsageReport as the CLI reads it: statements stay JSON.
type usage struct {
	Role   string             `json:"role"`
	Used   []iam.Permission   `json:"used"`
	Unused []grantedStatement `json:"unused"`
}

func newIAMReportCmd() *cobra.Command {
	var endpoint string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "report STACK",
		Short: "For a stack's functions: the permissions their roles used, and those granted but never used",
		Long: `Prints, for each role a stack declares (AWS::IAM::Role) or that its functions
run as, the actions and resources the role's sessions were allowed since the
server recorded them, then every Allow statement of the role's policies that
none of them needed: candidates to remove for least privilege.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c := newAdminClient(endpoint)
			var st stacks.StackState
			if err := c.call(ctx, "DescribeStack", stacks.StackRequest{Stack: args[0]}, &st); err != nil {
				return err
			}
			reports, err := stackRoles(ctx, c, &st, endpoint)
			if err != nil {
				return err
			}
			if len(reports) == 0 {
				return fmt.Errorf("stack %s declares no roles and no functions", args[0])
			}
			for i := range reports {
				r := &reports[i]
				if err := c.usageReport(ctx, r.Role, &r.Usage); err != nil {
					return fmt.Errorf("role %s: %w", r.Role, err)
				}
				if len(r.Functions) == 0 {
					continue
				}
				unused := r.Usage.Unused[:0:0]
				for _, g := range r.Usage.Unused {
					if logDelivery(g.Statement) {
						r.LogDelivery = append(r.LogDelivery, g)
					} else {
						unused = append(unused, g)
					}
				}
				r.Usage.Unused = unused
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(reports)
			}
			printRoleReports(cmd.OutOrStdout(), reports)
			return nil
		},
	}
	cmd.Flags().StringVar(&endpoint, "endpoint", "", "nubo server (default $NUBO_ENDPOINT)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the reports as JSON")
	return cmd
}

// stackRoles finds the roles of a stack: those it declares, and those its
// functions (declared in it, or running as one of its roles) run as.
func stackRoles(ctx context.Context, c *adminClient, st *stacks.StackState, endpoint string) ([]roleReport, error) {
	byRole := map[string]*roleReport{}
	add := func(role string) *roleReport {
		if r := byRole[role]; r != nil {
			return r
		}
		r := &roleReport{Role: role}
		byRole[role] = r
		return r
	}
	stackFns := map[string]bool{}
	for _, rs := range st.Resources {
		switch rs.Type {
		case "AWS::IAM::Role":
			if rs.PhysicalID != "" {
				add(rs.PhysicalID)
			}
		case "AWS::Lambda::Function", "AWS::Serverless::Function":
			if rs.PhysicalID != "" {
				stackFns[rs.PhysicalID] = true
			}
		}
	}
	rem := newRemote()
	if endpoint != "" {
		rem.endpoint = c.endpoint
	}
	p := lambda.NewListFunctionsPaginator(rem.lambda(), &lambda.ListFunctionsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, rem.explain(err)
		}
		for _, f := range page.Functions {
			name, roleARN := aws.ToString(f.FunctionName), aws.ToString(f.Role)
			role, ok := iam.RoleNameFromARN(roleARN)
			if !ok {
				continue
			}
			if _, stackRole := byRole[role]; stackRole || stackFns[name] {
				r := add(role)
				r.Functions = append(r.Functions, name)
			}
		}
	}
	out := make([]roleReport, 0, len(byRole))
	for _, r := range byRole {
		sort.Strings(r.Functions)
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Role < out[j].Role })
	return out, nil
}

func (c *adminClient) usageReport(ctx context.Context, role string, out *usage) error {
	resp, err := c.requestTo(ctx, iam.AdminServiceName, iam.AdminTargetPrefix+"UsageReport", iam.UsageReportRequest{RoleName: role})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("usage report: decode answer: %w", err)
	}
	return nil
}

func printRoleReports(w io.Writer, reports []roleReport) {
	for i, r := range reports {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fns := "no functions"
		if len(r.Functions) > 0 {
			fns = "functions: " + strings.Join(r.Functions, ", ")
		}
		arn := r.Usage.Role
		if arn == "" {
			arn = r.Role
		}
		fmt.Fprintf(w, "role %s (%s)\n", arn, fns)
		fmt.Fprintln(w, "  used:")
		for _, g := range r.LogDelivery {
			fmt.Fprintf(w, "    by Lambda, to deliver the functions' logs: %s statement %d: %s\n", g.Policy, g.Index, g.Statement)
		}
		if len(r.Usage.Used) == 0 && len(r.LogDelivery) == 0 {
			fmt.Fprintln(w, "    nothing yet")
		}
		for _, u := range r.Usage.Used {
			fmt.Fprintf(w, "    %s on %s (%d times, last %s)\n", u.Action, u.Resource, u.Count, u.Last.Local().Format(time.DateTime))
		}
		fmt.Fprintln(w, "  granted but never used:")
		if len(r.Usage.Unused) == 0 {
			fmt.Fprintln(w, "    nothing: every Allow statement was needed")
		}
		for _, g := range r.Usage.Unused {
			fmt.Fprintf(w, "    %s statement %d: %s\n", g.Policy, g.Index, g.Statement)
		}
	}
}
