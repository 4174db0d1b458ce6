"""The same URLs on both servers; the URL names are the `route` label of every metric."""

from django.urls import path

from django_app.views import basic, cpu, db, fanout, index, io, page, stream

urlpatterns = [
    path("", index.index, name="index"),
    path("healthz", basic.healthz, name="healthz"),
    path("ping", basic.ping, name="ping"),
    path("metrics", basic.metrics, name="metrics"),
    path("io/sync", io.io_sync, name="io_sync"),
    path("io/async", io.io_async, name="io_async"),
    path("io/async-blocking", io.io_async_blocking, name="io_async_blocking"),
    path("io/sync-to-async", io.io_sync_to_async, name="io_sync_to_async"),
    path("cpu/sync", cpu.cpu_sync, name="cpu_sync"),
    path("cpu/async", cpu.cpu_async, name="cpu_async"),
    path("cpu/async-chunked", cpu.cpu_async_chunked, name="cpu_async_chunked"),
    path("cpu/async-offload", cpu.cpu_async_offload, name="cpu_async_offload"),
    path("db/sync", db.db_sync, name="db_sync"),
    path("db/async", db.db_async, name="db_async"),
    path("fanout/sync", fanout.fanout_sync, name="fanout_sync"),
    path("fanout/async", fanout.fanout_async, name="fanout_async"),
    path("stream/async", stream.stream_async, name="stream_async"),
    path("stream/sync", stream.stream_sync, name="stream_sync"),
    path("page/sync", page.page_sync, name="page_sync"),
    path("page/async", page.page_async, name="page_async"),
    path("page/async-blocking", page.page_async_blocking, name="page_async_blocking"),
]

handler400 = "django_app.errors.bad_request"
handler404 = "django_app.errors.not_found"
handler500 = "django_app.errors.server_error"
