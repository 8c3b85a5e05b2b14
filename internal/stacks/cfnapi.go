package stacks

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// CloudFormationAPI is the CloudFormation query API (signing name
// "cloudformation", version 2010-05-15) over the engine nubo deploy uses,
// so SDK code, the AWS CLI (aws cloudformation deploy, its waiters) and
// other CloudFormation clients work with an endpoint override. Stacks are
// created, updated and deleted asynchronously as on AWS: the request
// answers at once and the work runs from a durable work queue
// (cfnqueue.go); change sets are the engine's plans (cfnchangeset.go).
// Each operation is authorized as its cloudformation: action on the stack
// StackName names (its ARN, or stack/NAME/* before it has one), or on "*".
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
			awsapi.Op[listStacksIn, listStacksOut]{Name: "ListStacks", Action: "cloudformation:ListStacks",
				Handler: e.listStacks},
			awsapi.Op[awsapi.None, listExportsOut]{Name: "ListExports", Action: "cloudformation:ListExports",
				Handler: e.listExports},
			awsapi.Op[listImportsIn, listImportsOut]{Name: "ListImports", Action: "cloudformation:ListImports",
				Handler: e.listImports},
			awsapi.Op[cfnStackIn, describeStackEventsOut]{Name: "DescribeStackEvents", Action: "cloudformation:DescribeStackEvents",
				Resources: e.cfnStackTargets, Handler: e.describeStackEvents},
			awsapi.Op[describeStackResourcesIn, describeStackResourcesOut]{Name: "DescribeStackResources", Action: "cloudformation:DescribeStackResources",
				Resources: func(c *awsapi.Call, in *describeStackResourcesIn) ([]awsapi.Target, error) {
					return e.stackTargets(c.Context(), in.StackName), nil
				}, Handler: e.describeStackResources},
			awsapi.Op[describeStackResourceIn, describeStackResourceOut]{Name: "DescribeStackResource", Action: "cloudformation:DescribeStackResource",
				Resources: func(c *awsapi.Call, in *describeStackResourceIn) ([]awsapi.Target, error) {
					return e.stackTargets(c.Context(), in.StackName), nil
				}, Handler: e.describeStackResource},
			awsapi.Op[cfnStackIn, listStackResourcesOut]{Name: "ListStackResources", Action: "cloudformation:ListStackResources",
				Resources: e.cfnStackTargets, Handler: e.listStackResources},
			awsapi.Op[createStackIn, stackIDOut]{Name: "CreateStack", Action: "cloudformation:CreateStack",
				Resources: func(c *awsapi.Call, in *createStackIn) ([]awsapi.Target, error) {
					return e.stackTargets(c.Context(), in.StackName), nil
				}, Handler: e.createStack},
			awsapi.Op[updateStackIn, stackIDOut]{Name: "UpdateStack", Action: "cloudformation:UpdateStack",
				Resources: func(c *awsapi.Call, in *updateStackIn) ([]awsapi.Target, error) {
					return e.stackTargets(c.Context(), in.StackName), nil
				}, Handler: e.updateStack},
			awsapi.Op[deleteStackIn, awsapi.None]{Name: "DeleteStack", Action: "cloudformation:DeleteStack",
				Resources: func(c *awsapi.Call, in *deleteStackIn) ([]awsapi.Target, error) {
					return e.stackTargets(c.Context(), in.StackName), nil
				}, Handler: e.deleteStack},
			awsapi.Op[createChangeSetIn, createChangeSetOut]{Name: "CreateChangeSet", Action: "cloudformation:CreateChangeSet",
				Resources: func(c *awsapi.Call, in *createChangeSetIn) ([]awsapi.Target, error) {
					return e.stackTargets(c.Context(), in.StackName), nil
				}, Handler: e.createChangeSet},
			awsapi.Op[changeSetIn, describeChangeSetOut]{Name: "DescribeChangeSet", Action: "cloudformation:DescribeChangeSet",
				Resources: e.changeSetTargets, Handler: e.describeChangeSet},
			awsapi.Op[executeChangeSetIn, emptyResult]{Name: "ExecuteChangeSet", Action: "cloudformation:ExecuteChangeSet",
				Resources: func(c *awsapi.Call, in *executeChangeSetIn) ([]awsapi.Target, error) {
					return e.changeSetTargets(c, &changeSetIn{ChangeSetName: in.ChangeSetName, StackName: in.StackName})
				}, Handler: e.executeChangeSet},
			awsapi.Op[changeSetIn, emptyResult]{Name: "DeleteChangeSet", Action: "cloudformation:DeleteChangeSet",
				Resources: e.changeSetTargets, Handler: e.deleteChangeSet},
			awsapi.Op[listChangeSetsIn, listChangeSetsOut]{Name: "ListChangeSets", Action: "cloudformation:ListChangeSets",
				Resources: func(c *awsapi.Call, in *listChangeSetsIn) ([]awsapi.Target, error) {
					return e.stackTargets(c.Context(), in.StackName), nil
				}, Handler: e.listChangeSets},
			awsapi.Op[validateTemplateIn, validateTemplateOut]{Name: "ValidateTemplate", Action: "cloudformation:ValidateTemplate",
				Handler: e.validateTemplate},
			awsapi.Op[getTemplateIn, getTemplateOut]{Name: "GetTemplate", Action: "cloudformation:GetTemplate",
				Resources: func(c *awsapi.Call, in *getTemplateIn) ([]awsapi.Target, error) {
					return e.stackTargets(c.Context(), in.StackName), nil
				}, Handler: e.getTemplate},
			awsapi.Op[getTemplateSummaryIn, getTemplateSummaryOut]{Name: "GetTemplateSummary", Action: "cloudformation:GetTemplateSummary",
				Resources: func(c *awsapi.Call, in *getTemplateSummaryIn) ([]awsapi.Target, error) {
					return e.stackTargets(c.Context(), in.StackName), nil
				}, Handler: e.getTemplateSummary},
		},
	})
}

// changeSetTargets authorizes a change set operation on the change set's
// stack: StackName, or the stack of the change set id ChangeSetName gives.
func (e *Engine) changeSetTargets(c *awsapi.Call, in *changeSetIn) ([]awsapi.Target, error) {
	stack := in.StackName
	if stack == "" && strings.HasPrefix(in.ChangeSetName, "arn:") {
		if cs, err := e.findChangeSet(c.Context(), in.ChangeSetName, ""); err == nil {
			stack = cs.StackID
		}
	}
	return e.stackTargets(c.Context(), stack), nil
}

// Inputs of the CloudFormation operations: the parameters nubo reads.
type (
	cfnStackIn struct {
		StackName string
	}
	listImportsIn struct {
		ExportName string
	}
	listStacksIn struct {
		StackStatusFilter []string
	}
	describeStackResourcesIn struct {
		StackName          string
		LogicalResourceID  string `query:"LogicalResourceId"`
		PhysicalResourceID string `query:"PhysicalResourceId"`
	}
	describeStackResourceIn struct {
		StackName         string
		LogicalResourceID string `query:"LogicalResourceId"`
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
	Description       string         `xml:"Description,omitempty"`
	StackStatus       string         `xml:"StackStatus"`
	StackStatusReason string         `xml:"StackStatusReason,omitempty"`
	CreationTime      string         `xml:"CreationTime"`
	LastUpdatedTime   string         `xml:"LastUpdatedTime,omitempty"`
	DeletionTime      string         `xml:"DeletionTime,omitempty"`
	DisableRollback   bool           `xml:"DisableRollback"`
	Parameters        []cfnParameter `xml:"Parameters>member"`
	Outputs           []cfnOutput    `xml:"Outputs>member"`
	Capabilities      []string       `xml:"Capabilities>member"`
	Tags              []Tag          `xml:"Tags>member"`
}

type cfnSummary struct {
	StackName           string `xml:"StackName"`
	StackID             string `xml:"StackId"`
	TemplateDescription string `xml:"TemplateDescription,omitempty"`
	StackStatus         string `xml:"StackStatus"`
	StackStatusReason   string `xml:"StackStatusReason,omitempty"`
	CreationTime        string `xml:"CreationTime"`
	LastUpdatedTime     string `xml:"LastUpdatedTime,omitempty"`
	DeletionTime        string `xml:"DeletionTime,omitempty"`
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
	ClientRequestToken   string `xml:"ClientRequestToken,omitempty"`
}

type cfnResource struct {
	StackName          string `xml:"StackName"`
	StackID            string `xml:"StackId"`
	LogicalResourceID  string `xml:"LogicalResourceId"`
	PhysicalResourceID string `xml:"PhysicalResourceId,omitempty"`
	ResourceType       string `xml:"ResourceType"`
	Timestamp          string `xml:"Timestamp"`
	ResourceStatus     string `xml:"ResourceStatus"`
}

type cfnResourceSummary struct {
	LogicalResourceID    string `xml:"LogicalResourceId"`
	PhysicalResourceID   string `xml:"PhysicalResourceId,omitempty"`
	ResourceType         string `xml:"ResourceType"`
	LastUpdatedTimestamp string `xml:"LastUpdatedTimestamp"`
	ResourceStatus       string `xml:"ResourceStatus"`
}

type cfnResourceDetail struct {
	StackName            string `xml:"StackName"`
	StackID              string `xml:"StackId"`
	LogicalResourceID    string `xml:"LogicalResourceId"`
	PhysicalResourceID   string `xml:"PhysicalResourceId,omitempty"`
	ResourceType         string `xml:"ResourceType"`
	LastUpdatedTimestamp string `xml:"LastUpdatedTimestamp"`
	ResourceStatus       string `xml:"ResourceStatus"`
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
	describeStackResourceOut struct {
		Detail cfnResourceDetail `xml:"StackResourceDetail"`
	}
	listStackResourcesOut struct {
		Summaries []cfnResourceSummary `xml:"StackResourceSummaries>member"`
	}
)

// stackFor is the stack StackName names (a name, or a stack id: a deleted
// stack too, as CloudFormation keeps them), NoEcho parameters masked; a
// missing one is the ValidationError CloudFormation answers.
func (e *Engine) stackFor(ctx context.Context, nameOrID string) (*StackState, error) {
	if nameOrID == "" {
		return nil, cfnValidation("1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null")
	}
	name := stackNameOf(nameOrID)
	if ValidStackName(name) != nil {
		return nil, errNoStack(nameOrID)
	}
	st, err := e.Describe(ctx, name)
	if err != nil && !errors.Is(err, ErrStackNotFound) {
		return nil, err
	}
	if err == nil && sameStack(st, nameOrID) {
		return st, nil
	}
	if strings.HasPrefix(nameOrID, "arn:") {
		hist, err := e.History(ctx, name)
		if err != nil {
			return nil, err
		}
		for i := len(hist) - 1; i >= 0; i-- {
			if hist[i].ID == nameOrID {
				return masked(hist[i]), nil
			}
		}
	}
	return nil, errNoStack(nameOrID)
}

// masked hides st's NoEcho parameter values.
func masked(st *StackState) *StackState {
	for _, k := range st.NoEcho {
		if _, ok := st.Parameters[k]; ok {
			st.Parameters[k] = Masked
		}
	}
	return st
}

func (e *Engine) describeStacks(c *awsapi.Call, in *cfnStackIn) (describeStacksOut, error) {
	ctx := c.Context()
	var states []*StackState
	if in.StackName != "" {
		st, err := e.stackFor(ctx, in.StackName)
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
			CreationTime: cfnTime(st.Created)}
		if st.Version > 1 || st.Status == StatusUpdateInProgress {
			cs.LastUpdatedTime = cfnTime(st.Updated)
		}
		if st.Status == StatusDeleteComplete {
			cs.DeletionTime = cfnTime(st.Updated)
		}
		if st.API != nil {
			cs.Description, cs.Capabilities, cs.Tags, cs.DisableRollback = st.API.Description, st.API.Capabilities, st.API.Tags, st.API.DisableRollback
		}
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

func (e *Engine) listStacks(c *awsapi.Call, in *listStacksIn) (listStacksOut, error) {
	ctx := c.Context()
	all, err := e.store.list(ctx)
	if err != nil {
		return listStacksOut{}, err
	}
	live := map[string]bool{}
	for _, st := range all {
		live[st.Name] = true
	}
	// Deleted stacks, as CloudFormation lists them: the last record of each.
	keys, err := e.store.keys(ctx, "history.")
	if err != nil {
		return listStacksOut{}, err
	}
	last := map[string]string{}
	for _, k := range keys {
		parts := strings.Split(k, ".")
		if len(parts) == 3 && !live[parts[1]] {
			last[parts[1]] = k
		}
	}
	for _, name := range sortedKeys(last) {
		if h, err := e.store.history(ctx, name); err == nil && len(h) > 0 && h[len(h)-1].Status == StatusDeleteComplete {
			all = append(all, h[len(h)-1])
		}
	}
	res := listStacksOut{Stacks: []cfnSummary{}}
	for _, st := range all {
		if len(in.StackStatusFilter) > 0 && !containsString(in.StackStatusFilter, st.Status) {
			continue
		}
		sum := cfnSummary{StackName: st.Name, StackID: st.ID, StackStatus: st.Status, StackStatusReason: st.Reason, CreationTime: cfnTime(st.Created)}
		if st.Version > 1 {
			sum.LastUpdatedTime = cfnTime(st.Updated)
		}
		if st.Status == StatusDeleteComplete {
			sum.DeletionTime = cfnTime(st.Updated)
		}
		if st.API != nil {
			sum.TemplateDescription = st.API.Description
		}
		res.Stacks = append(res.Stacks, sum)
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
	st, err := e.stackFor(ctx, in.StackName)
	if err != nil {
		return describeStackEventsOut{}, err
	}
	evs, err := e.stackEvents(ctx, st)
	if err != nil {
		return describeStackEventsOut{}, err
	}
	res := describeStackEventsOut{Events: []cfnEvent{}}
	for i := len(evs) - 1; i >= 0; i-- { // newest first, as CloudFormation lists them
		ev := evs[i]
		res.Events = append(res.Events, cfnEvent{StackID: st.ID, EventID: fmt.Sprintf("%s-%d-%d", ev.LogicalID, ev.Deployment, ev.Time.UnixNano()),
			StackName: st.Name, LogicalResourceID: ev.LogicalID, PhysicalResourceID: ev.PhysicalID, ResourceType: ev.Type,
			Timestamp: cfnTime(ev.Time), ResourceStatus: ev.Status, ResourceStatusReason: ev.Reason, ClientRequestToken: ev.Token})
	}
	return res, nil
}
