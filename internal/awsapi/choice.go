package awsapi

import (
	"fmt"
	"slices"
	"strings"
)

// ChoiceOp declares an operation whose IAM action depends on the request,
// among a set fixed in the table: the stacks admin API's Deploy is
// cloudformation:CreateStack for a new stack and cloudformation:UpdateStack
// for one that exists. ActionFor picks the action after the input is
// decoded and before authorization; an action outside Actions is refused as
// an internal error, never authorized, so the table still lists every
// action a caller can be asked for (Operation.Actions).
type ChoiceOp[In, Out any] struct {
	// Op is the operation; its Action is the one the table shows (the
	// coverage table, a denial before any state exists) and must be one of
	// Actions.
	Op Op[In, Out]
	// Actions is every action ActionFor may return.
	Actions []string
	// ActionFor chooses the action of one call. It is only called when
	// there is an authorizer to ask.
	ActionFor func(c *Call, in *In) string
}

func (o ChoiceOp[In, Out]) operation() Operation {
	op := o.Op.operation()
	// Never nil, even empty: it marks the operation as a choice for check.
	op.actions = append([]string{}, o.Actions...)
	if f := o.ActionFor; f != nil {
		op.actionFor = func(c *Call, in any) string { return f(c, in.(*In)) }
	}
	return op
}

// Actions lists every IAM action a call of the operation may be authorized
// as: its Action, or a ChoiceOp's declared set.
func (op *Operation) Actions() []string {
	if op.actions == nil {
		return []string{op.Action}
	}
	return slices.Clone(op.actions)
}

// checkActions validates a ChoiceOp's set: not empty, each action
// well formed and not NoPermission, the shown Action among them.
func (op *Operation) checkActions(a *API) error {
	if op.actions == nil {
		return nil
	}
	if op.actionFor == nil {
		return fmt.Errorf("%s %s: a ChoiceOp needs ActionFor", a.spec.Service, op.Name)
	}
	if len(op.actions) == 0 {
		return fmt.Errorf("%s %s: a ChoiceOp needs the Actions it may choose", a.spec.Service, op.Name)
	}
	for _, act := range op.actions {
		svc, name, ok := strings.Cut(act, ":")
		if act == NoPermission || !ok || svc == "" || name == "" || strings.ContainsAny(act, " *?") {
			return fmt.Errorf("%s %s: chosen action %q is not service:Operation", a.spec.Service, op.Name, act)
		}
	}
	if !slices.Contains(op.actions, op.Action) {
		return fmt.Errorf("%s %s: action %q is not among its Actions %v", a.spec.Service, op.Name, op.Action, op.actions)
	}
	return nil
}

// actionOf is the action a call is authorized as.
func (op *Operation) actionOf(c *Call, in any) (string, error) {
	if op.actionFor == nil {
		return op.Action, nil
	}
	act := op.actionFor(c, in)
	if !slices.Contains(op.actions, act) {
		return "", InternalError(fmt.Errorf("%s %s: chose action %q, which is not among its declared Actions %v", c.API.spec.Service, op.Name, act, op.actions))
	}
	return act, nil
}
