from numeros_common.migrations import run_env
from services.matching.adapters.tables import metadata

run_env(metadata, "matching")
