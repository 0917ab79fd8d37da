"""``ventanilla serve`` loads the app once, before forking its workers, and sets what it loaded
aside from the garbage collector, so a worker's full collections walk only what its requests
made."""

from __future__ import annotations

import gc

from ventanilla.runtime.management.commands.serve import VentanillaServer


def test_the_app_is_loaded_and_set_aside_from_the_collector() -> None:
    server = VentanillaServer({"bind": "127.0.0.1:0", "workers": 1})
    gc.unfreeze()
    try:
        application = server.load()
        frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()

    assert callable(application)
    # Django, the app and its routes: hundreds of thousands of objects.
    assert frozen > 100_000
