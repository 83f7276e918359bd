import os
import sys

from .render import REPO, write_generated
from .routes import EdgePolicy

COMMANDS = ("render", "openapi", "errorpages")
if len(sys.argv) != 2 or sys.argv[1] not in COMMANDS:
    sys.exit("usage: python -m services.gateway render|openapi|errorpages")
if sys.argv[1] == "errorpages":
    from .errorpages import serve

    serve()
elif sys.argv[1] == "render":
    for path in write_generated(EdgePolicy.from_env(os.environ)):
        print(f"wrote {path.relative_to(REPO)}")
else:
    from .openapi import write_document

    print(f"wrote {write_document().relative_to(REPO)}")
