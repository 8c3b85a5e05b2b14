"""boto3's DynamoDB resource API against nubo: a table with a sort key,
conditions and key conditions built by boto3.dynamodb.conditions (which
writes its own #n0/:v0 placeholders), Decimal numbers, a conditional
update and a paginated query. Prints OK when every check holds."""
import os
from decimal import Decimal

import boto3
from boto3.dynamodb.conditions import Attr, Key
from botocore.exceptions import ClientError

kw = dict(endpoint_url=os.environ["NUBO_URL"], region_name="us-east-1",
          aws_access_key_id="test", aws_secret_access_key="test")
db = boto3.resource("dynamodb", **kw)

table = db.create_table(
    TableName="scores",
    KeySchema=[{"AttributeName": "player", "KeyType": "HASH"}, {"AttributeName": "game", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "player", "AttributeType": "S"}, {"AttributeName": "game", "AttributeType": "N"}],
    BillingMode="PAY_PER_REQUEST")
table.wait_until_exists()

with table.batch_writer() as batch:
    for g in range(30):
        batch.put_item(Item={"player": "ada", "game": g, "score": Decimal(g * 10) / 4, "tags": {"x", "y"} if g % 2 else {"x"}})

try:
    table.put_item(Item={"player": "ada", "game": 1}, ConditionExpression=Attr("player").not_exists())
    raise SystemExit("conditional put over an existing item succeeded")
except ClientError as e:
    assert e.response["Error"]["Code"] == "ConditionalCheckFailedException", e.response

r = table.query(KeyConditionExpression=Key("player").eq("ada") & Key("game").between(10, 19),
                FilterExpression=Attr("tags").contains("y") & Attr("score").gte(Decimal("3")), ScanIndexForward=False)
games = [int(i["game"]) for i in r["Items"]]
assert games == [19, 17, 15, 13, 11], games
assert r["ScannedCount"] == 10, r["ScannedCount"]

seen, start = [], None
while True:
    args = dict(KeyConditionExpression=Key("player").eq("ada"), Limit=7)
    if start:
        args["ExclusiveStartKey"] = start
    page = table.query(**args)
    seen += [int(i["game"]) for i in page["Items"]]
    start = page.get("LastEvaluatedKey")
    if not start:
        break
assert seen == list(range(30)), seen

u = table.update_item(Key={"player": "ada", "game": 3}, UpdateExpression="SET score = score + :d REMOVE tags",
                      ConditionExpression=Attr("score").lt(100), ExpressionAttributeValues={":d": Decimal("0.5")},
                      ReturnValues="ALL_NEW")["Attributes"]
assert u["score"] == Decimal("8"), u
assert "tags" not in u, u

got = table.get_item(Key={"player": "ada", "game": 3}, ProjectionExpression="score")["Item"]
assert got == {"score": Decimal("8")}, got

n = table.scan(Select="COUNT", FilterExpression=Attr("score").exists())["Count"]
assert n == 30, n
table.delete()
print("OK")
