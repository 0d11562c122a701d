coupons_ddl = """
CREATE TABLE coupons (
    code         text PRIMARY KEY,
    percent_off  integer NOT NULL CHECK (percent_off BETWEEN 1 AND 100),
    valid_from   timestamptz NOT NULL,
    valid_until  timestamptz NOT NULL,
    max_uses     integer CHECK (max_uses > 0),          -- NULL means unlimited
    customer_id  bigint REFERENCES customers (id),      -- NULL means anyone may use it
    CHECK (valid_until > valid_from)
)
"""
