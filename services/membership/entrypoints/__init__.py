"""Membership's nameko entrypoints, one mixin per area; ``service.py`` composes them."""
