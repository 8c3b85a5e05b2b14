import os


def handler(event, context):
    return {
        "message": "%s, %s" % (os.environ["GREETING"], event.get("name", "world")),
        "language": os.environ["LANGUAGE"],
        "all": os.environ["ALL"],
    }
