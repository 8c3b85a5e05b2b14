"""boto3 against nubo's SSM and CloudWatch Logs: labels, selectors,
DescribeParameters' filters and errors, documents, log group tags, metric
filters and a Logs Insights query. Prints OK when every check holds."""
import os
import sys
import time

import boto3
from botocore.exceptions import ClientError

kw = dict(endpoint_url=os.environ["NUBO_URL"], region_name="us-east-1",
          aws_access_key_id="test", aws_secret_access_key="test")
ssm = boto3.client("ssm", **kw)
logs = boto3.client("logs", **kw)


def code(fn, **args):
    try:
        fn(**args)
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


for v in ("v1", "v2"):
    ssm.put_parameter(Name="/b/p", Value=v, Type="String", Overwrite=True)
out = ssm.label_parameter_version(Name="/b/p", ParameterVersion=1, Labels=["prod", "9bad"])
assert out["InvalidLabels"] == ["9bad"] and out["ParameterVersion"] == 1, out
got = ssm.get_parameter(Name="/b/p:prod")["Parameter"]
assert got["Value"] == "v1" and got["Selector"] == ":prod", got
hist = ssm.get_parameter_history(Name="/b/p")["Parameters"]
assert [h["Labels"] for h in hist] == [["prod"], []], hist
assert hist[0]["LastModifiedUser"].endswith(":root"), hist[0]

ssm.put_parameter(Name="/b/s", Value="x", Type="SecureString", Tags=[{"Key": "env", "Value": "prod"}])
names = lambda **f: [p["Name"] for p in ssm.describe_parameters(**f)["Parameters"]]
assert names(ParameterFilters=[{"Key": "tag:env", "Values": ["prod"]}]) == ["/b/s"]
assert names(ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": ["/b"]}]) == ["/b/p", "/b/s"]
assert names(Filters=[{"Key": "KeyId", "Values": ["alias/aws/ssm"]}]) == ["/b/s"]
assert code(ssm.describe_parameters, ParameterFilters=[{"Key": "Label", "Values": ["x"]}]) == "InvalidFilterKey"
assert code(ssm.describe_parameters, ParameterFilters=[{"Key": "Type", "Values": ["Nope"]}]) == "InvalidFilterValue"
assert code(ssm.put_parameter, Name="/b/dt", Value="v", Type="String", DataType="bogus") == "ValidationException"

doc = '{"schemaVersion":"2.2","mainSteps":[]}'
d = ssm.create_document(Name="boto-doc", Content=doc, DocumentType="Command")["DocumentDescription"]
assert d["DocumentVersion"] == "1" and d["Status"] == "Active", d
assert code(ssm.create_document, Name="boto-doc", Content=doc) == "DocumentAlreadyExists"
assert code(ssm.update_document, Name="boto-doc", Content=doc, DocumentVersion="$LATEST") == "DuplicateDocumentContent"
ssm.update_document(Name="boto-doc", Content="schemaVersion: '2.2'\nmainSteps: []\n", DocumentFormat="YAML", DocumentVersion="$LATEST")
assert ssm.get_document(Name="boto-doc", DocumentVersion="$LATEST")["DocumentFormat"] == "YAML"
assert [v["DocumentVersion"] for v in ssm.list_document_versions(Name="boto-doc")["DocumentVersions"]] == ["1", "2"]
assert code(ssm.get_document, Name="nope-doc") == "InvalidDocument"

logs.create_log_group(logGroupName="/b/app", tags={"team": "a"})
arn = "arn:aws:logs:us-east-1:000000000000:log-group:/b/app"
logs.tag_resource(resourceArn=arn, tags={"env": "dev"})
assert logs.list_tags_for_resource(resourceArn=arn)["tags"] == {"team": "a", "env": "dev"}
assert logs.list_tags_log_group(logGroupName="/b/app")["tags"] == {"team": "a", "env": "dev"}
logs.put_metric_filter(logGroupName="/b/app", filterName="errors", filterPattern="ERROR",
                       metricTransformations=[{"metricName": "Errors", "metricNamespace": "App", "metricValue": "1"}])
assert [f["filterName"] for f in logs.describe_metric_filters(logGroupName="/b/app")["metricFilters"]] == ["errors"]
assert code(logs.describe_log_streams, logGroupName="/b/app", limit=51) == "InvalidParameterException"

logs.create_log_stream(logGroupName="/b/app", logStreamName="s")
now = int(time.time() * 1000)
logs.put_log_events(logGroupName="/b/app", logStreamName="s", logEvents=[
    {"timestamp": now, "message": '{"level":"error"}'}, {"timestamp": now + 1, "message": '{"level":"info"}'}])
qid = logs.start_query(logGroupName="/b/app", startTime=int(time.time()) - 3600, endTime=int(time.time()) + 60,
                       queryString='stats count(*) as n by level | sort level asc')["queryId"]
res = logs.get_query_results(queryId=qid)
assert res["status"] == "Complete", res
rows = [{f["field"]: f["value"] for f in row} for row in res["results"]]
assert rows == [{"level": "error", "n": "1"}, {"level": "info", "n": "1"}], rows
assert code(logs.start_query, logGroupName="/b/app", startTime=0, endTime=1, queryString="bogus") == "MalformedQueryException"
print("OK")
