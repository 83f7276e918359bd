from numeros_common.migrations import run_env
from services.chat.adapters.tables import metadata

run_env(metadata, "chat")
