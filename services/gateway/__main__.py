import sys

from .render import REPO, write_generated

if sys.argv[1:] != ["render"]:
    sys.exit("usage: python -m services.gateway render")
for path in write_generated():
    print(f"wrote {path.relative_to(REPO)}")
