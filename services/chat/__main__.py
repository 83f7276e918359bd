from pathlib import Path

from numeros_common.serve import main

from .settings import ChatSettings

if __name__ == "__main__":
    main(ChatSettings(), "services.chat.app:create_app", Path(__file__).parent / "migrations")
