package stacks

import "context"

// Expand parses req.Template and runs its transforms (AWS::Include,
// AWS::LanguageExtensions, AWS::Serverless-2016-10-31, in CloudFormation's
// order) as a plan of req would: with req.BaseDir for local AWS::Include
// Locations (empty refuses them, as the CloudFormation API must: its
// templates have no directory), req.Parameters over the stack's previous
// values and the Defaults, and the stack's pseudo parameters. It returns
// the processed template in long form (CloudFormation's "Processed" stage
// of GetTemplate) and the transforms that ran. Every path that takes a
// template (nubo deploy, plan, up, the CloudFormation API) reaches the same
// processing through Plan; Expand is for the operations that show or check
// a template without planning (GetTemplate, GetTemplateSummary,
// ValidateTemplate).
func (e *Engine) Expand(ctx context.Context, req PlanRequest) (map[string]any, []string, error) {
	if err := e.ready(); err != nil {
		return nil, nil, err
	}
	var prior *StackState
	if req.Stack != "" {
		if err := ValidStackName(req.Stack); err != nil {
			return nil, nil, err
		}
		p, _, err := e.store.get(ctx, req.Stack)
		if err != nil {
			return nil, nil, err
		}
		prior = p
	}
	if prior == nil {
		prior = &StackState{Name: req.Stack, Resources: map[string]*ResourceState{}}
	}
	raw, lines, err := ParseDocument([]byte(req.Template))
	if err != nil {
		return nil, nil, err
	}
	return ProcessTemplate(raw, lines, e.processOptions(ctx, req, prior))
}
