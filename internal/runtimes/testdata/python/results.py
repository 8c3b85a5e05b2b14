import decimal
import logging

logger = logging.getLogger()
logger.setLevel(logging.INFO)


def decimals(event, context):
    return {"price": decimal.Decimal("1.10"), "big": decimal.Decimal("12345678901234567890.5"), "nan": decimal.Decimal("NaN"), "f": 0.5, "text": "caf\u00e9"}


def raw_bytes(event, context):
    return b"\x00raw bytes\xff"


def unserializable(event, context):
    return {"s": {1, 2}}


def logs(event, context):
    print("printed line")
    logger.info("logged %s", "info")
    return None
