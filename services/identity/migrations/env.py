from numeros_common.migrations import run_env
from services.identity.database import full_metadata

run_env(full_metadata(), "identity")
