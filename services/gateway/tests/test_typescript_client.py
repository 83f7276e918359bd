"""The React Native app's TypeScript client: its types are generated from the published document and
compile. Its npm packages are installed by ``make setup`` (``npm ci``), so the tests download nothing."""
import json
import subprocess
from pathlib import Path

import pytest

from services.gateway.openapi import OPENAPI_FILE, REPO

CLIENT = REPO / "clients" / "typescript"
BIN = CLIENT / "node_modules" / ".bin"


@pytest.fixture(scope="module", autouse=True)
def installed():
    assert (BIN / "tsc").is_file() and (BIN / "openapi-typescript").is_file(), \
        "the client's npm packages are missing: run `make setup` (npm ci in clients/typescript)"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=CLIENT, capture_output=True, text=True, timeout=300)


def test_generated_types_match_the_published_document(tmp_path: Path):
    out = tmp_path / "schema.d.ts"
    result = run(str(BIN / "openapi-typescript"), str(OPENAPI_FILE), "--output", str(out))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (CLIENT / "src" / "schema.d.ts").read_text() == out.read_text(), \
        "run `npm --prefix clients/typescript run generate` and commit src/schema.d.ts"


def test_client_type_checks():
    result = run(str(BIN / "tsc"), "--noEmit", "--project", "tsconfig.json")
    assert result.returncode == 0, result.stdout + result.stderr


def test_type_check_catches_a_call_the_schema_does_not_allow(tmp_path: Path):
    """The check is not vacuous: a body field the schema does not have fails to compile."""
    (tmp_path / "probe.ts").write_text(
        f'import {{ createNumerosClient }} from "{CLIENT / "src" / "index"}";\n'
        'const api = createNumerosClient({ baseUrl: "http://127.0.0.1:8000" });\n'
        'export const bad = api.POST("/api/v1/auth/login", { body: { mail: "a@b.c", password: "x" } });\n')
    (tmp_path / "tsconfig.json").write_text(json.dumps({"extends": str(CLIENT / "tsconfig.json"),
                                                        "include": [str(tmp_path / "probe.ts")]}))
    result = run(str(BIN / "tsc"), "--noEmit", "--project", str(tmp_path / "tsconfig.json"))
    assert result.returncode != 0
    assert "probe.ts" in result.stdout and "'mail' does not exist" in result.stdout, result.stdout
