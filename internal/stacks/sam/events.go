package sam

import "fmt"

// functionEvents expands a function's Events.
func (t *translator) functionEvents(f *fnCtx) error {
	evs, ok := f.p["Events"]
	if !ok || evs == nil {
		return nil
	}
	m, ok := evs.(map[string]any)
	if !ok {
		return resourceErr(f.id, "Property 'Events' should be a map.")
	}
	_, tenancy := f.p["TenancyConfig"]
	for _, name := range sortedKeys(m) {
		ev, ok := m[name].(map[string]any)
		if !ok {
			return eventErr(f.id, name, "Event should be a map.")
		}
		typ, _ := ev["Type"].(string)
		if typ == "" {
			return eventErr(f.id, name, "Event should have a 'Type' property.")
		}
		ep, ok := ev["Properties"].(map[string]any)
		if !ok {
			if ev["Properties"] != nil || (typ != "Api" && typ != "HttpApi") {
				return eventErr(f.id, name, "Properties should be a map.")
			}
			ep = map[string]any{}
		}
		if tenancy && typ != "Api" && typ != "HttpApi" {
			return resourceErr(f.id, "Event source '%s' is not supported for functions enabled with tenancy configuration. Only Api and HttpApi event sources are supported.", typ)
		}
		lid := f.id + name
		var err error
		switch typ {
		case "Api":
			err = t.apiEvent(f, name, ep)
		case "HttpApi":
			err = t.httpAPIEvent(f, name, ep)
		case "SQS", "DynamoDB", "Kinesis":
			err = t.pullEvent(f, name, typ, ep)
		case "SNS":
			err = t.snsEvent(f, name, ep)
		case "S3":
			err = t.s3Event(f, name, ep)
		case "Schedule", "CloudWatchEvent", "EventBridgeRule":
			_, hasState := ep["State"]
			_, hasEnabled := ep["Enabled"]
			if hasState && hasEnabled {
				return eventErr(f.id, name, "State and Enabled Properties cannot both be specified.")
			}
			err = t.ruleEvent(f.id, name, typ, ep, f.r, ruleTarget{
				arn: f.invokeArn(), idSuffix: "LambdaTarget",
				after: func(ruleID string) {
					t.permission(f, permissionID(lid, ""), "events.amazonaws.com", getAtt(ruleID, "Arn"), nil)
				}})
		case "ScheduleV2":
			err = t.scheduleV2(f.id, name, ep, f.r, f.invokeArn(), "lambda:InvokeFunction", "LambdaPolicy")
		default:
			err = eventErr(f.id, name, "Event type '%s' is not supported by nubo's SAM transform yet.", typ)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// pullEvent is an event source mapping: SQS queues, DynamoDB and Kinesis streams.
func (t *translator) pullEvent(f *fnCtx, name, typ string, ep map[string]any) error {
	lid := f.id + name
	p := map[string]any{"FunctionName": f.invokeRef()}
	var source string
	switch typ {
	case "SQS":
		source = "Queue"
	default:
		source = "Stream"
	}
	src, ok := ep[source]
	if !ok {
		return resourceErr(lid, "Missing required property '%s'.", source)
	}
	p["EventSourceArn"] = src
	allowed := setOf(source, "BatchSize", "Enabled", "FilterCriteria", "FunctionResponseTypes",
		"MaximumBatchingWindowInSeconds", "ScalingConfig", "KmsKeyArn", "MetricsConfig", "StartingPosition",
		"StartingPositionTimestamp", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError",
		"ParallelizationFactor", "DestinationConfig", "TumblingWindowInSeconds", "ProvisionedPollerConfig")
	for _, k := range sortedKeys(ep) {
		if !allowed[k] {
			return eventErr(f.id, lid, "Property %s not defined for resource of type %s.", k, typ)
		}
		if k == source {
			continue
		}
		p[k] = ep[k]
	}
	if dc, ok := ep["DestinationConfig"].(map[string]any); ok {
		// The failure destination's Type only tells which policy the role needs.
		out := map[string]any{}
		for k, v := range dc {
			out[k] = v
		}
		if of, ok := dc["OnFailure"].(map[string]any); ok {
			dest := map[string]any{}
			for k, v := range of {
				if k != "Type" {
					dest[k] = v
				}
			}
			out["OnFailure"] = dest
			typ, _ := of["Type"].(string)
			action := map[string]string{"SQS": "sqs:SendMessage", "SNS": "sns:publish"}[typ]
			if action != "" && f.role != nil {
				f.role.inline = append(f.role.inline, map[string]any{
					"PolicyName": lid + typ + "Policy",
					"PolicyDocument": map[string]any{"Statement": []any{
						map[string]any{"Action": action, "Effect": "Allow", "Resource": of["Destination"]}}},
				})
			}
		}
		p["DestinationConfig"] = out
	}
	if typ != "SQS" && p["StartingPosition"] == nil {
		return resourceErr(lid, "StartingPosition is required for Kinesis, DynamoDB and MSK.")
	}
	if f.role != nil {
		policy := map[string]string{"SQS": "AWSLambdaSQSQueueExecutionRole", "DynamoDB": "AWSLambdaDynamoDBExecutionRole",
			"Kinesis": "AWSLambdaKinesisExecutionRole"}[typ]
		f.role.addManaged(t.managedArn(policy))
	}
	t.out[lid] = f.attrs(resource("AWS::Lambda::EventSourceMapping", p))
	return nil
}

func (t *translator) snsEvent(f *fnCtx, name string, ep map[string]any) error {
	lid := f.id + name
	for _, k := range sortedKeys(ep) {
		switch k {
		case "Topic", "Region", "FilterPolicy", "FilterPolicyScope", "SqsSubscription", "RedrivePolicy":
		default:
			return resourceErr(lid, "property %s not defined for resource of type SNS", k)
		}
	}
	topic, ok := ep["Topic"]
	if !ok {
		return resourceErr(lid, "Missing required property 'Topic'.")
	}
	subProps := func(protocol string, endpoint any) map[string]any {
		p := map[string]any{"Protocol": protocol, "Endpoint": endpoint, "TopicArn": topic}
		for _, k := range []string{"Region", "FilterPolicy", "FilterPolicyScope", "RedrivePolicy"} {
			if v, ok := ep[k]; ok {
				p[k] = v
			}
		}
		return p
	}
	sq := ep["SqsSubscription"]
	if b, ok := sq.(bool); sq == nil || ok && !b {
		t.permission(f, permissionID(lid, ""), "sns.amazonaws.com", topic, nil)
		t.out[lid] = f.attrs(resource("AWS::SNS::Subscription", subProps("lambda", f.invokeArn())))
		return nil
	}
	var queueArn, queueURL any
	policyID := lid + "QueuePolicy"
	batch, enabled := any(10), any(true)
	if m, ok := sq.(map[string]any); ok {
		queueArn, queueURL = m["QueueArn"], m["QueueUrl"]
		if queueArn == nil || queueURL == nil {
			return eventErr(f.id, name, "No QueueARN or QueueURL provided.")
		}
		if v, ok := m["QueuePolicyLogicalId"].(string); ok {
			policyID = v
		}
		if v, ok := m["BatchSize"]; ok {
			batch = v
		}
		if v, ok := m["Enabled"]; ok {
			enabled = v
		}
	} else {
		qp := map[string]any{}
		if id, ok := refTarget(topic); ok {
			if tr, ok := t.resources[id].(map[string]any); ok && tr["Type"] == "AWS::SNS::Topic" {
				if boolProp(props(tr)["FifoTopic"]) {
					qp["FifoQueue"] = true
				}
			}
		}
		t.out[lid+"Queue"] = f.attrs(resource("AWS::SQS::Queue", qp))
		queueArn, queueURL = getAtt(lid+"Queue", "Arn"), ref(lid+"Queue")
	}
	t.out[policyID] = f.attrs(resource("AWS::SQS::QueuePolicy", map[string]any{
		"Queues": []any{queueURL},
		"PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Action": "sqs:SendMessage", "Effect": "Allow", "Principal": "*", "Resource": queueArn,
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": topic}},
		}}},
	}))
	t.out[lid] = f.attrs(resource("AWS::SNS::Subscription", subProps("sqs", queueArn)))
	t.out[lid+"EventSourceMapping"] = f.attrs(resource("AWS::Lambda::EventSourceMapping", map[string]any{
		"BatchSize": batch, "Enabled": enabled, "EventSourceArn": queueArn, "FunctionName": f.invokeRef()}))
	if f.role != nil {
		f.role.addManaged(t.managedArn("AWSLambdaSQSQueueExecutionRole"))
	}
	return nil
}

// s3Event adds a Lambda notification to a bucket of the template.
func (t *translator) s3Event(f *fnCtx, name string, ep map[string]any) error {
	lid := f.id + name
	bucketID, ok := refTarget(ep["Bucket"])
	if !ok {
		return eventErr(f.id, name, "S3 events must reference an S3 bucket in the same template.")
	}
	bucket, ok := t.resources[bucketID].(map[string]any)
	if !ok || bucket["Type"] != "AWS::S3::Bucket" {
		return eventErr(f.id, name, "S3 events must reference an S3 bucket in the same template.")
	}
	if ep["Events"] == nil {
		return resourceErr(lid, "Missing required property 'Events'.")
	}
	permID := permissionID(lid, "")
	t.permission(f, permID, "s3.amazonaws.com", nil, ref("AWS::AccountId"))

	if b, done := t.out[bucketID].(map[string]any); done {
		bucket = b
	} else {
		bucket = deepCopy(bucket).(map[string]any)
		t.out[bucketID] = bucket
	}
	bp, ok := bucket["Properties"].(map[string]any)
	if !ok {
		if bucket["Properties"] != nil {
			return resourceErr(bucketID, "Properties should be a map.")
		}
		bp = map[string]any{}
		bucket["Properties"] = bp
	}
	nc, ok := bp["NotificationConfiguration"].(map[string]any)
	if !ok {
		if bp["NotificationConfiguration"] != nil {
			return resourceErr(bucketID, "Property 'NotificationConfiguration' should be a map.")
		}
		nc = map[string]any{}
		bp["NotificationConfiguration"] = nc
	}
	var lcs []any
	switch x := nc["LambdaConfigurations"].(type) {
	case nil:
	case []any:
		lcs = x
	default:
		return resourceErr(bucketID, "Invalid type for LambdaConfigurations. Must be a list.")
	}
	events := ep["Events"]
	if _, isStr := events.(string); !isStr {
		if _, isList := events.([]any); !isList {
			return resourceErr(lid, "Type of property 'Events' is invalid.")
		}
	}
	list, isList := events.([]any)
	if !isList {
		list = []any{events}
	}
	for _, e := range list {
		lc := map[string]any{"Event": e, "Function": f.invokeArn()}
		if flt, ok := ep["Filter"]; ok {
			lc["Filter"] = flt
		}
		var entry any = lc
		if cond, ok := f.r["Condition"]; ok {
			entry = map[string]any{"Fn::If": []any{cond, lc, ref("AWS::NoValue")}}
		}
		dup := false
		for _, x := range lcs {
			if stableJSON(x) == stableJSON(entry) {
				dup = true
			}
		}
		if !dup {
			lcs = append(lcs, entry)
		}
	}
	nc["LambdaConfigurations"] = lcs

	var deps []any
	switch d := bucket["DependsOn"].(type) {
	case string:
		deps = []any{d}
	case []any:
		deps = d
	case nil:
	default:
		return resourceErr(bucketID, "Invalid type for field 'DependsOn'. Expected a string or list of strings.")
	}
	if cond, ok := f.r["Condition"]; !ok {
		deps = append(deps, permID)
		bucket["DependsOn"] = deps
	} else {
		if len(deps) > 0 {
			bucket["DependsOn"] = deps
		}
		// A conditional permission cannot be a DependsOn: the translator ties it with a tag.
		var tags []any
		switch x := bp["Tags"].(type) {
		case []any:
			tags = x
		case nil:
		default:
			return resourceErr(bucketID, "Property 'Tags' should be a list.")
		}
		bp["Tags"] = append(tags, map[string]any{"Key": "sam:ConditionalDependsOn:" + permID,
			"Value": map[string]any{"Fn::If": []any{cond, ref(permID), "no dependency"}}})
	}
	return nil
}

// ruleTarget is what an Events::Rule invokes.
type ruleTarget struct {
	arn      any
	idSuffix string
	roleArn  any
	input    map[string]any // extra target properties (Input, InputPath, ...)
	after    func(ruleID string)
}

const maxTargetID = 64

func targetID(lid, suffix string) string {
	if len(lid)+len(suffix) <= maxTargetID {
		return lid + suffix
	}
	return lid[:maxTargetID-len(suffix)] + suffix
}

// ruleEvent is a Schedule, CloudWatchEvent or EventBridgeRule event: an AWS::Events::Rule named
// <Owner><Event> targeting the owner, with an optional SQS dead-letter queue.
func (t *translator) ruleEvent(ownerID, name, typ string, ep, owner map[string]any, tgt ruleTarget) error {
	lid := ownerID + name
	p := map[string]any{}
	target := map[string]any{"Arn": tgt.arn, "Id": targetID(lid, tgt.idSuffix)}
	if v, ok := ep["Target"].(map[string]any); ok {
		if id, ok := v["Id"]; ok {
			target["Id"] = id
		}
	}
	if tgt.roleArn != nil {
		target["RoleArn"] = tgt.roleArn
	}
	switch typ {
	case "Schedule", "EventBridgeRule", "CloudWatchEvent":
		if _, hasState := ep["State"]; hasState {
			if _, hasEnabled := ep["Enabled"]; hasEnabled {
				return &itemError{"Event with id [" + name + "] is invalid. State and Enabled Properties cannot both be specified."}
			}
		}
	}
	switch typ {
	case "Schedule":
		if ep["Schedule"] == nil {
			return resourceErr(lid, "Missing required property 'Schedule'.")
		}
		p["ScheduleExpression"] = ep["Schedule"]
		if s, ok := ep["State"]; ok {
			p["State"] = s
		} else if e, ok := ep["Enabled"]; ok {
			// Like AWS's translator: anything but false (an intrinsic included) enables.
			if b, isBool := e.(bool); isBool && !b {
				p["State"] = "DISABLED"
			} else {
				p["State"] = "ENABLED"
			}
		}
		for _, k := range []string{"Name", "Description"} {
			if v, ok := ep[k]; ok {
				p[k] = v
			}
		}
	default:
		if ep["Pattern"] == nil {
			return resourceErr(lid, "Missing required property 'Pattern'.")
		}
		p["EventPattern"] = ep["Pattern"]
		if v, ok := ep["EventBusName"]; ok {
			p["EventBusName"] = v
		}
		if v, ok := ep["RuleName"]; ok {
			p["Name"] = v
		}
		if v, ok := ep["State"]; ok {
			p["State"] = v
		}
	}
	for _, k := range []string{"Input", "InputPath", "InputTransformer", "RetryPolicy"} {
		if v, ok := ep[k]; ok {
			target[k] = v
		}
	}
	if dlq, ok := ep["DeadLetterConfig"]; ok {
		arn, err := t.deadLetter(lid, ownerID, dlq, owner, "events.amazonaws.com", getAtt(lid, "Arn"))
		if err != nil {
			return err
		}
		target["DeadLetterConfig"] = map[string]any{"Arn": arn}
	}
	p["Targets"] = []any{target}
	res := resource("AWS::Events::Rule", p)
	passthrough(owner, res)
	t.out[lid] = res
	if tgt.after != nil {
		tgt.after(lid)
	}
	return nil
}

// deadLetter handles an event's DeadLetterConfig: an Arn, or Type: SQS for a generated queue
// (<Owner><Event>Queue) with its policy.
func (t *translator) deadLetter(lid, ownerID string, v any, owner map[string]any, principal string, source any) (any, error) {
	evErr := func(msg string) error { return &itemError{t.eventPrefix(ownerID, lid) + msg} }
	d, ok := v.(map[string]any)
	if !ok {
		return nil, evErr("DeadLetterConfig should be a map.")
	}
	arn, hasArn := d["Arn"]
	typ, hasType := d["Type"]
	switch {
	case hasArn && hasType:
		return nil, evErr("You can either define 'Arn' or 'Type' property of DeadLetterConfig.")
	case hasArn:
		return arn, nil
	case !hasType:
		return nil, evErr("No 'Arn' or 'Type' property provided for DeadLetterConfig.")
	}
	if s, ok := typ.(string); !ok || s != "SQS" {
		return nil, evErr("The only valid value for 'Type' property of DeadLetterConfig is 'SQS'.")
	}
	qid := lid + "Queue"
	if q, ok := d["QueueLogicalId"]; ok {
		s, ok := q.(string)
		if !ok {
			return nil, evErr("QueueLogicalId must be a string")
		}
		qid = s
	}
	q := resource("AWS::SQS::Queue", map[string]any{})
	passthrough(owner, q)
	t.out[qid] = q
	pol := resource("AWS::SQS::QueuePolicy", map[string]any{
		"Queues": []any{ref(qid)},
		"PolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Action": "sqs:SendMessage", "Effect": "Allow", "Principal": map[string]any{"Service": principal},
			"Resource":  getAtt(qid, "Arn"),
			"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": source}},
		}}},
	})
	passthrough(owner, pol)
	t.out[lid+"QueuePolicy"] = pol
	return getAtt(qid, "Arn"), nil
}

// scheduleV2 is an EventBridge Scheduler schedule named <Owner><Event>, with a generated role
// (<Owner><Event>Role) unless RoleArn is given.
func (t *translator) scheduleV2(ownerID, name string, ep, owner map[string]any, arn any, action, policySuffix string) error {
	lid := ownerID + name
	p := map[string]any{}
	if ep["ScheduleExpression"] == nil {
		return resourceErr(lid, "Missing required property 'ScheduleExpression'.")
	}
	for _, k := range []string{"ScheduleExpression", "ScheduleExpressionTimezone", "StartDate", "EndDate",
		"State", "Description", "GroupName", "KmsKeyArn", "FlexibleTimeWindow"} {
		if v, ok := ep[k]; ok {
			p[k] = v
		}
	}
	if _, ok := p["FlexibleTimeWindow"]; !ok {
		p["FlexibleTimeWindow"] = map[string]any{"Mode": "OFF"}
	}
	if v, ok := ep["Name"]; ok {
		p["Name"] = v
	} else if !boolProp(ep["OmitName"]) {
		p["Name"] = lid
	}
	target := map[string]any{"Arn": arn}
	for _, k := range []string{"Input", "RetryPolicy"} {
		if v, ok := ep[k]; ok {
			target[k] = v
		}
	}
	var dlqArn any
	if d, ok := ep["DeadLetterConfig"]; ok {
		a, err := t.deadLetter(lid, ownerID, d, owner, "scheduler.amazonaws.com", getAtt(lid, "Arn"))
		if err != nil {
			return err
		}
		dlqArn = a
		target["DeadLetterConfig"] = map[string]any{"Arn": a}
	}
	if r, ok := ep["RoleArn"]; ok {
		target["RoleArn"] = r
	} else {
		policies := []any{map[string]any{"PolicyName": lid + policySuffix, "PolicyDocument": map[string]any{
			"Statement": []any{map[string]any{"Action": action, "Effect": "Allow", "Resource": arn}}}}}
		if dlqArn != nil {
			policies = append(policies, map[string]any{"PolicyName": lid + "SQSPolicy", "PolicyDocument": map[string]any{
				"Statement": []any{map[string]any{"Action": "sqs:SendMessage", "Effect": "Allow", "Resource": dlqArn}}}})
		}
		rs := &roleSpec{id: lid + "Role", owner: owner, principal: "scheduler.amazonaws.com",
			boundary: ep["PermissionsBoundary"], inline: policies}
		if err := t.emitRole(rs); err != nil {
			return err
		}
		target["RoleArn"] = getAtt(lid+"Role", "Arn")
	}
	p["Target"] = target
	res := resource("AWS::Scheduler::Schedule", p)
	passthrough(owner, res)
	t.out[lid] = res
	return nil
}

// eventPrefix starts the message of an invalid generated event resource the way AWS's
// translator words it: functions name themselves, state machines only the event.
func (t *translator) eventPrefix(ownerID, lid string) string {
	if r, ok := t.resources[ownerID].(map[string]any); ok && r["Type"] == typeFunction {
		return fmt.Sprintf("Resource with id [%s] is invalid. Event with id [%s] is invalid. ", ownerID, lid)
	}
	return fmt.Sprintf("Event with id [%s] is invalid. ", lid)
}
