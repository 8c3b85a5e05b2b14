def check(value):
    if value != "ok":
        raise ValueError("bad input: " + value)


def handler(event, context):
    check(event["value"])
    return "fine"


class Ошибка(Exception):
    pass


def unicode_error(event, context):
    raise Ошибка("non-ASCII class name")
