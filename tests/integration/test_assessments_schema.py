"""The assessments service's migrations create exactly what its models declare."""


def test_the_migrations_match_the_models(assessments_service_db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from services.assessments.models import Base

    with assessments_service_db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
