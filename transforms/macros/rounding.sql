-- n / w rounded half up to cents, for n already in cents (exact: hugeint floor division).
create or replace temp macro round_half_up_cents(n, w) as
    (((2 * n + w) // (2 * w))::decimal(12, 0) / 100)::decimal(7, 2);
