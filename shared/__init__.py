"""The library every Linli service stands on: configuration, database, events, caller context."""
