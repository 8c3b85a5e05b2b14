#!/usr/bin/env python3
"""Runs AWS's aws-sam-translator on a SAM template (YAML) and prints the CloudFormation (JSON).

usage: python3 oracle.py TEMPLATE.yaml   (used by `go test -run TestGolden -update`)
Development oracle only: nubo never runs this at run time.
"""
import json
import sys

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class Loader:
    def load(self):
        return {}


def main():
    with open(sys.argv[1], encoding="utf-8") as fh:
        tmpl = yaml_parse(fh.read())
    try:
        out = transform(tmpl, {"param1": "value1", "param2": "value2"}, Loader())
    except Exception as e:  # the translator's InvalidDocumentException and friends
        print(json.dumps({"errorMessage": str(e)}, indent=2, sort_keys=True))
        return
    print(json.dumps(out, indent=2, sort_keys=True))


if __name__ == "__main__":
    main()
