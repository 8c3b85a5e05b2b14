package stacks

import "fmt"

// awsTemplateQuota is a CloudFormation quota on one template: AWS refuses a
// template over it. nubo deploys such a template only when asked to
// (PlanRequest.AllowOverAWSLimits), since it would not deploy on AWS.
type awsTemplateQuota struct {
	what  string
	max   int
	count func(*Template) int
}

// awsTemplateQuotas are CloudFormation's per-template quotas, counted on the
// processed template (after the SAM transform), as AWS counts them.
var awsTemplateQuotas = []awsTemplateQuota{
	{"resources", 500, func(t *Template) int { return len(t.Resources) }},
	{"parameters", 200, func(t *Template) int { return len(t.Parameters) }},
	{"outputs", 200, func(t *Template) int { return len(t.Outputs) }},
}

// AllowOverAWSLimitsFlag is the command-line flag that sets
// PlanRequest.AllowOverAWSLimits.
const AllowOverAWSLimitsFlag = "allow-over-aws-limits"

// checkAWSQuotas adds to p a refusal for each quota t exceeds, or, when the
// request allows it, a warning that AWS would refuse the template.
func checkAWSQuotas(p *Plan, t *Template, allow bool) {
	for _, q := range awsTemplateQuotas {
		n := q.count(t)
		if n <= q.max {
			continue
		}
		if allow {
			p.Warnings = append(p.Warnings, fmt.Sprintf("the template declares %d %s, over AWS CloudFormation's quota of %d per template: nubo deploys it (%s), AWS would refuse it", n, q.what, q.max, "--"+AllowOverAWSLimitsFlag))
			continue
		}
		p.Refusals = append(p.Refusals, fmt.Sprintf("the template declares %d %s, over AWS CloudFormation's quota of %d per template, so AWS would refuse it: split the stack, or pass %s to deploy it with nubo anyway", n, q.what, q.max, "--"+AllowOverAWSLimitsFlag))
	}
}
