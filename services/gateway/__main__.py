import os
import sys

from .render import REPO, write_generated
from .routes import EdgePolicy

if sys.argv[1:] != ["render"]:
    sys.exit("usage: python -m services.gateway render")
for path in write_generated(EdgePolicy.from_env(os.environ)):
    print(f"wrote {path.relative_to(REPO)}")
