"""boto3 against nubo's Lambda operations of the lambdax branch: response
streaming (botocore's own event stream parser), InvokeAsync, the stored
settings and code signing configs with their tags. Prints OK when every
check holds."""
import io
import json
import os
import zipfile

import boto3
from botocore.exceptions import ClientError

kw = dict(endpoint_url=os.environ["NUBO_URL"], region_name="us-east-1",
          aws_access_key_id="test", aws_secret_access_key="test")
lam = boto3.client("lambda", **kw)
iam = boto3.client("iam", **kw)


def code(fn, **args):
    try:
        fn(**args)
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
         "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
role = iam.create_role(RoleName="boto-stream", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("index.py", "def handler(event, context):\n    print('from boto')\n    return {'echo': event}\n")
lam.create_function(FunctionName="boto-fn", Runtime="python3.12", Handler="index.handler",
                    Role=role, Code={"ZipFile": buf.getvalue()}, Timeout=30)

out = lam.invoke_with_response_stream(FunctionName="boto-fn", Payload=b'{"x":1}', LogType="Tail")
assert out["ExecutedVersion"] == "$LATEST", out
chunks, complete = [], None
for ev in out["EventStream"]:
    if "PayloadChunk" in ev:
        chunks.append(ev["PayloadChunk"]["Payload"])
    elif "InvokeComplete" in ev:
        complete = ev["InvokeComplete"]
assert json.loads(b"".join(chunks)) == {"echo": {"x": 1}}, chunks
assert complete is not None and "ErrorCode" not in complete, complete
assert "from boto" in __import__("base64").b64decode(complete["LogResult"]).decode(), complete

assert lam.invoke_async(FunctionName="boto-fn", InvokeArgs=b'{"a":1}')["Status"] == 202
assert code(lam.invoke_async, FunctionName="nope", InvokeArgs=b"{}") == "ResourceNotFoundException"

assert lam.get_function_recursion_config(FunctionName="boto-fn")["RecursiveLoop"] == "Terminate"
lam.put_function_recursion_config(FunctionName="boto-fn", RecursiveLoop="Allow")
assert lam.get_function_recursion_config(FunctionName="boto-fn")["RecursiveLoop"] == "Allow"
rm = lam.get_runtime_management_config(FunctionName="boto-fn")
assert rm["UpdateRuntimeOn"] == "Auto" and rm["FunctionArn"].endswith(":function:boto-fn"), rm

csc = lam.create_code_signing_config(
    AllowedPublishers={"SigningProfileVersionArns": ["arn:aws:signer:us-east-1:000000000000:/signing-profiles/p/1"]},
    Tags={"k": "v"})["CodeSigningConfig"]
arn = csc["CodeSigningConfigArn"]
assert lam.list_tags(Resource=arn)["Tags"] == {"k": "v"}
lam.put_function_code_signing_config(FunctionName="boto-fn", CodeSigningConfigArn=arn)
assert lam.list_functions_by_code_signing_config(CodeSigningConfigArn=arn)["FunctionArns"] == [
    "arn:aws:lambda:us-east-1:000000000000:function:boto-fn"]
assert code(lam.delete_code_signing_config, CodeSigningConfigArn=arn) == "ResourceConflictException"
lam.delete_function_code_signing_config(FunctionName="boto-fn")
lam.delete_code_signing_config(CodeSigningConfigArn=arn)
assert code(lam.get_code_signing_config, CodeSigningConfigArn=arn) == "ResourceNotFoundException"
print("OK")
