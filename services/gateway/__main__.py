import sys

from .render import REPO, write_generated

COMMANDS = ("render", "openapi")
if len(sys.argv) != 2 or sys.argv[1] not in COMMANDS:
    sys.exit("usage: python -m services.gateway render|openapi")
if sys.argv[1] == "render":
    for path in write_generated():
        print(f"wrote {path.relative_to(REPO)}")
else:
    from .openapi import write_document

    print(f"wrote {write_document().relative_to(REPO)}")
