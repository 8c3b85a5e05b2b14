package stacks

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// CloudFormationService serves a read-only subset of the CloudFormation
// query API (DescribeStacks, ListStacks, ListExports, ListImports,
// DescribeStackEvents, DescribeStackResources), so SDK code and the AWS CLI
// can read stack outputs and exports with an endpoint override. Changes go
// through the nubo admin API (decision 003).
func (e *Engine) CloudFormationService() awsapi.Service {
	return awsapi.Service{Name: "cloudformation", Protocol: awsapi.Query, Handler: http.HandlerFunc(e.serveCFN)}
}

const cfnNS = "http://cloudformation.amazonaws.com/doc/2010-05-15/"

type cfnMeta struct {
	RequestID string `xml:"RequestId"`
}

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

// cfnAction is the IAM action of a CloudFormation operation nubo serves,
// authorized on the stack named by StackName, if any.
func cfnAction(op string) (string, bool) {
	switch op {
	case "DescribeStacks", "ListStacks", "ListExports", "ListImports", "DescribeStackEvents", "DescribeStackResources":
		return "cloudformation:" + op, true
	}
	return "", false
}

func (e *Engine) serveCFN(w http.ResponseWriter, r *http.Request) {
	fail := func(err error) { awsapi.WriteError(w, r, awsapi.Query, err, e.log) }
	if err := r.ParseForm(); err != nil {
		fail(awsapi.NewError(http.StatusBadRequest, "MalformedQueryString", err.Error()))
		return
	}
	ctx := r.Context()
	rid := awsapi.RequestID(ctx)
	write := func(action string, result any) {
		type envelope struct {
			XMLName xml.Name
			Xmlns   string  `xml:"xmlns,attr"`
			Result  any     `xml:",any"`
			Meta    cfnMeta `xml:"ResponseMetadata"`
		}
		b, err := xml.Marshal(envelope{XMLName: xml.Name{Local: action + "Response"}, Xmlns: cfnNS, Result: result, Meta: cfnMeta{RequestID: rid}})
		if err != nil {
			fail(err)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(xml.Header))
		_, _ = w.Write(b)
	}
	notFound := func(name string) {
		fail(awsapi.Errorf(http.StatusBadRequest, "ValidationError", "Stack with id %s does not exist", name))
	}
	stackNamed := func(name string) (*StackState, bool) {
		st, err := e.Describe(ctx, name)
		if errors.Is(err, ErrStackNotFound) {
			notFound(name)
			return nil, false
		}
		if err != nil {
			fail(err)
			return nil, false
		}
		return st, true
	}
	action := r.Form.Get("Action")
	if iamAction, ok := cfnAction(action); ok {
		if err := e.authorize(r, iamAction, r.Form.Get("StackName")); err != nil {
			fail(err)
			return
		}
	}
	switch action {
	case "DescribeStacks":
		var states []*StackState
		if name := r.Form.Get("StackName"); name != "" {
			st, ok := stackNamed(name)
			if !ok {
				return
			}
			states = append(states, st)
		} else {
			list, err := e.List(ctx)
			if err != nil {
				fail(err)
				return
			}
			for _, s := range list {
				if st, err := e.Describe(ctx, s.Name); err == nil {
					states = append(states, st)
				}
			}
		}
		type result struct {
			XMLName xml.Name   `xml:"DescribeStacksResult"`
			Stacks  []cfnStack `xml:"Stacks>member"`
		}
		res := result{Stacks: []cfnStack{}}
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
		write(action, res)
	case "ListStacks":
		list, err := e.List(ctx)
		if err != nil {
			fail(err)
			return
		}
		type result struct {
			XMLName xml.Name     `xml:"ListStacksResult"`
			Stacks  []cfnSummary `xml:"StackSummaries>member"`
		}
		res := result{Stacks: []cfnSummary{}}
		for _, s := range list {
			st, err := e.Describe(ctx, s.Name)
			if err != nil {
				continue
			}
			res.Stacks = append(res.Stacks, cfnSummary{StackName: st.Name, StackID: st.ID, StackStatus: st.Status, CreationTime: cfnTime(st.Created), LastUpdatedTime: cfnTime(st.Updated)})
		}
		write(action, res)
	case "ListExports":
		list, err := e.Exports(ctx)
		if err != nil {
			fail(err)
			return
		}
		type result struct {
			XMLName xml.Name    `xml:"ListExportsResult"`
			Exports []cfnExport `xml:"Exports>member"`
		}
		res := result{Exports: []cfnExport{}}
		for _, x := range list {
			id := x.Stack
			if st, err := e.Describe(ctx, x.Stack); err == nil {
				id = st.ID
			}
			res.Exports = append(res.Exports, cfnExport{ExportingStackID: id, Name: x.Name, Value: x.Value})
		}
		write(action, res)
	case "ListImports":
		name := r.Form.Get("ExportName")
		list, err := e.Exports(ctx)
		if err != nil {
			fail(err)
			return
		}
		type result struct {
			XMLName xml.Name `xml:"ListImportsResult"`
			Imports []string `xml:"Imports>member"`
		}
		for _, x := range list {
			if x.Name == name {
				if len(x.Importers) == 0 {
					break
				}
				write(action, result{Imports: x.Importers})
				return
			}
		}
		fail(awsapi.Errorf(http.StatusBadRequest, "ValidationError", "Export '%s' is not imported by any stack.", name))
	case "DescribeStackEvents":
		name := r.Form.Get("StackName")
		st, ok := stackNamed(name)
		if !ok {
			return
		}
		evs, err := e.Events(ctx, name)
		if err != nil {
			fail(err)
			return
		}
		type result struct {
			XMLName xml.Name   `xml:"DescribeStackEventsResult"`
			Events  []cfnEvent `xml:"StackEvents>member"`
		}
		res := result{Events: []cfnEvent{}}
		for i := len(evs) - 1; i >= 0; i-- { // newest first, as CloudFormation lists them
			ev := evs[i]
			res.Events = append(res.Events, cfnEvent{StackID: st.ID, EventID: fmt.Sprintf("%s-%d-%d", ev.LogicalID, ev.Deployment, ev.Time.UnixNano()),
				StackName: name, LogicalResourceID: ev.LogicalID, PhysicalResourceID: ev.PhysicalID, ResourceType: ev.Type,
				Timestamp: cfnTime(ev.Time), ResourceStatus: ev.Status, ResourceStatusReason: ev.Reason})
		}
		write(action, res)
	case "DescribeStackResources":
		name := r.Form.Get("StackName")
		st, ok := stackNamed(name)
		if !ok {
			return
		}
		type result struct {
			XMLName   xml.Name      `xml:"DescribeStackResourcesResult"`
			Resources []cfnResource `xml:"StackResources>member"`
		}
		res := result{Resources: []cfnResource{}}
		ids := sortedKeys(st.Resources)
		sort.Strings(ids)
		for _, id := range ids {
			rs := st.Resources[id]
			status := "CREATE_COMPLETE"
			if rs.Pending != "" {
				status = "CREATE_IN_PROGRESS"
			}
			res.Resources = append(res.Resources, cfnResource{StackName: name, StackID: st.ID, LogicalResourceID: id,
				PhysicalResourceID: rs.PhysicalID, ResourceType: rs.Type, Timestamp: cfnTime(st.Updated), ResourceStatus: status})
		}
		write(action, res)
	default:
		fail(awsapi.Errorf(http.StatusBadRequest, "InvalidAction", "nubo serves CloudFormation's read operations only (%s is not one); deploy with `nubo deploy`", action))
	}
}
