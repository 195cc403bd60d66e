"""Alembic migrations; a package so that installed copies of Cohort can find them."""
