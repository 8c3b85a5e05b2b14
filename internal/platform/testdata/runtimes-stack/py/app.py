import sys


def handler(event, context):
    return {"runtime": event["runtime"], "python": "%d.%d" % sys.version_info[:2]}
