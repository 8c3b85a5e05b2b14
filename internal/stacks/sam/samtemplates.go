package sam

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
)

// PolicyTemplate is one of AWS SAM's policy templates (a function's
// `Policies: - SQSSendMessagePolicy: {QueueName: !GetAtt Q.QueueName}`).
// Statements hold CloudFormation intrinsics exactly as AWS's translator
// emits them ({"Fn::Sub": [..., {"queueName": {"Ref": "QueueName"}}]});
// Expand substitutes the template's parameters, and the stack engine then
// resolves the intrinsics like any others.
type PolicyTemplate struct {
	Name        string
	Description string
	Parameters  []string
	Statements  []map[string]any
}

// LookupPolicyTemplate returns the template called name.
func LookupPolicyTemplate(name string) (PolicyTemplate, bool) {
	for _, t := range policyTemplates() {
		if t.Name == name {
			return t, true
		}
	}
	return PolicyTemplate{}, false
}

// PolicyTemplateNames lists every template, sorted.
func PolicyTemplateNames() []string {
	ts := policyTemplates()
	names := make([]string, 0, len(ts))
	for _, t := range ts {
		names = append(names, t.Name)
	}
	sort.Strings(names)
	return names
}

// Expand replaces each {"Ref": PARAM} in the template's statements with
// params[PARAM] (a string or any intrinsic, e.g. {"Fn::GetAtt": [...]}).
// Every parameter is required and unknown ones are refused, as SAM does.
func (t PolicyTemplate) Expand(params map[string]any) ([]map[string]any, error) {
	for _, p := range t.Parameters {
		if _, ok := params[p]; !ok {
			return nil, fmt.Errorf("policy template %s: missing parameter %s", t.Name, p)
		}
	}
	for k := range params {
		if !slices.Contains(t.Parameters, k) {
			return nil, fmt.Errorf("policy template %s: unknown parameter %s", t.Name, k)
		}
	}
	out := make([]map[string]any, 0, len(t.Statements))
	for _, s := range t.Statements {
		out = append(out, ptSubstitute(s, params).(map[string]any))
	}
	return out, nil
}

func ptSubstitute(v any, params map[string]any) any {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok && len(x) == 1 {
			if p, ok := params[ref]; ok {
				return p
			}
		}
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = ptSubstitute(e, params)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = ptSubstitute(e, params)
		}
		return l
	}
	return v
}

// ResolveStatements turns expanded statements into a policy document,
// resolving Fn::Sub and Ref of the pseudo parameters AWS::Partition,
// AWS::Region and AWS::AccountId (parameter values must then be strings).
// The stack engine resolves intrinsics itself; this serves nubo's tests,
// `nubo iam` tooling and templates with literal parameters.
func ResolveStatements(stmts []map[string]any, region, account string) (string, error) {
	subVar := regexp.MustCompile(`\$\{([^}!]+)\}`)
	pseudo := map[string]string{"AWS::Partition": "aws", "AWS::Region": region, "AWS::AccountId": account, "AWS::URLSuffix": "amazonaws.com"}
	var resolve func(v any) (any, error)
	resolve = func(v any) (any, error) {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x["Fn::Sub"]; ok && len(x) == 1 {
				format, vars := "", map[string]any{}
				switch y := s.(type) {
				case string:
					format = y
				case []any:
					if len(y) != 2 {
						return nil, fmt.Errorf("Fn::Sub: want [format, variables]")
					}
					format, _ = y[0].(string)
					vars, _ = y[1].(map[string]any)
				}
				var err error
				out := subVar.ReplaceAllStringFunc(format, func(m string) string {
					name := m[2 : len(m)-1]
					if v, ok := vars[name]; ok {
						r, e := resolve(v)
						if s, ok := r.(string); ok && e == nil {
							return s
						}
						err = fmt.Errorf("Fn::Sub: variable %s is not a string", name)
						return m
					}
					if p, ok := pseudo[name]; ok {
						return p
					}
					err = fmt.Errorf("Fn::Sub: unresolved ${%s}", name)
					return m
				})
				return out, err
			}
			if ref, ok := x["Ref"].(string); ok && len(x) == 1 {
				if p, ok := pseudo[ref]; ok {
					return p, nil
				}
				return nil, fmt.Errorf("unresolved Ref %s", ref)
			}
			m := map[string]any{}
			for k, e := range x {
				r, err := resolve(e)
				if err != nil {
					return nil, err
				}
				m[k] = r
			}
			return m, nil
		case []any:
			l := make([]any, len(x))
			for i, e := range x {
				r, err := resolve(e)
				if err != nil {
					return nil, err
				}
				l[i] = r
			}
			return l, nil
		case []string:
			l := make([]any, len(x))
			for i, e := range x {
				l[i] = e
			}
			return l, nil
		}
		return v, nil
	}
	var resolved []any
	for _, s := range stmts {
		r, err := resolve(s)
		if err != nil {
			return "", err
		}
		resolved = append(resolved, r)
	}
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": resolved})
	return string(b), err
}

// ---- definitions ----

// Helpers that keep the 81 definitions below readable.

// ptAllow is an Allow statement; actions is a []string, or a string where
// SAM's definition has a single string.
func ptAllow(actions any, resource any) map[string]any {
	return map[string]any{"Effect": "Allow", "Action": actions, "Resource": resource}
}

func ptCond(s map[string]any, op, key string, value any) map[string]any {
	s["Condition"] = map[string]any{op: map[string]any{key: value}}
	return s
}

func ptList(items ...string) []string { return items }

// ptSub is {"Fn::Sub": format}.
func ptSub(format string) map[string]any { return map[string]any{"Fn::Sub": format} }

// ptSubRef is {"Fn::Sub": [format, {var: {"Ref": Param}, ...}]}; pairs are
// var, Param, var, Param, ...
func ptSubRef(format string, pairs ...string) map[string]any {
	vars := map[string]any{}
	for i := 0; i+1 < len(pairs); i += 2 {
		vars[pairs[i]] = map[string]any{"Ref": pairs[i+1]}
	}
	return map[string]any{"Fn::Sub": []any{format, vars}}
}

// ptRegional is arn:${AWS::Partition}:SERVICE:${AWS::Region}:${AWS::AccountId}:REST.
func ptRegional(service, rest string) string {
	return "arn:${AWS::Partition}:" + service + ":${AWS::Region}:${AWS::AccountId}:" + rest
}

func ptTemplate(name, desc string, params []string, stmts ...map[string]any) PolicyTemplate {
	return PolicyTemplate{Name: name, Description: desc, Parameters: params, Statements: stmts}
}

func ptParams(names ...string) []string { return names }

func policyTemplates() []PolicyTemplate {
	table := func(suffix string) map[string]any {
		return ptSubRef(ptRegional("dynamodb", "table/${tableName}"+suffix), "tableName", "TableName")
	}
	tableAndIndexes := func() []any { return []any{table(""), table("/index/*")} }
	emrCluster := func() map[string]any {
		return ptSubRef(ptRegional("elasticmapreduce", "cluster/${clusterId}"), "clusterId", "ClusterId")
	}
	collection := func() map[string]any {
		return ptSubRef(ptRegional("rekognition", "collection/${collectionId}"), "collectionId", "CollectionId")
	}
	bucket := func(suffix string) map[string]any {
		return ptSubRef("arn:${AWS::Partition}:s3:::${bucketName}"+suffix, "bucketName", "BucketName")
	}
	sesIdentity := func() map[string]any {
		return ptSubRef(ptRegional("ses", "identity/${identityName}"), "identityName", "IdentityName")
	}
	kmsKey := func() map[string]any { return ptSubRef(ptRegional("kms", "key/${keyId}"), "keyId", "KeyId") }
	stateMachine := func() map[string]any {
		return ptSubRef(ptRegional("states", "stateMachine:${stateMachineName}"), "stateMachineName", "StateMachineName")
	}
	firehose := func() map[string]any {
		return ptSubRef(ptRegional("firehose", "deliverystream/${deliveryStreamName}"), "deliveryStreamName", "DeliveryStreamName")
	}
	codecommitRepo := func() map[string]any {
		return ptSubRef(ptRegional("codecommit", "${repositoryName}"), "repositoryName", "RepositoryName")
	}
	ssmParamRead := func(name, format string) PolicyTemplate {
		return ptTemplate(name, "Gives access to a parameter to load secrets in this account. If not using default key, KMSDecryptPolicy will also be needed.", ptParams("ParameterName"),
			ptAllow(ptList("ssm:DescribeParameters"), "*"),
			ptAllow(ptList("ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"), ptSubRef(ptRegional("ssm", format), "parameterName", "ParameterName")))
	}
	none := ptParams()

	return []PolicyTemplate{
		ptTemplate("AMIDescribePolicy", "Gives permissions to describe AMIs", none, ptAllow(ptList("ec2:DescribeImages"), "*")),
		ptTemplate("AWSSecretsManagerGetSecretValuePolicy", "Grants permissions to GetSecretValue for the specified AWS Secrets Manager secret", ptParams("SecretArn"),
			ptAllow(ptList("secretsmanager:GetSecretValue"), ptSubRef("${secretArn}", "secretArn", "SecretArn"))),
		ptTemplate("AWSSecretsManagerRotationPolicy", "Grants permissions to APIs required to rotate a secret in AWS Secrets Manager", ptParams("FunctionName"),
			ptCond(ptAllow(ptList("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"),
				ptSub(ptRegional("secretsmanager", "secret:*"))),
				"StringEquals", "secretsmanager:resource/AllowRotationLambdaArn", ptSubRef(ptRegional("lambda", "function:${functionName}"), "functionName", "FunctionName")),
			ptAllow(ptList("secretsmanager:GetRandomPassword"), "*")),
		ptTemplate("AcmGetCertificatePolicy", "Gives permission to retrieve a certificate and its certificate chain from ACM", ptParams("CertificateArn"),
			ptAllow(ptList("acm:GetCertificate"), ptSubRef("${certificateArn}", "certificateArn", "CertificateArn"))),
		ptTemplate("AthenaQueryPolicy", "Gives permissions to execute Athena queries", ptParams("WorkGroupName"),
			ptAllow(ptList("athena:ListWorkGroups", "athena:GetExecutionEngine", "athena:GetExecutionEngines", "athena:GetNamespace", "athena:GetCatalogs",
				"athena:GetNamespaces", "athena:GetTables", "athena:GetTable"), "*"),
			ptAllow(ptList("athena:StartQueryExecution", "athena:GetQueryResults", "athena:DeleteNamedQuery", "athena:GetNamedQuery", "athena:ListQueryExecutions",
				"athena:StopQueryExecution", "athena:GetQueryResultsStream", "athena:ListNamedQueries", "athena:CreateNamedQuery", "athena:GetQueryExecution",
				"athena:BatchGetNamedQuery", "athena:BatchGetQueryExecution", "athena:GetWorkGroup"),
				ptSubRef(ptRegional("athena", "workgroup/${workgroupName}"), "workgroupName", "WorkGroupName"))),
		ptTemplate("CloudFormationDescribeStacksPolicy", "Gives permission to describe CloudFormation stacks", none,
			ptAllow(ptList("cloudformation:DescribeStacks"), ptSub(ptRegional("cloudformation", "stack/*")))),
		ptTemplate("CloudWatchDashboardPolicy", "Gives permissions to put metrics to operate on CloudWatch Dashboards", none,
			ptAllow(ptList("cloudwatch:GetDashboard", "cloudwatch:ListDashboards", "cloudwatch:PutDashboard", "cloudwatch:ListMetrics"), "*")),
		ptTemplate("CloudWatchDescribeAlarmHistoryPolicy", "Gives permissions to describe CloudWatch alarm history", none,
			ptAllow(ptList("cloudwatch:DescribeAlarmHistory"), "*")),
		ptTemplate("CloudWatchPutMetricPolicy", "Gives permissions to put metrics to CloudWatch", none, ptAllow(ptList("cloudwatch:PutMetricData"), "*")),
		ptTemplate("CodeCommitCrudPolicy", "Gives permissions to create/read/update/delete objects within a specific codecommit repository", ptParams("RepositoryName"),
			ptAllow(ptList("codecommit:GitPull", "codecommit:GitPush", "codecommit:CreateBranch", "codecommit:DeleteBranch", "codecommit:GetBranch",
				"codecommit:ListBranches", "codecommit:MergeBranchesByFastForward", "codecommit:MergeBranchesBySquash", "codecommit:MergeBranchesByThreeWay",
				"codecommit:UpdateDefaultBranch", "codecommit:BatchDescribeMergeConflicts", "codecommit:CreateUnreferencedMergeCommit",
				"codecommit:DescribeMergeConflicts", "codecommit:GetMergeCommit", "codecommit:GetMergeOptions", "codecommit:BatchGetPullRequests",
				"codecommit:CreatePullRequest", "codecommit:DescribePullRequestEvents", "codecommit:GetCommentsForPullRequest",
				"codecommit:GetCommitsFromMergeBase", "codecommit:GetMergeConflicts", "codecommit:GetPullRequest", "codecommit:ListPullRequests",
				"codecommit:MergePullRequestByFastForward", "codecommit:MergePullRequestBySquash", "codecommit:MergePullRequestByThreeWay",
				"codecommit:PostCommentForPullRequest", "codecommit:UpdatePullRequestDescription", "codecommit:UpdatePullRequestStatus",
				"codecommit:UpdatePullRequestTitle", "codecommit:DeleteFile", "codecommit:GetBlob", "codecommit:GetFile", "codecommit:GetFolder",
				"codecommit:PutFile", "codecommit:DeleteCommentContent", "codecommit:GetComment", "codecommit:GetCommentsForComparedCommit",
				"codecommit:PostCommentForComparedCommit", "codecommit:PostCommentReply", "codecommit:UpdateComment", "codecommit:BatchGetCommits",
				"codecommit:CreateCommit", "codecommit:GetCommit", "codecommit:GetCommitHistory", "codecommit:GetDifferences",
				"codecommit:GetObjectIdentifier", "codecommit:GetReferences", "codecommit:GetTree", "codecommit:GetRepository",
				"codecommit:UpdateRepositoryDescription", "codecommit:ListTagsForResource", "codecommit:TagResource", "codecommit:UntagResource",
				"codecommit:GetRepositoryTriggers", "codecommit:PutRepositoryTriggers", "codecommit:TestRepositoryTriggers", "codecommit:GetBranch",
				"codecommit:GetCommit", "codecommit:UploadArchive", "codecommit:GetUploadArchiveStatus", "codecommit:CancelUploadArchive"), codecommitRepo())),
		ptTemplate("CodeCommitReadPolicy", "Gives permissions to read objects within a specific codecommit repository", ptParams("RepositoryName"),
			ptAllow(ptList("codecommit:GitPull", "codecommit:GetBranch", "codecommit:ListBranches", "codecommit:BatchDescribeMergeConflicts",
				"codecommit:DescribeMergeConflicts", "codecommit:GetMergeCommit", "codecommit:GetMergeOptions", "codecommit:BatchGetPullRequests",
				"codecommit:DescribePullRequestEvents", "codecommit:GetCommentsForPullRequest", "codecommit:GetCommitsFromMergeBase",
				"codecommit:GetMergeConflicts", "codecommit:GetPullRequest", "codecommit:ListPullRequests", "codecommit:GetBlob", "codecommit:GetFile",
				"codecommit:GetFolder", "codecommit:GetComment", "codecommit:GetCommentsForComparedCommit", "codecommit:BatchGetCommits",
				"codecommit:GetCommit", "codecommit:GetCommitHistory", "codecommit:GetDifferences", "codecommit:GetObjectIdentifier",
				"codecommit:GetReferences", "codecommit:GetTree", "codecommit:GetRepository", "codecommit:ListTagsForResource",
				"codecommit:GetRepositoryTriggers", "codecommit:TestRepositoryTriggers", "codecommit:GetBranch", "codecommit:GetCommit",
				"codecommit:GetUploadArchiveStatus"), codecommitRepo())),
		ptTemplate("CodePipelineLambdaExecutionPolicy", "Gives permission for a Lambda function invoked by AWS CodePipeline to report back status of the job", none,
			ptAllow(ptList("codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult"), "*")),
		ptTemplate("CodePipelineReadOnlyPolicy", "Gives read permissions to get details about a CodePipeline pipeline", ptParams("PipelineName"),
			ptAllow(ptList("codepipeline:ListPipelineExecutions"), ptSubRef(ptRegional("codepipeline", "${pipelinename}"), "pipelinename", "PipelineName"))),
		ptTemplate("ComprehendBasicAccessPolicy", "Gives access to Amazon Comprehend APIs for detecting entities, key phrases, languages and sentiments", none,
			ptAllow(ptList("comprehend:BatchDetectKeyPhrases", "comprehend:DetectDominantLanguage", "comprehend:DetectEntities", "comprehend:BatchDetectEntities",
				"comprehend:DetectKeyPhrases", "comprehend:DetectSentiment", "comprehend:BatchDetectDominantLanguage", "comprehend:BatchDetectSentiment"), "*")),
		ptTemplate("CostExplorerReadOnlyPolicy", "Gives access to the readonly Cost Explorer APIs for billing history", none,
			ptAllow(ptList("ce:GetCostAndUsage", "ce:GetDimensionValues", "ce:GetReservationCoverage", "ce:GetReservationPurchaseRecommendation",
				"ce:GetReservationUtilization", "ce:GetTags"), "*")),
		ptTemplate("DynamoDBBackupFullAccessPolicy", "Gives read/write permissions to DynamoDB on-demand backups for a table", ptParams("TableName"),
			ptAllow(ptList("dynamodb:CreateBackup", "dynamodb:DescribeContinuousBackups"), table("")),
			ptAllow(ptList("dynamodb:DeleteBackup", "dynamodb:DescribeBackup", "dynamodb:ListBackups"), table("/backup/*"))),
		ptTemplate("DynamoDBCrudPolicy", "Gives CRUD access to a DynamoDB Table", ptParams("TableName"),
			ptAllow(ptList("dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:UpdateItem",
				"dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem"), tableAndIndexes())),
		ptTemplate("DynamoDBReadPolicy", "Gives read only access to a DynamoDB Table", ptParams("TableName"),
			ptAllow(ptList("dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable"), tableAndIndexes())),
		ptTemplate("DynamoDBReconfigurePolicy", "Gives access reconfigure to a DynamoDB Table", ptParams("TableName"),
			ptAllow(ptList("dynamodb:UpdateTable"), table(""))),
		ptTemplate("DynamoDBRestoreFromBackupPolicy", "Gives permissions to restore a table from backup", ptParams("TableName"),
			ptAllow(ptList("dynamodb:RestoreTableFromBackup"), table("/backup/*")),
			ptAllow(ptList("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan",
				"dynamodb:BatchWriteItem"), table(""))),
		ptTemplate("DynamoDBStreamReadPolicy", "Gives permission to describe and read a DynamoDB Stream and Records", ptParams("StreamName", "TableName"),
			ptAllow(ptList("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"),
				ptSubRef(ptRegional("dynamodb", "table/${tableName}/stream/${streamName}"), "streamName", "StreamName", "tableName", "TableName")),
			ptAllow(ptList("dynamodb:ListStreams"), table("/stream/*"))),
		ptTemplate("DynamoDBWritePolicy", "Gives write only access to a DynamoDB Table", ptParams("TableName"),
			ptAllow(ptList("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"), tableAndIndexes())),
		ptTemplate("EC2CopyImagePolicy", "Gives permission top copy EC2 Images", ptParams("ImageId"),
			ptAllow(ptList("ec2:CopyImage"), ptSubRef(ptRegional("ec2", "image/${imageId}"), "imageId", "ImageId"))),
		ptTemplate("EC2DescribePolicy", "Gives permission to describe EC2 instances", none, ptAllow(ptList("ec2:DescribeRegions", "ec2:DescribeInstances"), "*")),
		ptTemplate("EFSWriteAccessPolicy", "Gives permission to mount an Elastic File System with write access", ptParams("AccessPoint", "FileSystem"),
			ptCond(ptAllow(ptList("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"),
				ptSubRef(ptRegional("elasticfilesystem", "file-system/${FileSystem}"), "FileSystem", "FileSystem")),
				"StringEquals", "elasticfilesystem:AccessPointArn", ptSubRef(ptRegional("elasticfilesystem", "access-point/${AccessPoint}"), "AccessPoint", "AccessPoint"))),
		ptTemplate("EKSDescribePolicy", "Gives permission to describe or list Amazon EKS clusters", none, ptAllow(ptList("eks:DescribeCluster", "eks:ListClusters"), "*")),
		ptTemplate("EcsRunTaskPolicy", "Gives permission to start a new task for a task definition", ptParams("TaskDefinition"),
			ptAllow(ptList("ecs:RunTask"), ptSubRef(ptRegional("ecs", "task-definition/${taskDefinition}"), "taskDefinition", "TaskDefinition"))),
		ptTemplate("ElasticMapReduceAddJobFlowStepsPolicy", "Gives permission to add new steps to a running cluster", ptParams("ClusterId"),
			ptAllow("elasticmapreduce:AddJobFlowSteps", emrCluster())),
		ptTemplate("ElasticMapReduceCancelStepsPolicy", "Gives permission to cancel a pending step or steps in a running cluster", ptParams("ClusterId"),
			ptAllow("elasticmapreduce:CancelSteps", emrCluster())),
		ptTemplate("ElasticMapReduceModifyInstanceFleetPolicy", "Gives permission to list details and modify capacities for instance fleets within a cluster", ptParams("ClusterId"),
			ptAllow(ptList("elasticmapreduce:ModifyInstanceFleet", "elasticmapreduce:ListInstanceFleets"), emrCluster())),
		ptTemplate("ElasticMapReduceModifyInstanceGroupsPolicy", "Gives permission to list details and modify settings for instance groups within a cluster", ptParams("ClusterId"),
			ptAllow(ptList("elasticmapreduce:ModifyInstanceGroups", "elasticmapreduce:ListInstanceGroups"), emrCluster())),
		ptTemplate("ElasticMapReduceSetTerminationProtectionPolicy", "Gives permission to set termination protection for a cluster", ptParams("ClusterId"),
			ptAllow("elasticmapreduce:SetTerminationProtection", emrCluster())),
		ptTemplate("ElasticMapReduceTerminateJobFlowsPolicy", "Gives permission to shut down a cluster", ptParams("ClusterId"),
			ptAllow("elasticmapreduce:TerminateJobFlows", emrCluster())),
		ptTemplate("ElasticsearchHttpPostPolicy", "Gives POST and PUT permissions to Elasticsearch", ptParams("DomainName"),
			ptAllow(ptList("es:ESHttpPost", "es:ESHttpPut"), ptSubRef(ptRegional("es", "domain/${domainName}/*"), "domainName", "DomainName"))),
		ptTemplate("EventBridgePutEventsPolicy", "Gives permissions to send events to EventBridge", ptParams("EventBusName"),
			ptAllow("events:PutEvents", ptSubRef(ptRegional("events", "event-bus/${eventBusName}"), "eventBusName", "EventBusName"))),
		ptTemplate("FilterLogEventsPolicy", "Gives permission to filter Log Events from a specified Log Group", ptParams("LogGroupName"),
			ptAllow(ptList("logs:FilterLogEvents"), ptSubRef(ptRegional("logs", "log-group:${logGroupName}:log-stream:*"), "logGroupName", "LogGroupName"))),
		ptTemplate("FirehoseCrudPolicy", "Gives permission to create, write to, update, and delete a Kinesis Firehose Delivery Stream", ptParams("DeliveryStreamName"),
			ptAllow(ptList("firehose:CreateDeliveryStream", "firehose:DeleteDeliveryStream", "firehose:DescribeDeliveryStream", "firehose:PutRecord",
				"firehose:PutRecordBatch", "firehose:UpdateDestination"), firehose())),
		ptTemplate("FirehoseWritePolicy", "Gives permission to write to a Kinesis Firehose Delivery Stream", ptParams("DeliveryStreamName"),
			ptAllow(ptList("firehose:PutRecord", "firehose:PutRecordBatch"), firehose())),
		ptTemplate("KMSDecryptPolicy", "Gives permission to decrypt with KMS Key", ptParams("KeyId"), ptAllow("kms:Decrypt", kmsKey())),
		ptTemplate("KMSEncryptPolicy", "Gives permission to encrypt with KMS Key", ptParams("KeyId"), ptAllow("kms:Encrypt", kmsKey())),
		ptTemplate("KMSEncryptPolicy_v2", "Gives permission to encrypt with KMS Key", ptParams("KeyId"),
			ptAllow(ptList("kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateDataKeyPair",
				"kms:GenerateDataKeyPairWithoutPlaintext"), kmsKey())),
		ptTemplate("KinesisCrudPolicy", "Gives permission to create, publish and delete Kinesis Stream", ptParams("StreamName"),
			ptAllow(ptList("kinesis:AddTagsToStream", "kinesis:CreateStream", "kinesis:DecreaseStreamRetentionPeriod", "kinesis:DeleteStream",
				"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetShardIterator", "kinesis:IncreaseStreamRetentionPeriod",
				"kinesis:ListTagsForStream", "kinesis:MergeShards", "kinesis:PutRecord", "kinesis:PutRecords", "kinesis:SplitShard",
				"kinesis:RemoveTagsFromStream"), ptSubRef(ptRegional("kinesis", "stream/${streamName}"), "streamName", "StreamName"))),
		ptTemplate("KinesisStreamReadPolicy", "Gives permission to list and read a Kinesis stream", ptParams("StreamName"),
			ptAllow(ptList("kinesis:ListStreams", "kinesis:DescribeLimits"), ptSub(ptRegional("kinesis", "stream/*"))),
			ptAllow(ptList("kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator"),
				ptSubRef(ptRegional("kinesis", "stream/${streamName}"), "streamName", "StreamName"))),
		ptTemplate("LambdaInvokePolicy", "Gives permission to invoke a Lambda Function, Alias or Version", ptParams("FunctionName"),
			ptAllow(ptList("lambda:InvokeFunction"), ptSubRef(ptRegional("lambda", "function:${functionName}*"), "functionName", "FunctionName"))),
		ptTemplate("MobileAnalyticsWriteOnlyAccessPolicy", "Gives write only permissions to put event data for all application resources", none,
			ptAllow(ptList("mobileanalytics:PutEvents"), "*")),
		ptTemplate("OrganizationsListAccountsPolicy", "Gives readonly permission to list child account names and ids", none,
			ptAllow(ptList("organizations:ListAccounts"), "*")),
		ptTemplate("PinpointEndpointAccessPolicy", "Gives permissions to get and update endpoints for a Pinpoint application", ptParams("PinpointApplicationId"),
			ptAllow(ptList("mobiletargeting:GetEndpoint", "mobiletargeting:UpdateEndpoint", "mobiletargeting:UpdateEndpointsBatch"),
				ptSubRef(ptRegional("mobiletargeting", "apps/${pinpointApplicationId}/endpoints/*"), "pinpointApplicationId", "PinpointApplicationId"))),
		ptTemplate("PollyFullAccessPolicy", "Gives full access permissions to Polly lexicon resources", ptParams("LexiconName"),
			ptAllow(ptList("polly:GetLexicon", "polly:DeleteLexicon"), []any{ptSubRef(ptRegional("polly", "lexicon/${lexiconName}"), "lexiconName", "LexiconName")}),
			ptAllow(ptList("polly:DescribeVoices", "polly:ListLexicons", "polly:PutLexicon", "polly:SynthesizeSpeech"), []any{ptSub(ptRegional("polly", "lexicon/*"))})),
		ptTemplate("RekognitionDetectOnlyPolicy", "Gives permission to detect faces, labels and text", none,
			ptAllow(ptList("rekognition:DetectFaces", "rekognition:DetectLabels", "rekognition:DetectModerationLabels", "rekognition:DetectText"), "*")),
		ptTemplate("RekognitionFacesManagementPolicy", "Gives permission to add, delete and search faces in a collection", ptParams("CollectionId"),
			ptAllow(ptList("rekognition:IndexFaces", "rekognition:DeleteFaces", "rekognition:SearchFaces", "rekognition:SearchFacesByImage",
				"rekognition:ListFaces"), collection())),
		ptTemplate("RekognitionFacesPolicy", "Gives permission to compare and detect faces and labels", none,
			ptAllow(ptList("rekognition:CompareFaces", "rekognition:DetectFaces"), "*")),
		ptTemplate("RekognitionLabelsPolicy", "Gives permission to detect object and moderation labels", none,
			ptAllow(ptList("rekognition:DetectLabels", "rekognition:DetectModerationLabels"), "*")),
		ptTemplate("RekognitionNoDataAccessPolicy", "Gives permission to compare and detect faces and labels", ptParams("CollectionId"),
			ptAllow(ptList("rekognition:CompareFaces", "rekognition:DetectFaces", "rekognition:DetectLabels", "rekognition:DetectModerationLabels"), collection())),
		ptTemplate("RekognitionReadPolicy", "Gives permission to list and search faces", ptParams("CollectionId"),
			ptAllow(ptList("rekognition:ListCollections", "rekognition:ListFaces", "rekognition:SearchFaces", "rekognition:SearchFacesByImage"), collection())),
		ptTemplate("RekognitionWriteOnlyAccessPolicy", "Gives permission to create collection and index faces", ptParams("CollectionId"),
			ptAllow(ptList("rekognition:CreateCollection", "rekognition:IndexFaces"), collection())),
		ptTemplate("Route53ChangeResourceRecordSetsPolicy", "Gives permission to change resource record sets in Route 53", ptParams("HostedZoneId"),
			ptAllow(ptList("route53:ChangeResourceRecordSets"), ptSubRef("arn:${AWS::Partition}:route53:::hostedzone/${HostedZoneId}", "HostedZoneId", "HostedZoneId"))),
		ptTemplate("S3CrudPolicy", "Gives CRUD permissions to objects in the S3 Bucket", ptParams("BucketName"),
			ptAllow(ptList("s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl",
				"s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:DeleteObject"), []any{bucket(""), bucket("/*")})),
		ptTemplate("S3FullAccessPolicy", "Gives full access permissions to objects in the S3 Bucket", ptParams("BucketName"),
			ptAllow(ptList("s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl", "s3:DeleteObject",
				"s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging", "s3:GetObjectTagging", "s3:GetObjectVersionTagging", "s3:PutObjectTagging",
				"s3:PutObjectVersionTagging"), []any{bucket("/*")}),
			ptAllow(ptList("s3:ListBucket", "s3:GetBucketLocation", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"), []any{bucket("")})),
		ptTemplate("S3ReadPolicy", "Gives read permissions to objects in the S3 Bucket", ptParams("BucketName"),
			ptAllow(ptList("s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:GetLifecycleConfiguration"),
				[]any{bucket(""), bucket("/*")})),
		ptTemplate("S3WritePolicy", "Gives write permissions to objects in the S3 Bucket", ptParams("BucketName"),
			ptAllow(ptList("s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"), []any{bucket(""), bucket("/*")})),
		ptTemplate("SESBulkTemplatedCrudPolicy", "Gives permission to send email, templated email, templated bulk emails and verify identity", ptParams("IdentityName"),
			ptAllow(ptList("ses:GetIdentityVerificationAttributes", "ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail",
				"ses:SendBulkTemplatedEmail", "ses:VerifyEmailIdentity"), sesIdentity())),
		ptTemplate("SESBulkTemplatedCrudPolicy_v2", "Gives permission to send email, templated email, templated bulk emails and verify identity", ptParams("IdentityName", "TemplateName"),
			ptAllow(ptList("ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"),
				[]any{sesIdentity(), ptSubRef(ptRegional("ses", "template/${templateName}"), "templateName", "TemplateName")}),
			ptAllow(ptList("ses:GetIdentityVerificationAttributes", "ses:VerifyEmailIdentity"), "*")),
		ptTemplate("SESCrudPolicy", "Gives permission to send email and verify identity", ptParams("IdentityName"),
			ptAllow(ptList("ses:GetIdentityVerificationAttributes", "ses:SendEmail", "ses:SendRawEmail", "ses:VerifyEmailIdentity"), sesIdentity())),
		ptTemplate("SESEmailTemplateCrudPolicy", "Gives permission to create, get, list, update and delete SES Email Templates", none,
			ptAllow(ptList("ses:CreateTemplate", "ses:GetTemplate", "ses:ListTemplates", "ses:UpdateTemplate", "ses:DeleteTemplate", "ses:TestRenderTemplate"), "*")),
		ptTemplate("SESSendBouncePolicy", "Gives SendBounce permission to a SES identity", ptParams("IdentityName"),
			ptAllow(ptList("ses:SendBounce"), sesIdentity())),
		ptTemplate("SNSCrudPolicy", "Gives permissions to create, publish and subscribe to SNS topics", ptParams("TopicName"),
			ptAllow(ptList("sns:ListSubscriptionsByTopic", "sns:CreateTopic", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Publish"),
				ptSubRef(ptRegional("sns", "${topicName}*"), "topicName", "TopicName"))),
		ptTemplate("SNSPublishMessagePolicy", "Gives permission to publish message to SNS Topic", ptParams("TopicName"),
			ptAllow(ptList("sns:Publish"), ptSubRef(ptRegional("sns", "${topicName}"), "topicName", "TopicName"))),
		ptTemplate("SQSPollerPolicy", "Gives permissions to poll an SQS Queue", ptParams("QueueName"),
			ptAllow(ptList("sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch", "sqs:DeleteMessage", "sqs:DeleteMessageBatch",
				"sqs:GetQueueAttributes", "sqs:ReceiveMessage"), ptSubRef(ptRegional("sqs", "${queueName}"), "queueName", "QueueName"))),
		ptTemplate("SQSSendMessagePolicy", "Gives permission to send message to SQS Queue", ptParams("QueueName"),
			ptAllow(ptList("sqs:SendMessage*"), ptSubRef(ptRegional("sqs", "${queueName}"), "queueName", "QueueName"))),
		ssmParamRead("SSMParameterReadPolicy", "parameter/${parameterName}"),
		ssmParamRead("SSMParameterWithSlashPrefixReadPolicy", "parameter${parameterName}"),
		ptTemplate("SageMakerCreateEndpointConfigPolicy", "Gives permission to create an endpoint configuration in SageMaker", ptParams("EndpointConfigName"),
			ptAllow(ptList("sagemaker:CreateEndpointConfig"), ptSubRef(ptRegional("sagemaker", "endpoint-config/${endpointConfigName}"), "endpointConfigName", "EndpointConfigName"))),
		ptTemplate("SageMakerCreateEndpointPolicy", "Gives permission to create an endpoint in SageMaker", ptParams("EndpointName"),
			ptAllow(ptList("sagemaker:CreateEndpoint"), ptSubRef(ptRegional("sagemaker", "endpoint/${endpointName}"), "endpointName", "EndpointName"))),
		ptTemplate("ServerlessRepoReadWriteAccessPolicy", "Gives access permissions to create and list applications in the AWS Serverless Application Repository service", none,
			ptAllow(ptList("serverlessrepo:CreateApplication", "serverlessrepo:CreateApplicationVersion", "serverlessrepo:UpdateApplication",
				"serverlessrepo:GetApplication", "serverlessrepo:ListApplications", "serverlessrepo:ListApplicationVersions",
				"serverlessrepo:ListApplicationDependencies"), []any{ptSub(ptRegional("serverlessrepo", "applications/*"))})),
		ptTemplate("StepFunctionsCallbackPolicy", "Gives permission to implement callback tasks in Step Functions", ptParams("StateMachineName"),
			ptAllow(ptList("states:SendTaskFailure", "states:SendTaskHeartbeat", "states:SendTaskSuccess"), stateMachine())),
		ptTemplate("StepFunctionsExecutionPolicy", "Gives permission to start a Step Functions state machine execution", ptParams("StateMachineName"),
			ptAllow(ptList("states:StartExecution"), stateMachine())),
		ptTemplate("StepFunctionsExecutionPolicy_v2", "Gives permission to start a Step Functions state machine execution", ptParams("StateMachineName"),
			ptAllow(ptList("states:StartExecution", "states:StartSyncExecution"), stateMachine())),
		ptTemplate("TextractDetectAnalyzePolicy", "Gives access to detect and analyze documents with Textract", none,
			ptAllow(ptList("textract:DetectDocumentText", "textract:StartDocumentTextDetection", "textract:StartDocumentAnalysis", "textract:AnalyzeDocument"), "*")),
		ptTemplate("TextractGetResultPolicy", "Gives access to get detected and analyzed documents from Textract", none,
			ptAllow(ptList("textract:GetDocumentTextDetection", "textract:GetDocumentAnalysis"), "*")),
		ptTemplate("TextractPolicy", "Gives full access to Textract", none, ptAllow(ptList("textract:*"), "*")),
		ptTemplate("VPCAccessPolicy", "Gives access to create, delete, describe and detach ENIs", none,
			ptAllow(ptList("ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DetachNetworkInterface"), "*")),
	}
}
