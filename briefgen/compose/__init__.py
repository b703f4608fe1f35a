"""Brief + template -> outline: section layout, citations (Chicago notes) and templates."""
