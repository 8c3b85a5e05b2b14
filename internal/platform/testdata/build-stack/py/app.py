import greet


def handler(event, context):
    return greet.hello(event.get("name", "nobody"))
