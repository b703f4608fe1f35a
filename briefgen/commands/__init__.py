"""One module per command; ``briefgen.cli`` loads them on demand."""
