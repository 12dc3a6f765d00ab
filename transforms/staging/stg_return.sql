-- Generic staging model, rendered once per return from its definition (schemas/returns.toml):
-- rename the unit column, cast every field, keep the lineage of every row.
select
    '{quarter}' as quarter,
    unit as unit_code,
    {columns},
    _source_file as source_file,
    _sha256 as sha256,
    _sheet as sheet,
    _row as row_number
from {load_table}
