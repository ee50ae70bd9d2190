"""The gateway's routes, one mixin per area; ``gateway/service.py`` composes them."""
