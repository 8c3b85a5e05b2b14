package stacks

import (
	"context"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// resourceLine is a resource of a stack as the CloudFormation API shows it.
type resourceLine struct {
	id, typ, phys, status string
	at                    time.Time
}

// resourceLines are st's resources with CloudFormation's statuses: a
// resource with a provider call in flight is *_IN_PROGRESS; one last
// updated is UPDATE_COMPLETE, else CREATE_COMPLETE (from the stack's
// events).
func (e *Engine) resourceLines(ctx context.Context, st *StackState) []resourceLine {
	last := map[string]Event{}
	if evs, err := e.stackEvents(ctx, st); err == nil {
		for _, ev := range evs {
			if ev.Type != StackType {
				last[ev.LogicalID] = ev
			}
		}
	}
	var out []resourceLine
	for _, id := range sortedKeys(st.Resources) {
		rs := st.Resources[id]
		l := resourceLine{id: id, typ: rs.Type, phys: rs.PhysicalID, status: StatusCreateComplete, at: st.Updated}
		ev, seen := last[id]
		if seen {
			l.at = ev.Time
			if strings.HasPrefix(ev.Status, "UPDATE_") {
				l.status = StatusUpdateComplete
			}
		}
		switch rs.Pending {
		case "create":
			l.status = StatusCreateInProgress
		case "update", "replace":
			l.status = StatusUpdateInProgress
		}
		if st.Status == StatusDeleteInProgress && seen && ev.Status == "DELETE_IN_PROGRESS" {
			l.status = StatusDeleteInProgress
		}
		out = append(out, l)
	}
	return out
}

// stackEvents are the events of st, oldest first: those of the stack of its
// id, not of an earlier or later stack of the same name (their stack
// events carry their own ids).
func (e *Engine) stackEvents(ctx context.Context, st *StackState) ([]Event, error) {
	evs, err := e.Events(ctx, st.Name)
	if err != nil {
		return nil, err
	}
	start, end, own := 0, len(evs), false
	for i, ev := range evs {
		if ev.Type != StackType || ev.PhysicalID == "" {
			continue
		}
		switch {
		case ev.PhysicalID == st.ID:
			own = true
		case own:
			end = i
		default:
			start = i + 1
		}
		if end != len(evs) {
			break
		}
	}
	return evs[start:end], nil
}

func (e *Engine) listStackResources(c *awsapi.Call, in *cfnStackIn) (listStackResourcesOut, error) {
	ctx := c.Context()
	st, err := e.stackFor(ctx, in.StackName)
	if err != nil {
		return listStackResourcesOut{}, err
	}
	out := listStackResourcesOut{Summaries: []cfnResourceSummary{}}
	for _, l := range e.resourceLines(ctx, st) {
		out.Summaries = append(out.Summaries, cfnResourceSummary{LogicalResourceID: l.id, PhysicalResourceID: l.phys,
			ResourceType: l.typ, LastUpdatedTimestamp: cfnTime(l.at), ResourceStatus: l.status})
	}
	return out, nil
}

func (e *Engine) describeStackResource(c *awsapi.Call, in *describeStackResourceIn) (describeStackResourceOut, error) {
	ctx := c.Context()
	st, err := e.stackFor(ctx, in.StackName)
	if err != nil {
		return describeStackResourceOut{}, err
	}
	if in.LogicalResourceID == "" {
		return describeStackResourceOut{}, cfnValidation("1 validation error detected: Value null at 'logicalResourceId' failed to satisfy constraint: Member must not be null")
	}
	for _, l := range e.resourceLines(ctx, st) {
		if l.id == in.LogicalResourceID {
			return describeStackResourceOut{Detail: cfnResourceDetail{StackName: st.Name, StackID: st.ID, LogicalResourceID: l.id,
				PhysicalResourceID: l.phys, ResourceType: l.typ, LastUpdatedTimestamp: cfnTime(l.at), ResourceStatus: l.status}}, nil
		}
	}
	return describeStackResourceOut{}, cfnValidation("Resource %s does not exist for stack %s", in.LogicalResourceID, in.StackName)
}

func (e *Engine) describeStackResources(c *awsapi.Call, in *describeStackResourcesIn) (describeStackResourcesOut, error) {
	ctx := c.Context()
	var st *StackState
	switch {
	case in.StackName != "":
		s, err := e.stackFor(ctx, in.StackName)
		if err != nil {
			return describeStackResourcesOut{}, err
		}
		st = s
	case in.PhysicalResourceID != "": // every resource of the stack that holds it, as CloudFormation answers
		all, err := e.store.list(ctx)
		if err != nil {
			return describeStackResourcesOut{}, err
		}
		for _, s := range all {
			for _, rs := range s.Resources {
				if rs.PhysicalID == in.PhysicalResourceID {
					st = s
				}
			}
		}
		if st == nil {
			return describeStackResourcesOut{}, cfnValidation("Stack for %s does not exist", in.PhysicalResourceID)
		}
	default:
		return describeStackResourcesOut{}, cfnValidation("Either StackName or PhysicalResourceId must be specified.")
	}
	res := describeStackResourcesOut{Resources: []cfnResource{}}
	for _, l := range e.resourceLines(ctx, st) {
		if in.LogicalResourceID != "" && l.id != in.LogicalResourceID {
			continue
		}
		res.Resources = append(res.Resources, cfnResource{StackName: st.Name, StackID: st.ID, LogicalResourceID: l.id,
			PhysicalResourceID: l.phys, ResourceType: l.typ, Timestamp: cfnTime(l.at), ResourceStatus: l.status})
	}
	return res, nil
}
