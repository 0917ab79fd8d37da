"""A real IMAP server for the tests: Debian's dovecot, started on a free port with a throwaway
configuration in a temporary folder (no root needed), one user, plain login on 127.0.0.1."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

USER = "buzon"
PASSWORD = "secreto-de-prueba"


@dataclass(frozen=True)
class Mailbox:
    host: str
    port: int
    user: str
    password: str


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _mail_owner() -> tuple[int, int]:
    """Whose the mail files are: the user running the tests, or (dovecot refusing root's
    mail) the package's own user when that is root."""
    if os.getuid() != 0:
        return os.getuid(), os.getgid()
    owner = pwd.getpwnam("dovecot")
    return owner.pw_uid, owner.pw_gid


def _config(root: Path, port: int) -> str:
    uid, gid = _mail_owner()
    running_as_root = os.getuid() == 0
    # As root dovecot drops to its own users (the package creates them); as anyone else it
    # runs every process as that user.
    users = (
        ""
        if running_as_root
        else f"default_login_user = {os.environ.get('USER', 'nobody')}\n"
        f"default_internal_user = {os.environ.get('USER', 'nobody')}\n"
    )
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 0
first_valid_gid = 0
mail_location = maildir:{root}/mail/%u
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@contextmanager
def dovecot(root: Path) -> Iterator[Mailbox]:
    binary = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin")
    if binary is None:
        raise RuntimeError(
            "Dovecot is not installed; the IMAP tests need a real server: "
            "apt-get install -y dovecot-imapd"
        )
    port = _free_port()
    for folder in ("run", "state", "mail", "home"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o755)  # noqa: S103 - the server's own users must reach their files
    for folder in ("mail", "home"):
        os.chown(root / folder, *_mail_owner())
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
    config = root / "dovecot.conf"
    config.write_text(_config(root, port), encoding="utf-8")
    # The daemon keeps its standard streams: handing it pipes would make run() wait for it.
    with (root / "start.log").open("wb") as start_log:
        started = subprocess.run(  # noqa: S603
            [binary, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=start_log, check=False
        )
    if started.returncode != 0:
        raise RuntimeError(
            "Dovecot did not start: " + (root / "start.log").read_text(errors="replace")
        )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    log = (root / "dovecot.log").read_text(encoding="utf-8", errors="replace")
                    raise RuntimeError(f"Dovecot did not start:\n{log}") from None
                time.sleep(0.1)
        yield Mailbox(host="127.0.0.1", port=port, user=USER, password=PASSWORD)
    finally:
        subprocess.run(  # noqa: S603
            [binary, "-c", str(config), "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
