package stacks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// CloudFormationAPI is a read-only subset of the CloudFormation query API
// (signing name "cloudformation", version 2010-05-15): DescribeStacks,
// ListStacks, ListExports, ListImports, DescribeStackEvents and
// DescribeStackResources, so SDK code and the AWS CLI can read stack
// outputs and exports with an endpoint override. Each is authorized as its
// cloudformation: action on the stack StackName names (its ARN, or
// stack/NAME/* before it has one), or on "*". Changes go through the nubo
// admin API (decision 003).
func (e *Engine) CloudFormationAPI() (*awsapi.API, error) {
	return awsapi.NewAPI(awsapi.Spec{
		Service:      "cloudformation",
		SDKID:        "cloudformation",
		Protocol:     awsapi.Query,
		QueryVersion: "2010-05-15",
		XMLNamespace: cfnNS,
		Authorizer:   e.opts.Authorizer,
		Logger:       e.log,
		Ops: []awsapi.Declared{
			awsapi.Op[cfnStackIn, describeStacksOut]{Name: "DescribeStacks", Action: "cloudformation:DescribeStacks",
				Resources: e.cfnStackTargets, Handler: e.describeStacks},
			awsapi.Op[awsapi.None, listStacksOut]{Name: "ListStacks", Action: "cloudformation:ListStacks",
				Handler: e.listStacks},
			awsapi.Op[awsapi.None, listExportsOut]{Name: "ListExports", Action: "cloudformation:ListExports",
				Handler: e.listExports},
			awsapi.Op[listImportsIn, listImportsOut]{Name: "ListImports", Action: "cloudformation:ListImports",
				Handler: e.listImports},
			awsapi.Op[cfnStackIn, describeStackEventsOut]{Name: "DescribeStackEvents", Action: "cloudformation:DescribeStackEvents",
				Resources: e.cfnStackTargets, Handler: e.describeStackEvents},
			awsapi.Op[cfnStackIn, describeStackResourcesOut]{Name: "DescribeStackResources", Action: "cloudformation:DescribeStackResources",
				Resources: e.cfnStackTargets, Handler: e.describeStackResources},
		},
	})
}

// Inputs of the CloudFormation operations: the parameters nubo reads.
type (
	cfnStackIn struct {
		StackName string
	}
	listImportsIn struct {
		ExportName string
	}
)

// cfnStackTargets authorizes an operation on the stack StackName names, or
// on "*" without one.
func (e *Engine) cfnStackTargets(c *awsapi.Call, in *cfnStackIn) ([]awsapi.Target, error) {
	return e.stackTargets(c.Context(), in.StackName), nil
}

const cfnNS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

type cfnOutput struct {
	OutputKey   string `xml:"OutputKey"`
	OutputValue string `xml:"OutputValue"`
	Description string `xml:"Description,omitempty"`
	ExportName  string `xml:"ExportName,omitempty"`
}

type cfnParameter struct {
	ParameterKey   string `xml:"ParameterKey"`
	ParameterValue string `xml:"ParameterValue"`
}

type cfnStack struct {
	StackName         string         `xml:"StackName"`
	StackID           string         `xml:"StackId"`
	StackStatus       string         `xml:"StackStatus"`
	StackStatusReason string         `xml:"StackStatusReason,omitempty"`
	CreationTime      string         `xml:"CreationTime"`
	LastUpdatedTime   string         `xml:"LastUpdatedTime,omitempty"`
	Parameters        []cfnParameter `xml:"Parameters>member"`
	Outputs           []cfnOutput    `xml:"Outputs>member"`
}

type cfnSummary struct {
	StackName       string `xml:"StackName"`
	StackID         string `xml:"StackId"`
	StackStatus     string `xml:"StackStatus"`
	CreationTime    string `xml:"CreationTime"`
	LastUpdatedTime string `xml:"LastUpdatedTime,omitempty"`
}

type cfnExport struct {
	ExportingStackID string `xml:"ExportingStackId"`
	Name             string `xml:"Name"`
	Value            string `xml:"Value"`
}

type cfnEvent struct {
	StackID              string `xml:"StackId"`
	EventID              string `xml:"EventId"`
	StackName            string `xml:"StackName"`
	LogicalResourceID    string `xml:"LogicalResourceId"`
	PhysicalResourceID   string `xml:"PhysicalResourceId,omitempty"`
	ResourceType         string `xml:"ResourceType"`
	Timestamp            string `xml:"Timestamp"`
	ResourceStatus       string `xml:"ResourceStatus"`
	ResourceStatusReason string `xml:"ResourceStatusReason,omitempty"`
}

type cfnResource struct {
	StackName          string `xml:"StackName"`
	StackID            string `xml:"StackId"`
	LogicalResourceID  string `xml:"LogicalResourceId"`
	PhysicalResourceID string `xml:"PhysicalResourceId"`
	ResourceType       string `xml:"ResourceType"`
	Timestamp          string `xml:"Timestamp"`
	ResourceStatus     string `xml:"ResourceStatus"`
}

func cfnTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Results of the CloudFormation operations, inside <OpResult>.
type (
	describeStacksOut struct {
		Stacks []cfnStack `xml:"Stacks>member"`
	}
	listStacksOut struct {
		Stacks []cfnSummary `xml:"StackSummaries>member"`
	}
	listExportsOut struct {
		Exports []cfnExport `xml:"Exports>member"`
	}
	listImportsOut struct {
		Imports []string `xml:"Imports>member"`
	}
	describeStackEventsOut struct {
		Events []cfnEvent `xml:"StackEvents>member"`
	}
	describeStackResourcesOut struct {
		Resources []cfnResource `xml:"StackResources>member"`
	}
)

// stackNamed is the stack name names; a missing one is the ValidationError
// CloudFormation answers.
func (e *Engine) stackNamed(ctx context.Context, name string) (*StackState, error) {
	st, err := e.Describe(ctx, name)
	if errors.Is(err, ErrStackNotFound) {
		return nil, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "Stack with id %s does not exist", name)
	}
	return st, err
}

func (e *Engine) describeStacks(c *awsapi.Call, in *cfnStackIn) (describeStacksOut, error) {
	ctx := c.Context()
	var states []*StackState
	if in.StackName != "" {
		st, err := e.stackNamed(ctx, in.StackName)
		if err != nil {
			return describeStacksOut{}, err
		}
		states = append(states, st)
	} else {
		list, err := e.List(ctx)
		if err != nil {
			return describeStacksOut{}, err
		}
		for _, s := range list {
			if st, err := e.Describe(ctx, s.Name); err == nil {
				states = append(states, st)
			}
		}
	}
	res := describeStacksOut{Stacks: []cfnStack{}}
	for _, st := range states {
		cs := cfnStack{StackName: st.Name, StackID: st.ID, StackStatus: st.Status, StackStatusReason: st.Reason,
			CreationTime: cfnTime(st.Created), LastUpdatedTime: cfnTime(st.Updated)}
		for _, k := range sortedKeys(st.Parameters) {
			cs.Parameters = append(cs.Parameters, cfnParameter{k, st.Parameters[k]})
		}
		for _, k := range sortedKeys(st.Outputs) {
			o := st.Outputs[k]
			cs.Outputs = append(cs.Outputs, cfnOutput{OutputKey: k, OutputValue: o.Value, Description: o.Description, ExportName: o.Export})
		}
		res.Stacks = append(res.Stacks, cs)
	}
	return res, nil
}

func (e *Engine) listStacks(c *awsapi.Call, _ *awsapi.None) (listStacksOut, error) {
	ctx := c.Context()
	list, err := e.List(ctx)
	if err != nil {
		return listStacksOut{}, err
	}
	res := listStacksOut{Stacks: []cfnSummary{}}
	for _, s := range list {
		st, err := e.Describe(ctx, s.Name)
		if err != nil {
			continue
		}
		res.Stacks = append(res.Stacks, cfnSummary{StackName: st.Name, StackID: st.ID, StackStatus: st.Status, CreationTime: cfnTime(st.Created), LastUpdatedTime: cfnTime(st.Updated)})
	}
	return res, nil
}

func (e *Engine) listExports(c *awsapi.Call, _ *awsapi.None) (listExportsOut, error) {
	ctx := c.Context()
	list, err := e.Exports(ctx)
	if err != nil {
		return listExportsOut{}, err
	}
	res := listExportsOut{Exports: []cfnExport{}}
	for _, x := range list {
		id := x.Stack
		if st, err := e.Describe(ctx, x.Stack); err == nil {
			id = st.ID
		}
		res.Exports = append(res.Exports, cfnExport{ExportingStackID: id, Name: x.Name, Value: x.Value})
	}
	return res, nil
}

func (e *Engine) listImports(c *awsapi.Call, in *listImportsIn) (listImportsOut, error) {
	list, err := e.Exports(c.Context())
	if err != nil {
		return listImportsOut{}, err
	}
	for _, x := range list {
		if x.Name == in.ExportName {
			if len(x.Importers) > 0 {
				return listImportsOut{Imports: x.Importers}, nil
			}
			break
		}
	}
	return listImportsOut{}, awsapi.Errorf(http.StatusBadRequest, "ValidationError", "Export '%s' is not imported by any stack.", in.ExportName)
}

func (e *Engine) describeStackEvents(c *awsapi.Call, in *cfnStackIn) (describeStackEventsOut, error) {
	ctx := c.Context()
	st, err := e.stackNamed(ctx, in.StackName)
	if err != nil {
		return describeStackEventsOut{}, err
	}
	evs, err := e.Events(ctx, in.StackName)
	if err != nil {
		return describeStackEventsOut{}, err
	}
	res := describeStackEventsOut{Events: []cfnEvent{}}
	for i := len(evs) - 1; i >= 0; i-- { // newest first, as CloudFormation lists them
		ev := evs[i]
		res.Events = append(res.Events, cfnEvent{StackID: st.ID, EventID: fmt.Sprintf("%s-%d-%d", ev.LogicalID, ev.Deployment, ev.Time.UnixNano()),
			StackName: in.StackName, LogicalResourceID: ev.LogicalID, PhysicalResourceID: ev.PhysicalID, ResourceType: ev.Type,
			Timestamp: cfnTime(ev.Time), ResourceStatus: ev.Status, ResourceStatusReason: ev.Reason})
	}
	return res, nil
}

func (e *Engine) describeStackResources(c *awsapi.Call, in *cfnStackIn) (describeStackResourcesOut, error) {
	st, err := e.stackNamed(c.Context(), in.StackName)
	if err != nil {
		return describeStackResourcesOut{}, err
	}
	res := describeStackResourcesOut{Resources: []cfnResource{}}
	for _, id := range sortedKeys(st.Resources) {
		rs := st.Resources[id]
		status := "CREATE_COMPLETE"
		if rs.Pending != "" {
			status = "CREATE_IN_PROGRESS"
		}
		res.Resources = append(res.Resources, cfnResource{StackName: in.StackName, StackID: st.ID, LogicalResourceID: id,
			PhysicalResourceID: rs.PhysicalID, ResourceType: rs.Type, Timestamp: cfnTime(st.Updated), ResourceStatus: status})
	}
	return res, nil
}
