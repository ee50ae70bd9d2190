"""The platform's services, one package each, each with its own database."""
