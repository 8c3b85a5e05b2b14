import boto3

sts = boto3.client("sts")


def handler(event, context):
    return {"arn": sts.get_caller_identity()["Arn"], "module": "boto3"}
