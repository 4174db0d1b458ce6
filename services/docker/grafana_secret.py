"""One-shot: make sure Grafana's admin password file exists, so `docker compose up` works
with no `.env` and no password in the repository.

    python grafana_secret.py /secrets/grafana_admin_password

GRAFANA_ADMIN_PASSWORD set: that password is written. Unset or empty: a password generated
on the first run is kept (and reused on every later run). Grafana reads the file through
GF_SECURITY_ADMIN_PASSWORD__FILE; it applies it when its database is first created.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path


def ensure_password(path: Path, given: str | None) -> tuple[str, bool]:
    """The password now in `path`, and whether this run generated it."""
    if given:
        password, generated = given, False
    elif path.is_file() and path.read_text().strip():
        return path.read_text().strip(), False
    else:
        password, generated = secrets.token_urlsafe(18), True
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(password + "\n")
    # Grafana runs as another user: readable by it, and only mounted into these two services.
    tmp.chmod(0o644)
    tmp.replace(path)
    return password, generated


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: grafana_secret.py FILE")
        return 2
    path = Path(argv[0])
    _, generated = ensure_password(path, os.environ.get("GRAFANA_ADMIN_PASSWORD"))
    if generated:
        print(
            "Grafana admin password generated (user admin). Show it with:\n"
            "  docker compose exec grafana cat /run/secrets/lab/grafana_admin_password\n"
            "or set GRAFANA_ADMIN_PASSWORD in .env before the first start."
        )
    else:
        print(f"Grafana admin password: kept in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
