"""The brief: its models, reading brief files, grounding quotes, checks and the section registry."""
