import subprocess

import shared


def handler(event, context):
    tool = subprocess.run(["layer-tool"], capture_output=True, text=True).stdout.strip()
    return {"greeting": shared.GREETING, "tool": tool}
