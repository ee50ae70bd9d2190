"""Open311 bodies: the same data as JSON or as XML, and errors as the spec's error list.

XML follows the GeoReport v2 examples (no namespace, a UTF-8 declaration, a list element holding
one element per item: ``services/service``, ``service_requests/request``…); JSON is the Spark
convention's mapping of it (a list is a JSON array, an empty element is ``null``).
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from werkzeug.wrappers import Response

FORMATS = ("json", "xml")
DEFAULT_FORMAT = "xml"  # "XML is a required format"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# the element of one item of each list element
ITEMS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}
# characters XML 1.0 cannot carry at all (ElementTree would write them and break the document)
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def format_of(path: str) -> str:
    """The format a path asks for (``….json`` → json), XML when it names none we know."""
    suffix = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    return suffix if suffix in FORMATS else DEFAULT_FORMAT


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        item_name = ITEMS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, item_name), item)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> str:
    element = ET.Element(root)
    _fill(element, data)
    return XML_DECLARATION + ET.tostring(element, encoding="unicode")


def render(fmt: str, root: str, data, status: int = 200, headers: dict | None = None) -> Response:
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        body = to_xml(root, data)
    return Response(body.encode("utf-8"), status=status, headers=headers,
                    content_type=CONTENT_TYPES[fmt])


def error_body(status: int, description: str) -> list[dict]:
    return [{"code": status, "description": description}]


def error_response(fmt: str, status: int, description: str, headers: dict | None = None) -> Response:
    """``[{"code", "description"}]`` or ``<errors><error><code/><description/></error></errors>``."""
    return render(fmt if fmt in FORMATS else DEFAULT_FORMAT, "errors", error_body(status, description),
                  status=status, headers=headers)
