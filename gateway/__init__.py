"""The HTTP gateway: authenticates, scopes, validates, and calls the services over RPC."""
