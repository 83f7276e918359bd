import sys
from pathlib import Path

from numeros_common.serve import main

from .settings import IdentitySettings


def keygen(folder: Path) -> None:
    """Write a fresh JWT signing key pair (jwt_private.pem, jwt_public.pem) unless one exists."""
    from .accounts.tokens import generate_keypair

    folder.mkdir(parents=True, exist_ok=True)
    private_path, public_path = folder / "jwt_private.pem", folder / "jwt_public.pem"
    if private_path.exists() and public_path.exists():
        return
    private, public = generate_keypair()
    private_path.write_text(private)
    private_path.chmod(0o600)
    public_path.write_text(public)


if __name__ == "__main__":
    if sys.argv[1:2] == ["keygen"]:
        keygen(Path(sys.argv[2] if len(sys.argv) > 2 else "var/secrets"))
    elif sys.argv[1:2] == ["admin"]:
        from .admin.cli import main as admin_main

        sys.exit(admin_main(sys.argv[2:]))
    else:
        main(IdentitySettings(), "services.identity.app:create_app", Path(__file__).parent / "migrations")
