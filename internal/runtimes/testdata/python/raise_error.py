def check(value):
    if value != "ok":
        raise ValueError("bad input: " + value)


def handler(event, context):
    check(event["value"])
    return "fine"
