"""Calling another service over RPC, with a deadline.

nameko's ``RpcProxy`` waits for ever, and its requests wait in the target's queue for ever: a
caller that gave up could see its request carried out minutes later. ``ServiceRpc`` gives every
call a deadline (``LINLI_RPC_TIMEOUT_SECONDS``) after which the caller gets ``Unavailable``, and
the request expires in the queue at the same moment, so a refused call is never carried out
later. Requests are transient: an RPC outlives neither its deadline nor a broker restart.
"""
from __future__ import annotations

import eventlet
from nameko.exceptions import UnknownService
from nameko.rpc import RpcProxy

from shared.config import settings_from_container
from shared.errors import Unavailable

TRANSIENT = 1


class DeadlineMethod:
    def __init__(self, method, service_name: str, timeout: float):
        self._method = method
        self._service_name = service_name
        self._timeout = timeout

    def __call__(self, *args, timeout: float | None = None, **kwargs):
        try:
            reply = self._method.call_async(*args, **kwargs)
        except UnknownService:
            raise Unavailable(f"the {self._service_name} service is not running") from None
        try:
            with eventlet.Timeout(timeout or self._timeout):
                return reply.result()
        except eventlet.Timeout:
            raise Unavailable(
                f"the {self._service_name} service did not answer in time; try again") from None


class DeadlineServiceProxy:
    def __init__(self, proxy, timeout: float):
        self._proxy = proxy
        self._timeout = timeout

    def __getattr__(self, name: str) -> DeadlineMethod:
        return DeadlineMethod(getattr(self._proxy, name), self._proxy.service_name, self._timeout)


class ServiceRpc(RpcProxy):
    """``RpcProxy`` with a deadline: ``self.membership.territory_get_node(code)``."""

    def setup(self):
        super().setup()
        self.timeout = settings_from_container(self.container.config).rpc_timeout_seconds
        self.options.setdefault("expiration", self.timeout)
        self.options.setdefault("delivery_mode", TRANSIENT)

    def get_dependency(self, worker_ctx):
        return DeadlineServiceProxy(super().get_dependency(worker_ctx), self.timeout)
