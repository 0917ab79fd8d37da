"""The analytical warehouse: the operational data copied into a DuckDB star schema that holds no
name, identifier, contact data or free text of a person, its Parquet export, and the small-cell
suppression every published figure goes through."""
