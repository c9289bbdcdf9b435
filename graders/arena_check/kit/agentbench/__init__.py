"""An offline agent benchmark for section 4.5: a sandboxed shell, a loopback shop, tasks, a runner.

See :mod:`.shell`, :mod:`.shop` and :mod:`.tasks`.
"""

from arena_check.kit.agentbench.shell import Shell, ShellError, parse_command, resolve_path
from arena_check.kit.agentbench.shop import CATALOGUE, ShopServer, serve_shop
from arena_check.kit.agentbench.tasks import (
    OS_TASKS,
    SHOP_TASKS,
    TASKS,
    Episode,
    Observation,
    ShellEnv,
    ShopEnv,
    Task,
    next_hint,
    page_actions,
    page_text,
    run_episode,
)

__all__ = [
    "CATALOGUE", "OS_TASKS", "SHOP_TASKS", "TASKS", "Episode", "Observation", "Shell", "ShellEnv",
    "ShellError", "ShopEnv", "ShopServer", "Task", "next_hint", "page_actions", "page_text",
    "parse_command", "resolve_path", "run_episode", "serve_shop",
]
