"""The remote backend: the engine protocol over an OpenAI-compatible HTTP server."""
