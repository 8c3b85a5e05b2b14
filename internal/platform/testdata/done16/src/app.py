"""Takes an order: the event is what the API's request template made of the
HTTP request; the greeting comes from SSM through boto3 (the SDK the Python
runtime includes)."""
import hashlib
import os

import boto3

ssm = boto3.client("ssm")
PRODUCTS = {"ABC-1", "ABC-2", "XYZ-9"}


def handler(event, context):
    greeting = ssm.get_parameter(Name=os.environ["GREETING_PARAMETER"])["Parameter"]["Value"]
    count = 0
    for line in event["lines"]:
        if line["sku"] not in PRODUCTS:
            raise ValueError("Unknown product: " + line["sku"])
        count += line["quantity"]
    key = event["customer"] + "|" + ",".join("%s*%d" % (l["sku"], l["quantity"]) for l in event["lines"])
    return {
        "orderId": "ord-" + hashlib.sha256(key.encode()).hexdigest()[:8],
        "message": "%s, %s (%s, %s)" % (greeting, event["customer"], event["channel"], event["stage"]),
        "count": count,
    }
