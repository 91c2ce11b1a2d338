"""The model library: catalog, downloads, GGUF validation, hardware and memory fit. No inference."""
