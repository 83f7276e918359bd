from numeros_common.migrations import run_env
from services.chat.database import full_metadata

run_env(full_metadata(), "chat")
