package sam

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Options are the deployment facts the transform needs: the Region (its Partition, derived when
// empty, is written into generated ARNs as AWS's translator does) and the parameter values (some
// SAM properties are resolved from them: CodeUri, Tracing, CreateUsagePlan, ...). AccountID and
// StackName are not needed by the expansion: the output keeps ${AWS::AccountId} and
// AWS::StackName for the engine to resolve.
type Options struct {
	Region, AccountID, Partition, StackName string
	Parameters                              map[string]any
	// CodeDigest, when set, returns a digest of a function's local code
	// path (CodeUri). AutoPublishAlias hashes it into the version's logical
	// id, as AWS hashes the S3 key `sam package` names by the package's
	// content: a code change publishes a new version.
	CodeDigest func(path string) (string, error)
}

const (
	typeFunction     = "AWS::Serverless::Function"
	typeAPI          = "AWS::Serverless::Api"
	typeHTTPAPI      = "AWS::Serverless::HttpApi"
	typeSimpleTable  = "AWS::Serverless::SimpleTable"
	typeStateMachine = "AWS::Serverless::StateMachine"

	implicitRestAPI = "ServerlessRestApi"
	implicitHTTPAPI = "ServerlessHttpApi"
)

// Transform expands SAM resources into CloudFormation. tmpl is a parsed template in long form:
// intrinsics are maps {"Ref": x}, {"Fn::GetAtt": [a, b]}, {"Fn::Sub": ...}; YAML short tags already
// converted by the caller. It returns a new template (input not mutated).
func Transform(tmpl map[string]any, opts Options) (map[string]any, error) {
	if opts.Partition == "" {
		opts.Partition = partitionOf(opts.Region)
	}
	t := &translator{
		opts:     opts,
		tmpl:     deepCopy(tmpl).(map[string]any),
		out:      map[string]any{},
		restAPIs: map[string]*restAPI{},
		httpAPIs: map[string]*httpAPI{},

		implicitOwners: map[string][]map[string]any{},
		renamed:        map[string]string{},
	}
	return t.run()
}

func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	default:
		return "aws"
	}
}

type translator struct {
	opts      Options
	tmpl      map[string]any
	resources map[string]any // the input Resources, Globals merged
	out       map[string]any // the output Resources
	errs      []string

	restAPIs map[string]*restAPI // SAM REST APIs of the template, with the implicit one
	httpAPIs map[string]*httpAPI

	sharedPlanOwners []map[string]any            // APIs sharing ServerlessUsagePlan
	implicitOwners   map[string][]map[string]any // implicit API -> resources whose events made it
	renamed          map[string]string           // SAM logical ID -> generated ID (layer versions)
}

// docError is the translator's rejection: every problem found, as AWS words it.
type docError struct{ items []string }

func (e *docError) Error() string {
	return fmt.Sprintf("Invalid Serverless Application Specification document. Number of errors found: %d. %s",
		len(e.items), strings.Join(e.items, " "))
}

// itemError is one problem, already phrased ("Resource with id [X] is invalid. ...").
type itemError struct{ msg string }

func (e *itemError) Error() string { return e.msg }

func structureErr(format string, args ...any) error {
	return &itemError{"Structure of the SAM template is invalid. " + fmt.Sprintf(format, args...)}
}

func resourceErr(id, format string, args ...any) error {
	return &itemError{fmt.Sprintf("Resource with id [%s] is invalid. ", id) + fmt.Sprintf(format, args...)}
}

func eventErr(id, event, format string, args ...any) error {
	return &itemError{fmt.Sprintf("Resource with id [%s] is invalid. Event with id [%s] is invalid. ", id, event) +
		fmt.Sprintf(format, args...)}
}

// unsupported names what nubo's transform does not cover yet.
func unsupported(id, what string) error {
	return resourceErr(id, "%s is not supported by nubo's SAM transform yet.", what)
}

func (t *translator) fail(err error) {
	msg := err.Error()
	var it *itemError
	if errors.As(err, &it) {
		msg = it.msg
	}
	for _, e := range t.errs {
		if e == msg {
			return // one problem, reported once
		}
	}
	t.errs = append(t.errs, msg)
}

func (t *translator) run() (map[string]any, error) {
	res, ok := t.tmpl["Resources"].(map[string]any)
	if !ok || len(res) == 0 {
		if _, present := t.tmpl["Resources"]; !present || res == nil {
			return nil, &docError{[]string{"Structure of the SAM template is invalid. 'Resources' section is required"}}
		}
	}
	t.resources = res
	ids := sortedKeys(res)
	for _, id := range ids {
		if !isAlnum(id) {
			t.fail(resourceErr(id, "Logical ids must be alphanumeric."))
			continue
		}
		r, ok := res[id].(map[string]any)
		if !ok {
			t.fail(resourceErr(id, "Resource should be a map."))
			continue
		}
		if _, ok := r["Type"].(string); !ok {
			t.fail(resourceErr(id, "Missing or invalid 'Type' attribute."))
		}
	}
	if len(t.errs) > 0 {
		return nil, &docError{t.errs}
	}
	t.addImplicitAPIs()
	ids = sortedKeys(res)
	if err := t.applyGlobals(); err != nil {
		t.fail(err)
		return nil, &docError{t.errs}
	}
	for _, id := range ids {
		r := res[id].(map[string]any)
		if strings.HasPrefix(r["Type"].(string), "AWS::Serverless::") {
			if err := validateAttributes(id, r); err != nil {
				t.fail(err)
				continue
			}
			if p, ok := r["Properties"]; ok && p != nil {
				if _, ok := p.(map[string]any); !ok {
					t.fail(resourceErr(id, "Properties should be a map."))
				}
			}
		}
	}
	if len(t.errs) > 0 {
		return nil, &docError{t.errs}
	}

	// Plain CloudFormation resources pass through (S3 events may add notifications to buckets).
	var plain []string
	for _, id := range ids {
		r := res[id].(map[string]any)
		if !strings.HasPrefix(r["Type"].(string), "AWS::Serverless::") {
			t.out[id] = r
			plain = append(plain, id)
		}
	}
	// APIs first: function and state machine events add their routes to them.
	t.collectAPIs(ids)
	for _, id := range ids {
		r := res[id].(map[string]any)
		before := make(map[string]any, len(plain))
		for _, p := range plain {
			before[p] = t.out[p]
		}
		var err error
		switch typ := r["Type"].(string); typ {
		case typeFunction:
			err = t.function(id, r)
		case typeStateMachine:
			err = t.stateMachine(id, r)
		case typeSimpleTable:
			err = t.simpleTable(id, r)
		case typeLayerVersion:
			err = t.layerVersion(id, r)
		case typeAPI, typeHTTPAPI:
			// after the events
		default:
			if strings.HasPrefix(typ, "AWS::Serverless::") {
				err = resourceErr(id, "Type %s is not supported by nubo's SAM transform yet.", typ)
			}
		}
		if err == nil {
			err = t.checkOverwrites(id, plain, before)
		}
		if err != nil {
			t.fail(err)
		}
	}
	for _, id := range sortedAPIKeys(t.restAPIs) {
		if err := t.emitRestAPI(t.restAPIs[id]); err != nil {
			t.fail(err)
		}
	}
	t.finishSharedUsagePlan()
	for _, id := range sortedAPIKeys(t.httpAPIs) {
		if err := t.emitHTTPAPI(t.httpAPIs[id]); err != nil {
			t.fail(err)
		}
	}
	if len(t.errs) > 0 {
		return nil, &docError{t.errs}
	}
	for id, r := range t.out {
		t.out[id] = rewriteRefs(r, t.renamed)
	}
	if outputs, ok := t.tmpl["Outputs"]; ok {
		t.tmpl["Outputs"] = rewriteRefs(outputs, t.renamed)
	}
	out := map[string]any{}
	for k, v := range t.tmpl {
		switch k {
		case "Globals":
		case "Transform":
			// Keep the other transforms (macros) the template declares.
			if rest := otherTransforms(v); rest != nil {
				out[k] = rest
			}
		default:
			out[k] = v
		}
	}
	out["Resources"] = t.out
	return out, nil
}

func sortedAPIKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// passthrough copies the resource attributes the translator carries from a SAM resource to
// the resources it generates.
func passthrough(r map[string]any, dst map[string]any) {
	for _, k := range []string{"Condition", "DeletionPolicy", "UpdateReplacePolicy"} {
		if v, ok := r[k]; ok {
			dst[k] = deepCopy(v)
		}
	}
}

// resource builds a CloudFormation resource.
func resource(typ string, props map[string]any) map[string]any {
	return map[string]any{"Type": typ, "Properties": props}
}

func props(r map[string]any) map[string]any {
	p, _ := r["Properties"].(map[string]any)
	if p == nil {
		p = map[string]any{}
	}
	return p
}

// paramValue resolves {"Ref": Param} against the options' parameters or the default value.
func (t *translator) paramValue(v any) (any, bool) {
	name, ok := refTarget(v)
	if !ok {
		return nil, false
	}
	if pv, ok := t.opts.Parameters[name]; ok {
		return pv, true
	}
	params, _ := t.tmpl["Parameters"].(map[string]any)
	if p, ok := params[name].(map[string]any); ok {
		if d, ok := p["Default"]; ok {
			return d, true
		}
	}
	return nil, false
}

func (t *translator) arn(service, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s", t.opts.Partition, service, resource)
}

// parameterNames are the template's parameters.
func (t *translator) parameterNames() map[string]bool {
	out := map[string]bool{}
	params, _ := t.tmpl["Parameters"].(map[string]any)
	for k := range params {
		out[k] = true
	}
	return out
}

// SAMTransform is the transform this package implements.
const SAMTransform = "AWS::Serverless-2016-10-31"

func otherTransforms(v any) any {
	switch x := v.(type) {
	case string:
		if x == SAMTransform {
			return nil
		}
		return x
	case []any:
		var rest []any
		for _, e := range x {
			if e != SAMTransform {
				rest = append(rest, e)
			}
		}
		if len(rest) == 0 {
			return nil
		}
		return rest
	}
	return v
}

// checkOverwrites rejects a SAM resource that generated a resource under the logical ID of one
// the template declares (an S3 bucket that gains notifications stays the template's own map).
func (t *translator) checkOverwrites(owner string, plain []string, before map[string]any) error {
	for _, id := range plain {
		now, _ := t.out[id].(map[string]any)
		was, _ := before[id].(map[string]any)
		if now == nil || was == nil || isSameMap(now, was) {
			continue
		}
		typ, _ := now["Type"].(string)
		t.out[id] = was
		return &itemError{fmt.Sprintf("Transforming resource with id [%s] attempts to create a new resource with id [%s] and type \"%s\". A resource with that id already exists within this template. Please use a different id for that resource.", owner, id, typ)}
	}
	return nil
}
