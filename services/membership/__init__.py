"""Membership: the territory tree, and (soon) residents, households, party members, volunteers."""
