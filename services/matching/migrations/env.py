from numeros_common.migrations import run_env
from services.matching.database import full_metadata

run_env(full_metadata(), "matching")
