import sqlalchemy as sa
from alembic import op


def upgrade():
    # server_default fills the existing rows; without it NOT NULL fails on a non-empty table
    op.add_column(
        "customers",
        sa.Column("loyalty_points", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_check_constraint("customers_loyalty_points_check", "customers", "loyalty_points >= 0")


def downgrade():
    # the reverse of upgrade(), in reverse order
    op.drop_constraint("customers_loyalty_points_check", "customers", type_="check")
    op.drop_column("customers", "loyalty_points")
