from pathlib import Path

from numeros_common.serve import main

from .settings import MatchingSettings

if __name__ == "__main__":
    main(MatchingSettings(), "services.matching.app:create_app", Path(__file__).parent / "migrations")
