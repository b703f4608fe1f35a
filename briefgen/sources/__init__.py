"""Source documents: one reader per file suffix, and the metadata read from them."""
