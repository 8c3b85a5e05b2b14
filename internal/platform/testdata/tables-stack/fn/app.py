import os

import boto3
from botocore.exceptions import ClientError

dynamodb = boto3.resource("dynamodb")


def handler(event, context):
    users = dynamodb.Table(os.environ["TABLE"])
    users.put_item(Item={"userId": event["id"], "name": event["name"], "visits": 1})
    users.update_item(Key={"userId": event["id"]}, UpdateExpression="SET visits = visits + :one",
                      ExpressionAttributeValues={":one": 1})
    item = users.get_item(Key={"userId": event["id"]})["Item"]
    # The role's DynamoDBCrudPolicy names the users table only.
    try:
        dynamodb.Table(os.environ["PAYMENTS"]).put_item(Item={"userId": event["id"], "at": 1})
        payments = "allowed"
    except ClientError as e:
        payments = e.response["Error"]["Code"]
    return {"name": item["name"], "visits": int(item["visits"]), "payments": payments}
