import sys
from pathlib import Path

from numeros_common.serve import main

from .settings import ChatSettings

if __name__ == "__main__":
    if sys.argv[1:2] == ["vapid-keygen"]:
        # The setup's Web Push key (never downloaded): python -m services.chat vapid-keygen DIR
        from .push.providers import generate_vapid_key

        print(generate_vapid_key(Path(sys.argv[2]) / "vapid_private.pem"))
    else:
        main(ChatSettings(), "services.chat.app:create_app", Path(__file__).parent / "migrations")
