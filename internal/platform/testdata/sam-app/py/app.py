import json

import greet  # from requirements.txt
import shared  # from the layer


def lambda_handler(event, context):
    return {
        "statusCode": 200,
        "body": json.dumps({"message": greet.hello("world"), "layer": shared.NAME, "version": context.function_version}),
    }
