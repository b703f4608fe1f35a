"""briefgen: sourced policy briefs from a folder of documents."""

__version__ = "0.1.0"
