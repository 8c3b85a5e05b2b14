package sam

import (
	"errors"
	"fmt"
	"strings"

	"github.com/nubo-run/nubo/internal/iam/awsmanaged"
)

// roleSpec is an execution role being generated for a function or state machine.
type roleSpec struct {
	id        string         // logical ID of the role
	owner     map[string]any // the SAM resource: its attributes pass through
	principal string         // service that assumes the role
	assume    any            // AssumeRolePolicyDocument override
	managed   []any
	inline    []any
	boundary  any
	path      any
	tags      []any
	condition string // set when the role exists only under a condition
}

func (t *translator) newFunctionRole(id string, r, p map[string]any, tags []any) *roleSpec {
	rs := &roleSpec{id: id + "Role", owner: r, principal: "lambda.amazonaws.com", tags: tags,
		assume: p["AssumeRolePolicyDocument"], boundary: p["PermissionsBoundary"], path: p["RolePath"]}
	if _, durable := p["DurableConfig"]; durable {
		rs.managed = append(rs.managed, t.managedArn("AWSLambdaBasicDurableExecutionRolePolicy"))
	} else {
		rs.managed = append(rs.managed, t.managedArn("AWSLambdaBasicExecutionRole"))
	}
	if tracingEnabled(t, p["Tracing"]) {
		rs.managed = append(rs.managed, t.managedArn("AWSXrayWriteOnlyAccess"))
	}
	if _, ok := p["VpcConfig"]; ok {
		rs.managed = append(rs.managed, t.managedArn("AWSLambdaVPCAccessExecutionRole"))
	}
	return rs
}

// addManaged appends a managed policy ARN once.
func (rs *roleSpec) addManaged(arn any) {
	s := stableJSON(arn)
	for _, m := range rs.managed {
		if stableJSON(m) == s {
			return
		}
	}
	rs.managed = append(rs.managed, arn)
}

func (t *translator) emitRole(rs *roleSpec) error {
	assume := rs.assume
	if assume == nil {
		assume = map[string]any{
			"Version": "2012-10-17",
			"Statement": []any{map[string]any{
				"Action": []any{"sts:AssumeRole"}, "Effect": "Allow",
				"Principal": map[string]any{"Service": []any{rs.principal}},
			}},
		}
	}
	p := map[string]any{"AssumeRolePolicyDocument": assume}
	if len(rs.managed) > 0 || rs.principal == "states.amazonaws.com" {
		if rs.managed == nil {
			rs.managed = []any{}
		}
		p["ManagedPolicyArns"] = rs.managed
	}
	if len(rs.inline) > 0 {
		p["Policies"] = rs.inline
	}
	if rs.boundary != nil {
		p["PermissionsBoundary"] = rs.boundary
	}
	if rs.path != nil {
		p["Path"] = rs.path
	}
	if len(rs.tags) > 0 {
		p["Tags"] = rs.tags
	}
	res := resource("AWS::IAM::Role", p)
	passthrough(rs.owner, res)
	if rs.condition != "" {
		res["Condition"] = rs.condition
	}
	t.out[rs.id] = res
	return nil
}

// serviceRolePolicies are AWS managed policies that live under the service-role/ path.
var serviceRolePolicies = setOf("AWSLambdaBasicDurableExecutionRolePolicy", "AWSLambdaBasicExecutionRole", "AWSLambdaRole", "AWSLambdaVPCAccessExecutionRole",
	"AWSLambdaDynamoDBExecutionRole", "AWSLambdaKinesisExecutionRole", "AWSLambdaSQSQueueExecutionRole",
	"AWSLambdaMSKExecutionRole", "AWSLambdaENIManagementAccess", "AWSConfigRulesExecutionRole",
	"AWSIoTRuleActions", "AWSIoTLogging", "AWSLambdaReplicator", "AWSBatchServiceRole",
	"AWSLambdaSQSQueueExecutionRole", "AWSCodeDeployRoleForLambda", "AWSStepFunctionsRole",
	"AWSIoTThingsRegistration", "AmazonAPIGatewayPushToCloudWatchLogs")

// managedArn is the ARN of an AWS managed policy by name: from the list of
// every AWS managed policy (awsmanaged), as AWS's translator maps names
// with its own copy of that list; a name not there (a policy AWS has
// deprecated since) by its usual path.
func (t *translator) managedArn(name string) string {
	if arn, ok := awsmanaged.ARN(t.opts.Partition, name); ok {
		return arn
	}
	if serviceRolePolicies[name] {
		return fmt.Sprintf("arn:%s:iam::aws:policy/service-role/%s", t.opts.Partition, name)
	}
	return fmt.Sprintf("arn:%s:iam::aws:policy/%s", t.opts.Partition, name)
}

// applyPolicies adds the SAM Policies property to a role: managed policy names and ARNs,
// inline policy documents (named <Role>Policy<index>) and SAM policy templates.
func (t *translator) applyPolicies(ownerID string, rs *roleSpec, v any) error {
	if v == nil {
		return nil
	}
	var items []any
	switch x := v.(type) {
	case []any:
		items = x
	case string:
		items = []any{x}
	case map[string]any:
		items = []any{x}
	default:
		return resourceErr(ownerID, "Type of property 'Policies' is invalid.")
	}
	for i, it := range items {
		name := fmt.Sprintf("%sPolicy%d", rs.id, i)
		if err := t.applyPolicy(ownerID, rs, name, it); err != nil {
			if err == errBadPolicy {
				return resourceErr(ownerID, "Policy at index %d in the 'Policies' property is not valid", i)
			}
			return err
		}
	}
	return nil
}

func (t *translator) applyPolicy(ownerID string, rs *roleSpec, name string, it any) error {
	switch x := it.(type) {
	case string:
		if strings.HasPrefix(x, "arn:") || !awsManagedName(x) {
			rs.addManaged(x)
		} else {
			rs.addManaged(t.managedArn(x))
		}
		return nil
	case map[string]any:
		if ifv, ok := x["Fn::If"]; ok && len(x) == 1 {
			return t.conditionalPolicy(ownerID, rs, name, ifv)
		}
		if isIntrinsic(x) {
			rs.addManaged(x)
			return nil
		}
		if len(x) == 1 {
			for k, params := range x {
				if _, ok := LookupPolicyTemplate(k); ok {
					doc, err := t.policyTemplate(ownerID, k, params)
					if err != nil {
						return err
					}
					rs.inline = append(rs.inline, map[string]any{"PolicyName": name, "PolicyDocument": doc})
					return nil
				}
			}
		}
		if _, ok := x["Statement"]; !ok {
			return errBadPolicy
		}
		rs.inline = append(rs.inline, map[string]any{"PolicyName": name, "PolicyDocument": x})
		return nil
	case nil:
		return nil
	}
	return resourceErr(ownerID, "Type of property 'Policies' is invalid.")
}

// conditionalPolicy handles {"Fn::If": [cond, a, b]} in Policies: both branches are resolved in
// place, and the If lands on a managed ARN or an inline policy, whichever the branches are.
func (t *translator) conditionalPolicy(ownerID string, rs *roleSpec, name string, ifv any) error {
	args, ok := ifv.([]any)
	if !ok || len(args) != 3 {
		return structureErr("Value of Fn::If must be a list.")
	}
	branch := func(b any) (managed any, inline any, err error) {
		if r, ok := refTarget(b); ok && r == "AWS::NoValue" {
			return nil, nil, nil
		}
		sub := &roleSpec{id: rs.id}
		if err := t.applyPolicy(ownerID, sub, name, b); err != nil {
			return nil, nil, err
		}
		if len(sub.managed) > 0 {
			return sub.managed[0], nil, nil
		}
		if len(sub.inline) > 0 {
			return nil, sub.inline[0], nil
		}
		return nil, nil, nil
	}
	m1, i1, err := branch(args[1])
	if err != nil {
		return err
	}
	m2, i2, err := branch(args[2])
	if err != nil {
		return err
	}
	noValue := ref("AWS::NoValue")
	or := func(v any) any {
		if v == nil {
			return noValue
		}
		return v
	}
	if m1 != nil || m2 != nil {
		rs.managed = append(rs.managed, map[string]any{"Fn::If": []any{args[0], or(m1), or(m2)}})
	}
	if i1 != nil || i2 != nil {
		rs.inline = append(rs.inline, map[string]any{"Fn::If": []any{args[0], or(i1), or(i2)}})
	}
	return nil
}

// otherAWSManaged are AWS managed policies whose names do not start with Amazon or AWS.
var otherAWSManaged = setOf("AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "IAMFullAccess",
	"IAMReadOnlyAccess", "CloudWatchFullAccess", "CloudWatchReadOnlyAccess", "CloudWatchLogsFullAccess",
	"CloudWatchLogsReadOnlyAccess", "CloudWatchEventsFullAccess", "SecretsManagerReadWrite",
	"ComprehendFullAccess", "TranslateReadOnly", "CloudFrontFullAccess", "CloudFrontReadOnlyAccess", "CloudWatchLambdaInsightsExecutionRolePolicy",
	"CloudWatchAgentServerPolicy", "CloudWatchSyntheticsFullAccess")

// awsManagedName tells an AWS managed policy name (turned into its ARN) from a customer policy
// name, which the translator leaves as written.
func awsManagedName(name string) bool {
	if _, ok := awsmanaged.ByName(name); ok {
		return true
	}
	return strings.HasPrefix(name, "Amazon") || strings.HasPrefix(name, "AWS") || otherAWSManaged[name]
}

// errBadPolicy is a Policies entry that is neither a managed policy, a policy document nor a
// policy template; applyPolicies names its index.
var errBadPolicy = errors.New("invalid policy")
