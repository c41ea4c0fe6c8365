"""nginx's configuration for the local cluster: its own prefix, pid file and logs."""

import os
import shutil
from pathlib import Path

TEMPLATE = """\
# Written by cluster/nginx.py for the local cluster; not the system's nginx.
{user}worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;

events {{
    worker_connections 1024;
}}

http {{
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;

    upstream geoevents {{
{servers}
    }}

    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 2m;

        location / {{
            # A request with an Idempotency-Key may be sent again (/_keyed/); one without
            # may not, since nginx cannot tell whether the replica acted on it.
            if ($http_idempotency_key) {{
                rewrite ^ /_keyed$uri last;
            }}
            proxy_pass http://geoevents;
            include {prefix}/proxy_params;
            # A replica that refuses or resets the connection (stopping, restarting) is
            # skipped: for a POST only if nothing was sent yet.
            proxy_next_upstream error timeout;
        }}

        location /_keyed/ {{
            internal;
            rewrite ^/_keyed(/.*)$ $1 break;
            proxy_pass http://geoevents;
            include {prefix}/proxy_params;
            # Safe to send again: the same key gets the first outcome, never a second write.
            proxy_next_upstream error non_idempotent;
        }}
    }}
}}
"""


PROXY_PARAMS = """\
proxy_set_header Host $host;
# The replicas trust these from 127.0.0.1 (FORWARDED_ALLOW_IPS).
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Proto $scheme;
proxy_next_upstream_tries 3;
proxy_connect_timeout 2s;
proxy_read_timeout 60s;
"""


def write_config(
    prefix: Path, port: int, replica_ports: tuple[int, ...], down: int | None = None
) -> Path:
    """Write nginx.conf under `prefix` for a proxy on `port`, the replica on `down` taken out
    of rotation (a deploy in progress); its path."""
    for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / "tmp" / name).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            # nginx's workers run as nobody when the master is root.
            shutil.chown(prefix / "tmp" / name, "nobody")
    # A replica found down is left alone for 2 s, then tried again.
    servers = "\n".join(
        f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=2s{' down' if p == down else ''};"
        for p in replica_ports
    )
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    (prefix / "proxy_params").write_text(PROXY_PARAMS)
    conf = prefix / "nginx.conf"
    conf.write_text(TEMPLATE.format(user=user, prefix=prefix, servers=servers, port=port))
    return conf
